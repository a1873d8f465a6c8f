"""Running the project's shapes: the shapes and ontology as rdflib graphs, the engine's
report turned into findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib

from .. import project
from ..parsing import parse_file
from .engines import DEFAULT_ENGINE, NTriples, run_shacl
from .rdflib_patch import quiet_literal_conversion, translated_sparql_cache
from .report import (
    Finding,
    findings_from_report,
)


def to_rdflib(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """An rdflib graph of the triples, copied through N-Triples (flat, never recursive)."""
    flat = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    graph = rdflib.Graph()
    if flat:
        with quiet_literal_conversion():
            graph.parse(data=ox.serialize(flat, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def load_shapes(project_: project.Project | None = None) -> rdflib.Graph:
    """The project's shapes (``ontology/shapes.ttl``; default project if None) and nothing else."""
    return load_shapes_file((project_ or project.Project.default()).shapes_file)


def load_shapes_file(path: Path) -> rdflib.Graph:
    """The shapes of one file, and nothing else."""
    return to_rdflib(parse_file(path))


def ontology_quads(project_: project.Project | None = None) -> list[ox.Quad]:
    """The ontology graph (classes, properties, code lists) parsed from the project's files."""
    quads: list[ox.Quad] = []
    for source in (project_ or project.Project.default()).ontology_files():
        quads.extend(parse_file(source.path, source.graph))
    return quads


def shacl_findings(
    data: rdflib.Graph | NTriples, ontology: rdflib.Graph, shapes: rdflib.Graph, engine: str = DEFAULT_ENGINE
) -> tuple[list[Finding], rdflib.Graph]:
    """Run the shapes on the data (with the ontology) and turn the report into findings.

    The ontology's triples join the data graph: sh:class and sh:in need the code
    lists' instances (``ftz:Exact a ftz:ValueQualifier``), not only the class axioms.
    Data given as :class:`NTriples` must hold them already (no rdflib copy is made).
    """
    if isinstance(data, NTriples):
        combined: rdflib.Graph | NTriples = data
    else:
        combined = rdflib.Graph()
        for triple in data:
            combined.add(triple)
        for triple in ontology:
            combined.add(triple)
    with translated_sparql_cache(), quiet_literal_conversion():
        _, report = run_shacl(combined, shapes, ontology, engine=engine)
    if not isinstance(report, rdflib.Graph):  # pySHACL's ValidationFailure: a broken shape, not bad data
        raise RuntimeError(f"the SHACL engine could not run the shapes: {getattr(report, 'message', report)}")
    return findings_from_report(report), report
