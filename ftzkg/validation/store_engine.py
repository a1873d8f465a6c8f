"""The ``sparql`` engine: SHACL validation as SPARQL queries on an Oxigraph store.

The shapes are compiled (:mod:`.shacl_sparql`) into one SELECT query per constraint of
each shape with targets; each query streams its results (one row per validation result)
from the store, so memory holds the results, never a copy of the data. The report is
the rdflib graph pySHACL would give: focus node, path, value, source shape, constraint
component, severity and the shape's messages per result.

A shape that cannot be compiled faithfully (see :class:`~.shacl_sparql.Unsupported`)
is validated by the pySHACL-compatible ``hybrid`` engine on a copy of the data instead:
:func:`validate_store` returns those shapes with the reason, and a warning names them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from . import sparql_shapes
from .check_plan import generic_message
from .shacl_sparql import CompiledShape, Compiler, Unsupported, shapes_with_targets

LOG = logging.getLogger("ftzkg.validation")

_OX_TYPE = ox.NamedNode(str(RDF.type))


@dataclass
class StoreValidation:
    """The outcome: conformance, the SHACL report graph, and the shapes run on another engine."""

    conforms: bool
    report: rdflib.Graph
    fallback: dict[rdflib.term.Node, str] = field(default_factory=dict)


class _Terms:
    """Oxigraph terms as rdflib terms, literals given back in the data's own spelling where known."""

    def __init__(self, spelling: dict[ox.Literal, rdflib.Literal] | None = None):
        self.spelling = spelling or {}

    def __call__(self, node: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
        if isinstance(node, ox.Literal) and node in self.spelling:
            return self.spelling[node]
        return sparql_shapes.to_rdflib_term(node)


def compile_shapes(
    sg: rdflib.Graph, store: ox.Store, options: dict
) -> tuple[list[CompiledShape], dict[rdflib.term.Node, str]]:
    """The shapes with targets compiled to queries, and those that cannot be (with why)."""
    cache: dict[rdflib.URIRef, list[str]] = {}

    def subclasses(cls: rdflib.URIRef) -> list[str]:
        if cls not in cache:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}"
            found = {s["c"].value for s in store.query(query, **options) if isinstance(s["c"], ox.NamedNode)}
            cache[cls] = sorted(found | {str(cls)})
        return cache[cls]

    compiled, fallback = [], {}
    for shape in shapes_with_targets(sg):
        try:
            compiled.append(Compiler(sg, subclasses).compile(shape))
        except Unsupported as exc:
            fallback[shape] = str(exc)
    return compiled, fallback


def validate_store(
    store: ox.Store,
    sg: rdflib.Graph,
    default_graph: list[ox.NamedNode] | None = None,
    spelling: dict[ox.Literal, rdflib.Literal] | None = None,
    union: bool = False,
) -> StoreValidation:
    """Validate the store's data (its default graph, the union of ``default_graph``, or with
    ``union`` the union of all its graphs) against ``sg``.

    Shapes that cannot be compiled are left out of the report and returned in ``fallback``.
    """
    options: dict = {} if default_graph is None else {"default_graph": default_graph}
    if union:  # far faster than a list of graphs, which Oxigraph reads graph by graph
        options = {"use_default_graph_as_union": True}
    compiled, fallback = compile_shapes(sg, store, options)
    report = rdflib.Graph()
    report_node = rdflib.BNode()
    report.add((report_node, RDF.type, SH.ValidationReport))
    terms = _Terms(spelling)
    copied: set[rdflib.term.Node] = set()
    conforms = True
    for shape in compiled:
        for check in shape.checks:
            severity = sg.value(check.shape, SH.severity) or SH.Violation
            messages = [m for m in sg.objects(check.shape, SH.message) if isinstance(m, rdflib.Literal)]
            for row in store.query(check.query, **options):
                result = rdflib.BNode()
                report.add((report_node, SH.result, result))
                report.add((result, RDF.type, SH.ValidationResult))
                report.add((result, SH.focusNode, terms(row["focus"])))
                report.add((result, SH.sourceShape, check.shape))
                component = check.components[int(row["k"].value)] if check.components else check.component
                report.add((result, SH.sourceConstraintComponent, component))
                report.add((result, SH.resultSeverity, severity))
                value = row["value"]
                if value is not None:
                    report.add((result, SH.value, terms(value)))
                path: rdflib.term.Node | None = check.path
                if path is None and row["path"] is not None:
                    path = terms(row["path"])
                if path is not None:
                    report.add((result, SH.resultPath, path))
                    if isinstance(path, rdflib.BNode) and path not in copied:
                        copied.add(path)
                        _copy_path(sg, report, path)
                for message in messages or [rdflib.Literal(_generic_message(component))]:
                    report.add((result, SH.resultMessage, message))
                if severity not in (SH.Warning, SH.Info):  # as pySHACL's allow_warnings
                    conforms = False
        if shape.sparql:
            conforms = _run_sparql_constraints(store, sg, shape, options, report) and conforms
    report.add((report_node, SH.conforms, rdflib.Literal(conforms)))
    if fallback:
        LOG.warning(
            "%d shape(s) not compiled to SPARQL, validated by the hybrid engine: %s",
            len(fallback),
            "; ".join(f"{_label(s)}: {why}" for s, why in fallback.items()),
        )
    return StoreValidation(conforms, report, fallback)


