"""Corroboration across sources: figures compare as intervals with their qualifiers, relations
match, and only sources that are not AI-assisted and independent (or the original) count."""

from __future__ import annotations

import re
from decimal import Decimal

import pyoxigraph as ox
import pytest
from golden import frozen_files

from ftzkg import project
from ftzkg.claims import GraphReader
from ftzkg.corroboration import (
    ACTIVITY,
    RULE,
    Lineage,
    assess,
    assessment_iri,
    corroboration_quads,
)
from ftzkg.intervals import QualifiedValue, compare
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import CORROBORATION_GRAPH, DERIVED_GRAPHS, ID, SHAPES_GRAPH

FTZ = "https://w3id.org/ftzkg/ontology#"
UNIT = "http://qudt.org/vocab/unit/"
ARTICLE = ID + "source/kashgar-ftz-2025-article"


def value(qualifier, v=None, phrase=None, unit=UNIT + "NUM", lo=None, hi=None) -> QualifiedValue:
    return QualifiedValue(
        FTZ + qualifier,
        None if v is None else Decimal(v),
        None if lo is None else Decimal(lo),
        None if hi is None else Decimal(hi),
        unit,
        phrase,
    )


# ---------------------------------------------------------------- values as intervals


@pytest.mark.parametrize(
    ("claim", "other", "outcome"),
    [
        (value("MoreThan", "5100", "over 5,100"), value("Exact", "5173", "5,173"), "agree"),
        (
            value("MoreThan", "150", unit=UNIT + "PERCENT"),
            value("Exact", "154.6", unit=UNIT + "PERCENT"),
            "agree",
        ),
        (value("Exact", "4900", "exactly 4,900"), value("MoreThan", "5100", "over 5,100"), "disagree"),
        (value("MoreThan", "5100"), value("Exact", "5100", "5,100"), "agree"),  # 5,100 may be 5,100.4
        (value("AtLeast", "5100"), value("Exact", "5099", "5,099"), "disagree"),
        (value("UpTo", "10"), value("Exact", "11", "11"), "disagree"),
        (value("Range", lo="1", hi="3", unit=UNIT + "DAY"), value("Exact", "3", "3", UNIT + "DAY"), "agree"),
        (
            value("Range", lo="1", hi="3", unit=UNIT + "DAY"),
            value("Range", lo="4", hi="5", unit=UNIT + "DAY"),
            "disagree",
        ),
        # approximately: within 10 percent
        (
            value("Approximately", "9", "around nine days", UNIT + "DAY"),
            value("Exact", "9.8", "9.8", UNIT + "DAY"),
            "agree",
        ),
        (
            value("Approximately", "9", "around nine days", UNIT + "DAY"),
            value("Exact", "10.5", "10.5", UNIT + "DAY"),
            "disagree",
        ),
        # an exact figure stands for what rounds to it as written
        (
            value("Exact", "93160000000", "93.16 billion yuan"),
            value("Exact", "93164000000", "93.164 billion"),
            "agree",
        ),
        (
            value("Exact", "93160000000", "93.16 billion yuan"),
            value("Exact", "93300000000", "93.3 billion"),
            "disagree",
        ),
        # unspecified ("some") never contradicts; it is backed by any figure of the same quantity
        (value("Unspecified"), value("Exact", "12", "12"), "agree"),
        (value("Exact", "12", "12"), value("Unspecified"), "incomparable"),
        # a qualifier read as no interval ("as little as") is not compared
        (
            value("BestCase", "1", "as little as one day", UNIT + "DAY"),
            value("Exact", "5", "5", UNIT + "DAY"),
            "incomparable",
        ),
        # units: exact conversions only
        (
            value("Exact", "17966", "17,966", UNIT + "HA"),
            value("Exact", "179.66", "179.66", UNIT + "KiloM2"),
            "agree",
        ),
        (
            value("Exact", "1500", "1,500", UNIT + "TONNE"),
            value("Exact", "1400000", "1.4 million", UNIT + "KiloGM"),
            "disagree",
        ),
        (
            value("Exact", "93160000000", unit="http://qudt.org/vocab/currency/CNY"),
            value("Exact", "13100000000", unit="http://qudt.org/vocab/currency/USD"),
            "incomparable",
        ),
        (value("Exact", "5", unit=UNIT + "PERCENT"), value("Exact", "5", unit=UNIT + "NUM"), "incomparable"),
    ],
)
def test_figures_compare_as_intervals_with_their_qualifiers(claim, other, outcome):
    assert compare(claim, other).outcome == outcome


