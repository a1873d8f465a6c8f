"""The news sources beside the 2025 article: each its own named graph with what its page gives,
the 2025 article an apparent rewrite of one of them, and its "three to five days" read right."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from kg_queries import select

from ftzkg.catalogue import catalogue
from ftzkg.namespaces import ID
from ftzkg.querying import EmbeddedBackend, execute
from ftzkg.results import write

ARTICLE = ID + "source/kashgar-ftz-2025-article"
ECNS = ID + "source/ecns-2026-01-15-kashgar-area-enterprise-influx"
PEOPLE = ID + "source/people-cn-2023-11-25-kashgar-to-facilitate-trade"
GLOBAL_TIMES = ID + "source/global-times-2023-11-13-kashi-area-inaugurated"
SERVICES = ID + "source/chinaservicesinfo-2023-11-14-kashgar-area-opening-up"
PEARL = ID + "source/pearl-2025-09-21-guangdong-aid-digital-boom"
PEOPLE_2024 = ID + "source/people-cn-2024-01-31-xinjiang-trade-zone-growth"
FTZ = "https://w3id.org/ftzkg/ontology#"

#: source, address, publisher, date, title (None where the copy of the page shows none)
PAGES = [
    (
        ECNS,
        "http://www.ecns.cn/news/economy/2026-01-15/detail-iheywhna5923478.shtml",
        "ecns.cn",
        "2026-01-15",
        None,
    ),
    (
        PEOPLE,
        "http://en.people.cn/n3/2023/1125/c90000-20102273.html",
        "en.people.cn",
        "2023-11-25",
        "Kashgar to facilitate trade with key areas",
    ),
    (
        GLOBAL_TIMES,
        "https://en.chinaxinjiang.cn/2023/11/13/30e8fe0286064a749b7fb7f71e526847.html",
        "Global Times",
        "2023-11-13",
        "Kashi Area of Xinjiang Pilot FTZ inaugurated",
    ),
    (
        SERVICES,
        "https://chinaservicesinfo.com/s/202311/14/WS65585d3f498ed2d7b7ea05e1/kashgar-to-help-promote-further-opening-up.html",
        "chinaservicesinfo.com",
        "2023-11-14",
        None,
    ),
    (
        PEOPLE_2024,
        "http://en.people.cn/n3/2024/0131/c90000-20128844.html",
        "en.people.cn",
        "2024-01-31",
        "Xinjiang trade zone to drive region's growth",
    ),
    (
        PEARL,
        "https://ysln.ycwb.com/content/2025-09/21/content_53683812.html",
        "羊城晚报-PEARL",
        "2025-09-21",
        "Guangdong's aid fuels digital boom in Xinjiang",
    ),
]


@pytest.mark.parametrize(("src", "url", "publisher", "date", "title"), PAGES, ids=lambda v: str(v)[-30:])
def test_each_page_is_a_source_graph_with_what_the_page_gives(kg, src, url, publisher, date, title):
    rows = select(
        kg,
        """SELECT ?url ?publisher ?date ?title ?label ?ai WHERE { GRAPH ?src {
             ?src a ftz:Source ; schema:url ?url ; dcterms:publisher ?publisher ; dcterms:issued ?date ;
                  rdfs:label ?label ; ftz:aiAssisted ?ai . OPTIONAL { ?src dcterms:title ?title } } }""",
        src=src,
    )
    assert rows == [
        {"url": url, "publisher": publisher, "date": date, "label": rows[0]["label"], "ai": "false"}
        | ({"title": title} if title else {})
    ]
    if title is None:  # no title is invented; the label says the copy shows none
        assert "title not shown" in rows[0]["label"]


SENTENCE_BREAK = re.compile(r"[.!?][\"\u201d]?\s+[\"\u201c]?[A-Z]")


@pytest.mark.parametrize("src", [p[0] for p in PAGES], ids=lambda v: v[-30:])
def test_every_fact_of_a_page_quotes_one_sentence_of_it(kg, src):
    rows = select(
        kg,
        """SELECT ?fact ?quote WHERE { GRAPH ?src { ?fact prov:wasDerivedFrom ?src ; ftz:quote ?quote } }""",
        src=src,
    )
    assert len(rows) >= 3
    for row in rows:
        # one sentence: nothing inside it ends a sentence and starts another
        assert not SENTENCE_BREAK.search(row["quote"][:-1]), row


def figure(kg, src: str, measure: str, subject: str, unit: str) -> list[dict]:
    return select(
        kg,
        """SELECT ?value ?qualifier ?phrase WHERE { GRAPH ?src {
             ?o ftz:hasMeasure ?measure ; ftz:unit ?unit ; ftz:qualifier ?qualifier ;
                ftz:numericValue ?value ;
                ftz:sourcePhrase ?phrase ; ftz:refArea|ftz:refEnterprise ?subject } }""",
        src=src,
        measure=FTZ + measure,
        subject=ID + subject,
        unit=unit,
    )


CNY = "http://qudt.org/vocab/currency/CNY"
USD = "http://qudt.org/vocab/currency/USD"
NUM = "http://qudt.org/vocab/unit/NUM"
PERCENT = "http://qudt.org/vocab/unit/PERCENT"
KM2 = "http://qudt.org/vocab/unit/KiloM2"
TONNE = "http://qudt.org/vocab/unit/TONNE"
KANGYI = "firm/kashgar-kangyi-intelligent-technology"
WITHYOUNG = "firm/xinjiang-withyoung-health-food"

#: What the pages state exactly where the 2025 article rounds or drops it.
FIGURES = [
    (ECNS, "RegisteredBusinesses", "zone/kashgar-area", NUM, "5173", "Exact"),
    (ECNS, "RegisteredBusinessGrowth", "zone/kashgar-area", PERCENT, "154.6", "Exact"),
    (ECNS, "TotalImportsAndExports", "zone/kashgar-area", USD, "13360000000", "Exact"),
    (ECNS, "UnitsOrdered", KANGYI, NUM, "20000", "Exact"),
    (ECNS, "OutputValue", KANGYI, CNY, "60000000", "Exact"),
    (ECNS, "MaterialPurchased", WITHYOUNG, TONNE, "1500", "MoreThan"),
    (GLOBAL_TIMES, "LandArea", "zone/kashgar-area", KM2, "28.48", "Exact"),
    (GLOBAL_TIMES, "LandArea", "zone/china-xinjiang-pilot-ftz", KM2, "179.66", "Exact"),
    (GLOBAL_TIMES, "EnterprisesLicensedAtLaunch", "zone/kashgar-area", NUM, "35", "Exact"),
    (GLOBAL_TIMES, "ContractedProjectFunds", "zone/kashgar-area", CNY, "17600000000", "MoreThan"),
    (SERVICES, "LandArea", "zone/kashgar-area", KM2, "28.48", "Exact"),
    (SERVICES, "EnterprisesLicensedAtLaunch", "zone/kashgar-area", NUM, "35", "Exact"),
    (PEOPLE, "LandArea", "zone/china-xinjiang-pilot-ftz", KM2, "179.66", "Exact"),
    (PEOPLE, "ContractedProjectFunds", "zone/kashgar-area", CNY, "17600000000", "MoreThan"),
    (PEOPLE, "TotalImportsAndExports", "place/kashgar", CNY, "61040000000", "Exact"),
    (PEOPLE_2024, "LandArea", "zone/china-xinjiang-pilot-ftz", KM2, "180", "Approximately"),
    (PEOPLE_2024, "NewEnterprisesEstablished", "zone/kashgar-area", NUM, "86", "Exact"),
    (PEOPLE_2024, "Investment", "zone/kashgar-area", CNY, "12590000000", "MoreThan"),
]


@pytest.mark.parametrize(("src", "measure", "subject", "unit", "number", "qualifier"), FIGURES)
def test_the_pages_figures_keep_their_qualifier_and_unit(kg, src, measure, subject, unit, number, qualifier):
    rows = figure(kg, src, measure, subject, unit)
    assert [(Decimal(r["value"]), r["qualifier"]) for r in rows] == [(Decimal(number), FTZ + qualifier)]


def test_kangyi_makes_for_central_asia_and_russia_and_has_hair_dryer_orders(kg):
    rows = select(
        kg,
        """SELECT ?market ?product ?evidence WHERE { GRAPH ?src {
             ?l ftz:exporter firm:kashgar-kangyi-intelligent-technology ; ftz:destinationMarket ?market ;
                ftz:hasProduct ?product ; ftz:evidence ?evidence } }""",
        src=ECNS,
    )
    got = {
        (r["market"].rsplit("/", 1)[1], r["product"].rsplit("/", 1)[1], r["evidence"][len(FTZ) :])
        for r in rows
    }
    assert got == {
        ("143", "lcd-monitors", "MadeForMarket"),
        ("143", "hair-dryers", "MadeForMarket"),
        ("RU", "lcd-monitors", "MadeForMarket"),
        ("RU", "hair-dryers", "MadeForMarket"),
        ("UZ", "hair-dryers", "OrdersSecured"),
        ("KG", "hair-dryers", "OrdersSecured"),
    }


def test_the_new_markets_and_products_are_in_the_reference_data(kg):
    """Russia is an ISO country in Eastern Europe; hair dryers map to HS 8516.31, monitors stop at 85.28."""
    rows = select(
        kg,
        """SELECT ?region ?hair ?monitors WHERE {
             GRAPH source:iso-3166-1 { country:RU skos:notation "RU" }
             GRAPH source:un-m49 { country:RU ftz:withinRegion ?region }
             GRAPH source:ftzkg-product-scheme { product:hair-dryers skos:exactMatch ?h .
                                                 product:lcd-monitors skos:broadMatch ?m }
             ?h skos:notation ?hair . ?m skos:notation ?monitors }""",
    )
    assert rows == [{"region": ID + "region/151", "hair": "851631", "monitors": "8528"}]


# ---------------------------------------------------------------- which source derives from which


def derivations(kg) -> set[tuple[str, str, str]]:
    rows = select(
        kg,
        """SELECT ?derived ?original ?certainty WHERE {
             ?derived ftz:derivedFromSource ?original ; prov:qualifiedDerivation ?d .
             ?d a ftz:SourceDerivation ; ftz:originalSource ?original ;
                ftz:hasDerivationCertainty ?certainty ;
                ftz:derivationEvidence ?why }""",
    )
    return {(r["derived"], r["original"], r["certainty"][len(FTZ) :]) for r in rows}


def test_the_2025_article_appears_to_rewrite_the_ecns_article(kg):
    assert (ARTICLE, ECNS, "ApparentDerivation") in derivations(kg)
    assert (PEOPLE, SERVICES, "ApparentDerivation") in derivations(kg)


def test_a_derivation_between_sources_does_not_make_facts_rest_on_the_original(kg):
    """The article's facts rest on its own words: no prov:wasDerivedFrom chain reaches the original."""
    assert select(kg, "SELECT ?s WHERE { ?s a ftz:Source ; prov:wasDerivedFrom ?o . ?o a ftz:Source }") == []
    reaching = select(
        kg,
        """SELECT ?fact WHERE {
             ?fact prov:wasDerivedFrom source:kashgar-ftz-2025-article ; prov:wasDerivedFrom+ ?s }""",
        s=ECNS,
    )
    assert reaching == []


