"""What each fact node claims, read from one or more stores, in a form sources can be compared in.

Two kinds of claim:

- a **value claim**: one figure (an ``ftz:Observation``'s value, or the before, after or
  reduction value of an ``ftz:LogisticsEffect``) of one measure, for one area, enterprise,
  programme and scope, over a period;
- a **relation claim**: a firm sells to a market (``ftz:TradeLink``), makes a product
  (``ftz:ProductionLink``) or sources one (``ftz:SupplyLink``), with its status.

Reading goes through :class:`GraphReader`, which sees several stores as one graph, so a
contribution can be read together with the graph it refers to (its periods, regions and
products) without copying either.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from .intervals import QualifiedValue, decimal_or_none
from .namespaces import DERIVED_GRAPHS, FTZ, PREFIXES, SHAPES_GRAPH

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
RDFS_SUBCLASS = ox.NamedNode(PREFIXES["rdfs"] + "subClassOf")
SKOS_BROADER = ox.NamedNode(PREFIXES["skos"] + "broader")
PROV_DERIVED = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
XSD = PREFIXES["xsd"]

Term = ox.NamedNode | ox.BlankNode | ox.Literal


def ftz(name: str) -> ox.NamedNode:
    return ox.NamedNode(FTZ + name)


class GraphReader:
    """Several stores read as one graph, leaving out some named graphs (shapes, derived graphs)."""

    def __init__(self, stores: Sequence[ox.Store], excluded_graphs: Iterable[str] = ()):
        self.stores = list(stores)
        self.excluded = {ox.NamedNode(g) for g in excluded_graphs}

    def _quads(self, s=None, p=None, o=None) -> Iterator[ox.Quad]:
        for store in self.stores:
            for quad in store.quads_for_pattern(s, p, o, None):
                if quad.graph_name not in self.excluded:
                    yield quad

    def has(self, subject: Term | None, predicate: ox.NamedNode | None, obj: Term | None) -> bool:
        """Whether any statement matches the pattern (``None`` matches anything)."""
        return any(True for _ in self._quads(subject, predicate, obj))

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        return sorted({q.object for q in self._quads(subject, predicate)}, key=str)

    def subjects(self, predicate: ox.NamedNode, obj: Term | None = None) -> list[Term]:
        return sorted({q.subject for q in self._quads(None, predicate, obj)}, key=str)

    def first(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        found = self.objects(subject, predicate)
        return found[0] if found else None

    def text(self, subject: Term, predicate: ox.NamedNode) -> str | None:
        term = self.first(subject, predicate)
        return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None

    def subclasses(self, cls: str) -> set[str]:
        """``cls`` and every class below it (rdfs:subClassOf*)."""
        found, todo = {cls}, [cls]
        while todo:
            for sub in self.subjects(RDFS_SUBCLASS, ox.NamedNode(todo.pop())):
                if isinstance(sub, ox.NamedNode) and sub.value not in found:
                    found.add(sub.value)
                    todo.append(sub.value)
        return found

    def instances(self, classes: Iterable[str]) -> list[Term]:
        return sorted({s for c in classes for s in self.subjects(RDF_TYPE, ox.NamedNode(c))}, key=str)

    def is_a(self, node: Term, classes: set[str]) -> bool:
        return any(t.value in classes for t in self.objects(node, RDF_TYPE) if isinstance(t, ox.NamedNode))

    def closure(self, start: str, predicate: ox.NamedNode) -> set[str]:
        """Every node reached from ``start`` by one or more ``predicate`` steps."""
        found: set[str] = set()
        todo = [start]
        while todo:
            for nxt in self.objects(ox.NamedNode(todo.pop()), predicate):
                if isinstance(nxt, ox.NamedNode) and nxt.value not in found:
                    found.add(nxt.value)
                    todo.append(nxt.value)
        return found


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A period as the days it covers; an open end is ``None``."""

    iri: str
    start: date | None
    end: date | None
    as_of: str | None = None  # the source whose own (possibly unstated) date ends the period

    def contains(self, other: Period) -> bool:
        starts_before = self.start is None or (other.start is not None and self.start <= other.start)
        # An open end runs to the source's own date, which is not known here: "since November 2023"
        # in a 2026 article does not contain "to January 2024", whose count is rightly smaller.
        if self.end is None:
            ends_after = other.end is None
        else:
            ends_after = other.end is not None and other.end <= self.end
        return starts_before and ends_after


