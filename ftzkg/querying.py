"""Run SPARQL queries safely: parameters bound as typed terms, nothing reaching out.

The steps, for any query (catalogue, file, standard input or text):

1. :func:`prepare` adds the project prefixes (:func:`ftzkg.namespaces.sparql_prologue`),
   turns each ``--param`` into an RDF term of the type the query's header declares,
   and binds it with a ``VALUES`` block placed at the start of the WHERE group (found
   by a tokenizer that skips comments, strings and IRIs). Values are written by
   Oxigraph's N-Triples serializer from validated terms, so a value can never end
   the block or add SPARQL of its own.
2. :func:`inspect_query` writes the text canonically (:func:`ftzkg.sparql_text.canonical`:
   no comments, one kind of line break, strings with plain escapes only, nesting bounded),
   parses that canonical text with rdflib and walks the parse tree: ``SERVICE``, ``LOAD``,
   ``FROM``/``FROM NAMED``/``USING`` with an IRI that is not a named graph of the store, and
   updates are refused unless explicitly allowed, and so is any of those words that the lexer
   sees but the parse does not account for. The canonical text is what runs: what runs is
   what was checked. Parsing costs tens of milliseconds, so its result is cached per text. A
   query of the project's own catalogue (:attr:`ftzkg.catalogue.QueryFile.from_catalogue`,
   run with its own text) is inspected by the test suite instead, and at run time only
   screened by :func:`catalogue_screen`, which falls back to the full inspection on any word
   that could reach out or change the store. Queries from a file, standard input,
   ``--sparql`` or for ``--endpoint`` are always inspected in full.
3. A backend runs it: :class:`EmbeddedBackend` here (the pyoxigraph store, default graph
   = union of all named graphs), or :class:`ftzkg.endpoint.EndpointBackend` for a remote
   SPARQL 1.1 endpoint.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from .catalogue import Parameter, QueryFile
from .namespaces import PREFIXES, sparql_prologue
from .sparql_text import (
    DEFAULT_MAX_NESTING,
    DEFAULT_MAX_QUERY_SIZE,
    NESTING_CEILING,
    QUERY_FORMS,
    REACHING_WORDS,
    CanonicalText,
    NestingError,
    TextError,
    canonical,
)

XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"

#: The query forms; updates are "UPDATE".
FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


# ---------------------------------------------------------------- errors


class QueryError(Exception):
    """A query that cannot be run as given (exit code 2)."""


class QuerySyntaxError(QueryError):
    """A query that does not parse, with the line and column in the text the user gave."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, where: str = ""):
        self.message = message
        self.line = line
        self.column = column
        self.where = where
        position = f"line {line}, column {column}" if line is not None else "position unknown"
        super().__init__(f"{where + ': ' if where else ''}syntax error at {position}: {message}")


class ParameterError(QueryError):
    """An unknown parameter or a value that is not of the parameter's type."""


class QueryRefused(QueryError):
    """A query that would reach the network, the disk, or change the store; ``opt_in`` names the flag."""

    def __init__(self, message: str, opt_in: str):
        self.opt_in = opt_in
        super().__init__(message)


class QueryLimitError(QueryError):
    """A query over a limit checked before any parsing (size, nesting); the message names the flag."""


class BackendError(Exception):
    """The store or the endpoint failed (exit code 3)."""


# ---------------------------------------------------------------- results


@dataclass
class QueryResult:
    """What a query returned: solutions (SELECT), a boolean (ASK), triples (CONSTRUCT, DESCRIBE)."""

    form: str
    solutions: ox.QuerySolutions | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)


class Backend(Protocol):
    """Something that runs prepared queries: the embedded store or a remote endpoint."""

    def run(self, prepared: PreparedQuery) -> QueryResult: ...

    def graph_names(self) -> set[str]: ...

    def labels(self, iris: Iterable[str]) -> dict[str, str]: ...


# ---------------------------------------------------------------- parameters


def _expand_iri(raw: str, prefixes: Mapping[str, str]) -> str:
    raw = raw.strip()
    if raw.startswith("<") and raw.endswith(">"):
        return raw[1:-1]
    prefix, sep, local = raw.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return raw


