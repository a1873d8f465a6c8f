"""Text from outside made safe to print on a terminal.

Literals, IRIs and file names come from strangers; printed raw, a control
character or an escape sequence in them could rewrite the terminal (move the
cursor, hide lines, set the window title) or reorder what is shown (bidi
overrides). :func:`printable` shows each such character as a visible escape.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls (0x9b is a one-byte escape sequence introducer), bidi
# embeddings, overrides and isolates, zero-width marks, line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: object, keep_lines: bool = False) -> str:
    """``text`` with every control, escape and bidi character shown as ``\\x1b``, ``\\x9b``, ``\\u202e``...

    With ``keep_lines``, line feeds and tabs (the layout of a multi-line report) are kept.
    """
    return (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub(_escape, str(text))


# What JSON (ensure_ascii=False) and rdflib's Turtle leave raw: DEL, C1, bidi and zero-width marks
# (JSON escapes C0 itself; Turtle's structure needs only line feeds and tabs).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def json_safe(text: str) -> str:
    """JSON text with the characters a terminal would act on written as ``\\uXXXX`` escapes (same JSON)."""
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def turtle_safe(text: str) -> str:
    """Turtle text (from rdflib) with control and bidi characters written as ``\\uXXXX`` (same graph).

    Valid because such characters can only stand inside strings or IRIs, where Turtle reads the escape.
    """
    return _UNSAFE_KEEP_LINES.sub(lambda m: f"\\u{ord(m.group(0)):04X}", text)