# ---------------------------------------------------------------- sources and lineage

TTL = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix link: <https://w3id.org/ftzkg/id/link/> .
@prefix zone: <https://w3id.org/ftzkg/id/zone/> .
@prefix firm: <https://w3id.org/ftzkg/id/firm/> .
@prefix country: <https://w3id.org/ftzkg/id/country/> .
@prefix product: <https://w3id.org/ftzkg/id/product/> .
@prefix period: <https://w3id.org/ftzkg/id/period/> .
@prefix date: <https://w3id.org/ftzkg/id/date/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cur: <http://qudt.org/vocab/currency/> .
"""


def source(name: str, ai: bool, derived_from: str | None = None) -> str:
    derivation = f"prov:wasDerivedFrom source:{derived_from} ; " if derived_from else ""
    return (
        f'source:{name} a ftz:Source ; dcterms:title "{name}"@en ; {derivation}'
        f"ftz:aiAssisted {'true' if ai else 'false'} .\n"
    )


def registered(name: str, src: str, number: str, qualifier: str = "Exact") -> str:
    return (
        f"obs:{name} a ftz:Observation ; ftz:hasMeasure ftz:RegisteredBusinesses ;"
        " ftz:refArea zone:kashgar-area ;"
        " ftz:refPeriod period:as-of-kashgar-ftz-2025-article ;"
        f" ftz:numericValue {number} ; ftz:qualifier ftz:{qualifier} ;"
        f' ftz:unit unit:NUM ; ftz:sourcePhrase "{number}" ; prov:wasDerivedFrom source:{src} ;'
        f' ftz:quote "{name} sentence." .\n'
    )


def graph_with(tmp_path, name: str, body: str) -> KnowledgeGraph:
    """The frozen copy of the data (the 2025 article alone among the articles) plus one more source:
    the rules are tested on a fixed background, whatever sources the live data gains."""
    path = tmp_path / f"{name}.trig"
    path.write_text(TTL + f"source:{name} {{\n{body}}}\n", encoding="utf-8")
    return KnowledgeGraph.load([*frozen_files(), project.SourceFile(path, None)], derive=True)


def status(kg: KnowledgeGraph, fact: str):
    reader = GraphReader([kg.store], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    return next(a for a in assess(reader) if a.fact == ID + fact)


def test_the_article_alone_corroborates_nothing():
    kg = KnowledgeGraph.load(frozen_files(), derive=True)  # the frozen copy: the article is alone there
    reader = GraphReader([kg.store], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    assessments = assess(reader)
    assert assessments and {a.status for a in assessments} == {"uncorroborated"}
    assert all(a.sources == (ARTICLE,) for a in assessments)


def test_an_independent_source_with_an_agreeing_figure_corroborates(tmp_path):
    kg = graph_with(
        tmp_path, "registry", source("registry", ai=False) + registered("registry-count", "registry", "5173")
    )
    a = status(kg, "observation/kashgar-area-registered-businesses")
    assert a.status == "corroborated"
    [e] = a.evidence
    assert (e.fact, e.source, e.agrees, e.basis) == (
        ID + "observation/registry-count",
        ID + "source/registry",
        True,
        "independent",
    )


def test_an_independent_source_with_a_disagreeing_figure_contradicts(tmp_path):
    kg = graph_with(
        tmp_path, "registry", source("registry", ai=False) + registered("registry-count", "registry", "4900")
    )
    a = status(kg, "observation/kashgar-area-registered-businesses")
    assert a.status == "contradicted" and not a.evidence[0].agrees


def test_an_ai_assisted_source_corroborates_nothing(tmp_path):
    kg = graph_with(tmp_path, "robot", source("robot", ai=True) + registered("robot-count", "robot", "5173"))
    assert status(kg, "observation/kashgar-area-registered-businesses").status == "uncorroborated"


def test_the_original_of_an_ai_rewrite_corroborates_it(tmp_path):
    """The rewrite copies the original: the original confirms what the rewrite says it said."""
    body = (
        source("original", ai=False)
        + registered("original-count", "original", "5173")
        + f"<{ARTICLE}> prov:wasDerivedFrom source:original .\n"
    )
    kg = graph_with(tmp_path, "original", body)
    a = status(kg, "observation/kashgar-area-registered-businesses")
    assert a.status == "corroborated" and a.evidence[0].basis == "original"


def test_rewrites_of_one_original_and_copies_are_not_independent(tmp_path):
    body = (
        source("original", ai=False)
        + source("other-rewrite", ai=False, derived_from="original")
        + source("copy-of-article", ai=False, derived_from="kashgar-ftz-2025-article")
        + registered("sibling-count", "other-rewrite", "5173")
        + registered("copy-count", "copy-of-article", "5173")
        + f"<{ARTICLE}> prov:wasDerivedFrom source:original .\n"
    )
    kg = graph_with(tmp_path, "original", body)
    assert status(kg, "observation/kashgar-area-registered-businesses").status == "uncorroborated"
    lineage = Lineage.read(GraphReader([kg.store]))
    assert lineage.basis(ARTICLE, ID + "source/other-rewrite") is None  # shares the original
    assert lineage.basis(ARTICLE, ID + "source/copy-of-article") is None  # derives from the article
    assert lineage.basis(ARTICLE, ID + "source/original") == "original"


def test_a_figure_for_another_period_is_not_compared(tmp_path):
    """2022 lies outside "since November 2023"; 2025 would lie inside it and be compared."""
    body = (
        source("registry", ai=False)
        + "period:example-2022 a ftz:Period ; ftz:startDate date:2022 ; ftz:endDate date:2022 .\n"
        + "date:2022 a ftz:CalendarDate ; ftz:year 2022 ; ftz:precision time:unitYear .\n"
        + registered("registry-count", "registry", "4900").replace(
            "period:as-of-kashgar-ftz-2025-article", "period:example-2022"
        )
    )
    kg = graph_with(tmp_path, "registry", body)
    assert status(kg, "observation/kashgar-area-registered-businesses").status == "uncorroborated"


def test_a_count_to_a_known_date_is_not_compared_with_one_since_the_same_launch(tmp_path):
    """86 companies from the unveiling to January 2024 do not contradict "more than 3,100" since the
    launch to the article's own, later date: an open period does not contain a closed one."""
    body = (
        source("bulletin", ai=False)
        + "period:example-to-2024-01 a ftz:Period ;\n"
        + "  ftz:startDate date:2023-11-11 ; ftz:endDate date:2024-01-31 .\n"
        + "date:2023-11-11 a ftz:CalendarDate ; ftz:year 2023 ; ftz:month 11 ; ftz:day 11 ;\n"
        + "  ftz:precision time:unitDay .\n"
        + "date:2024-01-31 a ftz:CalendarDate ; ftz:year 2024 ; ftz:month 1 ; ftz:day 31 ;\n"
        + "  ftz:precision time:unitDay .\n"
        + registered("bulletin-count", "bulletin", "86").replace(
            "period:as-of-kashgar-ftz-2025-article", "period:example-to-2024-01"
        )
    )
    kg = graph_with(tmp_path, "bulletin", body)
    assert status(kg, "observation/kashgar-area-registered-businesses").status == "uncorroborated"


