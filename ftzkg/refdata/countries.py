"""ISO 3166-1: every country with its alpha-2, alpha-3 and numeric codes and its English and Chinese names.

From pycountry, which carries the ISO 3166-1 table of Debian's iso-codes and its
translations. Names: the ISO short name in English (``skos:prefLabel``, also
``rdfs:label``) and its Simplified Chinese translation (``@zh-Hans``, from the
``zh_CN`` catalogue); the common and official names, where ISO gives them, as
``skos:altLabel``. Membership in UN M49 regions is in the M49 graph.
"""

from __future__ import annotations

import gettext

from .standards import LGPL_21, Standard
from .trig import Literal, Resource, en

STANDARD = Standard(
    slug="iso-3166-1",
    title="ISO 3166-1: Codes for the representation of names of countries and their subdivisions — "
    "Part 1: Country code",
    publisher="International Organization for Standardization (ISO 3166 Maintenance Agency)",
    page="https://www.iso.org/iso-3166-country-codes.html",
    edition="ISO 3166-1:2020 with the changes published by the ISO 3166 Maintenance Agency up to the "
    "pycountry release named in dcterms:provenance",
    licence=LGPL_21,
    rights="Codes and English short names: ISO 3166-1, International Organization for Standardization. "
    "Table and Chinese translations: Debian iso-codes as distributed in pycountry, under the GNU LGPL 2.1; "
    "this graph is a conversion of that data and is distributed under the same licence.",
    package="pycountry",
    scheme_label="ISO 3166-1 country codes",
)

CHINESE = "zh-Hans"


def resources() -> list[Resource]:
    """The standard, its scheme and one resource per country, ordered by alpha-2 code."""
    import pycountry

    chinese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    out = STANDARD.resources()
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        name = country.name
        zh = chinese.gettext(name)
        alternatives = sorted(
            {getattr(country, "common_name", None), getattr(country, "official_name", None)} - {None, name}
        )
        resource = (
            Resource(f"country:{country.alpha_2}")
            .add("rdf:type", "ftz:Country", "skos:Concept")
            .add("rdfs:label", en(name), Literal(zh, lang=CHINESE) if zh != name else None)
            .add("skos:prefLabel", en(name), Literal(zh, lang=CHINESE) if zh != name else None)
            .add("skos:altLabel", *(en(a) for a in alternatives))
            .add("skos:notation", Literal(country.alpha_2))
            .add("ftz:isoAlpha3", Literal(country.alpha_3))
            .add("ftz:isoNumeric", Literal(country.numeric))
            .add("skos:inScheme", STANDARD.scheme)
        )
        out.append(resource)
    return out
