"""Budgets for untrusted RDF files: what is read, how deep it nests, how much it holds.

Every limit is checked before the expensive work it protects: the byte limit
while reading (only regular files are read, through a reader that stops at
the limit), the nesting depth by a cheap scan of the brackets (or XML
elements) outside strings, IRIs and comments before any parser sees the
text, the triple count while the parser streams, and the literal size on
each parsed literal (a term too long for the parser's buffer is reported
against the same limit). Each error names the limit and the flag that raises it.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class Limits:
    """What one contribution file may hold. Each field has a ``ftzkg validate`` flag of the same name."""

    #: --max-bytes: the size of the file.
    max_bytes: int = 50 * 1024 * 1024
    #: --max-depth: nested brackets ``[ ( << {`` (Turtle, TriG, JSON-LD) or elements (RDF/XML).
    max_depth: int = 100
    #: --max-triples: statements in the file.
    max_triples: int = 100_000
    #: --max-literal-bytes: the UTF-8 size of one literal.
    max_literal_bytes: int = 1024 * 1024


DEFAULT_LIMITS = Limits()

#: Oxigraph's parsers refuse a single token above this many bytes (with a MemoryError).
PARSER_TOKEN_BUFFER = 16 * 1024 * 1024


class LimitExceeded(Exception):
    """Input above one of the :class:`Limits`; ``offset`` is a character offset in the text when known."""

    def __init__(self, message: str, offset: int | None = None):
        self.message = message
        self.offset = offset
        super().__init__(message)


# ---------------------------------------------------------------- reading


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular_file(path: Path, max_bytes: int | None) -> bytes:
    """The bytes of ``path`` if it is (or a symlink resolves to) a regular file of at most ``max_bytes``.

    The file is opened without blocking (a named pipe with no writer cannot hang
    the open), the kind is checked on the opened descriptor (so a symlink swapped
    after a check cannot redirect the read), and reading stops one byte past the
    limit whatever ``stat`` said (a file that grows, or lies about its size).
    Raises :class:`OSError` or :class:`LimitExceeded`.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise LimitExceeded(f"{kind}, not a regular file: only regular files are read")
        size = os.fstat(fd).st_size
        if max_bytes is None:  # a trusted file: any size, but still only a regular file
            max_bytes = max(size, 1) * 2 + (1 << 20)
        elif size > max_bytes:
            raise LimitExceeded(f"file is {size} bytes, above the limit of {max_bytes} bytes (--max-bytes)")
        chunks: list[bytes] = []
        total = 0
        want = size + 1  # the whole file in one read (and a byte more, to see it grew), then 1 MiB at a time
        while total <= max_bytes:
            chunk = os.read(fd, min(max(want, 1 << 20), max_bytes + 1 - total))
            want = 0
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise LimitExceeded(f"file is above the limit of {max_bytes} bytes (--max-bytes)")
        return b"".join(chunks)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- nesting depth

# Strings, IRIs and comments of the Turtle family (their brackets do not nest anything).
_TURTLE_OPAQUE = (
    r'"""(?:[^"\\]++|\\.|"(?!""))*+"""'
    r"|'''(?:[^'\\]++|\\.|'(?!''))*+'''"
    r'|"(?:[^"\\\n\r]++|\\.)*+"'
    r"|'(?:[^'\\\n\r]++|\\.)*+'"
    r"|<[^<>\"{}|^`\\\x00-\x20]*+>"
    r"|#[^\n\r]*+"
    r"|\\."  # an escaped character of a prefixed name (ex:a\(b)
)
_JSON_OPAQUE = r'"(?:[^"\\]++|\\.)*+"'
_XML_OPAQUE = r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>"
_XML_EMPTY = r"<[A-Za-z_:](?:[^>\"']|\"[^\"]*\"|'[^']*')*/>"
_XML_START = r"<[A-Za-z_:](?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
_XML_END = r"</[^>]*>"
_PATTERNS = {
    "turtle_opaque": (_TURTLE_OPAQUE, re.S),
    "turtle_tokens": (_TURTLE_OPAQUE + r"|(?P<open>[(\[]|<<)|(?P<close>[)\]]|>>)", re.S),
    "json_opaque": (_JSON_OPAQUE, re.S),
    "json_tokens": (_JSON_OPAQUE + r"|(?P<open>[{\[])|(?P<close>[}\]])", re.S),
    "xml_opaque": (_XML_OPAQUE, re.S),
    "xml_empty": (_XML_EMPTY, 0),
    "xml_start": (_XML_START, 0),
    "xml_end": (_XML_END, 0),
    "xml_tokens": (
        _XML_OPAQUE + f"|(?P<empty>{_XML_EMPTY})|(?P<open>{_XML_START})|(?P<close>{_XML_END})",
        re.S,
    ),
}


@functools.cache
def _pattern(name: str) -> re.Pattern[str]:
    """A pattern of :data:`_PATTERNS`, compiled when first needed (not by every command that imports this)."""
    text, flags = _PATTERNS[name]
    return re.compile(text, flags)


