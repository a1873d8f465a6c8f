"""SHACL-SPARQL shapes evaluated on Oxigraph, with results as pySHACL reports them.

A node shape whose focus nodes all come from SPARQL-based targets
(``sh:target [ sh:select ... ]``) and whose rules are ``sh:sparql`` SELECT
constraints is evaluated here: each target query runs once, each constraint
query runs per focus node with ``$this`` pre-bound (Oxigraph's substitution,
SEP-0007, the pre-binding SHACL-SPARQL asks for), both on an Oxigraph store,
which is one to two orders of magnitude faster than rdflib's SPARQL engine
that pySHACL (and pyshacl-turbo) run them on.

The results are the ``sh:ValidationResult`` nodes pySHACL would build: focus
node, value (``?value``, else the focus node), path (``?path``), source shape,
``sh:SPARQLConstraintComponent``, the shape's severity, and the messages with
``{?var}`` / ``{$var}`` replaced exactly as pySHACL does.

What is left of the shapes (core constraints, and a SPARQL-targeted shape's
core constraints with its targets turned into ``sh:targetNode``) goes to a
core SHACL engine; :func:`split_shapes` makes that graph.

The data must be in Oxigraph's canonical form (as it is when
it comes out of an Oxigraph store): Oxigraph stores ``"08"^^xsd:integer`` as
``"8"``, where rdflib keeps it apart; :func:`is_canonical` checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, SH, XSD

from .sparql_results import SparqlResult, Term, constraint_results, focus_nodes

_XSD_STRING = ox.NamedNode(str(XSD.string))
_LANG_STRING = ox.NamedNode(str(RDF.langString))

#: Predicates by which one shape uses another (then it is not evaluated on its own targets only).
_SHAPE_REFERENCES = (SH.node, SH.property, SH.qualifiedValueShape, SH["not"])
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
#: What a SPARQL-only node shape may say besides its targets and sh:sparql constraints.
_SPARQL_SHAPE_KEEP = {RDF.type, SH.target, SH.sparql, SH.severity, SH.message, SH.name, SH.description}
RDFS_CLASS = rdflib.RDFS.Class
_UNSUPPORTED_VARIABLES = re.compile(r"[?$](currentShape|shapesGraph|PATH)\b")


@dataclass
class SparqlConstraint:
    node: rdflib.term.Node
    query: str
    messages: list[rdflib.Literal]


@dataclass
class SparqlShape:
    """A node shape with SPARQL-based targets, evaluated on Oxigraph."""

    node: rdflib.term.Node
    severity: rdflib.term.Node
    messages: list[rdflib.Literal]
    targets: list[str]
    constraints: list[SparqlConstraint] = field(default_factory=list)
    #: whether the shape also has core constraints, left to the core engine on sh:targetNode
    has_core: bool = False


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> str:
    """The PREFIX lines pySHACL puts before a SPARQL text with ``sh:prefixes``."""
    declares = set()
    if any(True for _ in shapes.objects(node, SH.prefixes)):
        for ontology in shapes.subjects(RDF.type, OWL.Ontology):
            declares.update(shapes.objects(ontology, SH.declare))
        holders = list(shapes.objects(node, SH.prefixes))
        seen = set()
        while holders:  # a holder's owl:imports declare prefixes too
            holder = holders.pop()
            if holder in seen:
                continue
            seen.add(holder)
            declares.update(shapes.objects(holder, SH.declare))
            holders.extend(shapes.objects(holder, OWL.imports))
    lines = {
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>"
        for d in declares
        if shapes.value(d, SH.prefix) is not None
    }
    return "".join(line + "\n" for line in sorted(lines)) + "\n"


def _referenced_shapes(shapes: rdflib.Graph) -> set[rdflib.term.Node]:
    used = {o for p in _SHAPE_REFERENCES for o in shapes.objects(None, p)}
    for p in _SHAPE_LISTS:
        for head in shapes.objects(None, p):
            used.update(rdflib.collection.Collection(shapes, head))
    return used


def sparql_shapes(shapes: rdflib.Graph) -> list[SparqlShape]:
    """The node shapes this module can evaluate: SPARQL targets only, SELECT constraints only."""
    found = []
    referenced = _referenced_shapes(shapes)
    for node in set(shapes.subjects(SH.target, None)):
        if node in referenced or shapes.value(node, SH.path) is not None:
            continue
        if shapes.value(node, SH.deactivated) is not None:
            continue
        if (
            any(
                True
                for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                if shapes.value(node, p) is not None
            )
            or (node, RDF.type, RDFS_CLASS) in shapes
        ):
            continue
        targets = []
        for target in shapes.objects(node, SH.target):
            select = shapes.value(target, SH.select)
            if select is None or _UNSUPPORTED_VARIABLES.search(str(select)):
                break
            targets.append(_prefixes(shapes, target) + str(select))
        else:
            constraints = []
            for constraint in shapes.objects(node, SH.sparql):
                select = shapes.value(constraint, SH.select)
                if (
                    select is None
                    or shapes.value(constraint, SH.deactivated) is not None
                    or _UNSUPPORTED_VARIABLES.search(str(select))
                ):
                    break
                messages = [
                    m for m in shapes.objects(constraint, SH.message) if isinstance(m, rdflib.Literal)
                ]
                constraints.append(
                    SparqlConstraint(constraint, _prefixes(shapes, constraint) + str(select), messages)
                )
            else:
                has_core = any(p not in _SPARQL_SHAPE_KEEP for p in shapes.predicates(node, None))
                found.append(
                    SparqlShape(
                        node=node,
                        severity=shapes.value(node, SH.severity) or SH.Violation,
                        messages=[
                            m for m in shapes.objects(node, SH.message) if isinstance(m, rdflib.Literal)
                        ],
                        targets=targets,
                        constraints=constraints,
                        has_core=has_core,
                    )
                )
    return sorted(found, key=str)


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
    """The rdflib term N-Triples parsing would give (plain strings stay plain)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype == _XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def is_canonical(parsed: Iterable[ox.Quad | ox.Triple], store: ox.Store) -> bool:
    """Whether the store holds every typed literal as parsed (Oxigraph canonicalises numbers, booleans...)."""

    def typed(quads) -> set[ox.Literal]:  # type: ignore[no-untyped-def]
        return {
            q.object
            for q in quads
            if isinstance(q.object, ox.Literal)
            and not q.object.language
            and q.object.datatype != _XSD_STRING
            and q.object.datatype != _LANG_STRING
        }

    return typed(parsed) == typed(store)


