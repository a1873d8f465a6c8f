"""The OWL 2 DL conditions the OWL API's profile checker lets through, checked on the RDF graph.

The OWL API's parser quietly repairs some graphs before its checker sees them: it keeps one filler of
a restriction that has two, reads a broken or one-member owl:members list, accepts an IRI declared
as both an object and a data property (or class and datatype) while no axiom uses it, accepts
declarations of reserved vocabulary, and does not check the tree shape of anonymous individuals.
Each function here returns (rule, term, detail) for those; tests/owl_profile.py names the rules.
"""

from __future__ import annotations

from collections.abc import Iterator

import rdflib
from rdflib import OWL, RDF, RDFS, BNode, Node, URIRef

Problem = tuple[str, str, str]

RESERVED = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
DECLARATIONS = (OWL.Class, RDFS.Datatype, *PROPERTY_KINDS, OWL.NamedIndividual)
#: Reserved IRIs whose declaration repeats what OWL 2 already says (Structural Specification §5).
BUILT_IN = {
    OWL.Class: {OWL.Thing, OWL.Nothing},
    OWL.ObjectProperty: {OWL.topObjectProperty, OWL.bottomObjectProperty},
    OWL.DatatypeProperty: {OWL.topDataProperty, OWL.bottomDataProperty},
    OWL.AnnotationProperty: {
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.deprecated,
        OWL.versionInfo,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    },
}
#: What a restriction restricts by: exactly one of these (OWL 2 Mapping to RDF Graphs, §3.2.4).
FILLERS = (
    OWL.someValuesFrom,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.hasSelf,
    OWL.cardinality,
    OWL.minCardinality,
    OWL.maxCardinality,
    OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality,
    OWL.maxQualifiedCardinality,
)
QUALIFIED = (OWL.qualifiedCardinality, OWL.minQualifiedCardinality, OWL.maxQualifiedCardinality)
#: Predicates whose object is an RDF list in the mapping.
LIST_PREDICATES = (
    OWL.members,
    OWL.distinctMembers,
    OWL.unionOf,
    OWL.intersectionOf,
    OWL.oneOf,
    OWL.propertyChainAxiom,
    OWL.disjointUnionOf,
    OWL.withRestrictions,
    OWL.hasKey,
    OWL.onProperties,
)
#: n-ary axioms written as a node with a list of two members at least.
NARY = {
    OWL.AllDisjointClasses: OWL.members,
    OWL.AllDisjointProperties: OWL.members,
    OWL.AllDifferent: OWL.distinctMembers,
}


def structure_problems(graph: rdflib.Graph) -> list[Problem]:
    """Every problem of the graph, in a stable order."""
    return sorted(
        {
            *declaration_conflicts(graph),
            *reserved_declarations(graph),
            *malformed_restrictions(graph),
            *malformed_lists(graph),
            *anonymous_cycles(graph),
        }
    )


def declaration_conflicts(graph: rdflib.Graph) -> Iterator[Problem]:
    """An IRI declared as two kinds of property, or as both a class and a datatype (§5.8.1)."""
    for iri in {s for kind in PROPERTY_KINDS for s in graph.subjects(RDF.type, kind)}:
        kinds = [str(k) for k in PROPERTY_KINDS if (iri, RDF.type, k) in graph]
        if len(kinds) > 1:
            yield "DeclaredAsTwoKindsOfProperty", str(iri), " and ".join(kinds)
    for iri in set(graph.subjects(RDF.type, OWL.Class)):
        if (iri, RDF.type, RDFS.Datatype) in graph:
            yield "DeclaredAsClassAndDatatype", str(iri), f"{OWL.Class} and {RDFS.Datatype}"


def reserved_declarations(graph: rdflib.Graph) -> Iterator[Problem]:
    """A declaration of reserved vocabulary (rdf:, rdfs:, owl:, xsd:) beyond the built-in ones (§2.4)."""
    for kind in DECLARATIONS:
        for iri in graph.subjects(RDF.type, kind):
            if isinstance(iri, URIRef) and str(iri).startswith(RESERVED):
                built_in = BUILT_IN.get(kind, set())
                if iri not in built_in and not (kind == RDFS.Datatype and str(iri).startswith(RESERVED[3])):
                    yield "ReservedVocabularyDeclared", str(iri), f"rdf:type {kind}"


