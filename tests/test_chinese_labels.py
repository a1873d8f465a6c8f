"""Chinese names only where a source prints them, never for firms, and no unverified outside links."""

from __future__ import annotations

import unicodedata

from kg_queries import select

ZH_SOURCE = "https://w3id.org/ftzkg/id/source/chinanews-2023-11-12-kashgar-area-reform-highlights-zh"


def test_every_chinese_label_is_printed_by_the_source_of_its_graph(kg):
    rows = select(
        kg,
        """SELECT ?g ?entity ?label ?note ?title WHERE { GRAPH ?g {
             ?entity rdfs:label|skos:altLabel ?label . FILTER(LANG(?label) = "zh")
             ?g ftz:originNote ?note . OPTIONAL { ?g dcterms:title ?title } } }""",
    )
    assert {r["entity"].rsplit("/", 1)[1] for r in rows} >= {
        "china-xinjiang-pilot-ftz",
        "kashgar-area",
        "xinjiang",
        "kashgar",
    }
    for row in rows:
        evidence = unicodedata.normalize("NFKC", row["note"] + row.get("title", ""))
        assert unicodedata.normalize("NFKC", row["label"]) in evidence, (row["entity"], row["label"])


def test_chinese_labels_of_the_zone_come_from_a_named_chinese_source(kg):
    rows = select(
        kg,
        """SELECT ?label ?lang ?publisher WHERE { GRAPH ?g { zone:kashgar-area rdfs:label ?label .
             FILTER(LANG(?label) = "zh") ?g dcterms:language ?lang ; dcterms:publisher ?publisher } }""",
    )
    assert rows == [
        {
            "label": "中国（新疆）自由贸易试验区喀什片区",  # noqa: RUF001 - the full-width parentheses of Chinese text
            "lang": "zh",
            "publisher": "China News Service (中新网)",
        }
    ]
    assert select(kg, "SELECT ?s WHERE { ?s a ftz:Source }", s=ZH_SOURCE)


def test_no_firm_has_a_chinese_name(kg):
    rows = select(
        kg,
        """SELECT ?firm ?label WHERE {
             ?firm a ftz:Enterprise ; rdfs:label|skos:altLabel|skos:prefLabel ?label .
             FILTER(LANGMATCHES(LANG(?label), "zh")) }""",
    )
    assert rows == []


def test_no_wikidata_or_geonames_link_without_a_source_for_it(kg):
    rows = select(
        kg,
        """SELECT ?s ?o WHERE { ?s ?p ?o . FILTER(isIRI(?o) &&
             (CONTAINS(STR(?o), "wikidata.org") || CONTAINS(STR(?o), "geonames.org"))) }""",
    )
    assert rows == []
