"""Whole-graph validation on the knowledge graph's own store (the ``sparql`` engine).

The compiled shapes (:mod:`.store_engine`) run on the store the graph is already in,
over the union of the data graphs, the ontology graph and the data graphs'
descriptions (``<G> a sd:NamedGraph ; foaf:primaryTopic <S>``, :func:`ftzkg.data_graphs.graph_descriptions`).
The descriptions are a few triples per graph; they go into a scratch named graph of a
writable store: the store itself when it is in memory (removed afterwards), else a
checkpoint of the on-disk store (RocksDB hard-links its files: no copy of the data).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import rdflib

from ..data_graphs import FOAF_PRIMARY_TOPIC, RDF_TYPE, SD_NAMED_GRAPH, source_classes_of
from ..knowledge_graph import KnowledgeGraph
from .rdflib_patch import quiet_literal_conversion
from .report import Finding, findings_from_report
from .store_engine import fallback_shapes, merge_fallback, validate_store

#: The scratch graph holding the data graphs' descriptions while validation runs.
DESCRIPTIONS_GRAPH = ox.NamedNode("urn:x-ftzkg:validation:graph-descriptions")


def descriptions(store: ox.Store, graphs: list[ox.NamedNode], ontology: list[ox.Quad]) -> list[ox.Quad]:
    """Each data graph as a node, asked of the store (no pass over the data in Python)."""
    classes = " ".join(f"<{c}>" for c in sorted(source_classes_of(ontology)))
    typed, named = ox.NamedNode(RDF_TYPE), ox.NamedNode(SD_NAMED_GRAPH)
    topic = ox.NamedNode(FOAF_PRIMARY_TOPIC)
    quads = [ox.Quad(g, typed, named, DESCRIPTIONS_GRAPH) for g in graphs]
    values = " ".join(str(g) for g in graphs)
    query = (
        f"SELECT DISTINCT ?g ?s WHERE {{ VALUES ?g {{ {values} }} VALUES ?c {{ {classes} }} "
        f"GRAPH ?g {{ ?s <{RDF_TYPE}> ?c }} FILTER(isIRI(?s)) }}"
    )
    if graphs:
        quads += [ox.Quad(r["g"], topic, r["s"], DESCRIPTIONS_GRAPH) for r in store.query(query)]
    return quads


@contextlib.contextmanager
def _validation_store(
    store: ox.Store, graphs: list[ox.NamedNode], quads: list[ox.Quad]
) -> Iterator[tuple[ox.Store, dict]]:
    """A store holding ``store``'s data and ``quads`` (in :data:`DESCRIPTIONS_GRAPH`), with how to query it.

    An in-memory store gets the quads (removed afterwards) and is read through the list of
    ``graphs``; the read-only persistent store is checkpointed, the checkpoint keeps only
    ``graphs`` and is read as the union of its graphs (Oxigraph reads a list of graphs one by one).
    """
    try:
        store.extend(quads)
    except (OSError, RuntimeError):  # read-only (the persistent store): validate on a checkpoint of it
        pass
    else:
        try:
            yield store, {"default_graph": [*graphs, DESCRIPTIONS_GRAPH]}
        finally:
            store.remove_graph(DESCRIPTIONS_GRAPH)
        return
    folder = Path(tempfile.mkdtemp(prefix="ftzkg-validate-"))
    try:
        store.backup(str(folder / "store"))
        copy = ox.Store(str(folder / "store"))
        keep = set(graphs)
        for graph in list(copy.named_graphs()):
            if graph not in keep:
                copy.remove_graph(graph)
        copy.extend(quads)
        try:
            yield copy, {"union": True}
        finally:
            del copy
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def store_findings(
    kg: KnowledgeGraph, data_graphs: list[ox.NamedNode], ontology: list[ox.Quad], shapes: rdflib.Graph
) -> tuple[list[Finding], rdflib.Graph]:
    """The shapes' findings on the data graphs (with the ontology) of ``kg``'s store."""
    from ..namespaces import ONTOLOGY_GRAPH

    graphs = [*data_graphs, ox.NamedNode(ONTOLOGY_GRAPH)]
    quads = descriptions(kg.store, data_graphs, ontology)
    if not any(True for _ in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))):
        quads += [ox.Quad(q.subject, q.predicate, q.object, DESCRIPTIONS_GRAPH) for q in ontology]
    with _validation_store(kg.store, graphs, quads) as (store, how):
        outcome = validate_store(
            store, shapes, default_graph=how.get("default_graph"), union=bool(how.get("union"))
        )
        report = outcome.report
        if outcome.fallback:  # shapes that did not compile: the hybrid engine on the data as text
            from .engines import NTriples, run_shacl

            triples = (
                ox.Triple(q.subject, q.predicate, q.object)
                for g in [*graphs, DESCRIPTIONS_GRAPH]
                for q in store.quads_for_pattern(None, None, None, g)
            )
            text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            with quiet_literal_conversion():
                other = run_shacl(NTriples(text), fallback_shapes(shapes, outcome.fallback), None, "hybrid")
            _, report = merge_fallback(outcome, other)
    return findings_from_report(report), report
