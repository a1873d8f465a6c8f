"""UN M49: every geographic region with its code and what it contains.

The M49 table comes from hdx-python-country, which carries OCHA's Countries and
Territories Taxonomy with each country's M49 region, sub-region and
intermediate region (code and English name). Regions are the codes that table
uses, plus the World (001) that contains the five regions. Each country lies
``ftz:withinRegion`` its smallest M49 region (intermediate region if it has one,
else sub-region); Antarctica, which M49 places in no region, lies directly
within the World.
"""

from __future__ import annotations

import csv
import importlib.resources
import io

from .standards import MIT, Standard
from .trig import Literal, Resource, en

STANDARD = Standard(
    slug="un-m49",
    title="Standard country or area codes for statistical use (M49)",
    publisher="United Nations Statistics Division",
    page="https://unstats.un.org/unsd/methodology/m49/",
    edition="M49 as carried in OCHA's Countries and Territories Taxonomy of the hdx-python-country release "
    "named in dcterms:provenance",
    licence=MIT,
    rights="Region codes, names and membership: UN M49, United Nations Statistics Division. Table: OCHA "
    "Countries and Territories Taxonomy as distributed in hdx-python-country under the MIT licence.",
    package="hdx-python-country",
    scheme_label="UN M49 geographic regions",
)

TABLE = "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
WORLD = "001"
LEVELS = (
    ("Region Code", "Region Name"),
    ("Sub-region Code", "Sub-region Name"),
    ("Intermediate Region Code", "Intermediate Region Name"),
)


def table_rows() -> list[dict[str, str]]:
    """The rows of the taxonomy that have an ISO 3166-1 alpha-2 code."""
    text = (importlib.resources.files("hdx.location") / TABLE).read_text(encoding="utf-8")
    return [row for row in csv.DictReader(io.StringIO(text)) if row["ISO 3166-1 Alpha 2-Codes"].strip()]


def _code(value: str) -> str:
    return value.strip().zfill(3) if value.strip() else ""


def membership(rows: list[dict[str, str]]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(region names, region -> its parent region, country alpha-2 -> its smallest region).

    Raises ValueError when the table gives one region two names or two parents.
    """
    names: dict[str, str] = {WORLD: "World"}
    parent: dict[str, str] = {}
    country_region: dict[str, str] = {}
    for row in rows:
        chain = [WORLD]
        for code_column, name_column in LEVELS:
            code = _code(row[code_column])
            if not code:
                continue
            name = row[name_column].strip()
            if names.setdefault(code, name) != name:
                raise ValueError(f"M49 region {code} has two names: {names[code]!r} and {name!r}")
            if parent.setdefault(code, chain[-1]) != chain[-1]:
                raise ValueError(f"M49 region {code} lies in both {parent[code]} and {chain[-1]}")
            chain.append(code)
        country_region[row["ISO 3166-1 Alpha 2-Codes"].strip()] = chain[-1]
    return names, parent, country_region


def resources(countries: set[str]) -> list[Resource]:
    """The standard, its scheme, every region, and the region of each of ``countries`` (alpha-2 codes)."""
    names, parent, country_region = membership(table_rows())
    missing = sorted(countries - set(country_region))
    if missing:
        raise ValueError(f"the M49 table has no region for the ISO 3166-1 countries {', '.join(missing)}")
    out = STANDARD.resources(top_concepts=[f"region:{WORLD}"])
    for code in sorted(names):
        resource = (
            Resource(f"region:{code}")
            .add("rdf:type", "ftz:Region", "skos:Concept")
            .add("rdfs:label", en(names[code]))
            .add("skos:prefLabel", en(names[code]))
            .add("skos:notation", Literal(code))
            .add("skos:inScheme", STANDARD.scheme)
        )
        if code in parent:
            resource.add("ftz:withinRegion", f"region:{parent[code]}")
        else:
            resource.add("skos:topConceptOf", STANDARD.scheme)
        out.append(resource)
    for alpha2 in sorted(countries):
        out.append(Resource(f"country:{alpha2}").add("ftz:withinRegion", f"region:{country_region[alpha2]}"))
    return out
