"""SPARQL text in a canonical form that every parser reads the same way.

The safety check (rdflib) and the engine that runs a query (Oxigraph, or a remote
endpoint) are different parsers, and they disagree on the edges of the syntax:
rdflib ends a ``#`` comment only at ``\\n`` where Oxigraph also ends it at ``\\r``;
rdflib expands ``\\u`` escapes anywhere in the text (with up to 8 hex digits) where
Oxigraph expands them only inside strings. A text that means one thing to the check
and another to the engine could hide a ``SERVICE`` from the check.

So no parser ever sees the user's text. :func:`canonical` lexes it once, by the
SPARQL 1.1 grammar's terminals, and writes it again with nothing the parsers could
read differently: comments are dropped, line breaks become ``\\n``, every string is
written as ``"..."`` with the escapes ``\\\\ \\" \\n \\r \\t \\b \\f`` only, and a
text is refused when it holds what cannot be written that way (control characters,
U+0085, U+2028, U+2029, a backslash outside a string, a ``\\u`` in the result).
The check parses the canonical text, and that same text is what runs.

:func:`canonical` also bounds the nesting of ``( [ { <<`` before any parser
recurses into it, and lists the words (``SERVICE``, ``FROM``, ``LOAD``, ...) that
the check must account for.
"""

from __future__ import annotations

import functools
import re
import string
from collections import Counter
from dataclasses import dataclass

#: Default limit on the nesting of ( [ { and << in a query (``--max-nesting``).
DEFAULT_MAX_NESTING = 64
#: The highest nesting the parsers are known to handle (the flag cannot go above it).
NESTING_CEILING = 256
#: Default limit on the size of a query's text, in characters (``--max-query-size``).
DEFAULT_MAX_QUERY_SIZE = 1_000_000

# The name characters beyond ASCII. A class holding them takes milliseconds to compile (the
# engine maps every character of the Basic Multilingual Plane), a dozen of them most of what a
# whole ``ftzkg query`` may spend: texts read with :func:`_terminals` (``wide=False``) where no
# name can hold one, the full terminals compiled only for a text that needs them.
_BASE_WIDE = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_WIDE = "\u00b7\u0300-\u036f\u203f-\u2040"
_PERCENT = "%[0-9A-Fa-f]{2}"
_EXPONENT = "[eE][+-]?[0-9]+"


@functools.cache
def _terminals(wide: bool) -> re.Pattern[str]:
    """The terminals of SPARQL 1.1 (and 1.2's ``<<``, ``{|``); with ``wide`` false, names of ASCII only.

    Both read the same tokens wherever the ASCII ones are used (see :func:`canonical`): the
    name classes are the only difference, a terminal using them starts with ``? $ _ :`` or a
    letter, and none crosses whitespace; so at a position where the text up to the next
    whitespace is ASCII, or that holds no such start, both match the same.
    """
    base = "A-Za-z" + (_BASE_WIDE if wide else "")  # PN_CHARS_BASE
    under = base + "_"  # PN_CHARS_U
    chars = under + "\\-0-9" + (_CHARS_WIDE if wide else "")  # PN_CHARS
    prefix = f"[{base}](?:[{chars}.]*[{chars}])?"
    local = f"(?:[{under}:0-9]|{_PERCENT})(?:(?:[{chars}.:]|{_PERCENT})*(?:[{chars}:]|{_PERCENT}))?"
    return re.compile(
        "|".join(
            [
                r"(?P<ws>[ \t\r\n]+)",
                r"(?P<comment>#[^\r\n]*)",
                r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)",
                r"(?P<string>\"\"\"|'''|\"|')",
                f"(?P<var>[?$][{under}0-9][{under}0-9{_CHARS_WIDE if wide else ''}]*)",
                f"(?P<bnode>_:[{under}0-9](?:[{chars}.]*[{chars}])?)",
                f"(?P<pname>(?:{prefix})?:(?:{local})?)",
                r"(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)",
                f"(?P<number>[0-9]+\\.[0-9]*(?:{_EXPONENT})?|\\.[0-9]+(?:{_EXPONENT})?|[0-9]+(?:{_EXPONENT})?)",
                r"(?P<word>[A-Za-z_][A-Za-z0-9_]*)",
                r"(?P<punct>\^\^|<<|>>|\|\||&&|!=|<=|>=|\{\||\|\}|[{}()\[\].,;*+\-/!=<>^|?~])",
            ]
        )
    )


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
#: ASCII characters no terminal with a name class starts with (those start with ? $ _ : or a letter).
_NO_NAME_HERE = frozenset(map(chr, range(128))) - frozenset(string.ascii_letters + "?$_:")
_WHITESPACE = re.compile(r"[ \t\r\n]")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf\"'\\]))|\\")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_WRITE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
#: Characters refused anywhere, even as an escape: they end lines or comments for some parsers.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_OPEN = {"(", "[", "{", "<<", "{|"}
_CLOSE = {")", "]", "}", ">>", "|}"}