def test_the_original_corroborates_the_rewrite_as_its_original(kg):
    rows = select(
        kg,
        """SELECT ?status WHERE {
             ?a ftz:assessedFact obs:kashgar-area-registered-businesses ; ftz:hasCorroborationStatus ?status ;
                ftz:corroboratedBy obs:ecns-2026-kashgar-area-registered-businesses }""",
    )
    assert rows and {r["status"] for r in rows} == {FTZ + "Corroborated"}


# ---------------------------------------------------------------- the three to five days


def test_the_three_to_five_days_are_read_as_the_time_to_market_without_rewriting_the_article(kg):
    (kept,) = select(
        kg,
        """SELECT ?quote ?phrase WHERE { GRAPH source:kashgar-ftz-2025-article {
             effect:kangyi-logistics-time ftz:quote ?quote ; ftz:reduction/ftz:sourcePhrase ?phrase } }""",
    )
    assert (
        "reduced logistics times of three to five days" in kept["quote"]
        and kept["phrase"] == "three to five days"
    )
    (fix,) = select(
        kg,
        """SELECT ?was ?is ?quote ?min ?max WHERE {
             ?c a ftz:ReadingCorrection ; ftz:correctedFact effect:kangyi-logistics-time ;
                ftz:settledBy ?clear ; ftz:readingWas ?was ; ftz:readingIs ?is ; ftz:correctionNote ?note .
             ?clear prov:wasDerivedFrom ?src ; ftz:quote ?quote ;
                    ?is [ ftz:minValue ?min ; ftz:maxValue ?max ] }""",
        src=ECNS,
    )
    assert (fix["was"], fix["is"]) == (FTZ + "reduction", FTZ + "after")
    assert "now reach the market in just three to five days" in fix["quote"]
    assert (Decimal(fix["min"]), Decimal(fix["max"])) == (3, 5)


