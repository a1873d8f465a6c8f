"""Everything the pages show, read from the graph through the site's SPARQL queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..knowledge_graph import KnowledgeGraph
from ..namespaces import ID, shorten
from .site_queries import select

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Statement:
    """One value of one property of an entity, with the named graphs (sources) that state it."""

    property: str
    value: Term
    graphs: tuple[str, ...]


@dataclass(frozen=True)
class Quantity:
    """A qualified number: value or range, qualifier, unit, the source's words, period and measure."""

    numeric: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    qualifier: str
    unit: str | None
    phrase: str | None
    period: str | None
    measure: str | None


@dataclass
class Fact:
    """A fact-bearing node (ftz:SourcedFact) and its provenance."""

    iri: str
    types: set[str] = field(default_factory=set)
    quotes: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    reported_by: set[str] = field(default_factory=set)
    derived: bool = False
    derivation: str | None = None
    #: for a fact of an AI-assisted source: ftz:Corroborated, ftz:Contradicted or ftz:Uncorroborated
    corroboration: str | None = None
    #: (agrees or disagrees, the other source's fact, its source) behind the status
    evidence: set[tuple[str, str, str | None]] = field(default_factory=set)


@dataclass
class SiteData:
    """Labels, entities, statements, facts and quantities of a knowledge graph."""

    labels: dict[str, str]
    entities: dict[str, list[str]]
    statements: dict[str, list[Statement]]
    incoming: dict[str, list[tuple[str, str]]]
    facts: dict[str, Fact]
    quantities: dict[str, Quantity]

    def label(self, iri: str) -> str:
        """The best English label of ``iri``, its short form where it has none."""
        return self.labels.get(iri) or shorten(iri)

    def has_page(self, iri: str) -> bool:
        return iri in self.entities

    def values(self, iri: str, prop: str) -> list[Term]:
        """The values of one property of an entity, sorted."""
        return [s.value for s in self.statements.get(iri, []) if s.property == prop]


def _iri(term: Term | None) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _decimal(term: Term | None) -> Decimal | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def _labels(kg: KnowledgeGraph) -> dict[str, str]:
    best: dict[str, tuple[int, str, str]] = {}
    for row in select(kg, "labels"):
        term, label, rank = row["term"], row["label"], row["rank"]
        if not isinstance(term, ox.NamedNode) or not isinstance(label, ox.Literal):
            continue
        # Prefer the lowest rank, then an English tag over a plain literal, then the first in order.
        key = (int(rank.value), "0" if label.language else "1", label.value)
        if term.value not in best or key < best[term.value]:
            best[term.value] = key
    return {iri: key[2] for iri, key in sorted(best.items())}


def collect(kg: KnowledgeGraph) -> SiteData:
    """Read what the site shows from ``kg``."""
    entities: dict[str, set[str]] = defaultdict(set)
    for row in select(kg, "entities"):
        types = entities[row["entity"].value]
        if isinstance(row["type"], ox.NamedNode):
            types.add(row["type"].value)

    by_key: dict[tuple[str, str, Term], set[str]] = defaultdict(set)
    for row in select(kg, "statements"):
        by_key[(row["subject"].value, row["property"].value, row["value"])].add(row["graph"].value)
    statements: dict[str, list[Statement]] = defaultdict(list)
    incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for (subject, prop, value), graphs in by_key.items():
        statements[subject].append(Statement(prop, value, tuple(sorted(graphs))))
        if isinstance(value, ox.NamedNode) and value.value.startswith(ID):
            incoming[value.value].append((subject, prop))

    facts: dict[str, Fact] = {}
    for row in select(kg, "sourced-facts"):
        fact = facts.setdefault(row["fact"].value, Fact(row["fact"].value))
        fact.types.add(row["type"].value)
        if row["quote"] is not None:
            fact.quotes.add(row["quote"].value)
        if (source := _iri(row["source"])) is not None:
            fact.sources.add(source)
        if (body := _iri(row["reportedBy"])) is not None:
            fact.reported_by.add(body)
        if row["isDerived"] is not None and row["isDerived"].value == "true":
            fact.derived = True
        if row["derivation"] is not None:
            fact.derivation = row["derivation"].value

    for row in select(kg, "corroboration"):
        fact = facts.get(row["fact"].value)
        if fact is None:
            continue
        fact.corroboration = row["status"].value
        if row["evidence"] is not None:
            fact.evidence.add((row["agreement"].value, row["evidence"].value, _iri(row["source"])))

    quantities: dict[str, Quantity] = {}
    for row in sorted(select(kg, "quantities"), key=lambda r: [str(v) for v in r.values()]):
        node = row["node"].value
        if node in quantities:  # a second value of a functional property: keep the first, sorted
            continue
        quantities[node] = Quantity(
            numeric=_decimal(row["numericValue"]),
            minimum=_decimal(row["minValue"]),
            maximum=_decimal(row["maxValue"]),
            qualifier=row["qualifier"].value,
            unit=_iri(row["unit"]),
            phrase=row["sourcePhrase"].value if row["sourcePhrase"] is not None else None,
            period=_iri(row["period"]),
            measure=_iri(row["measure"]),
        )

    return SiteData(
        labels=_labels(kg),
        entities={iri: sorted(types) for iri, types in sorted(entities.items())},
        statements={s: sorted(v, key=lambda st: (st.property, str(st.value))) for s, v in statements.items()},
        incoming={o: sorted(set(v)) for o, v in incoming.items()},
        facts=dict(sorted(facts.items())),
        quantities=quantities,
    )
