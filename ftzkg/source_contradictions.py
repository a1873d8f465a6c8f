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
    the other side is every fact of the existing graph or the contribution with the same measure.
    """
    reader = GraphReader([contribution, existing], excluded_graphs=(SHAPES_GRAPH, *DERIVED_GRAPHS))
    claims = value_claims(reader, [s for s in subjects if isinstance(s, ox.NamedNode)])
    if not claims:
        return []
    measures = {c.measure for c in claims}
    candidates = {
        s
        for m in measures
        for s in reader.subjects(ftz("hasMeasure"), ox.NamedNode(m))
        if isinstance(s, ox.NamedNode)
    }
    others: list[ValueClaim] = value_claims(reader, sorted(candidates, key=str))
    return _findings(contradictions(claims, others))