def parameter_term(parameter: Parameter, raw: str, prefixes: Mapping[str, str] = PREFIXES) -> ox.Term:
    """The RDF term for a parameter value given as text, checked against the parameter's type."""

    def bad(expected: str) -> ParameterError:
        return ParameterError(
            f"parameter {parameter.name!r} ({parameter.type}) expects {expected}, got {raw!r}"
        )

    kind = parameter.type
    if kind == "iri":
        try:
            return ox.NamedNode(_expand_iri(raw, prefixes))
        except ValueError as exc:
            raise bad(f"an absolute IRI or a prefixed name such as region:143 ({exc})") from None
    if kind == "string":
        return ox.Literal(raw)
    if kind == "year":
        if not re.fullmatch(r"-?[0-9]{4,}", raw.strip()):
            raise bad("a year such as 2025")
        return ox.Literal(raw.strip(), datatype=ox.NamedNode(XSD + "gYear"))
    if kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
            raise bad("an integer")
        return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            raise bad("a decimal number") from None
        if not value.is_finite():
            raise bad("a finite decimal number")
        return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "boolean":
        if raw.strip().lower() not in ("true", "false"):
            raise bad("true or false")
        return ox.Literal(raw.strip().lower(), datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "date":
        try:
            return ox.Literal(
                date.fromisoformat(raw.strip()).isoformat(), datatype=ox.NamedNode(XSD + "date")
            )
        except ValueError:
            raise bad("a date such as 2025-01-31") from None
    raise ParameterError(f"parameter {parameter.name!r} has unknown type {kind!r}")


def bind_parameters(
    declared: Iterable[Parameter], given: Mapping[str, str], prefixes: Mapping[str, str] = PREFIXES
) -> dict[str, ox.Term]:
    """Every declared parameter bound to its given value, or to its default."""
    declared = list(declared)
    names = [p.name for p in declared]
    unknown = [k for k in given if k not in names]
    if unknown:
        accepted = ", ".join(names) if names else "none (this query takes no parameters)"
        raise ParameterError(f"unknown parameter {unknown[0]!r}; accepted parameters: {accepted}")
    return {p.name: parameter_term(p, given.get(p.name, p.default), prefixes) for p in declared}


# ---------------------------------------------------------------- locating the WHERE group


@functools.lru_cache(maxsize=256)
def where_group_start(text: str) -> int:
    """The offset just after the opening brace of the query's WHERE group (in a canonical text)."""
    form: str | None = None
    template_next = False
    pos = 0
    for token in canonical(text, NESTING_CEILING).tokens:
        pos += len(token.text)
        if token.kind == "ws":
            continue
        upper = token.text.upper()
        if form is None and token.depth == 0 and token.kind == "word" and upper in QUERY_FORMS:
            form = upper
            template_next = form == "CONSTRUCT"
        elif template_next:
            template_next = False
            if token.text != "{":
                raise ParameterError("parameters cannot be bound in the short form CONSTRUCT WHERE { ... }")
        elif token.text == "{" and token.kind == "punct" and token.depth == 0 and form is not None:
            return pos
    raise ParameterError("cannot find the WHERE group to bind the parameters in")


def values_block(bindings: Mapping[str, ox.Term]) -> str:
    """``VALUES (?a ?b) { (term term) }`` from terms, each written by Oxigraph's serializer."""
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    return f" VALUES ({names}) {{ ({terms}) }} "


# ---------------------------------------------------------------- preparing and checking


@dataclass(frozen=True)
class PreparedQuery:
    """The text to run (canonical, see :mod:`ftzkg.sparql_text`), its form, and what the check found."""

    text: str
    form: str
    services: tuple[str, ...] = ()
    dataset_iris: tuple[str, ...] = ()
    loads: tuple[str, ...] = ()
    parameters: Mapping[str, ox.Term] = field(default_factory=dict)
    #: reaching words the lexer saw that the parse did not account for (refused unless allowed)
    unaccounted: tuple[str, ...] = ()


if TYPE_CHECKING:  # rdflib's SPARQL parser is imported only when a query is inspected (0.3 s+)
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parserutils import CompValue


def _walk(node: object) -> Iterable[CompValue]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node
        for value in dict.values(node):
            yield from _walk(value)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:  # type: ignore[attr-defined]
            yield from _walk(value)


def _position(text: str, exc: ParseException, offset_lines: int) -> tuple[int, int]:
    return max(exc.lineno - offset_lines, 1), exc.col


def _oxigraph_position(text: str) -> tuple[str, int, int] | None:
    """Oxigraph's more precise syntax message, asked only for texts that cannot reach the network."""
    if "service" in text.lower():
        return None  # never evaluate a text that might hold SERVICE, even on an empty store
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        m = re.match(r"error at (\d+):(\d+): (.*)", str(exc), re.S)
        if m:
            return m.group(3), int(m.group(1)), int(m.group(2))
    except Exception:
        return None
    return None


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


def canonical_text(
    text: str, offset_lines: int = 0, where: str = "", max_nesting: int = DEFAULT_MAX_NESTING
) -> CanonicalText:
    """:func:`ftzkg.sparql_text.canonical`, its errors as :class:`QueryError` with the user's lines."""
    try:
        return canonical(text, max_nesting)
    except NestingError as exc:
        raise QueryLimitError(
            f"{_prefix(where)}line {max(exc.line - offset_lines, 1)}, column {exc.column}: "
            f"the query nests ( [ {{ deeper than {exc.limit} levels, the limit; raise it with "
            f"--max-nesting (at most {NESTING_CEILING})"
        ) from None
    except TextError as exc:
        raise QuerySyntaxError(exc.message, max(exc.line - offset_lines, 1), exc.column, where) from None


def inspect_query(
    text: str, offset_lines: int = 0, where: str = "", max_nesting: int = DEFAULT_MAX_NESTING
) -> PreparedQuery:
    """Write ``text`` canonically, parse that with rdflib and list what could reach out.

    The returned text is the canonical one: what the check parsed, and so what must run.
    The result is cached per (text, offset, where, limit): the same text is parsed once.
    """
    return _inspect_cached(text, offset_lines, where, max_nesting)


#: Words of updates (never in a query).
UPDATE_WORDS = REACHING_WORDS - {"SERVICE", "FROM", "USING"}


def _unaccounted(canon: CanonicalText, form: str, services: int, dataset: int, loads: int) -> tuple[str, ...]:
    """Reaching words the lexer sees more often than the parse found their constructs."""
    words = canon.words
    missing = []
    if words["SERVICE"] > services:
        missing.append("SERVICE")
    if words["LOAD"] > loads:
        missing.append("LOAD")
    if words["FROM"] + words["USING"] > dataset:
        missing.append("FROM/USING")
    if form != "UPDATE":
        missing += sorted(w for w in UPDATE_WORDS - {"LOAD"} if words[w])
    return tuple(missing)


@functools.lru_cache(maxsize=256)
def catalogue_screen(text: str) -> PreparedQuery | None:
    """A catalogue query's form without parsing it, or ``None`` when it needs the full inspection.

    Lexes ``text`` (:func:`ftzkg.sparql_text.canonical`): any word of :data:`REACHING_WORDS`
    outside strings, IRIs and names, or a text without a query form, sends it to
    :func:`inspect_query`. Sound for what it accepts: none of those constructs can be
    written without its keyword.
    """
    try:
        canon = canonical(text, NESTING_CEILING)
    except (TextError, NestingError):
        return None
    form = canon.form()
    if form is None or canon.words:
        return None
    return PreparedQuery(canon.text, form)


@contextlib.contextmanager
def _deep_recursion(limit: int = 20_000) -> Iterator[None]:
    """rdflib's parser recurses about 40 frames per nesting level: room for NESTING_CEILING levels."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


@functools.lru_cache(maxsize=256)
def _inspect_cached(text: str, offset_lines: int, where: str, max_nesting: int) -> PreparedQuery:
    canon = canonical_text(text, offset_lines, where, max_nesting)
    try:
        with _deep_recursion():
            return _parse_and_walk(canon, offset_lines, where)
    except RecursionError:
        raise QueryLimitError(
            f"{_prefix(where)}the query is nested too deeply or chains too many parts for the safety "
            "check; simplify it"
        ) from None


def _parse_and_walk(canon: CanonicalText, offset_lines: int, where: str) -> PreparedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser as sparql_parser
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate

    text = canon.text
    try:
        tree = sparql_parser.parseQuery(text)
        form = FORMS.get(tree[1].name, tree[1].name)
        translate = translateQuery
    except ParseException as query_exc:
        try:
            tree = sparql_parser.parseUpdate(text)
            form = "UPDATE"
            translate = translateUpdate  # type: ignore[assignment]
        except ParseException as update_exc:
            exc = update_exc if update_exc.loc > query_exc.loc else query_exc
            precise = _oxigraph_position(text)
            if precise is not None:
                message, line, column = precise
                raise QuerySyntaxError(message, max(line - offset_lines, 1), column, where) from None
            line, column = _position(text, exc, offset_lines)
            raise QuerySyntaxError(str(exc.msg), line, column, where) from None
    # walk the parse tree before translating it: rdflib's translation rewrites it in place
    services: list[str] = []
    dataset: list[str] = []
    loads: list[str] = []
    for node in _walk(tree):
        if node.name == "ServiceGraphPattern":
            services.append(str(dict.get(node, "term")))
        elif node.name in ("DatasetClause", "UsingClause"):
            iri = dict.get(node, "default") or dict.get(node, "named")
            dataset.append(str(iri))
        elif node.name == "Load":
            loads.append(str(dict.get(node, "iri")))
    try:
        translate(tree)
    except RecursionError:
        raise
    except Exception as exc:
        raise QuerySyntaxError(str(exc), where=where) from None
    unaccounted = _unaccounted(canon, form, len(services), len(dataset), len(loads))
    return PreparedQuery(text, form, tuple(services), tuple(dataset), tuple(loads), unaccounted=unaccounted)


def check_allowed(
    prepared: PreparedQuery,
    known_graphs: set[str] | None,
    allow_federation: bool = False,
    allow_update: bool = False,
) -> None:
    """Refuse what would reach the network or the disk, or change the store, unless allowed."""
    reaching = [w for w in prepared.unaccounted if w in ("SERVICE", "LOAD", "FROM/USING")]
    if reaching and not allow_federation:
        raise QueryRefused(
            f"refused: the text holds {reaching[0]} where the safety check found none "
            "(parsers could read it differently)",
            "allow_federation",
        )
    changing = [w for w in prepared.unaccounted if w not in reaching]
    if changing and not allow_update:
        raise QueryRefused(
            f"refused: the text holds {changing[0]} where the safety check found no update "
            "(parsers could read it differently)",
            "allow_update",
        )
    if prepared.services and not allow_federation:
        raise QueryRefused(
            f"refused: the query calls SERVICE {prepared.services[0]}, which would reach the network",
            "allow_federation",
        )
    if prepared.loads and not allow_federation:
        raise QueryRefused(
            f"refused: the update would LOAD {prepared.loads[0]} from the network or the disk",
            "allow_federation",
        )
    if prepared.form == "UPDATE" and not allow_update:
        raise QueryRefused("refused: this is an update, which would change the store", "allow_update")
    outside = [iri for iri in prepared.dataset_iris if known_graphs is None or iri not in known_graphs]
    if outside and not allow_federation:
        raise QueryRefused(
            f"refused: FROM/FROM NAMED/USING <{outside[0]}> is not a named graph of the knowledge graph "
            "(a store could fetch it from the network or the disk)",
            "allow_federation",
        )


def prepare(
    text: str,
    *,
    query: QueryFile | None = None,
    params: Mapping[str, str] | None = None,
    prologue: bool = True,
    where: str = "",
    max_nesting: int = DEFAULT_MAX_NESTING,
    max_size: int = DEFAULT_MAX_QUERY_SIZE,
) -> PreparedQuery:
    """The text to run: project prefixes, then the query with its parameters bound; canonical, checked.

    What runs is what was checked: the returned text is the canonical text the check parsed.
    """
    declared = query.parameters if query is not None else ()
    # a catalogue query run with its own text: its inspection is a test, see catalogue_screen
    screened = query is not None and query.from_catalogue and text == query.text
    head = sparql_prologue() if prologue else ""
    offset = head.count("\n")
    if len(text) > max_size:
        raise QueryLimitError(
            f"{_prefix(where)}the query is longer than {max_size} characters, the limit; "
            "raise it with --max-query-size"
        )
    # the user's own text first, so that errors point into it; parameters go into its canonical form
    text = canonical_text(text, 0, where, max_nesting).text
    if not screened:
        inspect_query(head + text, offset, where, max_nesting)
    bindings = bind_parameters(declared, params or {})
    if bindings:
        start = where_group_start(text)
        text = text[:start] + values_block(bindings) + text[start:]
    prepared = catalogue_screen(head + text) if screened else None
    if prepared is None:
        prepared = inspect_query(head + text, offset, where, max_nesting)
    return dataclasses.replace(prepared, parameters=bindings)


# ---------------------------------------------------------------- the embedded store


def _label_query(iris: list[str]) -> str:
    values = " ".join(str(ox.NamedNode(i)) for i in iris)
    return (
        f"SELECT ?s ?p ?label WHERE {{ VALUES ?s {{ {values} }} "
        f"VALUES ?p {{ <{RDFS_LABEL}> <{SKOS_PREF_LABEL}> }} ?s ?p ?label "
        'FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en")) }'
    )


def pick_labels(rows: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """One label per IRI from (iri, property, label) rows: rdfs:label first, then the smallest."""
    best: dict[str, tuple[int, str]] = {}
    for iri, prop, label in rows:
        key = (0 if prop == RDFS_LABEL else 1, label)
        if iri not in best or key < best[iri]:
            best[iri] = key
    return {iri: label for iri, (_, label) in best.items()}


def label_queries(iris: Iterable[str], chunk: int = 500) -> list[str]:
    """Queries that fetch the labels of ``iris``, ``chunk`` IRIs at a time."""
    unique = sorted(set(iris))
    return [_label_query(unique[i : i + chunk]) for i in range(0, len(unique), chunk)]


class EmbeddedBackend:
    """Queries on a pyoxigraph store; the default graph is the union of all named graphs."""

    def __init__(self, store: ox.Store):
        self.store = store

    def graph_names(self) -> set[str]:
        return {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}

    def run(self, prepared: PreparedQuery) -> QueryResult:
        try:
            if prepared.form == "UPDATE":
                self.store.update(prepared.text)
                return QueryResult("UPDATE")
            result = self.store.query(prepared.text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc)) from None
        except OSError as exc:
            raise BackendError(f"the store failed: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            return QueryResult(prepared.form, triples=list(result))
        return QueryResult("SELECT", solutions=result)

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        rows: list[tuple[str, str, str]] = []
        for q in label_queries(iris):
            for s in self.store.query(q, use_default_graph_as_union=True):
                rows.append((s["s"].value, s["p"].value, s["label"].value))
        return pick_labels(rows)


# ---------------------------------------------------------------- one call for the command line


def execute(
    backend: Backend,
    text: str,
    *,
    query: QueryFile | None = None,
    params: Mapping[str, str] | None = None,
    allow_federation: bool = False,
    allow_update: bool = False,
    where: str = "",
    max_nesting: int = DEFAULT_MAX_NESTING,
    max_size: int = DEFAULT_MAX_QUERY_SIZE,
) -> QueryResult:
    """Prepare, check and run a query on a backend."""
    prepared = prepare(
        text, query=query, params=params, where=where, max_nesting=max_nesting, max_size=max_size
    )
    known = backend.graph_names() if prepared.dataset_iris else None
    check_allowed(prepared, known, allow_federation=allow_federation, allow_update=allow_update)
    return backend.run(prepared)
