"""Strict RDF parsing that names the file, line and column of the first problem.

Parsing goes through Oxigraph's parsers: they reject what a triple store would
reject (invalid IRIs, bad escapes), never fetch a remote JSON-LD context and
never read another file.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

#: File endings and the formats they are read as.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


class RdfInputError(Exception):
    """A file that cannot be used as RDF, with where and why."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its ending."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise RdfInputError(path, f"unknown file type {path.suffix!r}; expected one of {known}") from None


def parse_file(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Every quad of an RDF file; triples of a triple format go to ``graph`` (default graph if None)."""
    fmt = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RdfInputError(path, exc.strerror or str(exc)) from None
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=None))
    except SyntaxError as exc:
        message = exc.msg
        if message.startswith("Parser error at line"):
            message = message.split(": ", 1)[-1]
        raise RdfInputError(path, message, exc.lineno, exc.offset) from None
    if graph is None or fmt.supports_datasets:
        return quads
    target = ox.NamedNode(graph)
    return [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
