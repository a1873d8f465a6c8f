"""Running the project's shapes on a contribution's neighbourhood, at the cost of a small graph.

The neighbourhood (a few hundred triples) goes to the engine as N-Triples text written by
Oxigraph, with the ontology's triples in it once: no rdflib graph of the data is built and
the engine is given no separate ontology to copy in again. The default ``hybrid`` engine
runs the SHACL-SPARQL shapes on Oxigraph and the core shapes natively, so rdflib's SPARQL
engine (and the cache of its parsed queries, :mod:`~ftzkg.validation.rdflib_patch`) is only
loaded for the engines that run SPARQL in rdflib.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from .engines import NTriples, run_shacl
from .rdflib_patch import quiet_literal_conversion
from .report import Finding, findings_from_report
from .shape_runs import shacl_findings

#: Engines that evaluate no SPARQL in rdflib on this path (see :mod:`ftzkg.validation.engines`).
_NO_RDFLIB_SPARQL = frozenset({"hybrid"})


def with_ontology(triples: Iterable[ox.Triple], ontology: Iterable[ox.Quad]) -> NTriples:
    """The triples and the ontology's as N-Triples text, the data the engine validates."""
    flat = itertools.chain(triples, (q.triple for q in ontology))
    return NTriples((ox.serialize(flat, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"))


def neighbourhood_findings(
    triples: Iterable[ox.Triple], ontology: Iterable[ox.Quad], shapes: rdflib.Graph, engine: str
) -> tuple[list[Finding], rdflib.Graph]:
    """The shapes' findings on ``triples`` (with the ontology), and the engine's report."""
    data = with_ontology(triples, ontology)
    if engine not in _NO_RDFLIB_SPARQL:
        return shacl_findings(data, rdflib.Graph(), shapes, engine)
    with quiet_literal_conversion():
        _, report = run_shacl(data, shapes, None, engine)
    if not isinstance(report, rdflib.Graph):  # pySHACL's ValidationFailure: a broken shape, not bad data
        raise RuntimeError(f"the SHACL engine could not run the shapes: {getattr(report, 'message', report)}")
    return findings_from_report(report), report
