"""The check plan: the shapes compiled once to SPARQL, kept beside the store, run on a
contribution's neighbourhood without rdflib.

Its findings must be the engines' findings, result by result (focus node, shape, message,
path, value, severity), and a plan must never be used for shapes, an ontology or a compiler
other than the ones it was made from.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from ftzkg import project
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from ftzkg.parsing import parse_file
from ftzkg.synth import generate
from ftzkg.validation import check_plan
from ftzkg.validation.check_plan import PLAN_FILE, CheckPlan, compile_plan, plan_for
from ftzkg.validation.engines import ntriples_of, run_shacl
from ftzkg.validation.report import findings_from_report
from ftzkg.validation.shape_runs import load_shapes

EXAMPLES = Path(__file__).parent / "shapes"
SHIPPED = project.Project.shipped()


@pytest.fixture(scope="module")
def ontology() -> list[ox.Quad]:
    return KnowledgeGraph.load(SHIPPED.ontology_files()).quads()


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(SHIPPED)


@pytest.fixture(scope="module")
def plan(ontology, shapes) -> CheckPlan:
    made = compile_plan(shapes, ontology, "test")
    assert made is not None  # every project shape compiles
    return made


def as_stored(quads) -> list[ox.Quad]:
    """The quads as a store holds them (a neighbourhood is always read from a store)."""
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return list(store)


def results(findings) -> list[tuple]:
    return sorted((f.severity, f.focus, f.shape, f.message, f.path or "", f.value or "") for f in findings)


def same_as_the_engines(plan: CheckPlan, shapes, data, ontology) -> list[tuple]:
    """The plan's findings, which must be the ``hybrid`` engine's (itself held to pySHACL's
    and the ``sparql`` engine's in tests/test_shacl_engines.py)."""
    quads = as_stored(list(data) + list(ontology))
    store = ox.Store()
    store.extend(quads)
    assert plan.fits(store)
    mine = results(plan.run(store))
    _, report = run_shacl(ntriples_of(quads), shapes, None, "hybrid")
    assert mine == results(findings_from_report(report))
    return mine


@pytest.mark.parametrize(
    "example", sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("*valid/*.ttl"))
)
def test_each_shape_example_gives_the_engines_findings(example, plan, shapes, ontology):
    data = parse_file(EXAMPLES / "context.ttl") + parse_file(EXAMPLES / example)
    found = same_as_the_engines(plan, shapes, data, ontology)
    if example.startswith("invalid/"):
        assert found  # the example does break its shape


def test_synthetic_data_with_injected_violations_gives_the_engines_findings(tmp_path, plan, shapes, ontology):
    synthetic = generate(40, 3, tmp_path, violations=0.15)
    found = same_as_the_engines(plan, shapes, parse_file(synthetic.path), ontology)
    assert len(found) >= len(synthetic.violations) > 0


def test_the_project_data_gives_the_engines_findings(kg, plan, shapes, ontology):
    data = kg.quads([g for g in kg.graph_names() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH)])
    same_as_the_engines(plan, shapes, data, ontology)


def test_a_sparql_shape_on_a_blank_node_keeps_the_data_s_label(plan, shapes, ontology):
    link = ox.BlankNode("the-link")
    ftz = "https://w3id.org/ftzkg/ontology#"
    data = [
        ox.Quad(
            link,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode(ftz + "TradeLink"),
        ),
        ox.Quad(link, ox.NamedNode(ftz + "exporter"), ox.NamedNode("https://w3id.org/ftzkg/id/firm/x")),
        ox.Quad(
            link,
            ox.NamedNode(ftz + "destinationMarket"),
            ox.NamedNode("https://w3id.org/ftzkg/id/country/KZ"),
        ),
        ox.Quad(link, ox.NamedNode(ftz + "status"), ox.NamedNode(ftz + "Reported")),
    ]
    found = same_as_the_engines(plan, shapes, data, ontology)
    assert ("_:the-link", "https://w3id.org/ftzkg/shapes#LinkMirroredShape") in {(f[1], f[2]) for f in found}


def test_a_plan_holds_no_rdflib_term_and_reads_back_as_written(plan):
    assert CheckPlan.from_json(plan.to_json()) == plan
    assert "rdflib" not in plan.to_json()


def test_data_that_changes_the_class_hierarchy_does_not_fit_the_plan(plan, ontology):
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology)
    assert plan.fits(store)
    store.add(
        ox.Quad(
            ox.NamedNode("https://example.org/FruitFirm"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            ox.NamedNode("https://w3id.org/ftzkg/ontology#Enterprise"),
        )
    )
    assert not plan.fits(store)


# ---------------------------------------------------------------- keeping the plan


@pytest.fixture
def copied(tmp_path) -> project.Project:
    folder = tmp_path / "project"
    shutil.copytree(SHIPPED.root / "ontology", folder / "ontology")
    (folder / ".ftzkg").mkdir()
    return project.Project.at(folder)


def kept(proj: project.Project, ontology) -> CheckPlan | None:
    return plan_for(proj.shapes_file, [s.path for s in proj.ontology_files()], ontology, proj.root / ".ftzkg")


def test_the_plan_is_compiled_once_and_then_read(copied, ontology, monkeypatch):
    first = kept(copied, ontology)
    assert (copied.root / ".ftzkg" / PLAN_FILE).is_file()

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(check_plan, "compile_plan", no_compiling)
    assert kept(copied, ontology) == first


def test_a_changed_shapes_file_makes_a_new_plan(copied, ontology):
    first = kept(copied, ontology)
    shapes = copied.shapes_file
    shapes.write_text(
        shapes.read_text(encoding="utf-8").replace("A period needs a start", "A period needs its start"),
        encoding="utf-8",
    )
    second = kept(copied, ontology)
    assert first is not None and second is not None and second.key != first.key
    assert any("A period needs its start" in m for c in second.checks for m in c.messages)


def test_a_damaged_plan_file_is_compiled_again(copied, ontology):
    first = kept(copied, ontology)
    (copied.root / ".ftzkg" / PLAN_FILE).write_text('{"format": 1, "key": ', encoding="utf-8")
    assert kept(copied, ontology) == first


def test_a_plan_that_cannot_be_written_is_still_used(copied, ontology):
    shutil.rmtree(copied.root / ".ftzkg")
    assert kept(copied, ontology) is not None
    assert not (copied.root / ".ftzkg").exists()  # nothing made where nothing was


def test_a_changed_ontology_or_compiler_makes_a_new_key(copied, monkeypatch):
    ontology_files = [s.path for s in copied.ontology_files()]
    first = check_plan.plan_key(copied.shapes_file, ontology_files)
    ontology = copied.root / "ontology" / "ftz.ttl"
    ontology.write_text(ontology.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    second = check_plan.plan_key(copied.shapes_file, ontology_files)
    assert second != first
    monkeypatch.setattr(check_plan, "_COMPILER_MODULES", (*check_plan._COMPILER_MODULES, "engines.py"))
    assert check_plan.plan_key(copied.shapes_file, ontology_files) not in (first, second)