def test_a_period_containing_the_other_is_compared(tmp_path):
    """The 2025 revenue against a revenue for "2025-01 to 2025-12" stated by another source."""
    body = (
        source("registry", ai=False)
        + "period:calendar-2025 a ftz:Period ; ftz:startDate date:2025-01 ; ftz:endDate date:2025-12 .\n"
        + "date:2025-01 a ftz:CalendarDate ; ftz:year 2025 ; ftz:month 1 ; ftz:precision time:unitMonth .\n"
        + "date:2025-12 a ftz:CalendarDate ; ftz:year 2025 ; ftz:month 12 ; ftz:precision time:unitMonth .\n"
        + "obs:registry-revenue a ftz:Observation ; ftz:hasMeasure ftz:Revenue ;"
        + " ftz:refEnterprise firm:xinjiang-withyoung-health-food ; ftz:refPeriod period:calendar-2025 ;"
        + " ftz:numericValue 90000000.0 ; ftz:qualifier ftz:Exact ; ftz:unit cur:CNY ;"
        + ' ftz:sourcePhrase "90 million yuan" ; prov:wasDerivedFrom source:registry ; ftz:quote "x." .\n'
    )
    kg = graph_with(tmp_path, "registry", body)
    assert status(kg, "observation/withyoung-revenue-2025").status == "contradicted"


