"""The questions of the query catalogue (``queries/*.rq``) with their current answers.

Each catalogue query is run on the embedded store with its default parameters,
through the same path as ``ftzkg query`` (prefixes, typed parameters, safety check).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..catalogue import QueryFile, catalogue
from ..knowledge_graph import KnowledgeGraph
from ..querying import EmbeddedBackend, QueryError, execute

Cell = ox.NamedNode | ox.BlankNode | ox.Literal | None


@dataclass(frozen=True)
class Answer:
    """A catalogue query and what it returns now: column names and rows, or an error."""

    query: QueryFile
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    boolean: bool | None = None
    error: str | None = None


def answer(backend: EmbeddedBackend, query: QueryFile) -> Answer:
    """Run one catalogue query with its default parameters."""
    try:
        result = execute(backend, query.text, query=query)
    except QueryError as exc:
        return Answer(query, (), (), error=str(exc))
    if result.boolean is not None:
        return Answer(query, (), (), boolean=result.boolean)
    if result.solutions is not None:
        columns = tuple(v.value for v in result.solutions.variables)
        rows = [tuple(s[c] for c in columns) for s in result.solutions]
        # SELECT rows keep the query's ORDER BY; sort only where it leaves order open, for stable pages
        if "order by" not in query.text.lower():
            rows.sort(key=lambda r: [str(c) for c in r])
        return Answer(query, columns, tuple(rows))
    triples = sorted(set(result.triples), key=str)
    return Answer(
        query, ("subject", "predicate", "object"), tuple((t.subject, t.predicate, t.object) for t in triples)
    )


def answers(kg: KnowledgeGraph, queries_dir: Path | None = None) -> list[Answer]:
    """Every catalogue query (of ``queries_dir``, default the default project's), by name, with its answer."""
    backend = EmbeddedBackend(kg.store)
    return [answer(backend, q) for q in catalogue(queries_dir, trusted=queries_dir)]