def same_or_containing(a: Period | None, b: Period | None) -> bool:
    """Same period, or one contains the other; facts without a period match only each other."""
    if a is None or b is None:
        return a is None and b is None
    if a.iri == b.iri:
        return True
    if (a.start, a.end) == (b.start, b.end) and (a.start or a.end):
        return True
    if a.as_of and b.as_of and not (a.start or a.end or b.start or b.end):
        return True  # stocks "as of" each source's date of writing: compared as figures of the present
    if (a.start is None and a.end is None) or (b.start is None and b.end is None):
        return False  # a period with no known bounds contains nothing but itself
    return a.contains(b) or b.contains(a)


def _day(reader: GraphReader, node: Term | None, end: bool) -> date | None:
    """The first (or last) day of a ftz:CalendarDate of year, month or day precision."""
    if node is None:
        return None
    try:
        year = int(reader.text(node, ftz("year")) or "")
        month_text, day_text = reader.text(node, ftz("month")), reader.text(node, ftz("day"))
        if month_text is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        month = int(month_text)
        if day_text is None:
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date(year, month, int(day_text))
    except ValueError:
        return None


def read_period(reader: GraphReader, node: Term | None) -> Period | None:
    if node is None:
        return None
    return Period(
        str(node.value if isinstance(node, ox.NamedNode) else node),
        _day(reader, reader.first(node, ftz("startDate")), end=False),
        _day(reader, reader.first(node, ftz("endDate")), end=True),
        reader.text(node, ftz("asOfSource")),
    )


# ---------------------------------------------------------------- claims


@dataclass(frozen=True)
class ValueClaim:
    """One figure a fact node states."""

    fact: str
    slot: str  # "value" for an observation; "before", "after" or "reduction" for a logistics effect
    kind: str  # the fact's class (local name)
    measure: str
    areas: frozenset[str]
    enterprises: frozenset[str]
    programmes: frozenset[str]
    scope: str | None
    period: Period | None
    value: QualifiedValue
    sources: frozenset[str]
    quote: str | None

    def group(self) -> tuple[str, str, str]:
        return (self.kind, self.slot, self.measure)

    def key(self) -> tuple:
        """What two comparable figures share exactly (the period and programme are checked after)."""
        return (*self.group(), self.areas, self.enterprises, self.scope)

    def same_subject(self, other: ValueClaim) -> bool:
        """Same measure of the same area or firm (and programme and scope where given), same period."""
        if self.group() != other.group():
            return False
        if self.areas != other.areas or self.enterprises != other.enterprises or self.scope != other.scope:
            return False
        if self.programmes and other.programmes and self.programmes != other.programmes:
            return False
        return same_or_containing(self.period, other.period)


@dataclass(frozen=True)
class RelationClaim:
    """A firm sells to a market, makes a product or sources one."""

    fact: str
    kind: str  # TradeLink, ProductionLink or SupplyLink
    firm: str
    market: str | None
    product: str | None
    status: str | None
    scope: str | None
    sources: frozenset[str]
    quote: str | None


VALUE_SLOTS = {"before": "before", "after": "after", "reduction": "reduction"}
RELATION_ROLES = {"TradeLink": "exporter", "ProductionLink": "producer", "SupplyLink": "buyer"}


def fact_sources(reader: GraphReader, fact: Term, source_classes: set[str]) -> frozenset[str]:
    """The sources a fact rests on: followed through prov:wasDerivedFrom, stopping at each source."""
    found: set[str] = set()
    seen: set[Term] = {fact}
    todo = [fact]
    while todo:
        for nxt in reader.objects(todo.pop(), PROV_DERIVED):
            if nxt in seen or not isinstance(nxt, ox.NamedNode | ox.BlankNode):
                continue
            seen.add(nxt)
            if reader.is_a(nxt, source_classes):
                found.add(nxt.value)
            else:
                todo.append(nxt)
    return frozenset(found)


def _iris(terms: Iterable[Term]) -> frozenset[str]:
    return frozenset(t.value for t in terms if isinstance(t, ox.NamedNode))


def _qualified(reader: GraphReader, node: Term) -> QualifiedValue | None:
    qualifier = reader.text(node, ftz("qualifier"))
    if qualifier is None:
        return None
    return QualifiedValue(
        qualifier=qualifier,
        value=decimal_or_none(reader.text(node, ftz("numericValue"))),
        minimum=decimal_or_none(reader.text(node, ftz("minValue"))),
        maximum=decimal_or_none(reader.text(node, ftz("maxValue"))),
        unit=reader.text(node, ftz("unit")),
        phrase=reader.text(node, ftz("sourcePhrase")),
    )


