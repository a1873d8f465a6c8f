"""The accelerated SHACL engines (pyshacl-turbo; hybrid: SHACL-SPARQL on Oxigraph, the rest on
pyshacl-turbo) report exactly what plain pySHACL reports.

Compared result by result (focus node, path, constraint component, value,
severity, named source shape) on the project's data, on synthetic data with
injected violations, and on every example of tests/shapes.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from ftzkg import project
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH
from ftzkg.parsing import parse_file
from ftzkg.synth import generate
from ftzkg.validation import load_shapes, to_rdflib
from ftzkg.validation.engines import DEFAULT_ENGINE, ENGINES, NTriples, ntriples_of, result_keys, run_shacl

EXAMPLES = Path(__file__).parent / "shapes"


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def ontology_quads() -> list[ox.Quad]:
    return KnowledgeGraph.load(project.ontology_files()).quads()


def both(data_quads, ontology_quads, shapes):
    """pySHACL's results and turbo's on the data with the ontology mixed in (hybrid's, sparql's: equal)."""
    quads = list(data_quads) + list(ontology_quads)
    ontology = to_rdflib(ontology_quads)
    plain = result_keys(run_shacl(to_rdflib(quads), shapes, ontology, "pyshacl")[1])
    hybrid = result_keys(run_shacl(ntriples_of(quads), shapes, ontology, "hybrid")[1])
    assert hybrid == plain
    sparql = result_keys(run_shacl(ntriples_of(quads), shapes, ontology, "sparql")[1])
    assert sparql == plain
    turbo = result_keys(run_shacl(ntriples_of(quads), shapes, ontology, "turbo")[1])
    return plain, turbo


def test_the_engines_are_offered_and_the_default_is_the_hybrid_one():
    assert set(ENGINES) == {"pyshacl", "turbo", "hybrid", "sparql"}
    assert DEFAULT_ENGINE == "hybrid"


def test_hybrid_reports_the_sparql_results_as_pyshacl_does(shapes, ontology_quads):
    """Same messages ({?var} filled in), severity and constraint component, from a graph given as rdflib."""
    data = parse_file(EXAMPLES / "context.ttl")
    data += [q for p in sorted(EXAMPLES.glob("invalid/*.ttl")) for q in parse_file(p)]
    quads = data + list(ontology_quads)
    ontology = to_rdflib(ontology_quads)

    def described(report):
        return {
            (
                report.value(r, SH.focusNode),
                report.value(r, SH.value),
                report.value(r, SH.sourceShape),
                report.value(r, SH.resultSeverity),
                frozenset(report.objects(r, SH.resultMessage)),
            )
            for r in report.subjects(SH.sourceConstraintComponent, SH.SPARQLConstraintComponent)
        }

    graph = to_rdflib(quads)
    plain = described(run_shacl(graph, shapes, ontology, "pyshacl")[1])
    conforms, report = run_shacl(graph, shapes, ontology, "hybrid")
    assert plain  # the examples break SPARQL shapes
    assert described(report) == plain
    assert conforms is False and set(report.objects(None, SH.conforms)) == {rdflib.Literal(False)}


def test_hybrid_falls_back_where_oxigraph_would_change_a_literal(shapes, ontology_quads):
    """Oxigraph stores "08"^^xsd:integer as "8"; then the whole validation stays with the core engine."""
    text = ntriples_of(list(ontology_quads)).text + (
        "<https://w3id.org/ftzkg/id/connectivity/x> "
        "<https://w3id.org/ftzkg/ontology#neighbouringCountryCount> "
        '"08"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    ontology = to_rdflib(ontology_quads)
    plain = result_keys(run_shacl(NTriples(text).graph(), shapes, ontology, "pyshacl")[1])
    assert result_keys(run_shacl(NTriples(text), shapes, ontology, "hybrid")[1]) == plain
    # the sparql engine gives the literal back as the data spell it
    assert result_keys(run_shacl(NTriples(text), shapes, ontology, "sparql")[1]) == plain


def test_same_results_on_the_project_data(kg, shapes, ontology_quads):
    data = kg.quads([g for g in kg.graph_names() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH)])
    plain, turbo = both(data, ontology_quads, shapes)
    assert turbo == plain


def test_same_results_on_synthetic_data_with_injected_violations(tmp_path, shapes, ontology_quads):
    synthetic = generate(80, 5, tmp_path, violations=0.1)
    # the synthetic graph with the small reference files it points into (countries, regions, units;
    # the 2.6 MB HS code list, checked with the project's data above, would only slow pySHACL)
    data = [
        q
        for s in project.data_files()
        if s.path.parent.name == "reference"
        for q in parse_file(s.path)
        if s.path.name != "hs-2022.trig"
    ]
    data += parse_file(synthetic.path)
    plain, turbo = both(data, ontology_quads, shapes)
    assert len(plain) >= len(synthetic.violations)  # the injected violations are there
    assert turbo == plain


@pytest.mark.parametrize(
    "example", sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.glob("*valid/*.ttl"))
)
def test_same_results_on_each_shape_example(example, shapes, ontology_quads):
    data = parse_file(EXAMPLES / "context.ttl") + parse_file(EXAMPLES / example)
    plain, turbo = both(data, ontology_quads, shapes)
    assert turbo == plain
    if example.startswith("invalid/"):
        assert plain  # the example does break its shape


def test_plain_strings_stay_plain_on_the_way_from_the_store(shapes):
    """Oxigraph hands "x" back as "x"^^xsd:string; N-Triples text writes it plain again."""
    store = ox.Store()
    store.add(
        ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.Literal("x"))
    )
    text = ntriples_of(store).text
    assert text.strip() == '<https://example.org/a> <https://example.org/p> "x" .'
    literal = next(iter(NTriples(text).graph().objects()))
    assert literal == rdflib.Literal("x") and literal.datatype is None


def test_an_unknown_engine_is_refused(shapes):
    with pytest.raises(ValueError, match="unknown SHACL engine"):
        run_shacl(rdflib.Graph(), shapes, None, engine="nope")
