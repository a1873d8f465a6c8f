"""Write query results: an aligned table with labels, the SPARQL 1.1 results formats, or RDF.

SELECT and ASK results go out as ``csv``, ``tsv``, ``json`` or ``xml`` through
Oxigraph's serializers (SPARQL 1.1 Query Results formats). CONSTRUCT and DESCRIBE
results are sorted (so the embedded store and an endpoint write the same bytes) and
go out as Turtle, or another RDF syntax; ``csv``/``tsv`` give subject, predicate,
object rows in the SPARQL CSV/TSV conventions.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import BinaryIO

import pyoxigraph as ox

from .namespaces import PREFIXES, shorten
from .querying import QueryResult

#: Formats of SELECT and ASK results.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
#: Formats of CONSTRUCT and DESCRIBE results (``table`` writes Turtle).
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "table": ox.RdfFormat.TURTLE,
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "json": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
#: Every value ``--format`` accepts.
FORMAT_NAMES = [
    "table",
    *RESULT_FORMATS,
    *(f for f in GRAPH_FORMATS if f not in RESULT_FORMATS and f != "table"),
]

Labeller = Callable[[Iterable[str]], dict[str, str]]


class FormatError(ValueError):
    """A format that does not fit the kind of result."""


def _term_key(term: ox.Term) -> tuple[int, str]:
    order = 0 if isinstance(term, ox.NamedNode) else 1 if isinstance(term, ox.BlankNode) else 2
    return order, str(term)


def sorted_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """Triples in a stable order: subject, predicate, object."""
    return sorted(triples, key=lambda t: (_term_key(t.subject), _term_key(t.predicate), _term_key(t.object)))


def _triples_as_solutions(triples: list[ox.Triple], fmt: ox.QueryResultsFormat) -> bytes:
    """Triples as subject/predicate/object solutions, written by Oxigraph's results serializer."""
    store = ox.Store()
    graph = ox.NamedNode("urn:x-ftzkg:result")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    solutions = store.query(
        "SELECT ?subject ?predicate ?object WHERE { GRAPH ?g { ?subject ?predicate ?object } } "
        "ORDER BY ?subject ?predicate ?object"
    )
    return solutions.serialize(format=fmt)


def cell(term: ox.Term | None, labels: dict[str, str]) -> str:
    """A term for the table: prefixed name plus label for IRIs, the lexical form for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        label = labels.get(term.value)
        short = shorten(term.value)
        return f"{short} ({label})" if label else short
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _truncate(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if width <= 0 or len(text) <= width else text[: width - 1] + "…"


def table(
    variables: list[str], rows: list[list[ox.Term | None]], labels: dict[str, str], max_width: int = 60
) -> str:
    """An aligned text table with a header line, a rule and a row count."""
    cells = [[_truncate(cell(t, labels), max_width) for t in row] for row in rows]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def write(
    result: QueryResult,
    out: BinaryIO,
    fmt: str = "table",
    labeller: Labeller | None = None,
    max_width: int = 60,
) -> None:
    """Write a result in ``fmt`` to a binary stream."""
    if result.form == "UPDATE":
        out.write(b"update done\n")
        return
    if result.form == "ASK":
        if fmt == "table":
            out.write(b"true\n" if result.boolean else b"false\n")
        elif fmt in RESULT_FORMATS:
            out.write(_boolean_bytes(bool(result.boolean), RESULT_FORMATS[fmt]))
        else:
            raise FormatError(f"an ASK result cannot be written as {fmt}; use table, csv, tsv, json or xml")
        return
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        triples = sorted_triples(result.triples)
        if fmt in ("csv", "tsv"):
            out.write(_triples_as_solutions(triples, RESULT_FORMATS[fmt]))
        elif fmt in GRAPH_FORMATS:
            rdf_format = GRAPH_FORMATS[fmt]
            prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
            out.write(ox.serialize(triples, format=rdf_format, prefixes=prefixes))
        else:
            raise FormatError(f"a {result.form} result cannot be written as {fmt}")
        return
    solutions = result.solutions
    assert solutions is not None
    if fmt in RESULT_FORMATS:
        solutions.serialize(out, RESULT_FORMATS[fmt])
        return
    if fmt != "table":
        raise FormatError(f"a SELECT result cannot be written as {fmt}; use table, csv, tsv, json or xml")
    variables = [v.value for v in solutions.variables]
    rows = [[solution[v] for v in variables] for solution in solutions]
    iris = {t.value for row in rows for t in row if isinstance(t, ox.NamedNode)}
    labels = labeller(iris) if labeller and iris else {}
    out.write(table(variables, rows, labels, max_width).encode("utf-8"))


def _boolean_bytes(value: bool, fmt: ox.QueryResultsFormat) -> bytes:
    store = ox.Store()
    result = store.query("ASK {}" if value else "ASK { FILTER(false) }")
    buffer = io.BytesIO()
    result.serialize(buffer, fmt)
    return buffer.getvalue()
