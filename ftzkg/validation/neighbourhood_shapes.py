"""Running the project's shapes on a contribution's neighbourhood, at the cost of a small graph.

With the ``sparql`` engine (the default for contributions) the neighbourhood and the ontology
go into a small Oxigraph store and the compiled check plan (:mod:`.check_plan`) runs there:
no rdflib graph, no shapes to read. Otherwise (another engine, or data that changes the class
hierarchy the plan was compiled with) the neighbourhood goes to the engine as N-Triples
text written by Oxigraph, with the ontology's triples in it once. The ``hybrid`` engine runs
the SHACL-SPARQL shapes on Oxigraph and the core shapes natively, so rdflib's SPARQL engine
(and the cache of its parsed queries, :mod:`~ftzkg.validation.rdflib_patch`) is only loaded
for the engines that run SPARQL in rdflib.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .check_plan import CheckPlan
from .report import Finding

if TYPE_CHECKING:
    import rdflib

    from .engines import NTriples

#: Engines that evaluate no SPARQL in rdflib on this path (see :mod:`ftzkg.validation.engines`).
_NO_RDFLIB_SPARQL = frozenset({"hybrid"})


def with_ontology(triples: Iterable[ox.Triple], ontology: Iterable[ox.Quad]) -> NTriples:
    """The triples and the ontology's as N-Triples text, the data the engine validates."""
    from .engines import NTriples

    flat = itertools.chain(triples, (q.triple for q in ontology))
    return NTriples((ox.serialize(flat, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"))


def neighbourhood_findings(
    triples: Iterable[ox.Triple],
    ontology: Iterable[ox.Quad],
    shapes: Callable[[], rdflib.Graph],
    engine: str,
    plan: CheckPlan | None = None,
) -> list[Finding]:
    """The shapes' findings on ``triples`` (with the ontology); ``shapes`` is called only
    when no ``plan`` can check them."""
    triples, ontology = list(triples), list(ontology)
    if engine == "sparql" and plan is not None:
        store = ox.Store()
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology)
        if plan.fits(store):
            return plan.run(store)
    return _engine_findings(triples, ontology, shapes(), engine)


def _engine_findings(
    triples: list[ox.Triple], ontology: list[ox.Quad], shapes: rdflib.Graph, engine: str
) -> list[Finding]:
    import rdflib

    from .engines import run_shacl
    from .rdflib_patch import quiet_literal_conversion
    from .report import findings_from_report
    from .shape_runs import shacl_findings

    data = with_ontology(triples, ontology)
    if engine not in _NO_RDFLIB_SPARQL:
        return shacl_findings(data, rdflib.Graph(), shapes, engine)[0]
    with quiet_literal_conversion():
        _, report = run_shacl(data, shapes, None, engine)
    if not isinstance(report, rdflib.Graph):  # pySHACL's ValidationFailure: a broken shape, not bad data
        raise RuntimeError(f"the SHACL engine could not run the shapes: {getattr(report, 'message', report)}")
    return findings_from_report(report)
