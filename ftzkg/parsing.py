"""Strict RDF parsing that names the file, line and column of the first problem.

Parsing goes through Oxigraph's parsers: they reject what a triple store would
reject (invalid IRIs, bad escapes), never fetch a remote JSON-LD context and
never read another file.
"""

from __future__ import annotations

import re
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


def _oxigraph_parse(path: Path, data: bytes, fmt: ox.RdfFormat) -> list[ox.Quad]:
    """Oxigraph's strict parse of ``data``; a syntax error becomes an RdfInputError at its line and column."""
    try:
        return list(ox.parse(data, format=fmt, base_iri=None))
    except SyntaxError as exc:
        message = exc.msg
        if message.startswith("Parser error"):
            message = message.split(": ", 1)[-1]
        if "LoadDocumentCallback" in message:
            message = "remote JSON-LD @context is not loaded; inline the context in the file"
        raise RdfInputError(path, message, exc.lineno, exc.offset) from None


def parse_file(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Every quad of an RDF file; triples of a triple format go to ``graph`` (default graph if None)."""
    fmt = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RdfInputError(path, exc.strerror or str(exc)) from None
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
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INT = r"[+-]?[0-9]+"
_TZ = r"(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
#: Lexical forms of the XSD datatypes the graph uses, from XML Schema 1.1 Part 2.
LEXICAL_FORMS: dict[str, re.Pattern[str]] = {
    _XSD + name: re.compile(pattern)
    for name, pattern in {
        "integer": _INT,
        "int": _INT,
        "long": _INT,
        "short": _INT,
        "nonNegativeInteger": r"(\+?[0-9]+|-0+)",
        "positiveInteger": r"\+?0*[1-9][0-9]*",
        "nonPositiveInteger": r"(-[0-9]+|\+?0+)",
        "negativeInteger": r"-0*[1-9][0-9]*",
        "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
        "double": r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)",
        "float": r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)",
        "boolean": r"(true|false|1|0)",
        "gYear": _YEAR + _TZ,
        "gYearMonth": _YEAR + r"-(0[1-9]|1[0-2])" + _TZ,
        "date": _YEAR + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TZ,
        "dateTime": _YEAR
        + r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
        + r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
        + _TZ,
        "anyURI": r"[^\s<>\"{}|\\^`]*",
    }.items()
}

_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _literal_position(text: str, lexical: str) -> tuple[int | None, int | None]:
    """Where a literal's lexical form first appears (quoted first, then bare), outside comment lines."""
    for needle in (f'"{lexical}"', f"'{lexical}'", lexical):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            column = line.find(needle)
            if column >= 0:
                return number, column + 1
    return None, None


def check_literals(path: Path, quads: list[ox.Quad], text: str) -> None:
    """Raise :class:`RdfInputError` for the first literal whose lexical form its XSD datatype rejects."""
    for quad in quads:
        obj = quad.object
        if not isinstance(obj, ox.Literal):
            continue
        pattern = LEXICAL_FORMS.get(obj.datatype.value)
        if pattern is not None and not pattern.fullmatch(obj.value):
            line, column = _literal_position(text, obj.value)
            datatype = "xsd:" + obj.datatype.value.removeprefix(_XSD)
            raise RdfInputError(path, f'"{obj.value}" is not a valid {datatype} literal', line, column)


def parse_untrusted(
    path: Path, graph: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ox.Quad]:
    """Parse a file nobody vouches for: size-capped, strict, local-only, literals checked.

    On top of :func:`parse_file`: refuses files above ``max_bytes`` before reading
    them, RDF/XML that declares a DOCTYPE or entities (entity-expansion bombs),
    a UTF-8 byte-order mark (Oxigraph rejects it, rdflib would not), a JSON-LD
    file that yields no triple (remote ``@context`` URLs are never fetched:
    Oxigraph has no document loader), and literals whose lexical form does not
    fit their XSD datatype (``"x"^^xsd:integer``), naming file, line and column.
    """
    fmt = format_for(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise RdfInputError(path, exc.strerror or str(exc)) from None
    if size > max_bytes:
        raise RdfInputError(path, f"file is {size} bytes, above the limit of {max_bytes} bytes (--max-bytes)")
    data = path.read_bytes()
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
    quads = _oxigraph_parse(path, data, fmt)
    if fmt == ox.RdfFormat.JSON_LD and not quads and text.strip() not in ("", "{}", "[]"):
        raise RdfInputError(
            path, "JSON-LD yields no triples: every @id must be an absolute IRI (relative IRIs are dropped)"
        )
    check_literals(path, quads, text)
    if graph is None:
        return quads
    target = ox.NamedNode(graph)  # triples of the default graph go to ``graph``; named graphs stay
    return [
        ox.Quad(q.subject, q.predicate, q.object, target) if isinstance(q.graph_name, ox.DefaultGraph) else q
        for q in quads
    ]
