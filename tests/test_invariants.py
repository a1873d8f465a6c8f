"""The data's invariants hold on the live graph (tests/invariants.py; a new source must keep them)."""

from __future__ import annotations

import invariants
import pytest
from golden import MANIFEST, frozen_files


@pytest.mark.parametrize("check", invariants.ALL, ids=[c.__name__ for c in invariants.ALL])
def test_the_graph_keeps_its_invariants(kg, check):
    assert check(kg) == []


def test_the_invariants_can_fail(tmp_path):
    """A fact without source or quote and a bare number are caught, and so is a missing article."""
    from ftzkg import KnowledgeGraph, project

    bad = tmp_path / "bad.trig"
    bad.write_text(
        """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
<https://w3id.org/ftzkg/id/source/kashgar-ftz-2025-article> {
  <https://w3id.org/ftzkg/id/link/bare> a ftz:TradeLink .
  <https://w3id.org/ftzkg/id/value/bare> ftz:numericValue 3.0 .
}
""",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([*project.all_files(), project.SourceFile(bad, None)], derive=False)
    assert invariants.facts_without_a_source(kg)
    assert invariants.stated_facts_without_a_quote(kg)
    assert invariants.figures_without_qualifier_or_unit(kg)
    assert invariants.ai_facts_without_a_status(kg)  # not derived: no statuses at all
    without_article = KnowledgeGraph.load(project.ontology_files(), derive=False)
    assert len(invariants.article_figures_missing(without_article)) == len(invariants.ARTICLE_FIGURES)


def test_the_frozen_copy_lists_files_that_exist():
    files = frozen_files()
    assert MANIFEST.is_file() and files
    assert all(f.path.is_file() for f in files)
    assert any(f.path.name == "ftz.ttl" for f in files) and any(f.path.suffix == ".trig" for f in files)


def test_golden_regeneration_writes_what_the_golden_test_expects(tmp_path, monkeypatch):
    """`make golden` (tests/golden.py) writes each catalogue query's answer on the frozen copy."""
    import golden

    monkeypatch.setattr(golden, "EXPECTED", tmp_path)
    written = golden.regenerate()
    assert written and {p.name for p in written} == {
        p.name for p in golden.HERE.joinpath("expected", "queries").glob("*.csv")
    }
    for path in written:
        assert path.read_bytes() == (golden.HERE / "expected" / "queries" / path.name).read_bytes(), path.name