#: Named graphs that hold no fact: leaving them out changes nothing the bulk query finds.
_FACTLESS_GRAPHS = {ox.NamedNode(g) for g in (SHAPES_GRAPH, *DERIVED_GRAPHS)}

_BULK_QUERY = """
SELECT ?fact ?cls ?slot ?measure ?area ?firm ?programme ?scope ?period ?quote
       ?qualifier ?num ?min ?max ?unit ?phrase
WHERE {
  { VALUES ?cls { %s } ?fact a ?cls . BIND(?fact AS ?v) BIND("value" AS ?slot) }
  UNION { VALUES ?cls { %s } ?fact a ?cls ; ftz:before ?v . BIND("before" AS ?slot) }
  UNION { VALUES ?cls { %s } ?fact a ?cls ; ftz:after ?v . BIND("after" AS ?slot) }
  UNION { VALUES ?cls { %s } ?fact a ?cls ; ftz:reduction ?v . BIND("reduction" AS ?slot) }
  ?fact ftz:hasMeasure ?measure .
  ?v ftz:qualifier ?qualifier .
  OPTIONAL { ?v ftz:numericValue ?num } OPTIONAL { ?v ftz:minValue ?min } OPTIONAL { ?v ftz:maxValue ?max }
  OPTIONAL { ?v ftz:unit ?unit } OPTIONAL { ?v ftz:sourcePhrase ?phrase }
  OPTIONAL { ?fact ftz:refArea ?area } OPTIONAL { ?fact ftz:refEnterprise ?firm }
  OPTIONAL { ?fact ftz:refProgramme ?programme } OPTIONAL { ?fact ftz:hasInnovationScope ?scope }
  OPTIONAL { ?fact ftz:refPeriod ?period } OPTIONAL { ?fact ftz:quote ?quote }
}"""


def _first_text(terms: set[Term]) -> str | None:
    """What :meth:`GraphReader.text` gives for these values: the first in order, as text."""
    if not terms:
        return None
    term = sorted(terms, key=str)[0]
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else None


