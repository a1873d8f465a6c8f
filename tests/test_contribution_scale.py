"""A contribution is checked against what it refers to, not against the whole graph.

The figures another source states are looked up from the contribution's own figures (their
area or firm), so the check reads as much in a graph four times larger, and it still finds
every contradiction that comparing with every figure of the graph would find.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ftzkg import project
from ftzkg.claims import GraphReader, value_claims
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import DERIVED_GRAPHS, SHAPES_GRAPH
from ftzkg.source_contradictions import comparable_facts, contribution_contradictions
from ftzkg.synth import generate

FTZ = "https://w3id.org/ftzkg/ontology#"
ID = "https://w3id.org/ftzkg/id/"

CONTRIBUTION = """
@prefix ftz:     <https://w3id.org/ftzkg/ontology#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix cur:     <http://qudt.org/vocab/currency/> .
@prefix unit:    <http://qudt.org/vocab/unit/> .
@prefix syn:     <https://w3id.org/ftzkg/id/synthetic/> .
@prefix obs:     <https://w3id.org/ftzkg/id/observation/> .
@prefix source:  <https://w3id.org/ftzkg/id/source/> .

source:example-check a ftz:Source ; dcterms:title "EXAMPLE check"@en ; ftz:aiAssisted false .
source:example-other a ftz:Source ; dcterms:title "EXAMPLE other"@en ; ftz:aiAssisted false .

# a firm's revenue the synthetic register states otherwise (found from the firm)
obs:example-firm-revenue a ftz:Observation ; ftz:hasMeasure ftz:Revenue ;
    ftz:refEnterprise <https://w3id.org/ftzkg/id/synthetic/firm/f000003> ;
    ftz:refPeriod <https://w3id.org/ftzkg/id/synthetic/period/2024> ;
    ftz:numericValue 1.0 ; ftz:qualifier ftz:Exact ; ftz:unit cur:CNY ;
    prov:wasDerivedFrom source:example-check ; ftz:quote "EXAMPLE: revenue was 1 yuan." .

# an area's count the synthetic zone register states otherwise (found from the area)
obs:example-area-count a ftz:Observation ; ftz:hasMeasure ftz:RegisteredBusinesses ;
    ftz:refArea <https://w3id.org/ftzkg/id/synthetic/zone/ftz-01-area-1> ;
    ftz:refPeriod <https://w3id.org/ftzkg/id/synthetic/period/2024> ;
    ftz:numericValue 1.0 ; ftz:qualifier ftz:Exact ; ftz:unit unit:NUM ;
    prov:wasDerivedFrom source:example-check ; ftz:quote "EXAMPLE: one business." .

# two figures of no area and no firm (a shape violation, and still compared with each other)
obs:example-unanchored-a a ftz:Observation ; ftz:hasMeasure ftz:Revenue ;
    ftz:numericValue 5.0 ; ftz:qualifier ftz:Exact ; ftz:unit cur:CNY ;
    prov:wasDerivedFrom source:example-check ; ftz:quote "EXAMPLE: 5 yuan." .
obs:example-unanchored-b a ftz:Observation ; ftz:hasMeasure ftz:Revenue ;
    ftz:numericValue 7.0 ; ftz:qualifier ftz:Exact ; ftz:unit cur:CNY ;
    prov:wasDerivedFrom source:example-other ; ftz:quote "EXAMPLE: 7 yuan." .
"""


class CountingStore:
    """A store that counts the statements read from it (the queries' answers included)."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.read = 0

    def quads_for_pattern(self, *pattern):
        for quad in self.store.quads_for_pattern(*pattern):
            self.read += 1
            yield quad

    def query(self, *args, **kwargs):
        rows = list(self.store.query(*args, **kwargs))
        self.read += len(rows)
        return iter(rows)


def synthetic_graph(folder: Path, firms: int) -> KnowledgeGraph:
    """The ontology and a synthetic zone graph of ``firms`` firms."""
    path = generate(firms, 5, folder).path
    ontology = list(project.Project.default().ontology_files())
    return KnowledgeGraph.load([*ontology, project.SourceFile(path, None)], derive=False)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory) -> dict[int, KnowledgeGraph]:
    return {firms: synthetic_graph(tmp_path_factory.mktemp(f"synth{firms}"), firms) for firms in (30, 120)}


def contribution_store() -> ox.Store:
    store = ox.Store()
    triples = ox.parse(CONTRIBUTION, ox.RdfFormat.TURTLE)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def subjects(store: ox.Store) -> list[ox.NamedNode]:
    return sorted({q.subject for q in store if isinstance(q.subject, ox.NamedNode)}, key=str)


def test_the_contradictions_found_from_the_area_or_firm_are_those_of_the_whole_graph(graphs):
    contribution = contribution_store()
    findings = contribution_contradictions(contribution, graphs[30].store, subjects(contribution))
    pairs = {(f.focus.removeprefix(ID), f.value.removeprefix(ID)) for f in findings}
    assert ("observation/example-firm-revenue", "synthetic/observation/f000003-revenue-2024") in pairs
    area_count = "synthetic/observation/ftz-01-area-1-registered-businesses-2024"
    assert ("observation/example-area-count", area_count) in pairs
    assert ("observation/example-unanchored-a", "observation/example-unanchored-b") in pairs
    assert ("observation/example-unanchored-b", "observation/example-unanchored-a") in pairs


@pytest.mark.parametrize("graph", ["synthetic", "project"])
def test_every_figure_with_the_same_key_is_among_the_facts_looked_up(graph, graphs, kg):
    """The look-up may return more facts than needed, never fewer: checked for every figure of the
    graph (the synthetic zone, and the project's sources with their logistics effects)."""
    store = graphs[30].store if graph == "synthetic" else kg.store
    reader = GraphReader([contribution_store(), store], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    classes = reader.subclasses(FTZ + "Observation") | reader.subclasses(FTZ + "LogisticsEffect")
    everything = value_claims(reader, reader.instances(classes))
    by_key: dict[tuple, set[str]] = {}
    for claim in everything:
        by_key.setdefault(claim.key(), set()).add(claim.fact)
    assert len(everything) > 50 and len(by_key) > 10
    for claim in everything:
        found = {n.value for n in comparable_facts(reader, claim)}
        assert by_key[claim.key()] <= found, claim.fact


def test_a_graph_four_times_larger_is_read_no_more(graphs):
    """The contribution's figures cost the statements about their firms and areas, not the graph's size."""
    reads = {}
    for firms, kg in graphs.items():
        contribution = contribution_store()
        counted = CountingStore(kg.store)
        anchored = [s for s in subjects(contribution) if "unanchored" not in s.value]
        assert contribution_contradictions(contribution, counted, anchored)  # type: ignore[arg-type]
        reads[firms] = counted.read
    figures = sum(
        1 for _ in graphs[120].store.quads_for_pattern(None, ox.NamedNode(FTZ + "hasMeasure"), None, None)
    )
    assert reads[120] <= reads[30] * 1.2, reads
    assert reads[120] < figures, (reads, figures)  # not even one statement per figure of the graph
