"""SELECT on the embedded knowledge graph, for tests that check facts."""

from __future__ import annotations

from ftzkg import KnowledgeGraph
from ftzkg.namespaces import sparql_prologue


def select(kg: KnowledgeGraph, query: str, **bindings: str) -> list[dict[str, str]]:
    """Rows of a SELECT over the union of all graphs, each a dict of plain string values.

    ``bindings`` pin variables to IRIs with a VALUES block at the start of the first WHERE group.
    """
    values = "".join(f" VALUES ?{name} {{ <{iri}> }}" for name, iri in bindings.items())
    query = query.replace("WHERE {", "WHERE {" + values, 1)
    results = kg.store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    return [{str(v)[1:]: row[v].value for v in results.variables if row[v] is not None} for row in results]