def _run_sparql_constraints(
    store: ox.Store, sg: rdflib.Graph, shape: CompiledShape, options: dict, report: rdflib.Graph
) -> bool:
    """The shape's sh:sparql constraints, per focus node with $this pre-bound; whether none is violated."""
    constraints = []
    for node in shape.sparql:
        select = sg.value(node, SH.select)
        if sg.value(node, SH.deactivated) == rdflib.Literal(True):
            continue
        if select is None or sparql_shapes._UNSUPPORTED_VARIABLES.search(str(select)):
            raise Unsupported(f"a sh:sparql constraint of {shape.node.n3()} that is not a plain SELECT")
        messages = [m for m in sg.objects(node, SH.message) if isinstance(m, rdflib.Literal)]
        constraints.append(
            sparql_shapes.SparqlConstraint(node, sparql_shapes._prefixes(sg, node) + str(select), messages)
        )
    if not constraints:
        return True
    evaluated = sparql_shapes.SparqlShape(
        node=shape.node,
        severity=sg.value(shape.node, SH.severity) or SH.Violation,
        messages=[m for m in sg.objects(shape.node, SH.message) if isinstance(m, rdflib.Literal)],
        targets=[shape.focus_query],
        constraints=constraints,
    )
    evaluation = sparql_shapes.evaluate(store, [evaluated], **options)
    return sparql_shapes.add_results(report, sg, evaluation)


def _copy_path(sg: rdflib.Graph, report: rdflib.Graph, node: rdflib.term.Node) -> None:
    """A blank-node path into the report as it was read: a list's steps, else its one path predicate."""
    if not isinstance(node, rdflib.BNode):
        return
    if (node, RDF.first, None) in sg:
        while node != RDF.nil and isinstance(node, rdflib.BNode):
            first, rest = sg.value(node, RDF.first), sg.value(node, RDF.rest)
            report.add((node, RDF.first, first))
            report.add((node, RDF.rest, rest))
            _copy_path(sg, report, first)
            node = rest
        return
    for predicate in (
        SH.inversePath,
        SH.alternativePath,
        SH.zeroOrMorePath,
        SH.oneOrMorePath,
        SH.zeroOrOnePath,
    ):
        inner = sg.value(node, predicate)
        if inner is not None:
            report.add((node, predicate, inner))
            _copy_path(sg, report, inner)
            return


def _generic_message(component: rdflib.URIRef) -> str:
    return generic_message(str(component))


def _label(node: rdflib.term.Node) -> str:
    return node.n3() if isinstance(node, rdflib.URIRef) else "a blank-node shape"


def fallback_shapes(sg: rdflib.Graph, shapes: Iterable[rdflib.term.Node]) -> rdflib.Graph:
    """A shapes graph that validates only ``shapes`` (the others lose their targets)."""
    keep = set(shapes)
    out = rdflib.Graph()
    for prefix, namespace in sg.namespaces():
        out.bind(prefix, namespace)
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    for s, p, o in sg:
        if s not in keep and p in targets:
            continue
        out.add((s, p, o))
    classes = {RDFS.Class, *sg.transitive_subjects(RDFS.subClassOf, RDFS.Class)}
    for shape in shapes_with_targets(sg):
        if shape not in keep:  # a shape that is a class targets its instances: no longer
            for cls in classes:
                out.remove((shape, RDF.type, cls))
    return out


def merge_fallback(outcome: StoreValidation, other: tuple[bool, rdflib.Graph]) -> tuple[bool, rdflib.Graph]:
    """The compiled shapes' report with the results of the shapes another engine validated."""
    conforms, report = other
    if not isinstance(report, rdflib.Graph):
        raise RuntimeError(f"the SHACL engine could not run the shapes: {getattr(report, 'message', report)}")
    mine = outcome.report
    node = mine.value(None, RDF.type, SH.ValidationReport, any=True)
    theirs = report.value(None, RDF.type, SH.ValidationReport, any=True)
    for s, p, o in report:
        if s == theirs:
            if p == SH.result:
                mine.add((node, p, o))
            continue
        mine.add((s, p, o))
    both = outcome.conforms and conforms
    mine.set((node, SH.conforms, rdflib.Literal(both)))
    return both, mine
