"""Contribution validation checks the touched nodes and the existing nodes whose neighbourhood
the contribution reaches, and reports a problem of an existing node only when it introduces it."""

from __future__ import annotations

from ftzkg.contribution import validate_contribution

HEADER = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix reform: <https://w3id.org/ftzkg/id/reform/> .
@prefix zone: <https://w3id.org/ftzkg/id/zone/> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""

OUTLINED = """obs:example-outlined-again a ftz:Observation ;
    rdfs:label "EXAMPLE reform measures outlined, another count"@en ;
    ftz:hasMeasure ftz:ReformMeasuresOutlined ; ftz:refProgramme reform:kashgar-ftz-area-reform-programme ;
    ftz:refArea zone:kashgar-area ; ftz:numericValue {n} ; ftz:qualifier ftz:Exact ; ftz:unit unit:NUM ;
    prov:wasDerivedFrom source:example-other-report ; ftz:quote "EXAMPLE sentence." .
source:example-other-report a ftz:Source ; dcterms:title "EXAMPLE report"@en ; ftz:aiAssisted false .
"""


def contribution(tmp_path, n: str):
    path = tmp_path / "outlined.ttl"
    text = HEADER + "@prefix dcterms: <http://purl.org/dc/terms/> .\n" + OUTLINED.replace("{n}", n)
    path.write_text(text, encoding="utf-8")
    return path


def shape_findings(report):
    """Findings other than the warning that another source states a different count."""
    return [f for f in report.findings if not f.shape.endswith("#CrossSourceContradictionCheck")]


def test_a_consistent_contribution_reports_nothing_about_its_neighbours(kg, tmp_path):
    report = validate_contribution([contribution(tmp_path, "210.0")], kg)
    assert shape_findings(report) == []
    # 210 outlined measures from another report disagree with the article's 207: a warning, not a violation
    [warning] = report.findings
    assert warning.severity == "Warning" and report.conforms
    assert report.additions.entities == {
        "https://w3id.org/ftzkg/ontology#Observation": 1,
        "https://w3id.org/ftzkg/ontology#Source": 1,
    }


def test_a_problem_the_contribution_causes_in_an_existing_node_is_reported_there(kg, tmp_path):
    """Outlining only 100 measures makes the existing 205 implemented ones too many."""
    report = validate_contribution([contribution(tmp_path, "100.0")], kg)
    [finding] = shape_findings(report)
    assert finding.focus == "https://w3id.org/ftzkg/id/observation/kashgar-reform-measures-implemented"
    assert finding.shape.endswith("#ImplementedNotAboveOutlinedShape")
    assert "More reform measures implemented (205) than outlined (100" in finding.message
    assert finding.file == "data/kashgar/kashgar-ftz-2025-article.trig"
    assert finding.line is not None


def test_only_a_neighbourhood_is_validated_not_the_whole_graph(kg, tmp_path):
    report = validate_contribution([contribution(tmp_path, "210.0")], kg)
    assert 0 < report.focus_nodes < len({q.subject for q in kg.quads()}) / 4