#: Words that let a text reach the network or the disk, or change the store (upper case).
REACHING_WORDS = frozenset(
    {"SERVICE", "LOAD", "FROM", "USING", "WITH", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE"}
    | {"ADD", "MOVE", "COPY"}
)
QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


class TextError(ValueError):
    """A text that cannot be written canonically, at a 1-based line and column of the input."""

    def __init__(self, message: str, line: int, column: int):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: {message}")


class NestingError(ValueError):
    """A text nested deeper than the limit."""

    def __init__(self, depth: int, limit: int, line: int, column: int):
        self.depth = depth
        self.limit = limit
        self.line = line
        self.column = column
        super().__init__(f"line {line}, column {column}: nested deeper than {limit} levels")


@dataclass(frozen=True)
class Token:
    kind: str  # ws, iri, string, var, bnode, pname, langtag, number, word, punct
    text: str  # as written in the canonical text
    depth: int  # nesting depth before this token


@dataclass(frozen=True)
class CanonicalText:
    """A text as every parser will read it, its tokens, and the reaching words it holds."""

    text: str
    tokens: tuple[Token, ...]
    max_depth: int

    @property
    def words(self) -> Counter[str]:
        """How often each reaching word occurs as a keyword (never inside strings, IRIs or names)."""
        return Counter(
            t.text.upper() for t in self.tokens if t.kind == "word" and t.text.upper() in REACHING_WORDS
        )

    def form(self) -> str | None:
        """SELECT, CONSTRUCT, ASK or DESCRIBE when the text is a query of that form at the top level."""
        for t in self.tokens:
            if t.kind == "word" and t.depth == 0 and t.text.upper() in QUERY_FORMS:
                return t.text.upper()
        return None


def _line_col(text: str, pos: int) -> tuple[int, int]:
    before = text[:pos].replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _write_string(value: str) -> str:
    return '"' + "".join(_WRITE.get(c, c) for c in value) + '"'


def _read_string(text: str, start: int, quote: str) -> tuple[str, int]:
    """The decoded value of the string opening at ``start`` and the offset after it."""
    i = j = start + len(quote)
    while not text.startswith(quote, j):
        if j >= len(text):
            raise TextError("the string is not closed", *_line_col(text, start))
        if len(quote) == 1 and text[j] in "\r\n":
            raise TextError("a line break in a short string (use \\n or a long string)", *_line_col(text, j))
        j += 2 if text[j] == "\\" else 1
    body, end = text[i:j], j + len(quote)

    def unescape(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            code = int(m.group(1) or m.group(2), 16)
            if code > 0x10FFFF:
                raise TextError(f"\\U{m.group(2)} is not a character", *_line_col(text, i + m.start()))
            return chr(code)
        if m.group(3):
            return _ECHAR[m.group(3)]
        raise TextError("a backslash that starts no escape in a string", *_line_col(text, i + m.start()))

    value = _ESCAPE.sub(unescape, body)
    bad = _FORBIDDEN.search(value)
    if bad:
        raise TextError(f"the character U+{ord(bad.group()):04X} in a string", *_line_col(text, start))
    return value, end


def canonical(text: str, max_nesting: int = DEFAULT_MAX_NESTING) -> CanonicalText:
    """``text`` written again so that every SPARQL parser reads the same tokens; see the module.

    Raises :class:`TextError` (with the line and column in ``text``) or :class:`NestingError`.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    bad = _FORBIDDEN.search(text)
    if bad:
        raise TextError(
            f"the control or line-separator character U+{ord(bad.group()):04X}", *_line_col(text, bad.start())
        )
    out: list[str] = []
    tokens: list[Token] = []
    depth = max_depth = 0
    pos, n = 0, len(text)
    narrow = terminals = _terminals(wide=False)
    wide_at = space_at = -1 if not text.isascii() else n  # next non-ASCII character, next whitespace
    while pos < n:
        if terminals is narrow and wide_at < n and text[pos] not in _NO_NAME_HERE:
            if wide_at < pos:
                found = _NOT_ASCII.search(text, pos)
                wide_at = found.start() if found else n
            if space_at < pos:
                found = _WHITESPACE.search(text, pos)
                space_at = found.start() if found else n
            if wide_at < space_at:  # a name from here on may hold it: the full terminals from now on
                terminals = _terminals(wide=True)
        m = terminals.match(text, pos)
        if m is None:
            raise TextError(f"unexpected character {text[pos]!r}", *_line_col(text, pos))
        kind = m.lastgroup
        assert kind is not None
        if kind == "comment":
            pos = m.end()
            continue
        if kind == "ws":
            written = m.group().replace("\r\n", "\n").replace("\r", "\n")
            end = m.end()
        elif kind == "string":
            value, end = _read_string(text, pos, m.group())
            written = _write_string(value)
            if out and out[-1].endswith('"'):
                written = " " + written  # "" followed by "x" would open a long string
        else:
            written, end = m.group(), m.end()
            if kind == "punct" and written in _CLOSE:
                depth = max(depth - 1, 0)
        tokens.append(Token(kind, written, depth))
        if kind == "punct" and written in _OPEN:
            depth += 1
            if depth > max_nesting:
                raise NestingError(depth, max_nesting, *_line_col(text, pos))
            max_depth = max(max_depth, depth)
        out.append(written)
        pos = end
    result = "".join(out)
    if re.search(r"\\[uU]", result):
        # rdflib expands \u anywhere before parsing; Oxigraph only in strings: never send one
        where = text.find("\\u") if "\\u" in text else text.find("\\U")
        raise TextError(
            "a string holding a backslash followed by u or U (the parsers read it differently)",
            *_line_col(text, max(where, 0)),
        )
    return CanonicalText(result, tuple(tokens), max_depth)