def test_relations_corroborate_through_narrower_markets_and_products(tmp_path):
    """Orders from Kyrgyzstan back orders from Central Asia; hair dryers back small appliances."""
    body = (
        source("registry", ai=False)
        + 'product:example-hair-dryers a ftz:Product ; rdfs:label "hair dryers"@en ;\n'
        + "  skos:broader product:small-appliances .\n"
        + "link:registry-kangyi-kg a ftz:TradeLink ;\n"
        + "  ftz:exporter firm:kashgar-kangyi-intelligent-technology ; ftz:destinationMarket country:KG ;\n"
        + "  ftz:status ftz:Reported ; prov:wasDerivedFrom source:registry ;\n"
        + '  ftz:quote "orders from Kyrgyzstan." .\n'
        + "link:registry-kangyi-dryers a ftz:ProductionLink ;\n"
        + "  ftz:producer firm:kashgar-kangyi-intelligent-technology ;\n"
        + "  ftz:hasProduct product:example-hair-dryers ;"
        + " ftz:status ftz:Reported ; prov:wasDerivedFrom source:registry ;\n"
        + '  ftz:quote "makes hair dryers." .\n'
    )
    kg = graph_with(tmp_path, "registry", body)
    assert status(kg, "link/kangyi-orders-central-asia").status == "corroborated"
    assert status(kg, "link/kangyi-makes-small-appliances").status == "corroborated"
    # a plan is not backed by something made now, nor Pakistan by Kyrgyzstan
    assert status(kg, "link/kangyi-plans-laptops").status == "uncorroborated"
    assert status(kg, "link/withyoung-exports-pakistan").status == "uncorroborated"


# ---------------------------------------------------------------- the derived graph


def test_the_statuses_are_a_derived_graph_with_provenance(kg):
    graph = f"<{CORROBORATION_GRAPH}>"
    rows = list(
        kg.store.query(
            f"""PREFIX prov: <http://www.w3.org/ns/prov#>
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?rule ?text WHERE {{ GRAPH {graph} {{
              {graph} prov:wasGeneratedBy <{ACTIVITY}> . <{ACTIVITY}> prov:used ?rule .
              ?rule a prov:Plan ; dcterms:description ?text }} }}"""
        )
    )
    assert [r["rule"].value for r in rows] == [RULE] and "independent" in rows[0]["text"].value
    # one assessment per fact of the AI-assisted article, each generated by the activity
    facts = {
        r["f"].value
        for r in kg.store.query(
            "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?f WHERE { ?f prov:wasDerivedFrom+ ?s . "
            "?s <https://w3id.org/ftzkg/ontology#aiAssisted> true }",
            use_default_graph_as_union=True,
        )
    }
    assessed = {
        r["f"].value
        for r in kg.store.query(
            f"SELECT ?f WHERE {{ GRAPH {graph} {{ ?a <{FTZ}assessedFact> ?f ; "
            f"<http://www.w3.org/ns/prov#wasGeneratedBy> <{ACTIVITY}> }} }}"
        )
    }
    assert facts and assessed == facts


