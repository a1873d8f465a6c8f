"""Reference data (ISO 3166-1, UN M49, HS 2022) is well-formed and cites its standard."""

from __future__ import annotations

import re

from kg_queries import select


def test_countries_carry_consistent_iso_codes_in_the_iso_graph(kg):
    rows = select(
        kg,
        """SELECT ?c ?a2 ?a3 ?num ?g WHERE { GRAPH ?g { ?c a ftz:Country ; skos:notation ?a2 ;
             ftz:isoAlpha3 ?a3 ; ftz:isoNumeric ?num } }""",
    )
    assert len(rows) >= 33  # reference data grows; every country is checked below
    for row in rows:
        assert row["c"].endswith("/country/" + row["a2"])
        assert re.fullmatch("[A-Z]{2}", row["a2"]) and re.fullmatch("[A-Z]{3}", row["a3"])
        assert re.fullmatch("[0-9]{3}", row["num"])
        assert row["g"].endswith("/source/iso-3166-1")
    assert {(r["a2"], r["a3"], r["num"]) for r in rows} >= {
        ("PK", "PAK", "586"),
        ("TR", "TUR", "792"),
        ("CN", "CHN", "156"),
    }


def test_region_containment_finds_the_countries_of_central_asia(kg):
    rows = select(kg, "SELECT ?code WHERE { ?c ftz:withinRegion+ region:143 ; skos:notation ?code }")
    assert sorted(r["code"] for r in rows) == ["KG", "KZ", "TJ", "TM", "UZ"]


def test_every_country_reaches_the_world_region(kg):
    rows = select(
        kg, "SELECT ?c WHERE { ?c a ftz:Country FILTER NOT EXISTS { ?c ftz:withinRegion+ region:001 } }"
    )
    assert rows == []


def test_hs_codes_nest_by_their_digits(kg):
    rows = select(
        kg,
        """SELECT ?code ?broader WHERE {
             ?h a ftz:HSCode ; skos:notation ?code OPTIONAL { ?h skos:broader/skos:notation ?broader } }""",
    )
    assert len(rows) >= 11  # reference data grows; every code is checked below
    for row in rows:
        assert re.fullmatch("[0-9]{2}|[0-9]{4}|[0-9]{6}", row["code"])
        if len(row["code"]) > 2:
            assert row["code"].startswith(row["broader"]) and len(row["broader"]) == len(row["code"]) - 2


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


def test_reference_sources_are_standards_not_the_article(kg):
    rows = select(kg, "SELECT ?s ?ai WHERE { ?s a ftz:ReferenceStandard ; ftz:aiAssisted ?ai }")
    assert len(rows) == 4 and all(r["ai"] == "false" for r in rows)
