"""Strict RDF parsing that names the file, line and column of the first problem.

Parsing goes through Oxigraph's parsers: they reject what a triple store would
reject (invalid IRIs, bad escapes), never fetch a remote JSON-LD context and
never read another file.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from .input_limits import (
    DEFAULT_LIMITS,
    PARSER_TOKEN_BUFFER,
    LimitExceeded,
    Limits,
    bounded_quads,
    check_depth,
    long_string,
    oversized_literal,
    read_regular_file,
)
from .printable import printable
from .xsd_literals import XSD, literal_problem

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
        return printable(f"{where}: {self.message}")


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, from its ending."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise RdfInputError(path, f"unknown file type {path.suffix!r}; expected one of {known}") from None


def _token_too_long(path: Path, data: bytes, fmt: ox.RdfFormat, max_literal_bytes: int) -> RdfInputError:
    """The error for a token above Oxigraph's buffer: the first string above the literal limit, if any."""
    text = data.decode("utf-8", "replace")
    found = long_string(text, fmt, max_literal_bytes)
    if found is not None:
        offset, size = found
        return RdfInputError(path, _literal_too_long(size, max_literal_bytes), *_position(text, offset))
    return RdfInputError(
        path,
        f"a literal or IRI is longer than the parser's buffer of {PARSER_TOKEN_BUFFER} bytes "
        "(--max-literal-bytes)",
    )


def _literal_too_long(size: int, limit: int) -> str:
    return f"a literal of {size} bytes, above the limit of {limit} bytes (--max-literal-bytes)"


class _LineReader:
    """Hands the parser one line per read, counting them: the line being read when it fails."""

    def __init__(self, data: bytes):
        self.lines = io.BytesIO(data)
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        line = self.lines.readline()
        self.count += bool(line)
        return line


def _rdfxml_error_line(data: bytes, base_iri: str | None) -> int | None:
    """The line of an RDF/XML error (Oxigraph's RDF/XML errors carry no position): parsed again,
    a line at a time, the parser stops on the line that holds the offending element."""
    reader = _LineReader(data)
    try:
        for _ in ox.parse(input=reader, format=ox.RdfFormat.RDF_XML, base_iri=base_iri):
            pass
    except SyntaxError:
        return reader.count or None
    return None


def _oxigraph_parse(
    path: Path,
    data: bytes,
    fmt: ox.RdfFormat,
    max_triples: int | None = None,
    base_iri: str | None = None,
    max_literal_bytes: int = DEFAULT_LIMITS.max_literal_bytes,
) -> list[ox.Quad]:
    """Oxigraph's strict parse of ``data``; a syntax error becomes an RdfInputError at its line and column."""
    try:
        quads = ox.parse(data, format=fmt, base_iri=base_iri)
        return list(quads) if max_triples is None else bounded_quads(quads, max_triples)
    except LimitExceeded as exc:
        raise RdfInputError(path, exc.message) from None
    except MemoryError:  # Oxigraph's token buffer is full: one literal or IRI above 16 MB
        if len(data) <= PARSER_TOKEN_BUFFER:
            raise  # no token can be that long: the process is out of memory (--max-memory)
        raise _token_too_long(path, data, fmt, max_literal_bytes) from None
    except SyntaxError as exc:
        message = exc.msg
        if message.startswith("Parser error"):
            message = message.split(": ", 1)[-1]
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD @context is not loaded; inline the context in the file"
        line, column = exc.lineno, exc.offset
        if line is None and fmt == ox.RdfFormat.RDF_XML:
            line = _rdfxml_error_line(data, base_iri)
        raise RdfInputError(path, message, line, column) from None


