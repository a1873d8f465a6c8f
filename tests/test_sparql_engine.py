"""The default whole-graph engine: the shapes compiled to SPARQL and run on the graph's own store.

It must give exactly pySHACL's findings (focus node, path, value, shape, message, severity,
file and line) on the persistent on-disk store, with nothing of the data copied out of it.
"""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from ftzkg.project import Project
from ftzkg.project_store import ProjectStore
from ftzkg.synth import generate
from ftzkg.validation import load_shapes, validate_knowledge_graph
from ftzkg.validation.engine_names import WHOLE_GRAPH_ENGINE
from ftzkg.validation.engines import result_keys
from ftzkg.validation.shacl_sparql import Compiler, Unsupported, shapes_with_targets
from ftzkg.validation.store_engine import compile_shapes, validate_store

SHIPPED = Project.shipped()


@pytest.fixture(scope="module")
def project_with_violations(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("project")
    for part in ("ontology", "data", "queries"):
        shutil.copytree(SHIPPED.root / part, folder / part)
    synthetic = generate(30, 3, folder / "data" / "synthetic", violations=0.2, fmt="trig")
    assert synthetic.violations
    return Project.at(folder)


def test_whole_graph_validation_defaults_to_the_store_engine():
    assert WHOLE_GRAPH_ENGINE == "sparql"


def test_on_the_persistent_store_the_findings_are_pyshacls(project_with_violations):
    project = project_with_violations
    with ProjectStore(project).open() as opened:
        mine = validate_knowledge_graph(opened.kg, engine="sparql", project_=project, index=opened.index)
        theirs = validate_knowledge_graph(opened.kg, engine="pyshacl", project_=project, index=opened.index)
    assert mine.count("Violation") > 0
    assert mine.findings == theirs.findings  # messages, files and lines included
    assert result_keys(mine.report_graph) == result_keys(theirs.report_graph)
    assert mine.focus_nodes == theirs.focus_nodes
    # the scratch checkpoint is gone and the store holds no descriptions graph
    with ProjectStore(project).open() as opened:
        names = {g.value for g in opened.kg.store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert not any(n.startswith("urn:x-ftzkg:validation") for n in names)


def test_an_in_memory_store_is_left_as_it_was(project_with_violations):
    from ftzkg.knowledge_graph import KnowledgeGraph

    kg = KnowledgeGraph.load(project_=project_with_violations)
    before = len(kg.store)
    report = validate_knowledge_graph(kg, engine="sparql", project_=project_with_violations)
    assert report.count("Violation") > 0 and len(kg.store) == before


def test_every_shape_of_the_project_compiles_to_sparql():
    """No project shape falls back to another engine (whole-graph memory stays bounded)."""
    compiled, fallback = compile_shapes(load_shapes(), ox.Store(), {})
    assert fallback == {}
    assert len(compiled) == len(shapes_with_targets(load_shapes())) > 30


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:Recursive a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:node ex:Recursive ] .
ex:Many a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 9 ] .
ex:Plain a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 2 ] .
"""


def test_what_cannot_be_compiled_is_named_and_validated_by_another_engine(caplog):
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    ex = rdflib.Namespace("http://example.org/")
    with pytest.raises(Unsupported, match="recursive"):
        Compiler(shapes, lambda c: [str(c)]).compile(ex.Recursive)
    with pytest.raises(Unsupported, match="count above"):
        Compiler(shapes, lambda c: [str(c)]).compile(ex.Many)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(ex.a), ox.NamedNode(ex.p), ox.NamedNode(ex.b)))
    outcome = validate_store(store, shapes)
    assert set(outcome.fallback) == {ex.Recursive, ex.Many}
    assert "not compiled to SPARQL" in caplog.text and "ex" in caplog.text
    from ftzkg.validation.engines import run_shacl

    data = rdflib.Graph().parse(
        data="<http://example.org/a> <http://example.org/p> <http://example.org/b> .", format="nt"
    )
    conforms, report = run_shacl(data, shapes, None, "sparql")
    assert result_keys(report) == result_keys(run_shacl(data, shapes, None, "pyshacl")[1])
    # Many's result (from the fallback) and Plain's (compiled): both minCount, both in the report
    shapes_reported = {
        report.value(r, SH.sourceShape) for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    assert len(shapes_reported) == 2 and conforms is False


def test_the_queries_run_on_any_sparql_store_without_the_engine(project_with_violations):
    """The compiled checks are plain SPARQL 1.1 SELECT queries over the default graph."""
    compiled, _ = compile_shapes(load_shapes(), ox.Store(), {})
    for shape in compiled:
        for check in shape.checks:
            ox.Store().query(check.query)  # parses and runs (no engine-specific syntax)
            assert "SELECT DISTINCT" in check.query