def _all_value_claims(reader: GraphReader) -> list[ValueClaim]:
    """Every figure of a one-store graph in one SPARQL query: the same claims as reading fact by fact,
    in a fraction of the time on a large graph (whole-graph validation compares them all)."""
    observations = reader.subclasses(FTZ + "Observation")
    effects = reader.subclasses(FTZ + "LogisticsEffect")
    sources = reader.subclasses(FTZ + "Source")
    observation_list = " ".join(f"<{c}>" for c in sorted(observations))
    effect_list = " ".join(f"<{c}>" for c in sorted(effects - observations))
    query = _BULK_QUERY % (observation_list, effect_list, effect_list, effect_list)
    rows: dict[tuple[str, str], dict[str, set[Term]]] = {}
    kinds: dict[str, str] = {}
    names = [
        "measure",
        "area",
        "firm",
        "programme",
        "scope",
        "period",
        "quote",
        "qualifier",
        "num",
        "min",
        "max",
        "unit",
        "phrase",
    ]
    solutions = reader.stores[0].query("PREFIX ftz: <" + FTZ + ">\n" + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        fact = row["fact"]
        if not isinstance(fact, ox.NamedNode):
            continue
        key = (fact.value, row["slot"].value)
        kind = "Observation" if row["cls"].value in observations else "LogisticsEffect"
        if kinds.setdefault(fact.value, kind) != kind:
            kinds[fact.value] = "Observation"  # typed as both: read as an observation, as fact by fact
        values = rows.setdefault(key, {n: set() for n in names})
        for n in names:
            if row[n] is not None:
                values[n].add(row[n])
    periods: dict[str | None, Period | None] = {}
    claims: list[ValueClaim] = []
    for (fact, slot), v in sorted(rows.items()):
        period_iri = _first_text(v["period"])
        if period_iri not in periods:
            periods[period_iri] = (
                read_period(reader, sorted(v["period"], key=str)[0]) if v["period"] else None
            )
        claims.append(
            ValueClaim(
                fact=fact,
                slot=slot,
                kind=kinds[fact],
                measure=_first_text(v["measure"]) or "",
                areas=_iris(v["area"]),
                enterprises=_iris(v["firm"]),
                programmes=_iris(v["programme"]),
                scope=_first_text(v["scope"]),
                period=periods[period_iri],
                value=QualifiedValue(
                    qualifier=_first_text(v["qualifier"]) or "",
                    value=decimal_or_none(_first_text(v["num"])),
                    minimum=decimal_or_none(_first_text(v["min"])),
                    maximum=decimal_or_none(_first_text(v["max"])),
                    unit=_first_text(v["unit"]),
                    phrase=_first_text(v["phrase"]),
                ),
                sources=fact_sources(reader, ox.NamedNode(fact), sources),
                quote=_first_text(v["quote"]),
            )
        )
    return claims


def value_claims(reader: GraphReader, facts: Iterable[Term] | None = None) -> list[ValueClaim]:
    """The figures stated by observations and logistics effects (all, or the given fact nodes)."""
    if facts is None and len(reader.stores) == 1 and reader.excluded <= _FACTLESS_GRAPHS:
        return _all_value_claims(reader)
    observations = reader.subclasses(FTZ + "Observation")
    effects = reader.subclasses(FTZ + "LogisticsEffect")
    sources = reader.subclasses(FTZ + "Source")
    nodes = list(facts) if facts is not None else reader.instances(observations | effects)
    claims: list[ValueClaim] = []
    for fact in nodes:
        measure = reader.text(fact, ftz("hasMeasure"))
        if measure is None or not isinstance(fact, ox.NamedNode):
            continue
        if reader.is_a(fact, observations):
            kind, slots = "Observation", [("value", fact)]
        elif reader.is_a(fact, effects):
            kind = "LogisticsEffect"
            slots = [(slot, v) for slot in VALUE_SLOTS for v in reader.objects(fact, ftz(slot))]
        else:
            continue
        common = {
            "fact": fact.value,
            "kind": kind,
            "measure": measure,
            "areas": _iris(reader.objects(fact, ftz("refArea"))),
            "enterprises": _iris(reader.objects(fact, ftz("refEnterprise"))),
            "programmes": _iris(reader.objects(fact, ftz("refProgramme"))),
            "scope": reader.text(fact, ftz("hasInnovationScope")),
            "period": read_period(reader, reader.first(fact, ftz("refPeriod"))),
            "sources": fact_sources(reader, fact, sources),
            "quote": reader.text(fact, ftz("quote")),
        }
        for slot, node in slots:
            value = _qualified(reader, node)
            if value is not None:
                claims.append(ValueClaim(slot=slot, value=value, **common))
    return claims


def relation_claims(reader: GraphReader, facts: Iterable[Term] | None = None) -> list[RelationClaim]:
    """The trade, production and supply links (all, or the given fact nodes)."""
    classes = {kind: reader.subclasses(FTZ + kind) for kind in RELATION_ROLES}
    sources = reader.subclasses(FTZ + "Source")
    nodes = list(facts) if facts is not None else reader.instances(set().union(*classes.values()))
    claims: list[RelationClaim] = []
    for fact in nodes:
        kind = next((k for k, c in classes.items() if reader.is_a(fact, c)), None)
        if kind is None or not isinstance(fact, ox.NamedNode):
            continue
        firm = reader.text(fact, ftz(RELATION_ROLES[kind]))
        if firm is None:
            continue
        claims.append(
            RelationClaim(
                fact=fact.value,
                kind=kind,
                firm=firm,
                market=reader.text(fact, ftz("destinationMarket")),
                product=reader.text(fact, ftz("hasProduct")),
                status=reader.text(fact, ftz("status")),
                scope=reader.text(fact, ftz("hasSourcingScope")),
                sources=fact_sources(reader, fact, sources),
                quote=reader.text(fact, ftz("quote")),
            )
        )
    return claims


def supports(reader: GraphReader, evidence: RelationClaim, claim: RelationClaim) -> bool:
    """Whether ``evidence`` states the relation ``claim`` states.

    Same kind of link, same firm and status; the evidence's market is the claim's market
    or lies inside it (orders from Uzbekistan support orders from Central Asia), and its
    product is the claim's or a narrower one (hair dryers support small appliances).
    """
    if (evidence.kind, evidence.firm) != (claim.kind, claim.firm):
        return False
    if evidence.status and claim.status and evidence.status != claim.status:
        return False
    if evidence.scope and claim.scope and evidence.scope != claim.scope:
        return False
    if claim.market is not None:
        if evidence.market is None:
            return False
        within = reader.closure(evidence.market, ftz("withinRegion"))
        if evidence.market != claim.market and claim.market not in within:
            return False
    if claim.product is not None:
        if evidence.product is None:
            return False
        broader = reader.closure(evidence.product, SKOS_BROADER)
        if evidence.product != claim.product and claim.product not in broader:
            return False
    return True
