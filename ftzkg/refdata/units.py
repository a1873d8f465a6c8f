"""Units of measure: the QUDT units a measure may use, and every ISO 4217 currency as a QUDT currency.

Units are a code list kept here (QUDT publishes no maintained Python package of
its vocabulary): each row is a QUDT unit IRI, its English label, its symbol and
its QUDT quantity kind. Currencies come from pycountry's ISO 4217 table, each
under QUDT's currency namespace (``cur:CNY``), with its English and Chinese
names. To add a unit, add a row to :data:`UNITS` with the IRI QUDT gives it and
run ``make reference``.
"""

from __future__ import annotations

import gettext

from .standards import CC_BY_40, LGPL_21, Standard
from .trig import Literal, Resource, en

UNITS_STANDARD = Standard(
    slug="qudt-units",
    title="QUDT units of measure (the units ftzkg's measures use)",
    publisher="QUDT.org",
    page="http://qudt.org/vocab/unit/",
    edition="QUDT 2 unit vocabulary (unit IRIs of http://qudt.org/vocab/unit/)",
    licence=CC_BY_40,
    rights="Unit IRIs and quantity kinds: QUDT.org, under CC BY 4.0.",
    package=None,
    scheme_label="units of measure",
)

CURRENCIES_STANDARD = Standard(
    slug="iso-4217",
    title="ISO 4217: Codes for the representation of currencies",
    publisher="International Organization for Standardization (maintenance agency: SIX)",
    page="https://www.iso.org/iso-4217-currency-codes.html",
    edition="ISO 4217 as published up to the pycountry release named in dcterms:provenance",
    licence=LGPL_21,
    rights="Codes and names: ISO 4217, International Organization for Standardization. Table and Chinese "
    "translations: Debian iso-codes as distributed in pycountry, under the GNU LGPL 2.1; this graph is a "
    "conversion of that data and is distributed under the same licence. Currency IRIs: QUDT.org.",
    package="pycountry",
    scheme_label="ISO 4217 currencies",
)

#: (QUDT local name, English label, symbol, QUDT quantity kind)
UNITS: tuple[tuple[str, str, str, str], ...] = (
    ("NUM", "number", "#", "Dimensionless"),
    ("PERCENT", "percent", "%", "DimensionlessRatio"),
    ("GM", "gram", "g", "Mass"),
    ("KiloGM", "kilogram", "kg", "Mass"),
    ("TONNE", "tonne (metric ton)", "t", "Mass"),
    ("MIN", "minute", "min", "Time"),
    ("HR", "hour", "h", "Time"),
    ("DAY", "day", "d", "Time"),
    ("WK", "week", "wk", "Time"),
    ("MO", "month", "mo", "Time"),
    ("YR", "year", "yr", "Time"),
    ("M", "metre", "m", "Length"),
    ("KiloM", "kilometre", "km", "Length"),
    ("M2", "square metre", "m²", "Area"),
    ("HA", "hectare", "ha", "Area"),
    ("KiloM2", "square kilometre", "km²", "Area"),
    ("L", "litre", "L", "Volume"),
    ("M3", "cubic metre", "m³", "Volume"),
    ("KiloW-HR", "kilowatt hour", "kW·h", "Energy"),
)


def unit_resources() -> list[Resource]:
    """The units standard, its scheme and one resource per unit, in the order of :data:`UNITS`."""
    out = UNITS_STANDARD.resources()
    for name, label, symbol, kind in UNITS:
        out.append(
            Resource(f"unit:{name}")
            .add("rdf:type", "qudt:Unit", "skos:Concept")
            .add("rdfs:label", en(label))
            .add("skos:prefLabel", en(label))
            .add("qudt:symbol", Literal(symbol))
            .add("qudt:hasQuantityKind", f"quantitykind:{kind}")
            .add("skos:inScheme", UNITS_STANDARD.scheme)
            .add("rdfs:isDefinedBy", "<http://qudt.org/vocab/unit/>")
        )
    return out


def currency_resources() -> list[Resource]:
    """The ISO 4217 standard, its scheme and one QUDT currency unit per ISO 4217 code."""
    import pycountry

    chinese = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["zh_CN"])
    out = CURRENCIES_STANDARD.resources()
    for currency in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
        name = currency.name
        zh = chinese.gettext(name)
        zh_label = Literal(zh, lang="zh-Hans") if zh != name else None
        out.append(
            Resource(f"cur:{currency.alpha_3}")
            .add("rdf:type", "qudt:Unit", "skos:Concept")
            .add("rdfs:label", en(name), zh_label)
            .add("skos:prefLabel", en(name), zh_label)
            .add("skos:notation", Literal(currency.alpha_3))
            .add("qudt:hasQuantityKind", "quantitykind:Currency")
            .add("skos:inScheme", CURRENCIES_STANDARD.scheme)
            .add("rdfs:isDefinedBy", "<http://qudt.org/vocab/currency/>")
        )
    return out