def test_assessment_iris_mirror_the_fact_iris():
    assert assessment_iri(ID + "observation/x") == ID + "assessment/observation/x"
    assert assessment_iri("http://example.org/f").startswith(ID + "assessment/external/")
    assert corroboration_quads([])  # the activity and rule are described even with nothing to assess


# ---------------------------------------------------------------- ftzkg validate warns about other sources

CONTRIBUTION = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix zone: <https://w3id.org/ftzkg/id/zone/> .
@prefix period: <https://w3id.org/ftzkg/id/period/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

source:example-registry-report a ftz:Source ;
    rdfs:label "EXAMPLE registry report"@en ; dcterms:title "EXAMPLE registry report"@en ;
    ftz:aiAssisted false .
"""


def figure(name: str, number: str, phrase: str, src: str = "example-registry-report") -> str:
    return f"""
obs:{name} a ftz:Observation ;
    rdfs:label "EXAMPLE registered businesses"@en ;
    ftz:hasMeasure ftz:RegisteredBusinesses ; ftz:refArea zone:kashgar-area ;
    ftz:refPeriod period:as-of-kashgar-ftz-2025-article ;
    ftz:numericValue {number} ; ftz:qualifier ftz:Exact ; ftz:unit unit:NUM ; ftz:sourcePhrase "{phrase}" ;
    prov:wasDerivedFrom source:{src} ;
    ftz:quote "EXAMPLE: {phrase} registered businesses since launch." .