@functools.cache
def _bytes_pattern(name: str) -> re.Pattern[bytes]:
    """The same pattern for UTF-8 bytes."""
    text, flags = _PATTERNS[name]
    return re.compile(text.encode("ascii", "backslashreplace"), flags)


#: Above this size a too-deep file is reported without the position (finding it costs a Python loop).
_POSITION_SCAN_CHARS = 8 * 1024 * 1024

# Deletes every byte but the two brackets (UTF-8 multi-byte characters never contain them).
_ALL_BUT_BRACKETS = bytes(b for b in range(256) if b not in b"()")


def _brackets(text: str, fmt: ox.RdfFormat) -> str:
    """Only the nesting brackets of ``text``, as ``(`` and ``)``, in order.

    Done on the UTF-8 bytes with regex substitutions and ``bytes.translate``, all in C.
    """
    data = text.encode("utf-8")
    if fmt == ox.RdfFormat.JSON_LD:
        bare = _bytes_pattern("json_opaque").sub(b"", data).translate(_JSON_BYTES, b"()")
    elif fmt == ox.RdfFormat.RDF_XML:
        bare = _bytes_pattern("xml_empty").sub(b"", _bytes_pattern("xml_opaque").sub(b"", data))
        bare = bare.translate(None, b"()")
        bare = _bytes_pattern("xml_end").sub(b")", _bytes_pattern("xml_start").sub(b"(", bare))
    else:
        bare = _bytes_pattern("turtle_opaque").sub(b"", data).replace(b"<<", b"(").replace(b">>", b")")
        bare = bare.translate(_TURTLE_BYTES)
    return bare.translate(None, _ALL_BUT_BRACKETS).decode("ascii")


_JSON_BYTES = bytes.maketrans(b"{[}]", b"(())")
_TURTLE_BYTES = bytes.maketrans(b"[]", b"()")


def _too_deep(brackets: str, limit: int) -> bool:
    """Whether balanced or unclosed brackets nest deeper than ``limit``.

    Each pass deletes the innermost pairs, lowering the depth by exactly one;
    what remains after ``limit`` passes still holding a pair is deeper. At most
    ``limit`` linear passes, whatever the input.
    """
    for _ in range(limit):
        if "()" not in brackets:
            break
        brackets = brackets.replace("()", "")
    else:
        if "()" in brackets:
            return True
    return brackets.count("(") > limit  # unclosed brackets nest everything after them


def check_depth(text: str, fmt: ox.RdfFormat, limit: int) -> None:
    """Raise :class:`LimitExceeded` if ``text`` nests deeper than ``limit`` (before any parser runs)."""
    if len(text) <= limit:
        return
    brackets = _brackets(text, fmt)
    if len(brackets) <= limit or not _too_deep(brackets, limit):
        return
    unit = "elements" if fmt == ox.RdfFormat.RDF_XML else "brackets"
    message = f"{unit} nest deeper than the limit of {limit} (--max-depth)"
    raise LimitExceeded(message, _deepest(text, fmt, limit) if len(text) <= _POSITION_SCAN_CHARS else None)


def _deepest(text: str, fmt: ox.RdfFormat, limit: int) -> int | None:
    """The offset of the first bracket that goes past ``limit``."""
    name = {ox.RdfFormat.JSON_LD: "json_tokens", ox.RdfFormat.RDF_XML: "xml_tokens"}.get(fmt, "turtle_tokens")
    tokens = _pattern(name)
    depth = 0
    for match in tokens.finditer(text):
        if match.lastgroup == "open":
            depth += 1
            if depth > limit:
                return match.start()
        elif match.lastgroup == "close":
            depth = max(0, depth - 1)
    return None


# ---------------------------------------------------------------- triples and literals


def bounded_quads(quads: object, limit: int) -> list[ox.Quad]:
    """The quads of a streaming parse, stopping with :class:`LimitExceeded` past ``limit``."""
    found: list[ox.Quad] = []
    for quad in quads:  # type: ignore[attr-defined]
        found.append(quad)
        if len(found) > limit:
            raise LimitExceeded(f"more than {limit} triples, the limit (--max-triples)")
    return found


def long_string(text: str, fmt: ox.RdfFormat, limit: int) -> tuple[int, int] | None:
    """(offset, UTF-8 size) of the first quoted string above ``limit`` bytes (Turtle family, JSON-LD)."""
    if fmt == ox.RdfFormat.RDF_XML:
        return None
    opaque = _pattern("json_opaque" if fmt == ox.RdfFormat.JSON_LD else "turtle_opaque")
    for match in opaque.finditer(text):
        if match.end() - match.start() > limit and match.group(0)[0] in "\"'":
            size = len(match.group(0).strip("\"'").encode())
            if size > limit:
                return match.start(), size
    return None


def oversized_literal(quads: list[ox.Quad], limit: int) -> ox.Literal | None:
    """The first literal longer than ``limit`` bytes in UTF-8, if any."""
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal) and len(obj.value) * 4 > limit and len(obj.value.encode()) > limit:
            return obj
    return None
