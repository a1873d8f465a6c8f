"""The query catalogue: one SPARQL competency question per ``queries/*.rq`` file.

Each file starts with a comment header::

    # title: Firms that reach a region
    # question: Which firms sell to a given region ...?
    #   (an indented comment line continues the field above)
    # parameters:
    #   region (iri, default region:143): the UN M49 region
    # returns:
    #   firm: the enterprise
    # notes: free text

``parameters`` is either ``none`` or one ``name (type, default value): description``
line per parameter; ``returns`` has one ``column: meaning`` line per result column.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import project

#: The header fields every catalogue query must have.
REQUIRED_FIELDS = ("title", "question", "parameters", "returns")
#: Parameter types and the RDF term each becomes (see :mod:`ftzkg.querying`).
PARAMETER_TYPES = ("iri", "string", "year", "integer", "decimal", "boolean", "date")

_FIELD = re.compile(r"^#\s?([a-z_]+):\s*(.*)$")
_CONTINUATION = re.compile(r"^#(?:\s{2,}|\t)(.*)$")
_PARAMETER = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*\((?P<type>[a-z]+),\s*default\s+(?P<default>[^)]*)\)\s*:?\s*(?P<description>.*)$"
)
_RETURN = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?P<description>.*)$")


class CatalogueError(Exception):
    """A query file whose header cannot be read, or a name that is not in the catalogue."""


class UnknownQueryError(CatalogueError):
    """A query name that is not in the catalogue, with the closest names."""

    def __init__(self, name: str, suggestions: list[str], known: list[str]):
        self.name = name
        self.suggestions = suggestions
        self.known = known
        hint = f"did you mean {' or '.join(suggestions)}?" if suggestions else f"known: {', '.join(known)}"
        super().__init__(f"no query named {name!r} in the catalogue; {hint}")


@dataclass(frozen=True)
class Parameter:
    """A query parameter: the variable it binds, its type and its default (as written)."""

    name: str
    type: str
    default: str
    description: str = ""


@dataclass(frozen=True)
class QueryFile:
    """A SPARQL query with its header."""

    name: str
    text: str
    path: Path | None = None
    title: str = ""
    question: str = ""
    parameters: tuple[Parameter, ...] = ()
    returns: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    #: True for a file of the project's own catalogue folder (``queries/``), read by
    #: :func:`catalogue` or :func:`find_query`. Its safety inspection is a test
    #: (tests/test_queries_catalogue.py), so :mod:`ftzkg.querying` need not parse it again
    #: on every run; a query given as a file, on standard input or as text is never one.
    from_catalogue: bool = False

    def missing_fields(self) -> list[str]:
        """The required header fields this query lacks."""
        return [f for f in REQUIRED_FIELDS if not self.fields.get(f, "").strip()]


def _header_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.rstrip())
    return lines


def parse_header(text: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The header fields of a query (joined text) and each field's continuation lines."""
    fields: dict[str, str] = {}
    items: dict[str, list[str]] = {}
    current: str | None = None
    for line in _header_lines(text):
        cont = _CONTINUATION.match(line)
        match = _FIELD.match(line)
        if match and not cont:
            current = match.group(1)
            fields[current] = match.group(2).strip()
            items[current] = [match.group(2).strip()] if match.group(2).strip() else []
        elif cont and current is not None:
            body = cont.group(1).strip()
            fields[current] = (fields[current] + " " + body).strip()
            items[current].append(body)
    return fields, items


def _items(lines: list[str], pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """One match per item; lines that do not start an item continue the one before."""
    starts: list[str] = []
    for line in lines:
        if pattern.match(line) or not starts:
            starts.append(line)
        else:
            starts[-1] += " " + line
    return [m for m in (pattern.match(s) for s in starts) if m]


def parse_query_text(text: str, name: str, path: Path | None = None) -> QueryFile:
    """A :class:`QueryFile` from query text; raises :class:`CatalogueError` for a bad parameter line."""
    fields, items = parse_header(text)
    where = str(path) if path else name
    parameters: list[Parameter] = []
    if fields.get("parameters", "").strip().lower() not in ("", "none"):
        for m in _items(items["parameters"], _PARAMETER):
            if m.group("type") not in PARAMETER_TYPES:
                raise CatalogueError(
                    f"{where}: parameter {m.group('name')!r} has unknown type {m.group('type')!r}; "
                    f"expected one of {', '.join(PARAMETER_TYPES)}"
                )
            parameters.append(
                Parameter(
                    m.group("name"), m.group("type"), m.group("default").strip(), m.group("description")
                )
            )
        if not parameters:
            raise CatalogueError(
                f"{where}: cannot read the parameters; write 'none' or "
                "'name (type, default value): description' lines"
            )
    returns = {m.group("name"): m.group("description") for m in _items(items.get("returns", []), _RETURN)}
    return QueryFile(
        name=name,
        text=text,
        path=path,
        title=fields.get("title", ""),
        question=fields.get("question", ""),
        parameters=tuple(parameters),
        returns=returns,
        notes=fields.get("notes", ""),
        fields=fields,
    )


def read_query_file(path: Path) -> QueryFile:
    """Read one ``.rq`` file (UTF-8); its name is the file name without ``.rq``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read: {exc}") from None
    return parse_query_text(text, path.stem, path)


def _catalogue_file(path: Path, trusted: Path | None) -> QueryFile:
    """A query of a catalogue folder; marked :attr:`QueryFile.from_catalogue` only when it is in
    ``trusted``, the project's own catalogue (the default project's when None)."""
    entry = read_query_file(path)
    trusted = project.Project.default().queries_dir if trusted is None else trusted
    if path.resolve().parent == trusted.resolve():
        entry = dataclasses.replace(entry, from_catalogue=True)
    return entry


def catalogue(folder: Path | None = None, trusted: Path | None = None) -> list[QueryFile]:
    """Every query of the catalogue folder (the default project's ``queries/`` when None), sorted by
    name; those of ``trusted`` (the project's own catalogue) are marked as such."""
    folder = project.Project.default().queries_dir if folder is None else folder
    return [_catalogue_file(p, trusted) for p in sorted(folder.glob("*.rq"))]


def find_query(name: str, folder: Path | None = None, trusted: Path | None = None) -> QueryFile:
    """The catalogue query called ``name`` (with or without ``.rq``), or :class:`UnknownQueryError`."""
    folder = project.Project.default().queries_dir if folder is None else folder
    name = name.removesuffix(".rq")
    path = folder / f"{name}.rq"
    if "/" not in name and path.is_file():
        return _catalogue_file(path, trusted)
    known = sorted(p.stem for p in folder.glob("*.rq"))
    import difflib  # only for the suggestions of an unknown name

    raise UnknownQueryError(name, difflib.get_close_matches(name, known, n=3, cutoff=0.5), known)
