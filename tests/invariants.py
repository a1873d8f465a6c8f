"""What must hold of the data whatever sources it holds: the checks a new source must pass too.

Each function takes a knowledge graph and returns the offending rows (empty when the
invariant holds), so a failure names what breaks it.
"""

from __future__ import annotations

from decimal import Decimal

from kg_queries import select

ARTICLE = "https://w3id.org/ftzkg/id/source/kashgar-ftz-2025-article"


def facts_without_a_source(kg) -> list[dict]:
    """Fact nodes that reach no ftz:Source through prov:wasDerivedFrom (directly or via other facts)."""
    return select(
        kg,
        """SELECT ?fact WHERE {
             ?fact a/rdfs:subClassOf* ftz:SourcedFact .
             FILTER NOT EXISTS { ?fact prov:wasDerivedFrom+ ?s . ?s a/rdfs:subClassOf* ftz:Source } }""",
    )


def stated_facts_without_a_quote(kg) -> list[dict]:
    """Facts a source states (not derived) that carry no supporting sentence."""
    return select(
        kg,
        """SELECT ?fact WHERE {
             ?fact a/rdfs:subClassOf* ftz:SourcedFact .
             FILTER NOT EXISTS { ?fact ftz:isDerived true }
             FILTER NOT EXISTS { ?fact ftz:quote ?q } }""",
    )


def figures_without_qualifier_or_unit(kg) -> list[dict]:
    """Every number (value, minimum, maximum) must keep its qualifier and unit."""
    return select(
        kg,
        """SELECT DISTINCT ?node WHERE {
             ?node ftz:numericValue|ftz:minValue|ftz:maxValue ?v .
             FILTER (NOT EXISTS { ?node ftz:qualifier ?q } || NOT EXISTS { ?node ftz:unit ?u }) }""",
    )


def ai_facts_without_a_status(kg) -> list[dict]:
    """Every fact of an AI-assisted source (through derived facts, not through a rewrite) has a status."""
    return select(
        kg,
        """SELECT DISTINCT ?fact WHERE {
             ?fact a/rdfs:subClassOf* ftz:SourcedFact ; prov:wasDerivedFrom* ?step .
             ?step prov:wasDerivedFrom ?s . ?s ftz:aiAssisted true .
             FILTER NOT EXISTS { ?step a/rdfs:subClassOf* ftz:Source }
             FILTER NOT EXISTS { ?a ftz:assessedFact ?fact ; ftz:hasCorroborationStatus ?status } }""",
    )


#: The 2025 article's figures: fact (under id/observation/), number, qualifier, unit (local names).
ARTICLE_FIGURES = [
    ("kashgar-area-total-trade-2025", "93160000000", "Exact", "CNY"),
    ("kashgar-area-trade-excess-over-target-2025", "5.7", "Exact", "PERCENT"),
    ("kashgar-area-new-enterprises-since-launch", "3100", "MoreThan", "NUM"),
    ("kashgar-area-registered-businesses", "5100", "MoreThan", "NUM"),
    ("kashgar-area-registered-business-growth", "150", "MoreThan", "PERCENT"),
    ("southern-xinjiang-forest-fruit-area", "1400000", "MoreThan", "HA"),
    ("withyoung-revenue-2025", "110000000", "Exact", "CNY"),
    ("kashgar-reform-measures-outlined", "207", "Exact", "NUM"),
    ("kashgar-reform-measures-implemented", "205", "Exact", "NUM"),
    ("kashgar-innovation-cases", "81", "Exact", "NUM"),
]


def article_figures_missing(kg) -> list[tuple]:
    """The 2025 article's figures that are not in its graph with their value, qualifier and unit."""
    missing = []
    for name, number, qualifier, unit in ARTICLE_FIGURES:
        rows = select(
            kg,
            """SELECT ?v ?q ?u WHERE { GRAPH ?g { ?fact ftz:numericValue ?v ; ftz:qualifier ?q ; ftz:unit ?u ;
                 prov:wasDerivedFrom ?g } }""",
            fact=f"https://w3id.org/ftzkg/id/observation/{name}",
            g=ARTICLE,
        )
        found = {(Decimal(r["v"]), r["q"].rsplit("#", 1)[1], r["u"].rsplit("/", 1)[1]) for r in rows}
        if (Decimal(number), qualifier, unit) not in found:
            missing.append((name, number, qualifier, unit, found))
    return missing


ALL = [
    facts_without_a_source,
    stated_facts_without_a_quote,
    figures_without_qualifier_or_unit,
    ai_facts_without_a_status,
    article_figures_missing,
]
