"""Validation findings for figures that contradict another source's (a warning, naming both).

Two sources may disagree: that is worth a reviewer's look, not a reason to refuse either
(each fact keeps its source). A contradiction inside one source stays a violation of the
shapes (``ftzsh:OneValuePerIndicatorShape``); this check only compares different sources.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from .claims import GraphReader, ValueClaim, ftz, value_claims
from .corroboration import contradictions, describe
from .namespaces import DERIVED_GRAPHS, SHAPES_GRAPH, SHAPES_NS
from .validation.report import Finding

CROSS_SOURCE_CHECK = SHAPES_NS + "CrossSourceContradictionCheck"


def _findings(pairs) -> list[Finding]:
    return [
        Finding(
            "Warning",
            c.claim.fact,
            CROSS_SOURCE_CHECK,
            describe(c),
            path=ftz("hasMeasure").value,
            value=c.other.fact,
        )
        for c in pairs
    ]


def graph_contradictions(store: ox.Store) -> list[Finding]:
    """Every pair of facts of different sources in the graph whose figures disagree (reported once)."""
    reader = GraphReader([store], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    claims = value_claims(reader)
    pairs = [c for c in contradictions(claims, claims) if c.claim.fact < c.other.fact]
    return _findings(pairs)


def contribution_contradictions(
    contribution: ox.Store, existing: ox.Store, subjects: Iterable[ox.NamedNode | ox.BlankNode]
) -> list[Finding]:
    """Figures of the contribution's fact nodes that disagree with another source's.

    The contribution is read together with the existing graph (its periods, its sources);
    the other side is every fact of the existing graph or the contribution that could share
    a figure's key (same measure, same areas and firms): looked up from the figure's area or
    firm, never by reading every fact of the measure (:func:`comparable_facts`).
    """
    reader = GraphReader([contribution, existing], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    claims = value_claims(reader, [s for s in subjects if isinstance(s, ox.NamedNode)])
    if not claims:
        return []
    candidates: set[ox.NamedNode] = set()
    for claim in claims:
        candidates |= comparable_facts(reader, claim)
    others: list[ValueClaim] = value_claims(reader, sorted(candidates, key=str))
    return _findings(contradictions(claims, others))


def comparable_facts(reader: GraphReader, claim: ValueClaim) -> set[ox.NamedNode]:
    """Every fact node with a figure of ``claim``'s key (measure, areas, firms), and maybe a few more.

    :func:`~ftzkg.corroboration.contradictions` compares only figures of equal keys, so
    only those facts are read: found from the claim's areas and firms (the facts about one
    area or firm), or, for a figure of no area and no firm, by one query on the store for the
    measure's facts that name no area or firm. The cost follows the contribution's
    neighbourhood, not the size of the graph.
    """
    measure = ftz("hasMeasure")
    anchors = [(ftz("refArea"), a) for a in sorted(claim.areas)]
    anchors += [(ftz("refEnterprise"), e) for e in sorted(claim.enterprises)]
    if anchors:
        found: set[ox.NamedNode] | None = None
        for predicate, iri in anchors:
            facts = {s for s in reader.subjects(predicate, ox.NamedNode(iri)) if isinstance(s, ox.NamedNode)}
            found = facts if found is None else found & facts
        assert found is not None
        target = ox.NamedNode(claim.measure)
        return {f for f in found if reader.has(f, measure, target)}
    return {f for store in reader.stores for f in _unanchored_facts(store, claim.measure, reader.excluded)}


_UNANCHORED = """
SELECT DISTINCT ?fact WHERE {
  { ?fact <%(measure)s> <%(value)s> } UNION { GRAPH ?m { ?fact <%(measure)s> <%(value)s> } }
  FILTER(isIRI(?fact))
  FILTER NOT EXISTS {
    GRAPH ?g { ?fact ?ref ?subject }
    FILTER(?ref IN (<%(area)s>, <%(firm)s>) && isIRI(?subject)%(excluded)s)
  }
}"""


def _unanchored_facts(store: ox.Store, measure: str, excluded: set[ox.NamedNode]) -> list[ox.NamedNode]:
    """Facts of ``measure`` in ``store`` naming no area or firm (a superset: a reference made
    only in the default graph or an excluded graph does not rule a fact out, nor does the
    reader's choice of a fact's first measure)."""
    query = _UNANCHORED % {
        "measure": ftz("hasMeasure").value,
        "value": measure,
        "area": ftz("refArea").value,
        "firm": ftz("refEnterprise").value,
        "excluded": "".join(f" && ?g != <{g.value}>" for g in sorted(excluded, key=str)),
    }
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return [row["fact"] for row in solutions if isinstance(row["fact"], ox.NamedNode)]
