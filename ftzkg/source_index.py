"""Where each subject is written down: IRI to file and line, read once per file version.

Validation reports name the file and line of every focus node. Reading every
data file again for each report would cost more than the validation itself on a
large graph, so the lines are gathered when a file is loaded (the persistent
store keeps them beside the quads, see :mod:`ftzkg.project_store`) and looked
up by IRI afterwards.

A line counts when its first term is the IRI (written ``<...>`` or as a prefixed
name), as a Turtle, TriG, N-Triples or N-Quads subject (or graph name) is, or
when it holds a JSON-LD ``"@id"`` of it.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_KEYWORDS = {"@prefix", "@base", "prefix", "base", "graph"}
_JSONLD_ID = re.compile(r'"@id"\s*:\s*"([^"]+)"')


def prefixes(text: str) -> dict[str, str]:
    """The prefixes a Turtle, TriG or JSON-LD text declares."""
    # A case-insensitive scan of a large file costs seconds; most big files declare no prefix.
    declares = "refix" in text or "REFIX" in text
    found = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text)} if declares else {}
    if _json(text):
        with contextlib.suppress(ValueError, RecursionError):
            found.update(_jsonld_prefixes(json.loads(text)))
    return found


def _json(text: str) -> bool:
    """Whether a text is JSON (JSON-LD): its first character that is not white space opens an object
    or array. Looks at the start only (stripping a large text would copy it)."""
    at = 0
    while at < len(text):
        head = text[at : at + 4096].lstrip()
        if head:
            return head.startswith(("{", "["))
        at += 4096
    return False


def _jsonld_prefixes(document: object) -> dict[str, str]:
    found: dict[str, str] = {}
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            context = item.get("@context")
            for ctx in context if isinstance(context, list) else [context]:
                if isinstance(ctx, dict):
                    found.update(
                        {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}
                    )
            stack.extend(v for k, v in item.items() if k != "@context")
    return found


def _expand(token: str, known: dict[str, str]) -> str | None:
    if token.startswith("<"):
        end = token.find(">")
        return token[1:end] if end > 1 else None
    prefix, sep, local = token.partition(":")
    if not sep or prefix not in known or local.startswith("//"):
        return None
    return known[prefix] + local


def subject_lines(text: str) -> Iterator[tuple[str, int]]:
    """(IRI, line number) for every line that starts with an IRI or gives a JSON-LD ``@id``."""
    known = prefixes(text)
    jsonld = _json(text)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if not stripped or stripped[0] in '#"[(_@.;,]})':
            if jsonld and stripped.startswith('"@id"'):
                match = _JSONLD_ID.search(stripped)
                if match:
                    iri = _expand(match.group(1), known)
                    yield (iri if iri is not None else match.group(1)), number
            continue
        token = stripped.split(None, 1)[0].rstrip("{;,")
        if token.lower() in _KEYWORDS:
            continue
        if token.endswith(".") and not token.startswith("<"):
            token = token[:-1]
        iri = _expand(token, known)
        if iri:
            yield iri, number


#: A run of lines that start with the same term: one match per run, so a file written subject
#: by subject (N-Triples, N-Quads, the synthetic TriG) costs one match per subject, not per line.
_RUN = re.compile(
    r"^[ \t]*(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,{]*|:[^\s;,{]*)[^\n]*(?:\n[ \t]*\1[ \t][^\n]*)*",
    re.MULTILINE,
)


def index_text(text: str) -> dict[str, int]:
    """The first line each IRI starts (as a subject or graph name) in a Turtle, TriG, N-Triples or
    N-Quads text; for JSON-LD, the line of each ``"@id"``."""
    if _json(text):
        first: dict[str, int] = {}
        for iri, line in subject_lines(text):
            first.setdefault(iri, line)
        return first
    known = prefixes(text)
    found: dict[str, int] = {}
    line, at = 1, 0
    for match in _RUN.finditer(text):
        token = match.group(1)
        if token in found or token.lower() in _KEYWORDS:
            continue
        line += text.count("\n", at, match.start())
        at = match.start()
        found[token] = line
    first = {}
    for token, number in found.items():
        expanded = _expand(token.rstrip("."), known)
        if expanded and expanded not in first:
            first[expanded] = number
    return first


def index_file(path: Path) -> dict[str, int]:
    """The first line each IRI starts in ``path`` (empty when the file cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    return index_text(text)


class MemoryIndex:
    """A source index of some files, built in memory (for one-off use and tests)."""

    def __init__(self, files: Iterable[tuple[str, Path]]):
        #: (display name, {iri: line}) in file order
        self.files = [(name, index_file(path)) for name, path in files]

    def locate(self, iri: str) -> tuple[str | None, int | None]:
        """(file, line) where ``iri`` is first written as a subject, in file order."""
        for name, lines in self.files:
            if iri in lines:
                return name, lines[iri]
        return None, None