def parse_file(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Every quad of an RDF file; triples of a triple format go to ``graph`` (default graph if None)."""
    fmt = format_for(path)
    try:
        data = read_regular_file(path, None)
    except OSError as exc:
        raise RdfInputError(path, exc.strerror or str(exc)) from None
    except LimitExceeded as exc:
        raise RdfInputError(path, exc.message) from None
    quads = _oxigraph_parse(path, data, fmt)
    if graph is None:
        return quads
    target = ox.NamedNode(graph)  # triples of the default graph go to ``graph``; named graphs stay
    return [
        ox.Quad(q.subject, q.predicate, q.object, target) if isinstance(q.graph_name, ox.DefaultGraph) else q
        for q in quads
    ]


# ---------------------------------------------------------------- untrusted input

#: Largest file :func:`parse_untrusted` reads unless told otherwise (50 MB).
DEFAULT_MAX_BYTES = DEFAULT_LIMITS.max_bytes

#: Relative IRIs in JSON-LD resolve against this base, so that they can be found and refused
#: (without a base, the JSON-LD algorithms drop them and every statement about them, silently).
_RELATIVE_BASE = "http://relative-iri.invalid/"
_JSON_ID = re.compile(r'"@(id|type|vocab)"\s*:\s*"((?:[^"\\]|\\.)*)"')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def literal_position(text: str, lexical: str, whole: bool = True) -> tuple[int | None, int | None]:
    """Where a literal's lexical form (or its start) first appears, quoted first, outside comment lines."""
    quoted = (f'"{lexical}"', f"'{lexical}'", f">{lexical}<") if whole else (f'"{lexical}', f"'{lexical}")
    for needle in (*quoted, lexical):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            column = line.find(needle)
            if column >= 0:
                return number, column + 1
    return None, None


def check_literals(path: Path, quads: Iterable[ox.Quad], text: str) -> None:
    """Raise :class:`RdfInputError` for the first ill-typed literal (lexical form or value of its type)."""
    for quad in quads:
        obj = quad.object
        if not isinstance(obj, ox.Literal) or not obj.datatype.value.startswith(XSD):
            continue
        problem = literal_problem(obj.value, obj.datatype.value)
        if problem is not None:
            line, column = literal_position(text, obj.value)
            shown = obj.value if len(obj.value) <= 80 else obj.value[:80] + "..."
            raise RdfInputError(path, f'"{shown}" {problem}', line, column)


def _relative_iri(path: Path, quads: list[ox.Quad], text: str) -> None:
    """Refuse a JSON-LD document that uses a relative IRI (it resolved against :data:`_RELATIVE_BASE`)."""
    terms = (term for q in quads for term in (q.subject, q.predicate, q.object, q.graph_name))
    for term in terms:
        iri = term.datatype.value if isinstance(term, ox.Literal) else getattr(term, "value", "")
        if isinstance(term, ox.NamedNode | ox.Literal) and iri.startswith(_RELATIVE_BASE):
            line = column = None
            written = iri[len(_RELATIVE_BASE) :]
            candidates = [m for m in _JSON_ID.finditer(text) if not _SCHEME.match(m.group(2))]
            exact = [m for m in candidates if urllib.parse.urljoin(_RELATIVE_BASE, m.group(2)) == iri]
            for match in (exact or candidates)[:1]:  # where it is written, when it can be found
                line, column = _position(text, match.start(2) - 1)
                written = match.group(2)
            raise RdfInputError(
                path,
                f'relative IRI "{written}": every @id must be an absolute IRI (relative IRIs are dropped '
                "by JSON-LD processors); write the full IRI or set @base in the @context",
                line,
                column,
            )


def parse_untrusted(
    path: Path, graph: str | None = None, limits: Limits = DEFAULT_LIMITS, base_iri: str | None = None
) -> list[ox.Quad]:
    """Parse a file nobody vouches for: within :class:`~ftzkg.input_limits.Limits`, strict, local-only.

    On top of :func:`parse_file`: reads only a regular file, and at most
    ``limits.max_bytes`` of it; refuses RDF/XML that declares a DOCTYPE or
    entities (entity-expansion bombs), a UTF-8 byte-order mark (Oxigraph rejects
    it, rdflib would not), nesting deeper than ``limits.max_depth`` (checked
    before parsing), more than ``limits.max_triples`` triples, a literal above
    ``limits.max_literal_bytes``, a JSON-LD relative IRI (which JSON-LD would
    drop with its statements), and ill-typed literals (``"300"^^xsd:byte``).
    Remote JSON-LD ``@context`` URLs are never fetched (Oxigraph has no loader).
    Relative IRIs are refused unless ``base_iri`` (the document's own IRI) is given.
    Every refusal is an :class:`RdfInputError` naming file, line and column where known.
    """
    fmt = format_for(path)
    try:
        data = read_regular_file(path, limits.max_bytes)
    except OSError as exc:
        raise RdfInputError(path, exc.strerror or str(exc)) from None
    except LimitExceeded as exc:
        raise RdfInputError(path, exc.message) from None
    if data.startswith(b"\xef\xbb\xbf"):
        raise RdfInputError(path, "file starts with a UTF-8 byte-order mark; save it without one", 1, 1)
    if fmt == ox.RdfFormat.RDF_XML:
        found = _DOCTYPE.search(data)
        if found:
            line, column = _position(data.decode("utf-8", "replace"), found.start())
            raise RdfInputError(
                path, "RDF/XML with a DOCTYPE or entity declarations is refused", line, column
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data[: exc.start].decode("utf-8", "replace"), exc.start)
        raise RdfInputError(path, "file is not valid UTF-8", line, column) from None
    try:
        check_depth(text, fmt, limits.max_depth)
    except LimitExceeded as exc:
        line, column = _position(text, exc.offset) if exc.offset is not None else (None, None)
        raise RdfInputError(path, exc.message, line, column) from None
    json_ld = fmt == ox.RdfFormat.JSON_LD
    base = base_iri or (_RELATIVE_BASE if json_ld else None)
    quads = _oxigraph_parse(path, data, fmt, limits.max_triples, base, limits.max_literal_bytes)
    if json_ld and base_iri is None:
        _relative_iri(path, quads, text)
    long_literal = oversized_literal(quads, limits.max_literal_bytes)
    if long_literal is not None:
        line, column = literal_position(text, long_literal.value[:200], whole=False)
        size = len(long_literal.value.encode())
        raise RdfInputError(path, _literal_too_long(size, limits.max_literal_bytes), line, column)
    check_literals(path, quads, text)
    if graph is None:
        return quads
    target = ox.NamedNode(graph)  # triples of the default graph go to ``graph``; named graphs stay
    return [
        ox.Quad(q.subject, q.predicate, q.object, target) if isinstance(q.graph_name, ox.DefaultGraph) else q
        for q in quads
    ]