@dataclass
class SparqlEvaluation:
    """The focus nodes of each SPARQL shape and the results of its constraints."""

    targets: dict[rdflib.term.Node, list[rdflib.term.Identifier]]
    results: list[tuple[SparqlShape, SparqlConstraint, SparqlResult]]


def _rdflib(term: Term) -> rdflib.term.Identifier:
    """:func:`to_rdflib_term` (SHACL-SPARQL results hold no triple terms)."""
    return to_rdflib_term(term)  # type: ignore[arg-type]


def _rdflib_text(term: Term) -> str:
    """A term as pySHACL writes it into a message: rdflib's spelling (``1.0`` for ``"1"^^xsd:double``)."""
    return str(_rdflib(term))


def evaluate(store: ox.Store, shapes: list[SparqlShape], **options: object) -> SparqlEvaluation:
    """Run each target query once, and each constraint once per focus node with ``$this`` pre-bound.

    By pySHACL's rules (:mod:`.sparql_results`), terms compared and written as rdflib has them.
    ``options`` go to every query (for instance ``default_graph``).
    """
    targets: dict[rdflib.term.Node, list[rdflib.term.Identifier]] = {}
    results = []
    for shape in shapes:
        focus = focus_nodes(store, shape.targets, _rdflib, **options)
        targets[shape.node] = [_rdflib(node) for node in focus]
        for constraint in shape.constraints:
            # the constraint's messages not among the shape's, then the shape's (as pySHACL lists them)
            messages = [str(m.value) for m in constraint.messages if m not in shape.messages]
            messages += [str(m.value) for m in shape.messages]
            for found in constraint_results(
                store, constraint.query, focus, messages, same=_rdflib, text=_rdflib_text, **options
            ):
                results.append((shape, constraint, found))
    return SparqlEvaluation(targets, results)


def add_results(report: rdflib.Graph, shapes: rdflib.Graph, evaluation: SparqlEvaluation) -> bool:
    """Add the SPARQL results to a report graph; whether none of them is a violation."""
    report_node = report.value(None, RDF.type, SH.ValidationReport, any=True)
    if report_node is None:
        report_node = rdflib.BNode()
        report.add((report_node, RDF.type, SH.ValidationReport))
    copied: set[rdflib.term.Node] = set()
    no_violation = True
    for shape, constraint, found in evaluation.results:
        focus = _rdflib(found.focus)
        this = None if found.this is None else _rdflib(found.this)
        result = rdflib.BNode()
        report.add((report_node, SH.result, result))
        report.add((result, RDF.type, SH.ValidationResult))
        report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
        report.add((result, SH.sourceShape, shape.node))
        report.add((result, SH.resultSeverity, shape.severity))
        report.add((result, SH.focusNode, this or focus))  # pySHACL's `t or f`: a false literal gives f
        report.add((result, SH.value, _rdflib(found.value)))
        if found.path is not None:
            report.add((result, SH.resultPath, _rdflib(found.path)))
        report.add((result, SH.sourceConstraint, constraint.node))
        if constraint.node not in copied:
            copied.add(constraint.node)
            _copy_node(shapes, report, constraint.node)
        for message in found.messages:
            report.add((result, SH.resultMessage, rdflib.Literal(message)))
        if shape.severity == SH.Violation:
            no_violation = False
    return no_violation


def _copy_node(source: rdflib.Graph, target: rdflib.Graph, node: rdflib.term.Node) -> None:
    stack, seen = [node], set()
    while stack:
        subject = stack.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for p, o in source.predicate_objects(subject):
            target.add((subject, p, o))
            if isinstance(o, rdflib.BNode):
                stack.append(o)


def core_shapes(
    shapes: rdflib.Graph, evaluated: list[SparqlShape], evaluation: SparqlEvaluation
) -> rdflib.Graph:
    """The shapes without what was evaluated here.

    SPARQL-only shapes are dropped; a shape with core constraints keeps them, on sh:targetNode.
    """
    core = rdflib.Graph()
    for prefix, namespace in shapes.namespaces():
        core.bind(prefix, namespace)
    for triple in shapes:
        core.add(triple)
    for shape in evaluated:
        for constraint in shape.constraints:
            core.remove((shape.node, SH.sparql, constraint.node))
        for target in list(core.objects(shape.node, SH.target)):
            core.remove((shape.node, SH.target, target))
        if shape.has_core:
            for focus in evaluation.targets[shape.node]:
                core.add((shape.node, SH.targetNode, focus))
        else:
            for p, o in list(core.predicate_objects(shape.node)):
                core.remove((shape.node, p, o))
    return core
