"""Graph walks for validation: the data graphs of a store seen as one graph, the
neighbourhood a shape may read from its focus nodes, and the nodes whose neighbourhood
reaches given nodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from ..namespaces import DERIVED_GRAPHS, FTZ, ONTOLOGY_GRAPH, SHAPES_GRAPH

#: How far (in hops) any shape looks from its focus node; see the header of ontology/shapes.ttl.
NEIGHBOURHOOD_HOPS = 3


#: Properties shapes follow backwards (object to subject). Every property is followed forwards.
INVERSE_PROPERTIES: frozenset[str] = frozenset(
    FTZ + name for name in ("refArea", "refEnterprise", "refProgramme", "exporter", "producer", "buyer")
)


Node = ox.NamedNode | ox.BlankNode


class StoreView:
    """The data graphs of an Oxigraph store, seen as one graph (ontology and shapes graphs left out)."""

    def __init__(
        self,
        store: ox.Store,
        excluded_graphs: Iterable[str] = (ONTOLOGY_GRAPH, SHAPES_GRAPH, *DERIVED_GRAPHS),
    ):
        self.store = store
        self.excluded = {ox.NamedNode(g) for g in excluded_graphs}

    def _keep(self, quad: ox.Quad) -> bool:
        return quad.graph_name not in self.excluded

    def outgoing(self, node: Node) -> Iterable[ox.Quad]:
        return (q for q in self.store.quads_for_pattern(node, None, None, None) if self._keep(q))

    def incoming(self, node: Node, predicate: ox.NamedNode | None = None) -> Iterable[ox.Quad]:
        return (q for q in self.store.quads_for_pattern(None, predicate, node, None) if self._keep(q))

    def has_subject(self, node: Node) -> bool:
        return any(True for _ in self.outgoing(node))


_INVERSE_NODES = [ox.NamedNode(p) for p in sorted(INVERSE_PROPERTIES)]


def neighbourhood(
    views: Sequence[StoreView],
    seeds: Iterable[Node],
    hops: int = NEIGHBOURHOOD_HOPS,
    skip: frozenset[Node] = frozenset(),
) -> set[ox.Triple]:
    """Every triple a shape may read when validating the seeds.

    The out-going triples of each node within ``hops - 1`` hops of a seed, plus its
    in-coming triples through :data:`INVERSE_PROPERTIES`; a hop follows any
    property forwards or one of those backwards. Nodes in ``skip`` (ontology
    terms, present in full anyway) are not expanded.
    """
    seen: set[Node] = set()
    frontier: list[Node] = []
    for seed in seeds:
        if seed not in seen:
            seen.add(seed)
            frontier.append(seed)
    triples: set[ox.Triple] = set()
    for _ in range(hops):
        following: list[Node] = []
        for node in frontier:
            if node in skip:
                continue
            for view in views:
                for quad in view.outgoing(node):
                    triples.add(quad.triple)
                    obj = quad.object
                    if isinstance(obj, ox.NamedNode | ox.BlankNode) and obj not in seen:
                        seen.add(obj)
                        following.append(obj)
                for predicate in _INVERSE_NODES:
                    for quad in view.incoming(node, predicate):
                        triples.add(quad.triple)
                        if isinstance(quad.subject, ox.NamedNode | ox.BlankNode) and quad.subject not in seen:
                            seen.add(quad.subject)
                            following.append(quad.subject)
        frontier = following
    return triples


def dependents(
    views: Sequence[StoreView],
    anchors: Iterable[Node],
    hops: int = NEIGHBOURHOOD_HOPS - 1,
    skip: frozenset[Node] = frozenset(),
) -> set[Node]:
    """The nodes whose neighbourhood reaches one of the anchors (the reverse of :func:`neighbourhood`)."""
    seen: set[Node] = set(anchors)
    frontier = list(seen)
    for _ in range(hops):
        following: list[Node] = []
        for node in frontier:
            if node in skip:
                continue
            for view in views:
                for quad in view.incoming(node):
                    if isinstance(quad.subject, ox.NamedNode | ox.BlankNode) and quad.subject not in seen:
                        seen.add(quad.subject)
                        following.append(quad.subject)
                for predicate in _INVERSE_NODES:
                    for quad in view.store.quads_for_pattern(node, predicate, None, None):
                        obj = quad.object
                        if (
                            view._keep(quad)
                            and isinstance(obj, ox.NamedNode | ox.BlankNode)
                            and obj not in seen
                        ):
                            seen.add(obj)
                            following.append(obj)
        frontier = following
    return seen