def records(kg, name: str) -> list[dict[str, str]]:
    """The rows of a catalogue query, as its users get them (CSV)."""
    query = next(q for q in catalogue() if q.name == name)
    out = io.BytesIO()
    write(execute(EmbeddedBackend(kg.store), query.text, query=query, params={}), out, "csv")
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"))))


def test_the_rewrites_facts_still_rest_on_an_ai_assisted_source_only(kg):
    rows = records(kg, "ai-assisted-facts")
    assert ID + "observation/kashgar-area-registered-businesses" in {r["fact"] for r in rows}
    assert not [r for r in rows if ECNS in r["sources"]]


def test_the_corroboration_query_names_the_original_as_the_basis(kg):
    rows = records(kg, "ai-assisted-corroboration")
    basis = {r.get("basis") for r in rows if r.get("evidence_source") == ECNS}
    assert basis == {"original"}


@pytest.mark.parametrize("src", [p[0] for p in PAGES], ids=lambda v: v[-30:])
def test_every_page_says_what_is_known_of_its_origin(kg, src):
    (row,) = select(kg, "SELECT ?note WHERE { GRAPH ?src { ?src ftz:originNote ?note } }", src=src)
    assert (
        "not" in row["note"] or "no " in row["note"]
    )  # what the page does not give, or what is not recorded


def test_the_lineage_query_lists_each_derivation_with_its_evidence(kg):
    rows = records(kg, "source-lineage")
    got = {(r["source"], r["original"], r["certainty"].removeprefix(FTZ)) for r in rows}
    assert got >= {(ARTICLE, ECNS, "ApparentDerivation"), (PEOPLE, SERVICES, "ApparentDerivation")}
    article = next(r for r in rows if r["source"] == ARTICLE)
    assert article["source_ai_assisted"] == "true" and "5,173" in article["evidence"]
    assert "title not shown" in article["original_name"]  # the original's label: its copy shows no title


def test_the_corrections_query_keeps_both_sources_words(kg):
    (row,) = [r for r in records(kg, "reading-corrections") if r["fact"].endswith("/kangyi-logistics-time")]
    assert row["fact_source"] == ARTICLE and "reduced logistics times of three to five days" in row["quote"]
    assert (
        row["settled_by_source"] == ECNS
        and "reach the market in just three to five days" in row["settled_by_quote"]
    )
    assert (row["reading_was"], row["reading_is"]) == (FTZ + "reduction", FTZ + "after")
