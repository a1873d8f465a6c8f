"""The synthetic zone-scale generator: deterministic, clearly synthetic, valid, with the violations asked."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ftzkg import project
from ftzkg.cli import main
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import FTZ, ID
from ftzkg.synth import FIRM_VIOLATIONS, PROGRAMME_VIOLATION, SYNTHETIC, generate
from ftzkg.validation import validate_knowledge_graph

FIRMS = 120


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    return generate(FIRMS, 11, tmp_path_factory.mktemp("clean")).path


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    return generate(FIRMS, 11, tmp_path_factory.mktemp("dirty"), violations=0.1)


def kg_with(path: Path) -> KnowledgeGraph:
    return KnowledgeGraph.load([*project.all_files(), project.SourceFile(path, None)])


def test_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(tmp_path, clean):
    again = generate(FIRMS, 11, tmp_path / "again").path
    other = generate(FIRMS, 12, tmp_path / "other").path
    assert again.read_bytes() == clean.read_bytes()
    assert other.read_bytes() != clean.read_bytes()


def test_trig_and_nquads_hold_the_same_quads(tmp_path, clean):
    trig = generate(FIRMS, 11, tmp_path, fmt="trig").path
    as_trig = set(ox.parse(path=str(trig), format=ox.RdfFormat.TRIG))
    as_nquads = set(ox.parse(path=str(clean), format=ox.RdfFormat.N_QUADS))
    assert as_trig == as_nquads


def test_everything_invented_is_under_the_synthetic_namespace_in_marked_sources(clean):
    quads = list(ox.parse(path=str(clean), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads}
    assert graphs and all(g.startswith(SYNTHETIC + "source/") for g in graphs)
    for q in quads:
        if q.subject.value.startswith(ID):
            assert q.subject.value.startswith(SYNTHETIC), q
    for graph in graphs:
        node = ox.NamedNode(graph)
        stated = {(q.predicate.value, q.object.value) for q in quads if q.subject == node}
        assert (FTZ + "aiAssisted", "false") in stated
        titles = [o for p, o in stated if p == "http://purl.org/dc/terms/title"]
        assert titles and all(t.startswith("Synthetic data") for t in titles)


def test_the_synthetic_graph_has_every_kind_of_fact(clean):
    classes = Counter(
        q.object.value
        for q in ox.parse(path=str(clean), format=ox.RdfFormat.N_QUADS)
        if q.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    )
    assert classes[FTZ + "Enterprise"] == FIRMS
    for cls in (
        "FreeTradeZone",
        "ZoneArea",
        "TradeLink",
        "ProductionLink",
        "SupplyLink",
        "Observation",
        "SupportPolicy",
        "ReformProgramme",
        "Period",
        "Source",
    ):
        assert classes[FTZ + cls] > 0, cls


def test_the_clean_synthetic_graph_conforms_to_the_shapes(clean):
    report = validate_knowledge_graph(kg_with(clean))
    assert report.conforms, [f.message for f in report.findings if f.severity == "Violation"][:5]


def test_every_injected_violation_is_found_on_its_node(dirty):
    assert {v.kind for v in dirty.violations} == {*FIRM_VIOLATIONS, PROGRAMME_VIOLATION}
    firm_level = [v for v in dirty.violations if v.kind in FIRM_VIOLATIONS]
    assert len(firm_level) == int(FIRMS * 0.1)
    report = validate_knowledge_graph(kg_with(dirty.path))
    flagged = {f.focus for f in report.findings if f.severity == "Violation"}
    assert {v.focus for v in dirty.violations} <= flagged
    # and nothing else: every violation found is one that was injected
    assert flagged <= {v.focus for v in dirty.violations}


def test_synth_command_writes_the_file_and_names_the_injected_violations(tmp_path):
    result = CliRunner().invoke(
        main, ["synth", "--firms", "50", "--seed", "3", "--violations", "0.1", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "synthetic.nq").is_file()
    assert "injected" in result.output and "missing-source" in result.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".synthetic-")]


def test_synth_command_refuses_a_fraction_above_one(tmp_path):
    result = CliRunner().invoke(main, ["synth", "--firms", "5", "--violations", "2", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert not (tmp_path / "synthetic.nq").exists()
