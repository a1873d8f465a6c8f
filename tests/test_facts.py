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
        "from the zone's launch in November 2023 to the article's unstated date",
        "more than 3,100",
    ),
    (
        ZONE,
        "RegisteredBusinesses",
        "5100",
        "MoreThan",
        UNIT + "NUM",
        "as of the article (date not stated)",
        "over 5,100",
    ),
    (
        ZONE,
        "RegisteredBusinessGrowth",
        "150",
        "MoreThan",
        UNIT + "PERCENT",
        "from the zone's launch in November 2023 to the article's unstated date",
        "an increase of more than 150 percent",
    ),
    (
        "https://w3id.org/ftzkg/id/place/southern-xinjiang-forest-fruit-base",
        "ForestFruitArea",
        "1400000",
        "MoreThan",
        UNIT + "HA",
        "as of the article (date not stated)",
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
        "as of the article (date not stated)",
        "205 have already been implemented",
    ),
    (
        ZONE,
        "InnovationCases",
        "81",
        "Exact",
        UNIT + "NUM",
        "as of the article (date not stated)",
        "81 institutional innovation cases",
    ),
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
    # the article's own value: other sources may state the same figure
    rows = [r for r in rows if r.get("phrase") == phrase and r["source"] == ARTICLE]
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
             ?effect a ftz:LogisticsEffect ; prov:wasDerivedFrom source:kashgar-ftz-2025-article ; ?which ?v .
             VALUES ?which { ftz:before ftz:after ftz:reduction }
             ?v ftz:qualifier ?qualifier ; ftz:unit unit:DAY ; ftz:sourcePhrase ?phrase .
             OPTIONAL { ?v ftz:numericValue ?value } OPTIONAL { ?v ftz:minValue ?min ; ftz:maxValue ?max }
           }""",
    )
    by_phrase = {r["phrase"]: r for r in rows}
    assert set(by_phrase) == {"around nine days", "as little as one to three days", "three to five days"}
    assert by_phrase["around nine days"]["qualifier"] == FTZ + "Approximately"
    assert Decimal(by_phrase["around nine days"]["value"]) == 9
    # "as little as" is a best case, not a range that holds the true delivery time
    for phrase, low, high, qualifier in [
        ("as little as one to three days", 1, 3, "BestCase"),
        ("three to five days", 3, 5, "Range"),
    ]:
        row = by_phrase[phrase]
        assert row["qualifier"] == FTZ + qualifier
        assert (Decimal(row["min"]), Decimal(row["max"])) == (low, high)
        assert "value" not in row
    assert by_phrase["three to five days"]["effect"].endswith("/kangyi-logistics-time")


def test_innovation_case_scopes_are_counted_without_inventing_cases(kg):
    rows = select(
        kg,
        """SELECT ?scope ?qualifier ?value WHERE {
             ?o ftz:hasMeasure ftz:InnovationCases ; ftz:hasInnovationScope ?scope ;
                ftz:qualifier ?qualifier .
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
    assert target == Decimal("88.1E9")  # 93.16 / 1.057 = 88.136 billion, to the 0.1 billion the inputs allow
    rate = Decimal(derived["kashgar-reform-implementation-rate"]["value"])
    assert rate == round(Decimal(205) / Decimal(207) * 100, 2)
    assert "kashgar-area-total-trade-2025" in derived["kashgar-area-trade-target-2025"]["inputs"]


FIRM_FACTS = [
    (KANGYI, "ftz:hasSector", "https://w3id.org/ftzkg/id/sector/electronics-manufacturing"),
    (KANGYI, "ftz:produces", "https://w3id.org/ftzkg/id/product/small-appliances"),
    (KANGYI, "ftz:plansToProduce", "https://w3id.org/ftzkg/id/product/projectors"),
    (KANGYI, "ftz:plansToProduce", "https://w3id.org/ftzkg/id/product/laptops"),
    (KANGYI, "ftz:exportsTo", "https://w3id.org/ftzkg/id/region/143"),
    (KANGYI, "ftz:benefitsFrom", "https://w3id.org/ftzkg/id/policy/factory-leasing-support"),
    (KANGYI, "ftz:benefitsFrom", "https://w3id.org/ftzkg/id/policy/logistics-support"),
    (KANGYI, "ftz:benefitsFrom", "https://w3id.org/ftzkg/id/policy/social-insurance-support"),
    (WITHYOUNG, "ftz:hasSector", "https://w3id.org/ftzkg/id/sector/agri-processing"),
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
    assert ARTICLE in [r["g"] for r in rows]  # other sources may state it too


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
        """SELECT ?year ?month ?precision ?ftz (GROUP_CONCAT(DISTINCT ?code; separator=",") AS ?regions)
           WHERE {
             ?zone ftz:launchedOn ?launch ; ftz:isAreaOf/rdfs:label ?ftz ;
                   ftz:servesCorridor/ftz:connectsRegion/skos:notation ?code .
             ?launch ftz:year ?year ; ftz:month ?month ; ftz:precision ?precision .
             FILTER NOT EXISTS { ?launch ftz:day ?day } FILTER(LANG(?ftz) = "en") }
           GROUP BY ?year ?month ?precision ?ftz""",
        zone=ZONE,
    )
    assert len(rows) == 1
    assert (rows[0]["year"], rows[0]["month"]) == ("2023", "11")  # November 2023, no day: month precision
    assert rows[0]["precision"] == "http://www.w3.org/2006/time#unitMonth"
    assert rows[0]["ftz"] == "China (Xinjiang) Pilot Free Trade Zone"
    assert sorted(rows[0]["regions"].split(",")) == ["034", "143", "145"]


def test_the_trade_target_carries_the_bounds_the_rounding_of_its_inputs_allows(kg):
    """93.16 billion is rounded to 0.01 billion and 5.7 percent to 0.1: the target is 88.09-88.18 billion."""
    rows = select(
        kg,
        """SELECT ?value ?low ?high ?how WHERE {
             ?o ftz:numericValue ?value ; ftz:lowerBound ?low ; ftz:upperBound ?high ;
                ftz:derivation ?how }""",
        o="https://w3id.org/ftzkg/id/observation/kashgar-area-trade-target-2025",
    )
    assert len(rows) == 1
    low, value, high = (Decimal(rows[0][k]) for k in ("low", "value", "high"))
    smallest = Decimal("93.155E9") / Decimal("1.0575")  # the largest excess over the smallest total
    largest = Decimal("93.165E9") / Decimal("1.0565")
    assert low <= smallest and largest <= high  # the bounds hold every target the inputs allow
    assert high - low < Decimal("0.1E9")  # and are not wider than the rounding makes them
    assert low <= value <= high
    assert value.normalize().as_tuple().exponent >= 8  # no digits below 0.1 billion: no false precision
    assert "5.65" in rows[0]["how"] and "5.75" in rows[0]["how"]


def test_every_derived_value_states_bounds_that_enclose_it(kg):
    rows = select(
        kg,
        """SELECT ?o ?value ?low ?high WHERE { ?o ftz:isDerived true ; ftz:numericValue ?value .
             OPTIONAL { ?o ftz:lowerBound ?low } OPTIONAL { ?o ftz:upperBound ?high } }""",
    )
    assert rows
    for row in rows:
        assert "low" in row and "high" in row, f"{row['o']} has no bounds"
        assert Decimal(row["low"]) <= Decimal(row["value"]) <= Decimal(row["high"]), row["o"]


def test_stated_figures_keep_their_rounding(kg):
    rows = select(
        kg,
        """SELECT ?phrase ?step WHERE { ?o ftz:sourcePhrase ?phrase ; ftz:roundedTo ?step }""",
    )
    steps = {r["phrase"]: Decimal(r["step"]) for r in rows}
    assert steps["93.16 billion yuan"] == Decimal("1E7")
    assert steps["exceeding its annual target by 5.7 percent"] == Decimal("0.1")


def test_a_stock_at_an_unknown_date_is_as_of_the_article_not_on_an_open_period(kg):
    """ "over 5,100 registered businesses" has no date; it must not sit on "since November 2023"."""
    rows = select(
        kg,
        """SELECT ?period ?start ?asof WHERE {
             ?o ftz:hasMeasure ftz:RegisteredBusinesses ; ftz:refPeriod ?period ; prov:wasDerivedFrom ?src .
             OPTIONAL { ?period ftz:startDate ?start } OPTIONAL { ?period ftz:asOfSource ?asof } }""",
        src=ARTICLE,
    )
    assert len(rows) == 1
    assert "start" not in rows[0]
    assert rows[0]["asof"] == ARTICLE


def test_withyoung_is_the_reporter_of_its_own_revenue(kg):
    rows = select(
        kg,
        """SELECT ?who WHERE { GRAPH ?g { ?o ftz:hasMeasure ftz:Revenue ; ftz:refEnterprise ?firm ;
             ftz:reportedBy ?who } }""",
        firm=WITHYOUNG,
        g=ARTICLE,
    )
    assert [r["who"] for r in rows] == [WITHYOUNG]


def test_the_article_does_not_place_the_firms_in_the_zone(kg):
    """The article names the firms beside the zone but never says they are located in it."""
    for firm in (KANGYI, WITHYOUNG):
        rows = select(kg, "SELECT ?z WHERE { GRAPH ?g { ?firm ftz:locatedInZone ?z } }", firm=firm, g=ARTICLE)
        assert rows == [], firm


def test_product_definitions_say_no_more_than_the_sources(kg):
    """No 'household' appliances and no 'dried' goods that the article does not mention."""
    rows = select(
        kg,
        "SELECT ?p ?d WHERE { ?p a ftz:Product ; skos:definition ?d }",
    )
    assert rows
    for row in rows:
        text = row["d"].lower()
        assert "household" not in text, row["p"]
        if "dried" in text:  # only with its source: "fresh or dried" (form left open) or the HS heading
            assert "fresh or dried" in text or "harmonized system" in text or "hs " in text, row["p"]