"""


def validate_file(tmp_path, text: str):
    from click.testing import CliRunner

    from ftzkg.cli import main

    path = tmp_path / "contribution.ttl"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["validate", str(path)])


ARTICLE_SENTENCE = "lifting the total number of registered businesses to over 5,100"


def test_validate_warns_when_a_contribution_contradicts_another_source(tmp_path):
    result = validate_file(tmp_path, CONTRIBUTION + figure("example-count", "4900.0", "exactly 4,900"))
    assert result.exit_code == 0, result.output  # a warning: both sources keep their statements
    assert "WARNING   ftzsh:CrossSourceContradictionCheck" in result.output
    message = " ".join(result.output.split())
    for expected in (
        "source:example-registry-report",
        "source:kashgar-ftz-2025-article",
        '"EXAMPLE: exactly 4,900 registered businesses since launch."',
        ARTICLE_SENTENCE,
        '"exactly 4,900"',
        '"over 5,100"',
    ):
        assert expected in message
    assert re.search(r"0 violations, [1-9][0-9]* warnings?,", result.output)  # one per disagreeing source


def test_validate_is_silent_when_the_other_source_agrees(tmp_path):
    result = validate_file(tmp_path, CONTRIBUTION + figure("example-count", "5173.0", "5,173"))
    assert result.exit_code == 0 and "0 violations, 0 warnings" in result.output, result.output


def test_a_contribution_that_contradicts_itself_stays_a_violation(tmp_path):
    text = (
        CONTRIBUTION + figure("example-count", "5173.0", "5,173") + figure("example-again", "4900.0", "4,900")
    )
    result = validate_file(tmp_path, text)
    assert result.exit_code == 1, result.output
    assert "OneValuePerIndicatorShape" in result.output
    # and it still hears that the article disagrees with its 4,900
    assert "CrossSourceContradictionCheck" in result.output and ARTICLE_SENTENCE in " ".join(
        result.output.split()
    )


def test_whole_graph_validation_warns_about_sources_that_disagree(tmp_path):
    from ftzkg.validation import validate_knowledge_graph

    kg = graph_with(
        tmp_path, "registry", source("registry", ai=False) + registered("registry-count", "registry", "4900")
    )
    report = validate_knowledge_graph(kg)
    [warning] = [f for f in report.findings if f.shape.endswith("#CrossSourceContradictionCheck")]
    assert warning.severity == "Warning"
    assert {warning.focus, warning.value} == {
        ID + "observation/kashgar-area-registered-businesses",
        ID + "observation/registry-count",
    }


def test_the_article_is_corroborated_by_its_ecns_original(kg):
    """The README's example: the 2025 article derives from the ecns.cn report of 2026-01-15, which
    corroborates its figures as their original, not as an independent source."""
    from ftzkg.catalogue import catalogue

    query = next(q for q in catalogue() if q.name == "ai-assisted-corroboration")
    result = kg.store.query(query.text, use_default_graph_as_union=True)
    rows = [{str(v)[1:]: (s[v].value if s[v] is not None else "") for v in result.variables} for s in result]
    registered = [r for r in rows if r["fact"] == ID + "observation/kashgar-area-registered-businesses"]
    ecns = ID + "source/ecns-2026-01-15-kashgar-area-enterprise-influx"
    assert registered and all(r["status"] == FTZ + "Corroborated" for r in registered)
    assert (ecns, "original", "agrees") in {
        (r["evidence_source"], r["basis"], r["agreement"]) for r in registered
    }


def test_all_figures_read_at_once_are_the_figures_read_fact_by_fact(tmp_path):
    """Whole-graph validation reads every figure in one query: the same figures as fact by fact."""
    from ftzkg.claims import GraphReader, value_claims

    kg = graph_with(
        tmp_path, "registry", source("registry", ai=False) + registered("registry-count", "registry", "4900")
    )
    reader = GraphReader([kg.store], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    at_once = value_claims(reader)
    one_by_one = value_claims(reader, sorted({ox.NamedNode(c.fact) for c in at_once}, key=str))
    key = lambda c: (c.fact, c.slot)  # noqa: E731
    assert len(at_once) > 10 and sorted(at_once, key=key) == sorted(one_by_one, key=key)
    # and none is missed: every observation with a qualifier is there
    observations = {
        r["o"].value
        for r in kg.store.query(
            "SELECT ?o WHERE { ?o a <https://w3id.org/ftzkg/ontology#Observation> ; "
            "<https://w3id.org/ftzkg/ontology#qualifier> ?q }",
            use_default_graph_as_union=True,
        )
    }
    assert observations <= {c.fact for c in at_once}


def test_two_sources_in_one_contribution_that_disagree_get_a_warning(tmp_path):
    second = """
source:example-other-report a ftz:Source ;
    rdfs:label "EXAMPLE other report"@en ; dcterms:title "EXAMPLE other report"@en ;
    ftz:aiAssisted false .
"""
    # one file per source, as data files are
    prefixes = CONTRIBUTION.split("\n\n")[0] + "\n"
    other = tmp_path / "other.ttl"
    other.write_text(
        prefixes + second + figure("example-other-count", "5500.0", "5,500", src="example-other-report"),
        encoding="utf-8",
    )
    from click.testing import CliRunner

    from ftzkg.cli import main

    first = tmp_path / "contribution.ttl"
    first.write_text(CONTRIBUTION + figure("example-count", "5173.0", "5,173"), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(first), str(other)])
    message = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "source:example-other-report" in message and "source:example-registry-report" in message
    assert "CrossSourceContradictionCheck" in message and "OneValuePerIndicatorShape" not in message
