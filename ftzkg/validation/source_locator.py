"""Where a node is written down in a file: the line a subject starts, else its first
mention (contribution files, read when checked; the project's data come from the
store's index, :mod:`ftzkg.source_index`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from .. import project
from ..source_index import prefixes as _prefixes


class Locations(Protocol):
    """Where IRIs are written: :class:`ftzkg.source_index.MemoryIndex` or the persistent store's."""

    def locate(self, iri: str) -> tuple[str | None, int | None]: ...


_NAME_CHAR = re.compile(r"[\w.:%-]")


class SourceLocator:
    """Finds the file and line where an IRI is first written as a subject (else first mentioned)."""

    def __init__(self, paths: Iterable[Path], display: dict[Path, str] | None = None):
        self.files: list[tuple[str, list[str], dict[str, str]]] = []
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            name = (display or {}).get(path) or display_path(path)
            self.files.append((name, text.splitlines(), _prefixes(text)))
        self._mentions: list[dict[str, list[int]] | None] = [None] * len(self.files)
        #: Blank node label -> literals it holds: a blank node has no name to find in the text,
        #: so it is placed at the first line that writes one of its literals.
        self.blank_node_literals: dict[str, list[str]] = {}

    def spellings(self, iri: str, prefixes: dict[str, str]) -> list[str]:
        forms = [f"<{iri}>", f'"{iri}"']
        for prefix, namespace in prefixes.items():
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                forms.append(f"{prefix}:{iri[len(namespace) :]}")
        return forms

    def locate(self, iri: str, only: str | None = None) -> tuple[str | None, int | None]:
        """(file, line) where ``iri`` is defined, preferring a line that starts with it."""
        if iri.startswith("_:"):
            return self._locate_blank_node(iri, only)
        fallback: tuple[str | None, int | None] = (None, None)
        for position, (name, lines, prefixes) in enumerate(self.files):
            if only is not None and name != only:
                continue
            forms = self.spellings(iri, prefixes)
            for number in self._lines_with(position, forms):
                line = lines[number - 1]
                stripped = line.lstrip()
                if stripped.startswith("#"):
                    continue
                for form in forms:
                    at = line.find(form)
                    if at < 0 or not _bounded(line, at, form):
                        continue
                    if stripped.startswith(form) or re.search(
                        r'"@id"\s*:\s*' + re.escape(form.strip('"')), line
                    ):
                        return name, number
                    if fallback == (None, None):
                        fallback = (name, number)
        return fallback

    def _locate_blank_node(self, label: str, only: str | None) -> tuple[str | None, int | None]:
        """(file, line) of the first line quoting one of the blank node's literals, longest first."""
        for literal in sorted(self.blank_node_literals.get(label, ()), key=len, reverse=True):
            quoted = f'"{literal}"'
            for position, (name, lines, _) in enumerate(self.files):
                if only is not None and name != only:
                    continue
                for number in self._lines_with(position, [quoted]):
                    line = lines[number - 1]
                    if quoted in line and not line.lstrip().startswith("#"):
                        return name, number
        return None, None

    def _lines_with(self, position: int, forms: Iterable[str]) -> list[int]:
        """The numbers of the lines of a file that may hold one of ``forms``, in order.

        Every line holding a form where it is bounded is among them (a superset): the file is
        read into an index of its tokens once, so that placing thousands of findings does not
        read every line again for each (quadratic in a large contribution)."""
        mentions = self._mentions[position]
        if mentions is None:
            mentions = self._mentions[position] = _token_index(self.files[position][1])
        found: set[int] = set()
        for form in forms:
            if form[:1] in ('"', "<"):  # found by the first run of its text (quotes and brackets end runs)
                run = _RUN.search(form, 1, len(form) - 1)
                if run is None:
                    return list(range(1, len(self.files[position][1]) + 1))
                form = run.group(0)
            found.update(mentions.get(form, ()))
        return sorted(found)

    def first_mention(self, iri: str, only: str | None = None) -> tuple[str | None, int | None]:
        """(file, line) of the first line that mentions ``iri`` at all."""
        for position, (name, lines, prefixes) in enumerate(self.files):
            if only is not None and name != only:
                continue
            forms = self.spellings(iri, prefixes)
            for number in self._lines_with(position, forms):
                line = lines[number - 1]
                if line.lstrip().startswith("#"):
                    continue
                if any((at := line.find(form)) >= 0 and _bounded(line, at, form) for form in forms):
                    return name, number
        return None, None


#: A bounded prefixed name is a whole run of name characters (less the dots ending a statement).
_NAME_RUN = re.compile(r"[\w.:%-]+")
#: The text of an IRI in brackets or of a quoted string starts a run of these (quotes, brackets
#: and spaces end a run).
_RUN = re.compile(r'[^\s"<>]+')


def _token_index(lines: list[str]) -> dict[str, list[int]]:
    """Run -> numbers of the lines holding it."""
    index: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        tokens = {m.group(0) for m in _NAME_RUN.finditer(line)}
        tokens.update(token.rstrip(".") for token in list(tokens))
        tokens.update(m.group(0) for m in _RUN.finditer(line))
        for token in tokens:
            index.setdefault(token, []).append(number)
    return index


def _bounded(line: str, at: int, form: str) -> bool:
    end = at + len(form)
    before_ok = at == 0 or not _NAME_CHAR.match(line[at - 1]) or form[0] in '<"'
    after_ok = end >= len(line) or not _NAME_CHAR.match(line[end]) or form[-1] in '>"'
    if end < len(line) and line[end] == "." and (end + 1 >= len(line) or line[end + 1].isspace()):
        after_ok = True
    return before_ok and after_ok


def display_path(path: Path, project_: project.Project | None = None) -> str:
    """A path relative to the project folder (default project if None) when inside it, else as given."""
    return (project_ or project.Project.default()).display(path)
