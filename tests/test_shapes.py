"""The SHACL shapes: every shape has a valid and an invalid example, a message and a severity,
every invalid example gets exactly the findings written in it, and no shape reads further
than the neighbourhood contribution validation extracts.

Examples live in tests/shapes/valid/<Shape>.ttl and tests/shapes/invalid/<Shape>.ttl and
are validated together with tests/shapes/context.ttl and the ontology. An invalid example
lists what it must produce in lines ``# expect: <focus> | <shape> | <start of the message>``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF, SH

from ftzkg import project
from ftzkg.namespaces import ONTOLOGY_GRAPH, SHAPES_NS
from ftzkg.parsing import parse_file
from ftzkg.validation import (
    Finding,
    StoreView,
    load_shapes,
    neighbourhood,
    ontology_quads,
    shacl_findings,
    shorten_term,
    to_rdflib,
)

EXAMPLES = Path(__file__).parent / "shapes"
CONTEXT = EXAMPLES / "context.ttl"
EX = "https://example.org/ftzkg-test/"


@cache
def shapes() -> rdflib.Graph:
    return load_shapes()


@cache
def ontology() -> rdflib.Graph:
    return to_rdflib(ontology_quads())


def example_quads(example: Path | None) -> list[ox.Quad]:
    quads = parse_file(CONTEXT)
    return quads + parse_file(example) if example else quads


def validate(quads: list[ox.Quad] | set[ox.Triple]) -> list[Finding]:
    return shacl_findings(to_rdflib(quads), ontology(), shapes())[0]


def short(iri: str) -> str:
    return "ex:" + iri[len(EX) :] if iri.startswith(EX) else shorten_term(iri)


def expectations(example: Path) -> set[tuple[str, str, str]]:
    found = set()
    for line in example.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, shape, message = (part.strip() for part in line.removeprefix("# expect:").split("|"))
            found.add((focus, shape, message))
    return found


def node_shape_names() -> list[str]:
    graph = shapes()
    return sorted(
        str(s)[len(SHAPES_NS) :]
        for s in graph.subjects(RDF.type, SH.NodeShape)
        if str(s).startswith(SHAPES_NS)
    )


VALID = sorted(p.stem for p in (EXAMPLES / "valid").glob("*.ttl"))
INVALID = sorted(p.stem for p in (EXAMPLES / "invalid").glob("*.ttl"))


def test_every_node_shape_has_a_valid_and_an_invalid_example():
    assert node_shape_names() == VALID == INVALID


def test_every_shape_says_what_is_wrong_and_how_bad_it_is():
    graph = shapes()
    named = {s for s in graph.subjects(RDF.type, SH.NodeShape)} | set(
        graph.subjects(RDF.type, SH.PropertyShape)
    )
    named = {s for s in named if str(s).startswith(SHAPES_NS)}
    assert len(named) > 60
    for shape in named:
        assert graph.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape
        messages = list(graph.objects(shape, SH.message))
        messages += [m for c in graph.objects(shape, SH.sparql) for m in graph.objects(c, SH.message)]
        assert messages, f"{shape} has no sh:message"
        assert all(m.language == "en" for m in messages), shape


def test_the_shapes_file_documents_its_neighbourhood():
    from ftzkg.validation import NEIGHBOURHOOD_HOPS

    assert f"NEIGHBOURHOOD: N = {NEIGHBOURHOOD_HOPS}." in project.SHAPES_FILE.read_text(encoding="utf-8")


def test_the_context_of_the_examples_is_valid():
    assert validate(example_quads(None)) == []


@pytest.mark.parametrize("name", VALID)
def test_valid_example_conforms(name):
    findings = validate(example_quads(EXAMPLES / "valid" / f"{name}.ttl"))
    assert [(short(f.focus), short(f.shape), f.message) for f in findings] == []


@pytest.mark.parametrize("name", INVALID)
def test_invalid_example_gets_the_expected_focus_shape_and_message(name):
    example = EXAMPLES / "invalid" / f"{name}.ttl"
    expected = expectations(example)
    assert expected, f"{example} lists no '# expect:' line"
    assert any(shape == f"ftzsh:{name}" or shape.startswith("ftzsh:") for _, shape, _ in expected)
    findings = validate(example_quads(example))
    actual = {(short(f.focus), short(f.shape), f.message.replace(EX, "ex:")) for f in findings}
    assert {(f, s) for f, s, _ in actual} == {(f, s) for f, s, _ in expected}
    for focus, shape, message in expected:
        got = [m for f, s, m in actual if (f, s) == (focus, shape)]
        assert any(m.startswith(message) for m in got), (focus, shape, got)


def _store_of(quads: list[ox.Quad]) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return store


@pytest.mark.parametrize("name", INVALID)
def test_no_shape_reads_beyond_the_neighbourhood(name):
    """Validating a node's N-hop neighbourhood alone gives exactly the whole graph's findings for it."""
    example = parse_file(EXAMPLES / "invalid" / f"{name}.ttl")
    store = _store_of(example_quads(EXAMPLES / "invalid" / f"{name}.ttl"))
    whole = validate(list(store))
    nodes = {q.subject for q in example} | {q.object for q in example}
    subjects = {n for n in nodes if isinstance(n, ox.NamedNode) and n.value.startswith(EX)}
    assert whole and {f.focus for f in whole} <= {s.value for s in subjects}
    for subject in subjects:
        expected = {f.key() for f in whole if f.focus == subject.value}
        triples = neighbourhood([StoreView(store, excluded_graphs=())], [subject])
        assert {f.key() for f in validate(triples) if f.focus == subject.value} == expected, subject


def test_knowledge_graph_nodes_validate_clean_from_their_neighbourhood_alone(kg):
    """One node of every class in the project's data, validated from its neighbourhood only."""
    graphs = [g for g in kg.data_graph_names() if g != ONTOLOGY_GRAPH]
    view = StoreView(kg.store)
    picked: dict[str, ox.NamedNode] = {}
    for quad in kg.store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, None):
        if quad.graph_name.value in graphs and isinstance(quad.subject, ox.NamedNode):
            picked.setdefault(quad.object.value, quad.subject)
    assert len(picked) >= 20
    triples = neighbourhood([view], picked.values())
    focus = {node.value for node in picked.values()}
    assert [f for f in validate(triples) if f.focus in focus] == []
