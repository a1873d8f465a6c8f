"""Every fact of the source article is queryable with its qualifier, unit, period and source."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kg_queries import select

ARTICLE = "https://w3id.org/ftzkg/id/source/kashgar-ftz-2025-article"
KANGYI = "https://w3id.org/ftzkg/id/firm/kashgar-kangyi-intelligent-technology"
WITHYOUNG = "https://w3id.org/ftzkg/id/firm/xinjiang-withyoung-health-food"


INDICATOR_QUERY = """
SELECT ?value ?min ?max ?qualifier ?unit ?period ?phrase ?source WHERE {
  ?obs a ftz:Observation ; ftz:hasMeasure ?measure ; ftz:qualifier ?qualifier ; ftz:unit ?unit .
  { ?obs ftz:refArea ?subject } UNION { ?obs ftz:refEnterprise ?subject }
  OPTIONAL { ?obs ftz:numericValue ?value }
  OPTIONAL { ?obs ftz:minValue ?min ; ftz:maxValue ?max }
  OPTIONAL { ?obs ftz:refPeriod/rdfs:label ?period }
  OPTIONAL { ?obs ftz:sourcePhrase ?phrase }
  ?obs prov:wasDerivedFrom+ ?source . ?source a ftz:Source .
}"""

ZONE = "https://w3id.org/ftzkg/id/zone/kashgar-area"
FTZ = "https://w3id.org/ftzkg/ontology#"
UNIT = "http://qudt.org/vocab/unit/"
CNY = "http://qudt.org/vocab/currency/CNY"

#: (subject, measure, value, qualifier, unit, period label, source phrase) — as the article says them.
INDICATORS = [
    (ZONE, "TotalImportsAndExports", "93160000000", "Exact", CNY, "2025", "93.16 billion yuan"),
    (
        ZONE,
        "ExcessOverTarget",
        "5.7",
        "Exact",
        UNIT + "PERCENT",
        "2025",
        "exceeding its annual target by 5.7 percent",
    ),
    (
        ZONE,
        "NewEnterprisesEstablished",
        "3100",
        "MoreThan",
        UNIT + "NUM",
        "since the zone's launch in November 2023",
        "more than 3,100",
    ),
    (
        ZONE,
        "RegisteredBusinesses",
        "5100",
        "MoreThan",
        UNIT + "NUM",
        "since the zone's launch in November 2023",
        "over 5,100",
    ),
    (
        ZONE,
        "RegisteredBusinessGrowth",
        "150",
        "MoreThan",
        UNIT + "PERCENT",
        "since the zone's launch in November 2023",
        "an increase of more than 150 percent",
    ),
    (
        "https://w3id.org/ftzkg/id/place/southern-xinjiang-forest-fruit-base",
        "ForestFruitArea",
        "1400000",
        "MoreThan",
        UNIT + "HA",
        None,
        "over 1.4 million hectares",
    ),
    (WITHYOUNG, "Revenue", "110000000", "Exact", CNY, "2025", "110 million yuan"),
    (ZONE, "ReformMeasuresOutlined", "207", "Exact", UNIT + "NUM", None, "207 reform measures"),
    (
        ZONE,
        "ReformMeasuresImplemented",
        "205",
        "Exact",
        UNIT + "NUM",
        None,
        "205 have already been implemented",
    ),
    (ZONE, "InnovationCases", "81", "Exact", UNIT + "NUM", None, "81 institutional innovation cases"),
]


@pytest.mark.parametrize(
    ("subject", "measure", "value", "qualifier", "unit", "period", "phrase"),
    INDICATORS,
    ids=[row[1] for row in INDICATORS],
)
def test_indicator_is_queryable_with_qualifier_unit_period_and_source(
    kg, subject, measure, value, qualifier, unit, period, phrase
):
    rows = select(kg, INDICATOR_QUERY, subject=subject, measure=FTZ + measure)
    rows = [r for r in rows if r.get("phrase") == phrase]
    assert len(rows) == 1, rows
    row = rows[0]
    assert Decimal(row["value"]) == Decimal(value)
    assert row["qualifier"] == FTZ + qualifier
    assert row["unit"] == unit
    assert row.get("period") == period
    assert row["source"] == ARTICLE


def test_ranges_keep_both_ends_and_approximations_stay_approximate(kg):
    rows = select(
        kg,
        """SELECT ?effect ?which ?value ?min ?max ?qualifier ?phrase WHERE {
             ?effect a ftz:LogisticsEffect ; ?which ?v .
             VALUES ?which { ftz:before ftz:after ftz:reduction }
             ?v ftz:qualifier ?qualifier ; ftz:unit unit:DAY ; ftz:sourcePhrase ?phrase .
             OPTIONAL { ?v ftz:numericValue ?value } OPTIONAL { ?v ftz:minValue ?min ; ftz:maxValue ?max }
           }""",
    )
    by_phrase = {r["phrase"]: r for r in rows}
    assert set(by_phrase) == {"around nine days", "as little as one to three days", "three to five days"}
    assert by_phrase["around nine days"]["qualifier"] == FTZ + "Approximately"
    assert Decimal(by_phrase["around nine days"]["value"]) == 9
    for phrase, low, high in [("as little as one to three days", 1, 3), ("three to five days", 3, 5)]:
        row = by_phrase[phrase]
        assert row["qualifier"] == FTZ + "Range"
        assert (Decimal(row["min"]), Decimal(row["max"])) == (low, high)
        assert "value" not in row
    assert by_phrase["three to five days"]["effect"].endswith("/kangyi-logistics-time")


def test_innovation_case_scopes_are_counted_without_inventing_cases(kg):
    rows = select(
        kg,
        """SELECT ?scope ?qualifier ?value WHERE {
             ?o ftz:hasMeasure ftz:InnovationCases ; ftz:hasInnovationScope ?scope ; ftz:qualifier ?qualifier .
             OPTIONAL { ?o ftz:numericValue ?value } }""",
    )
    got = {
        (r["scope"].split("#")[1], r["qualifier"].split("#")[1], r.get("value") and Decimal(r["value"]))
        for r in rows
    }
    assert got == {
        ("ZoneScope", "Exact", Decimal(81)),
        ("ProvincialReplication", "Unspecified", None),
        ("NationalCustomsAdoption", "Unspecified", None),
    }
    assert select(kg, "SELECT ?c WHERE { ?c a ftz:InnovationCase }") == []


def test_derived_values_are_marked_and_computed_from_their_inputs(kg):
    rows = select(
        kg,
        """SELECT ?obs ?value ?how (GROUP_CONCAT(STR(?input); separator=" ") AS ?inputs) WHERE {
             ?obs ftz:isDerived true ; ftz:numericValue ?value ; ftz:derivation ?how ;
                  ftz:qualifier ftz:Approximately ; prov:wasDerivedFrom ?input .
           } GROUP BY ?obs ?value ?how""",
    )
    derived = {r["obs"].rsplit("/", 1)[1]: r for r in rows}
    assert set(derived) == {"kashgar-area-trade-target-2025", "kashgar-reform-implementation-rate"}
    target = Decimal(derived["kashgar-area-trade-target-2025"]["value"])
    assert abs(target - Decimal("93160000000") / Decimal("1.057")) < Decimal("0.1")
    rate = Decimal(derived["kashgar-reform-implementation-rate"]["value"])
    assert rate == round(Decimal(205) / Decimal(207) * 100, 2)
    assert "kashgar-area-total-trade-2025" in derived["kashgar-area-trade-target-2025"]["inputs"]


FIRM_FACTS = [
    (KANGYI, "ftz:hasSector", "https://w3id.org/ftzkg/id/sector/electronics-manufacturing"),
    (KANGYI, "ftz:locatedInZone", ZONE),
    (KANGYI, "ftz:produces", "https://w3id.org/ftzkg/id/product/small-appliances"),
    (KANGYI, "ftz:plansToProduce", "https://w3id.org/ftzkg/id/product/projectors"),
    (KANGYI, "ftz:plansToProduce", "https://w3id.org/ftzkg/id/product/laptops"),
    (KANGYI, "ftz:exportsTo", "https://w3id.org/ftzkg/id/region/143"),
    (KANGYI, "ftz:benefitsFrom", "https://w3id.org/ftzkg/id/policy/factory-leasing-support"),
    (KANGYI, "ftz:benefitsFrom", "https://w3id.org/ftzkg/id/policy/logistics-support"),
    (KANGYI, "ftz:benefitsFrom", "https://w3id.org/ftzkg/id/policy/social-insurance-support"),
    (WITHYOUNG, "ftz:hasSector", "https://w3id.org/ftzkg/id/sector/agri-processing"),
    (WITHYOUNG, "ftz:locatedInZone", ZONE),
    (WITHYOUNG, "ftz:sourcesMaterial", "https://w3id.org/ftzkg/id/product/walnuts"),
    (WITHYOUNG, "ftz:sourcesMaterial", "https://w3id.org/ftzkg/id/product/jujubes"),
    (WITHYOUNG, "ftz:sourcesMaterial", "https://w3id.org/ftzkg/id/product/prunes"),
    (WITHYOUNG, "ftz:exportsTo", "https://w3id.org/ftzkg/id/country/PK"),
    (WITHYOUNG, "ftz:exportsTo", "https://w3id.org/ftzkg/id/country/TR"),
]


@pytest.mark.parametrize(
    ("firm", "prop", "value"), FIRM_FACTS, ids=[f"{p}-{v.rsplit('/', 1)[1]}" for _, p, v in FIRM_FACTS]
)
def test_firm_fact_is_in_the_article_graph(kg, firm, prop, value):
    rows = select(kg, f"SELECT ?g WHERE {{ GRAPH ?g {{ ?firm {prop} ?value }} }}", firm=firm, value=value)
    assert [r["g"] for r in rows] == [ARTICLE]


LINK_QUERY = """
SELECT ?evidence ?status ?detail ?example ?quote WHERE {
  ?link ftz:exporter ?firm ; ftz:destinationMarket ?market ; ftz:evidence ?evidence ; ftz:status ?status ;
        prov:wasDerivedFrom ?source ; ftz:quote ?quote .
  OPTIONAL { ?link ftz:evidenceQualifier ?detail }
  OPTIONAL { ?link ftz:marketGivenAsExample ?example }
}"""


@pytest.mark.parametrize(
    ("firm", "market", "evidence", "detail", "example"),
    [
        (KANGYI, "https://w3id.org/ftzkg/id/region/143", "OrdersSecured", "sizable", None),
        (WITHYOUNG, "https://w3id.org/ftzkg/id/country/PK", "ExportsReaching", None, "true"),
        (WITHYOUNG, "https://w3id.org/ftzkg/id/country/TR", "ExportsReaching", None, "true"),
    ],
)
def test_trade_link_carries_evidence_status_and_source(kg, firm, market, evidence, detail, example):
    rows = select(kg, LINK_QUERY, firm=firm, market=market, source=ARTICLE)
    assert len(rows) == 1
    row = rows[0]
    assert row["evidence"] == FTZ + evidence
    assert row["status"] == FTZ + "Reported"
    assert row.get("detail") == detail
    assert row.get("example") == example


def test_planned_production_keeps_the_source_timing(kg):
    rows = select(
        kg,
        """SELECT ?product ?timing WHERE {
             ?l a ftz:ProductionLink ; ftz:producer ?firm ; ftz:status ftz:Planned ;
                prov:wasDerivedFrom ?source ;
                ftz:hasProduct/skos:prefLabel ?product ; ftz:plannedTiming ?timing }""",
        firm=KANGYI,
        source=ARTICLE,
    )
    assert sorted((r["product"], r["timing"]) for r in rows) == [
        ("laptops", "later this year"),
        ("projectors", "later this year"),
    ]


def test_zone_area_launch_date_and_corridor(kg):
    rows = select(
        kg,
        """SELECT ?year ?month ?precision ?ftz (GROUP_CONCAT(?code; separator=",") AS ?regions) WHERE {
             ?zone ftz:launchedOn ?launch ; ftz:isAreaOf/rdfs:label ?ftz ;
                   ftz:servesCorridor/ftz:connectsRegion/skos:notation ?code .
             ?launch ftz:year ?year ; ftz:month ?month ; ftz:precision ?precision .
             FILTER NOT EXISTS { ?launch ftz:day ?day } }
           GROUP BY ?year ?month ?precision ?ftz""",
        zone=ZONE,
    )
    assert len(rows) == 1
    assert (rows[0]["year"], rows[0]["month"]) == ("2023", "11")  # November 2023, no day: month precision
    assert rows[0]["precision"] == "http://www.w3.org/2006/time#unitMonth"
    assert rows[0]["ftz"] == "China (Xinjiang) Pilot Free Trade Zone"
    assert sorted(rows[0]["regions"].split(",")) == ["034", "143", "145"]
