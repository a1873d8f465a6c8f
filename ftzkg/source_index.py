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
    found = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text)}
    if text.lstrip().startswith(("{", "[")):
        with contextlib.suppress(ValueError, RecursionError):
            found.update(_jsonld_prefixes(json.loads(text)))
    return found


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
    jsonld = text.lstrip().startswith(("{", "["))
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


def index_file(path: Path) -> dict[str, int]:
    """The first line each IRI starts in ``path`` (empty when the file cannot be read)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    first: dict[str, int] = {}
    for iri, line in subject_lines(text):
        first.setdefault(iri, line)
    return first


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
