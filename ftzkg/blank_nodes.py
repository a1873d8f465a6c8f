"""Stable names for blank nodes: the same data gives the same labels, run after run.

Parsers hand out fresh blank node identifiers on every parse, so neither a
release file nor a load into a triple store would come out the same twice.
:func:`stable_labels` names each blank node by a hash of what surrounds it
(its named graph, its triples and, round after round, its neighbours' hashes:
colour refinement, as in graph canonicalisation). :func:`relabel` writes
blank nodes with those labels; :func:`skolemize` turns them into IRIs under
``https://w3id.org/ftzkg/id/.well-known/genid/`` (RDF 1.1, section 3.5), which a
store can receive twice without duplicating anything.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from .namespaces import ID

GENID = ID + ".well-known/genid/"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def stable_labels(quads: list[ox.Quad], salt: str = "") -> dict[ox.BlankNode, str]:
    """A content-derived label (32 hex digits) for every blank node of ``quads``.

    ``salt`` (say, the name of the file the quads come from) enters every label, so that
    blank nodes labelled separately, with different salts, never share a label.

    Two blank nodes get the same label only when nothing in the data tells them
    apart (an automorphism); those are then numbered in order of appearance, which
    yields the same dataset up to isomorphism.
    """
    touching: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.BlankNode):
                touching[term].append(q)
    if not touching:
        return {}

    def signature(node: ox.BlankNode, colour: dict[ox.BlankNode, str]) -> str:
        def name(term: Term, position: str) -> str:
            if isinstance(term, ox.BlankNode):
                return f"{position}=self" if term == node else f"{position}=_:{colour[term]}"
            return f"{position}={term}"

        lines = sorted(
            " ".join(
                (
                    name(q.subject, "s"),
                    name(q.predicate, "p"),
                    name(q.object, "o"),
                    name(q.graph_name, "g"),
                )
            )
            for q in touching[node]
        )
        return _digest([colour[node], *lines])

    colour = dict.fromkeys(touching, salt)
    classes = 1
    for _ in range(len(touching) + 1):
        colour = {node: signature(node, colour) for node in touching}
        refined = len(set(colour.values()))
        if refined == classes:
            break
        classes = refined

    labels: dict[ox.BlankNode, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for node in touching:  # insertion order: order of first appearance
        base = colour[node][:32]
        seen[base] += 1
        labels[node] = base if seen[base] == 1 else f"{base[:28]}{seen[base]:04d}"
    return labels


def _map(term: Term, table: dict[ox.BlankNode, Term]) -> Term:
    return table.get(term, term) if isinstance(term, ox.BlankNode) else term


def _rewrite(quads: list[ox.Quad], table: dict[ox.BlankNode, Term]) -> list[ox.Quad]:
    if not table:  # no blank nodes: nothing to rebuild
        return list(quads)
    return [
        ox.Quad(_map(q.subject, table), q.predicate, _map(q.object, table), _map(q.graph_name, table))
        for q in quads
    ]


def relabel(quads: list[ox.Quad], salt: str = "") -> list[ox.Quad]:
    """The same quads with every blank node renamed ``_:b<stable label>`` (see :func:`stable_labels`)."""
    labels = stable_labels(quads, salt)
    return _rewrite(quads, {node: ox.BlankNode("b" + label) for node, label in labels.items()})


def skolemize(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The same quads with every blank node replaced by a stable ``.well-known/genid/`` IRI."""
    labels = stable_labels(quads)
    return _rewrite(quads, {node: ox.NamedNode(GENID + label) for node, label in labels.items()})


def sort_key(q: ox.Quad | ox.Triple) -> tuple[str, ...]:
    """Order quads by graph, subject, predicate, object (as N-Quads terms)."""
    graph = str(q.graph_name) if isinstance(q, ox.Quad) else ""
    return (graph, str(q.subject), str(q.predicate), str(q.object))