def malformed_restrictions(graph: rdflib.Graph) -> Iterator[Problem]:
    """A restriction needs exactly one property and exactly one kind and value of filler; a node with a
    property or filler of restrictions is typed owl:Restriction."""
    for predicate in (OWL.onProperty, OWL.onProperties, *FILLERS):
        for node in set(graph.subjects(predicate, None)):
            if (node, RDF.type, OWL.Restriction) not in graph:
                yield (
                    "MalformedRestriction",
                    _describe(graph, node),
                    f"{predicate} outside an owl:Restriction",
                )
    for node in set(graph.subjects(RDF.type, OWL.Restriction)):
        properties = list(graph.objects(node, OWL.onProperty)) + list(graph.objects(node, OWL.onProperties))
        fillers = [(p, o) for p in FILLERS for o in graph.objects(node, p)]
        where = _describe(graph, node)
        if len(properties) != 1:
            yield "MalformedRestriction", where, f"{len(properties)} owl:onProperty, not one"
        if len(fillers) != 1:
            kinds = ", ".join(sorted(str(p).removeprefix(str(OWL)) for p, _ in fillers)) or "none"
            yield "MalformedRestriction", where, f"{len(fillers)} fillers ({kinds}), not one"
        elif fillers[0][0] in QUALIFIED:
            qualifiers = list(graph.objects(node, OWL.onClass)) + list(graph.objects(node, OWL.onDataRange))
            if len(qualifiers) != 1:
                yield "MalformedRestriction", where, f"{len(qualifiers)} owl:onClass/onDataRange, not one"


def malformed_lists(graph: rdflib.Graph) -> Iterator[Problem]:
    """The lists of class expressions, chains and n-ary axioms are well-formed RDF lists."""
    for predicate in LIST_PREDICATES:
        for subject, head in graph.subject_objects(predicate):
            members = _list_members(graph, head)
            if members is None:
                yield "MalformedList", _describe(graph, subject), f"{predicate} is not a well-formed list"
    for kind, predicate in NARY.items():
        for node in set(graph.subjects(RDF.type, kind)):
            heads = list(graph.objects(node, predicate))
            members = _list_members(graph, heads[0]) if len(heads) == 1 else None
            if members is not None and len(members) < 2:
                yield "TooFewMembers", _describe(graph, node), f"{kind} lists {len(members)} member(s)"
            elif len(heads) != 1:
                yield "MalformedList", _describe(graph, node), f"{len(heads)} {predicate}, not one"


def anonymous_cycles(graph: rdflib.Graph) -> Iterator[Problem]:
    """Object property assertions between anonymous individuals must form a forest (§11.2)."""
    object_properties = set(graph.subjects(RDF.type, OWL.ObjectProperty))
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    seen: set[frozenset[Node]] = set()
    for s, p, o in graph:
        if p not in object_properties or not isinstance(s, BNode) or not isinstance(o, BNode):
            continue
        edge = frozenset((s, o))
        if edge in seen and len(edge) == 2:
            continue  # the same two individuals again: not a new edge of the undirected graph
        seen.add(edge)
        a, b = root(s), root(o)
        if a == b:
            yield "AnonymousIndividualCycle", str(p), f"_:{s} {p} _:{o} closes a cycle"
        else:
            parent[a] = b


def _list_members(graph: rdflib.Graph, head: Node) -> list[Node] | None:
    """The members of a well-formed list (one rdf:first and one rdf:rest per node, no cycle), or None."""
    members: list[Node] = []
    visited: set[Node] = set()
    while head != RDF.nil:
        if not isinstance(head, BNode) or head in visited:
            return None
        visited.add(head)
        firsts, rests = list(graph.objects(head, RDF.first)), list(graph.objects(head, RDF.rest))
        if len(firsts) != 1 or len(rests) != 1:
            return None
        members.append(firsts[0])
        head = rests[0]
    return members


def _describe(graph: rdflib.Graph, node: Node) -> str:
    """A blank node by the named term it hangs from (the class a restriction is about)."""
    if isinstance(node, URIRef):
        return str(node)
    for subject in graph.subjects(None, node):
        if isinstance(subject, URIRef):
            return str(subject)
    return f"_:{node}"
