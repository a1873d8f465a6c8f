"""The SPARQL queries the site is generated from: one ``.rq`` file each under ``queries/``.

Each file starts with a comment header (``# title:``, ``# returns:``, and
``# parameters:`` where it takes a bound variable); the project's prefixes
(:data:`ftzkg.namespaces.PREFIXES`) may be used without declaring them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox

from ..blank_nodes import relabel, sort_key
from ..knowledge_graph import KnowledgeGraph
from ..namespaces import PREFIXES

QUERY_DIR = Path(__file__).resolve().parent / "queries"

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal | None]


@cache
def query_text(name: str) -> str:
    """The text of ``queries/<name>.rq``."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def query_header(name: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query file."""
    header: dict[str, str] = {}
    for line in query_text(name).splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].partition(":")
        if sep:
            header[key.strip()] = value.strip()
    return header


def select(kg: KnowledgeGraph, name: str, **bindings: ox.NamedNode) -> list[Row]:
    """Run a SELECT query over the union of the named graphs; one dict per solution."""
    solutions = kg.store.query(
        query_text(name),
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in bindings.items()} or None,
    )
    names = [v.value for v in solutions.variables]
    return [{n: solution[n] for n in names} for solution in solutions]


def construct(kg: KnowledgeGraph, name: str, **bindings: ox.NamedNode) -> list[ox.Triple]:
    """Run a CONSTRUCT query; the triples come back sorted, with blank nodes named by their content,
    so files written from them are the same bytes run after run."""
    triples = kg.store.query(
        query_text(name),
        prefixes=PREFIXES,
        use_default_graph_as_union=True,
        substitutions={ox.Variable(k): v for k, v in bindings.items()} or None,
    )
    quads = relabel([ox.Quad(t.subject, t.predicate, t.object) for t in set(triples)])
    return [q.triple for q in sorted(quads, key=sort_key)]
