"""A code missing from the reference data is reported as such, with where the code list is.

Before, a trade link to a country the reference data lacked failed with "must point to a
market", which does not say that the country is simply not in the reference data.
"""

from __future__ import annotations

import pytest

from ftzkg.validation.contribution import validate_contribution

HEADER = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix firm: <https://w3id.org/ftzkg/id/firm/> .
@prefix link: <https://w3id.org/ftzkg/id/link/> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix country: <https://w3id.org/ftzkg/id/country/> .
@prefix region: <https://w3id.org/ftzkg/id/region/> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix hs: <https://w3id.org/ftzkg/id/hs/> .
@prefix product: <https://w3id.org/ftzkg/id/product/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix cur: <http://qudt.org/vocab/currency/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix scheme: <https://w3id.org/ftzkg/id/scheme/> .
source:example-bulletin a ftz:Source ; dcterms:title "EXAMPLE bulletin"@en ; ftz:aiAssisted false .
"""


def export_to(market: str) -> str:
    return f"""firm:kashgar-kangyi-intelligent-technology ftz:exportsTo {market} .
link:example-kangyi-exports a ftz:TradeLink ; rdfs:label "EXAMPLE link"@en ;
    ftz:exporter firm:kashgar-kangyi-intelligent-technology ; ftz:destinationMarket {market} ;
    ftz:evidence ftz:ExportsReaching ; ftz:status ftz:Reported ;
    prov:wasDerivedFrom source:example-bulletin ; ftz:quote "EXAMPLE sentence." .
"""


def product_with(code: str) -> str:
    return f"""product:example-dryers a ftz:Product ; rdfs:label "EXAMPLE dryers"@en ;
    skos:prefLabel "EXAMPLE dryers"@en ; skos:inScheme scheme:products ; skos:broadMatch {code} .
"""


def purchase_in(unit: str, measure: str = "ftz:MaterialPurchased") -> str:
    return f"""obs:example-walnuts-bought a ftz:Observation ; rdfs:label "EXAMPLE walnuts bought"@en ;
    ftz:hasMeasure {measure} ; ftz:refEnterprise firm:xinjiang-withyoung-health-food ;
    ftz:numericValue 1500.0 ; ftz:qualifier ftz:MoreThan ; ftz:unit {unit} ;
    ftz:sourcePhrase "over 1,500 tonnes" ;
    prov:wasDerivedFrom source:example-bulletin ; ftz:quote "EXAMPLE: over 1,500 tonnes of walnuts." .
"""


def messages(kg, tmp_path, body: str) -> list[str]:
    path = tmp_path / "contribution.ttl"
    path.write_text(HEADER + body, encoding="utf-8")
    report = validate_contribution([path], kg)
    return [f.message for f in report.findings if f.severity == "Violation"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            export_to("country:XK"),
            "country:XK is not in the reference data: data/reference/countries.trig has no "
            "ISO 3166-1 country with alpha-2 code XK",
        ),
        (export_to("region:999"), "region:999 is not in the reference data: data/reference/regions.trig"),
        (
            product_with("hs:8516.31"),
            "hs:8516.31 is not in the reference data: data/reference/hs-2022.trig has "
            "no HS 2022 code 8516.31",
        ),
        (
            purchase_in("unit:TONNES"),
            "unit:TONNES is not in the reference data: data/reference/units.trig has no "
            "unit TONNES; add the unit with its QUDT IRI to UNITS in ftzkg/refdata/units.py",
        ),
        (purchase_in("cur:XYZ"), "cur:XYZ is not in the reference data: data/reference/currencies.trig"),
        (purchase_in("unit:TONNE", "ftz:WalnutsBought"), "ftz:WalnutsBought is not defined in the ontology"),
    ],
)
def test_a_code_missing_from_the_reference_data_is_named_as_missing(kg, tmp_path, body, expected):
    found = messages(kg, tmp_path, body)
    assert found and all(m.startswith(expected.split(":")[0] + ":") for m in found), found
    assert any(m.startswith(expected) for m in found), found


@pytest.mark.parametrize(
    "body",
    [
        export_to("country:RU"),
        export_to("country:MN"),
        product_with("hs:851631"),
        purchase_in("unit:TONNE"),
        purchase_in("cur:USD"),
    ],
)
def test_what_the_second_article_needs_is_in_the_reference_data(kg, tmp_path, body):
    # Russia, Mongolia, hair dryers (8516.31), tonnes and dollars were missing before
    assert messages(kg, tmp_path, body) == []
