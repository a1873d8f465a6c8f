"""The ``ftzkg`` command: a thin layer over the library.

Each command parses its options, calls one library function, formats the
result and picks the exit code: 0 ok, 1 validation failures, 2 unusable input.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

import click

from . import __version__
from .api import ProjectGraph
from .input_limits import DEFAULT_LIMITS, Limits
from .namespaces import shorten
from .parsing import RdfInputError
from .project import Project, ProjectError
from .project_store import StoreBusyError
from .query_limits import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT_S
from .sparql_text import DEFAULT_MAX_NESTING, DEFAULT_MAX_QUERY_SIZE, NESTING_CEILING
from .validation.engine_names import CONTRIBUTION_ENGINE, ENGINES, WHOLE_GRAPH_ENGINE

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_UNUSABLE = 2
#: An unexpected error inside ftzkg (a bug): one line, the traceback only with --debug.
EXIT_INTERNAL = 4


def one_line(message: str) -> str:
    """``message`` safe for a terminal: one line, control characters escaped, no URL credentials."""
    from .http_client import redact_userinfo

    text = " ".join(redact_userinfo(message).split())
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    """Print one error line to standard error and exit with ``code``."""
    click.echo(f"error: {one_line(message)}", err=True)
    sys.exit(code)


class BoundaryGroup(click.Group):
    """The command group: no traceback reaches a user unless ``--debug`` (or FTZKG_DEBUG=1) asks."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # `ftzkg query ... | head`: the reader left, nothing is wrong
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except Exception as exc:
            debug = bool((ctx.obj or {}).get("debug")) or os.environ.get("FTZKG_DEBUG", "") not in ("", "0")
            if debug:
                child = getattr(exc, "child_traceback", "")
                if child:
                    click.echo(child, err=True, nl=False)
                raise
            detail = str(exc) or "no message"
            click.echo(
                f"error: internal error ({getattr(exc, 'child_type', type(exc).__name__)}: "
                f"{one_line(detail)[:300]}); "
                "run again with --debug for the traceback and report it",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


def current_project() -> Project:
    """The project of ``--project`` (or ``FTZKG_PROJECT``), else the shipped one; exit 2 if unusable."""
    ctx = click.get_current_context()
    chosen = (ctx.find_root().obj or {}).get("project")
    try:
        return Project.at(chosen) if chosen else Project.default()
    except ProjectError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def read_bounded(stream: TextIO, limit: int, where: str) -> str:
    """At most ``limit`` characters of ``stream``, or exit 2 naming the limit and its flag."""
    text = stream.read(limit + 1)
    if len(text) > limit:
        fail(
            f"{where}: the query is longer than {limit} characters, the limit; raise it with --max-query-size"
        )
    return text


@contextlib.contextmanager
def opened(in_memory: bool = False) -> Iterator[ProjectGraph]:
    """The project's graph, from its persistent store brought up to date (or in memory with
    ``--in-memory``); exit 2 naming a source that does not parse, 3 if the store cannot be used."""
    ctx = click.get_current_context()
    in_memory = in_memory or bool((ctx.find_root().obj or {}).get("in_memory"))
    graph = ProjectGraph(current_project(), persistent=not in_memory)
    try:
        graph.__enter__()
    except RdfInputError as exc:
        fail(str(exc))
    except StoreBusyError as exc:
        fail(str(exc), EXIT_STORE)
    except (OSError, sqlite3.Error) as exc:
        fail(f"{graph.project.state_dir}: cannot use the persistent store: {exc}", EXIT_STORE)
    report = graph.last_update
    if report is not None and report.changed:
        changed = report.parsed + [f"{name} (removed)" for name in report.removed]
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        click.echo(f"store: updated from {len(changed)} changed file(s): {shown}", err=True)
    try:
        yield graph
    finally:
        graph.close()


@click.group(cls=BoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ftzkg")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False),
    help="Project folder (ontology/, data/, queries/); also FTZKG_PROJECT. Default: the shipped graph.",
)
@click.option(
    "--in-memory",
    is_flag=True,
    help="Parse the sources into memory instead of using the project's persistent store (writes nothing).",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error (also FTZKG_DEBUG=1).")
@click.pass_context
def main(ctx: click.Context, project_dir: str | None, in_memory: bool, debug: bool) -> None:
    """Build, validate, query, load and serve the free trade zone knowledge graph.

    Commands read the project's persistent store (.ftzkg/ in the project folder),
    brought up to date first with the files that changed since the last command.

    \b
    Exit codes: 0 ok, 1 validation failures, 2 unusable input, 3 store or network
    failure or time-out, 4 internal error (a bug; --debug shows the traceback).
    """
    ctx.obj = {"project": project_dir, "in_memory": in_memory, "debug": debug}


# ---------------------------------------------------------------- init


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Start a new zone's project in DIRECTORY (absent or empty): the shipped ontology, shapes,
    reference data and query catalogue, without the Kashgar zone's own data.

    \b
    Example:
      ftzkg init my-zone
      ftzkg --project my-zone validate
    """
    from .project import init_project

    try:
        made = init_project(directory)
    except ProjectError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(f"{directory}: {exc.strerror or exc}")
        return
    click.echo(f"started a project in {made.root}: ontology/, data/reference/, queries/")
    click.echo(f"add your zone's sources under {made.data_dir}/ (TriG, one named graph per source), then:")
    click.echo(f"  ftzkg --project {directory} validate")


# ---------------------------------------------------------------- stats


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(fmt: str) -> None:
    """Count triples per named graph and instances per class.

    \b
    Example:
      ftzkg stats
      ftzkg stats --format json
    """
    with opened() as graph:
        result = graph.stats()
    if fmt == "json":
        click.echo(
            json.dumps(
                {"triples": result.triples, "graphs": result.graphs, "classes": result.classes}, indent=2
            )
        )
        return
    click.echo(f"{result.triples} triples in {len(result.graphs)} named graphs")
    click.echo("\nnamed graph" + " " * 49 + "triples")
    for graph_name, count in result.graphs.items():
        click.echo(f"  {shorten(graph_name):<58}{count:>7}")
    click.echo("\nclass" + " " * 55 + "instances")
    for cls, count in result.classes.items():
        click.echo(f"  {shorten(cls):<58}{count:>7}")


# ---------------------------------------------------------------- build (release): issue 5

EXIT_STORE = 3


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="dist",
    show_default=True,
    help="Folder to write the release into (replaced only when the new release is complete).",
)
def build(out_dir: str) -> None:
    """Write the release: TriG and N-Quads (named graphs), Turtle and JSON-LD (union),
    a VoID + DCAT description (void.ttl) and SHA256SUMS. Same inputs, same bytes.

    \b
    Example:
      ftzkg build
      ftzkg build --out /tmp/ftzkg-release
    """
    from pathlib import Path

    from .release import ReleaseError

    try:
        with opened() as graph:
            release = graph.build(Path(out_dir))
    except ReleaseError as exc:
        fail(str(exc))
        return
    except OSError as exc:
        fail(f"{exc.filename or out_dir}: {exc.strerror or exc}")
        return
    click.echo(f"built {release.path}/: {release.triples} triples in {len(release.graphs)} named graphs")
    for f in release.files:
        click.echo(f"  {f.name:<14}{f.byte_size:>10} bytes")


# ---------------------------------------------------------------- validate: issue 3


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_bytes,
    show_default=True,
    help="Refuse a contribution file larger than this (only regular files are read).",
)
@click.option(
    "--max-depth",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_depth,
    show_default=True,
    help="Refuse brackets ( [ { << nested deeper than this (XML elements in RDF/XML).",
)
@click.option(
    "--max-triples",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_triples,
    show_default=True,
    help="Refuse a contribution of more triples than this (all files together).",
)
@click.option(
    "--max-literal-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_LIMITS.max_literal_bytes,
    show_default=True,
    help="Refuse a literal longer than this (UTF-8 bytes).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=None,
    help=f"Stop after this many seconds (exit 3). Default: {DEFAULT_TIMEOUT_S:g} for FILES; "
    "the whole graph only when given.",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=16),
    default=None,
    help=f"Stop when the check needs more memory than this many MB (exit 3). Default: "
    f"{DEFAULT_MAX_MEMORY_MB} for FILES; the whole graph only when given.",
)
@click.option("--fail-on-warning", is_flag=True, help="Exit 1 when there are warnings, not only violations.")
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    default=None,
    help="SHACL engine (default: sparql, for FILES with the shapes compiled once and kept beside the store).",
)
def validate(
    files: tuple[Path, ...],
    fmt: str,
    max_bytes: int,
    max_depth: int,
    max_triples: int,
    max_literal_bytes: int,
    timeout: float | None,
    max_memory: int | None,
    fail_on_warning: bool,
    engine: str | None,
) -> None:
    """Validate the knowledge graph, or FILES as a contribution to it.

    Without FILES, every data graph is checked with the shapes of ontology/shapes.ttl
    and for vocabulary conformance. With FILES (Turtle, TriG, N-Triples, N-Quads,
    JSON-LD, RDF/XML), they are checked in the context of the existing graph:
    only problems they introduce or touch are reported, with what they add.

    FILES are untrusted: nothing they name is fetched (remote @context,
    owl:imports: a warning says so), embedded shapes never run, only regular
    files are read, and the --max-* limits are checked before the work they
    bound. Ill-typed literals ("2025-02-30"^^xsd:date), relative JSON-LD IRIs,
    input above a limit and a file the build would refuse (a Turtle file that
    describes no source, or several) are refused with file:line:column (exit 2).
    The check of FILES runs in its own process, stopped at --timeout or
    --max-memory (exit 3).

    \b
    Exit codes: 0 valid (warnings allowed), 1 violations (or warnings with
    --fail-on-warning), 2 unusable input, 3 time or memory limit, store failure.
    \b
    Examples:
      ftzkg validate
      ftzkg validate data/contributions/examples/valid-example-firm.ttl
      ftzkg validate new-firm.jsonld --format json
    """
    from . import query_limits

    def check(graph: ProjectGraph) -> tuple[str, bool]:
        """The report as printed, and whether it fails."""
        from .validation.text_format import format_text

        if files:
            limits = Limits(max_bytes, max_depth, max_triples, max_literal_bytes)
            report = graph.validate_contribution(
                list(files), engine=engine or CONTRIBUTION_ENGINE, limits=limits
            )
        else:
            report = graph.validate(engine=engine or WHOLE_GRAPH_ENGINE)
        if fmt == "json":
            text = report.to_json()
        elif fmt == "turtle":
            text = report.to_turtle()
        else:
            text = format_text(report, contribution=bool(files))
        return text, not report.conforms or bool(fail_on_warning and report.count("Warning"))

    def bounded(graph: ProjectGraph, out: BinaryIO) -> None:
        """:func:`check` in the bounded child process: its outcome written to ``out`` as JSON."""
        try:
            text, failed = check(graph)
            outcome: dict[str, object] = {"text": text, "failed": failed}
        except RdfInputError as exc:  # a file that cannot be used: exit 2, not an internal error
            outcome = {"error": str(exc)}
        out.write(json.dumps(outcome).encode("utf-8"))

    from .querying import BackendError

    with opened() as graph:
        if not files and timeout is None and max_memory is None:
            try:
                text, failed = check(graph)  # the project's own data: trusted, unbounded unless asked
            except RdfInputError as exc:
                fail(str(exc))
                return
        else:
            limits = query_limits.Limits(
                timeout or query_limits.DEFAULT_TIMEOUT_S,
                max_memory or query_limits.DEFAULT_MAX_MEMORY_MB,
                work="the validation",
            )
            try:
                outcome = json.loads(query_limits.run_bounded(lambda out: bounded(graph, out), limits))
            except (query_limits.LimitExceeded, BackendError) as exc:
                fail(str(exc), EXIT_STORE)
                return
            except RdfInputError as exc:  # without fork, the work runs here
                fail(str(exc))
                return
            if "error" in outcome:
                fail(outcome["error"])
                return
            text, failed = outcome["text"], outcome["failed"]
    click.echo(text)
    if failed:
        sys.exit(EXIT_INVALID)


# ---------------------------------------------------------------- queries, query: issue 4


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries(fmt: str) -> None:
    """List the query catalogue (queries/*.rq): name, title, parameters.

    \b
    Example:
      ftzkg queries
      ftzkg query firms-reaching-region --param region=region:034
    """
    from .catalogue import CatalogueError, catalogue

    try:
        queries_dir = current_project().queries_dir
        entries = catalogue(queries_dir, trusted=queries_dir)
    except CatalogueError as exc:
        fail(str(exc))
        return
    if fmt == "json":
        listing = [
            {
                "name": q.name,
                "title": q.title,
                "question": q.question,
                "parameters": [{"name": p.name, "type": p.type, "default": p.default} for p in q.parameters],
            }
            for q in entries
        ]
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    width = max(len(q.name) for q in entries) if entries else 0
    for q in entries:
        params = ", ".join(f"{p.name} ({p.type}, default {p.default})" for p in q.parameters) or "none"
        click.echo(f"{q.name:<{width}}  {q.title}")
        click.echo(f"{'':<{width}}  parameters: {params}")


@main.command()
@click.argument("name", required=False)
@click.option("--sparql", help="Run this query text instead of a catalogue query or file.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Bind a parameter (repeatable).")
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help="table, csv, tsv, json, xml (SELECT/ASK); turtle, nt, nq, trig, jsonld, xml, csv (CONSTRUCT).",
)
@click.option("--endpoint", metavar="URL", help="Run on this SPARQL 1.1 query endpoint instead.")
@click.option(
    "--store",
    "store_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Run on this on-disk Oxigraph store (opened read-only) instead of the project's files.",
)
@click.option("--allow-federation", is_flag=True, help="Allow SERVICE, LOAD and FROM of outside IRIs.")
@click.option("--allow-update", is_flag=True, help="Allow SPARQL updates on the embedded store.")
@click.option(
    "--max-width", type=click.IntRange(min=0), default=60, show_default=True, help="Table cell width; 0: any."
)
@click.option(
    "--max-nesting",
    type=click.IntRange(1, NESTING_CEILING),
    default=DEFAULT_MAX_NESTING,
    show_default=True,
    help="Refuse queries that nest ( [ { deeper than this (checked before parsing).",
)
@click.option(
    "--max-query-size",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_QUERY_SIZE,
    show_default=True,
    help="Refuse query texts longer than this many characters.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=DEFAULT_TIMEOUT_S,
    show_default=True,
    help="Stop the query after this many seconds, endpoint requests included (exit 3).",
)
@click.option(
    "--max-memory",
    type=click.IntRange(min=16),
    default=DEFAULT_MAX_MEMORY_MB,
    show_default=True,
    help="Stop the query when it needs more memory, or its result more bytes, than this many MB (exit 3).",
)
def query(
    name: str | None,
    sparql: str | None,
    params: tuple[str, ...],
    fmt: str,
    endpoint: str | None,
    store_dir: str | None,
    allow_federation: bool,
    allow_update: bool,
    max_width: int,
    max_nesting: int,
    max_query_size: int,
    timeout: float,
    max_memory: int,
) -> None:
    """Run a catalogue query by NAME, a .rq file, '-' (standard input) or --sparql TEXT.

    Queries see the union of all named graphs as their default graph. Parameters are
    bound as typed RDF terms, never pasted into the text.

    Query text is untrusted: SERVICE, LOAD, FROM of an outside IRI and updates are
    refused (exit 2) unless --allow-federation / --allow-update; the text is written
    again canonically (no comments, one kind of line break) and that text is both
    checked and run. Each query runs in its own process, stopped at --timeout or
    --max-memory (exit 3); nesting beyond --max-nesting and texts beyond
    --max-query-size are refused before parsing (exit 2). With --endpoint,
    credentials come from FTZKG_USER/FTZKG_PASSWORD or FTZKG_TOKEN, never the URL;
    Virtuoso is sent the time left, so that it stops the query too; an answer the
    endpoint cut short (its time limit or ResultSetMaxRows) is an error (exit 3).

    \b
    Example:
      ftzkg query trade-links
      ftzkg query firms-reaching-region --param region=region:145 --format csv
      ftzkg query --sparql 'SELECT ?firm WHERE { ?firm a ftz:Enterprise }'
      ftzkg query --endpoint http://127.0.0.1:7878/query trade-links
    """
    from pathlib import Path

    from .catalogue import CatalogueError, QueryFile, find_query, parse_query_text
    from .query_limits import LimitExceeded, Limits, run_bounded
    from .querying import Backend, BackendError, EmbeddedBackend, QueryError, QueryRefused, execute
    from .results import FORMAT_NAMES, FormatError, write

    if fmt not in FORMAT_NAMES:
        fail(f"unknown format {fmt!r}; expected one of {', '.join(FORMAT_NAMES)}")
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"--param {item!r}: expected KEY=VALUE")
        given[key.strip()] = value
    try:
        if sparql is not None:
            if name is not None:
                fail("give either NAME or --sparql, not both")
            entry = parse_query_text(sparql, "--sparql")
        elif name is None:
            fail("give a query NAME, a .rq file, '-' for standard input, or --sparql TEXT")
            return
        elif name == "-":
            entry = parse_query_text(read_bounded(sys.stdin, max_query_size, "<stdin>"), "<stdin>")
        elif name.endswith(".rq") or "/" in name:
            path = Path(name)
            if not path.is_file():
                fail(f"{name}: no such query file")
            with path.open(encoding="utf-8", newline="") as handle:
                entry = parse_query_text(read_bounded(handle, max_query_size, name), path.stem, path)
        else:
            queries_dir = current_project().queries_dir
            entry = find_query(name, queries_dir, trusted=queries_dir)
    except (CatalogueError, UnicodeDecodeError, OSError) as exc:
        fail(str(exc))
        return
    assert isinstance(entry, QueryFile)
    limits = Limits(timeout, max_memory)
    stack = contextlib.ExitStack()
    backend: Backend
    if endpoint is not None:
        from .endpoint import EndpointBackend
        from .http_client import ConfigurationError, credentials_from_env

        try:
            backend = EndpointBackend(endpoint, timeout, credentials_from_env(), max_bytes=limits.max_bytes)
        except ConfigurationError as exc:
            fail(str(exc))
            return
    elif store_dir is not None:
        import pyoxigraph as ox

        try:
            backend = EmbeddedBackend(ox.Store.read_only(store_dir))
        except OSError as exc:
            fail(f"{store_dir}: cannot open the store: {exc}", 3)
            return
    else:  # an update only ever changes a copy in memory, never the project's store
        backend = EmbeddedBackend(stack.enter_context(opened(in_memory=allow_update)).kg.store)
    where = str(entry.path) if entry.path else entry.name

    def run(out: BinaryIO) -> None:
        result = execute(
            backend,
            entry.text,
            query=entry,
            params=given,
            allow_federation=allow_federation,
            allow_update=allow_update,
            where=where,
            max_nesting=max_nesting,
            max_size=max_query_size,
        )
        write(result, out, fmt, labeller=backend.labels, max_width=max_width)

    try:
        output = run_bounded(run, limits)
    except QueryRefused as exc:
        fail(f"{exc}; pass --{exc.opt_in.replace('_', '-')} to run it anyway")
    except (QueryError, FormatError) as exc:
        fail(str(exc))
    except (BackendError, LimitExceeded) as exc:
        fail(str(exc), EXIT_STORE)
    finally:
        stack.close()
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()


# ---------------------------------------------------------------- load, serve: issue 5


@main.command()
@click.option("--endpoint", help="The store's base URL (Oxigraph, Virtuoso); its endpoints follow from it.")
@click.option(
    "--store-type",
    type=click.Choice(["auto", "oxigraph", "virtuoso", "generic"]),
    default="auto",
    show_default=True,
    help="Which store it is; auto reads the Server header of its answer.",
)
@click.option("--query-url", help="SPARQL query endpoint (overrides --endpoint).")
@click.option("--update-url", help="SPARQL update endpoint (overrides --endpoint).")
@click.option("--store-url", help="Graph Store Protocol endpoint; without one, data goes by INSERT DATA.")
@click.option(
    "--auth",
    type=click.Choice(["basic", "digest"]),
    default=None,
    help="HTTP authentication for FTZKG_USER/FTZKG_PASSWORD or --netrc (default: the store type's).",
)
@click.option(
    "--release",
    type=click.Path(exists=True),
    help="A release folder (ftzkg build) or an RDF dataset file. Default: the project's files.",
)
@click.option("--graph", "graphs", multiple=True, help="Load only this named graph (repeatable).")
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=None,
    help="Triples per request (default: the store type's; 1000 by INSERT DATA on Virtuoso).",
)
@click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Named graphs loaded at a time (each still replaced atomically).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.01),
    default=60.0,
    show_default=True,
    help="Seconds a request may take, from sending it to the last byte of the answer.",
)
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True)
@click.option(
    "--backoff", type=click.FloatRange(min=0), default=0.5, show_default=True, help="First wait, s."
)
@click.option(
    "--netrc",
    "netrc_file",
    is_flag=False,
    flag_value="~/.netrc",
    default=None,
    help="Read credentials for the store's host from a netrc file (default ~/.netrc).",
)
@click.option(
    "--check",
    type=click.Choice(["sample", "full"]),
    default="sample",
    show_default=True,
    help="How a graph new to Oxigraph is checked after its bulk load: its count and a random sample "
    "of its triples, or every triple read back and compared (as long again as the load).",
)
@click.option(
    "--server-dir",
    type=click.Path(file_okay=False),
    help="Virtuoso only: a folder the server may read (DirsAllowed in its virtuoso.ini). Graphs it "
    "lacks are written there as files and loaded by Virtuoso itself, one transaction per file "
    "(several times faster than over HTTP); the files are deleted. Needs the DBA's credentials.",
)
@click.option(
    "--server-path",
    help="The --server-dir folder as the server sees it (a container's volume); default: the same path.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: if a TTY).")
def load(
    endpoint: str | None,
    store_type: str,
    query_url: str | None,
    update_url: str | None,
    store_url: str | None,
    auth: str | None,
    release: str | None,
    graphs: tuple[str, ...],
    chunk_size: int | None,
    parallel: int,
    timeout: float,
    retries: int,
    backoff: float,
    netrc_file: str | None,
    check: str,
    server_dir: str | None,
    server_path: str | None,
    progress: bool | None,
) -> None:
    """Load the knowledge graph into a SPARQL 1.1 store, replacing each named graph atomically.

    Each graph goes to a staging graph, is swapped in by one update and checked
    triple by triple by the store; on Oxigraph, a graph the store lacks goes in by
    its bulk loader and is checked (--check); on Virtuoso with --server-dir, Virtuoso reads it
    from a file, one transaction per file. Credentials come from FTZKG_USER/FTZKG_PASSWORD
    (HTTP Basic, or Digest for Virtuoso), FTZKG_TOKEN (bearer) or --netrc, and are
    only sent to the store's own host and port. Exit 3 on any store failure.

    \b
    Example:
      ftzkg build && ftzkg load --release dist --endpoint http://127.0.0.1:7878
      FTZKG_USER=dba FTZKG_PASSWORD=... ftzkg load --endpoint http://127.0.0.1:8890 --store-type virtuoso
      FTZKG_USER=dba FTZKG_PASSWORD=... ftzkg load --release dist --endpoint http://127.0.0.1:8890 \\
                 --server-dir /srv/ftzkg-load   # a folder in Virtuoso's DirsAllowed
      ftzkg load --store-type generic --query-url http://localhost:3030/ds/query \\
                 --update-url http://localhost:3030/ds/update --store-url http://localhost:3030/ds/data
    """
    import logging
    import urllib.parse
    from pathlib import Path

    import pyoxigraph as ox

    from .bulk_loading import graph_bodies
    from .http_client import (
        ConfigurationError,
        HttpClient,
        StoreError,
        credentials_from_env,
        credentials_from_netrc,
    )
    from .input_limits import read_regular_file
    from .parsing import format_for
    from .server_files import ServerFiles, release_bodies
    from .store_loading import StoreLoader, ntriples_bodies, release_path
    from .store_profiles import base_url, profile_for

    bar = None

    sent_so_far = 0

    def advance(done: int, total: int) -> None:
        nonlocal bar, sent_so_far
        if not sys.stderr.isatty():  # --progress into a pipe or a log: one plain line per chunk
            sent_so_far += done
            click.echo(f"loading {sent_so_far}/{total} triples ({100 * sent_so_far // total}%)", err=True)
            return
        if bar is None:
            bar = click.progressbar(length=total, label="loading", file=sys.stderr)
            bar.__enter__()
        bar.update(done)

    show_progress = sys.stderr.isatty() if progress is None else progress
    notes = logging.StreamHandler(sys.stderr)  # retries and recoveries, one line each
    notes.setLevel(logging.WARNING)
    notes.setFormatter(logging.Formatter("warning: %(message)s"))
    logging.getLogger("ftzkg").addHandler(notes)
    try:
        if server_path and not server_dir:
            raise ConfigurationError("--server-path needs --server-dir (the folder ftzkg writes into)")
        if server_dir and not Path(server_dir).is_dir():
            raise ConfigurationError(f"--server-dir {server_dir}: no such folder")
        release_data: tuple[Path, bytes] | None = None
        release_quads: dict[str, bytes] = {}
        if release:
            path = release_path(Path(release))
            split = None
            if server_dir and format_for(path) == ox.RdfFormat.N_QUADS:  # Virtuoso parses every line
                release_data = (path, read_regular_file(path, None))
                split = release_bodies(release_data[1])
            bodies, release_quads = split if split is not None else (graph_bodies(path), {})
        else:
            with opened() as graph:
                bodies = ntriples_bodies(graph.kg.store)
        for wanted in graphs:  # before any network: a misspelt graph is the user's input
            if wanted not in bodies:
                raise ConfigurationError(f"no such named graph in the data: <{wanted}>")
        credentials = credentials_from_env()
        probe = (base_url(endpoint) + "/") if endpoint else query_url
        profile = profile_for(store_type, probe, HttpClient(timeout=timeout, retries=0))
        signed_in = credentials is not None or bool(netrc_file)
        endpoints = profile.endpoints(endpoint, query_url, update_url, store_url, authenticated=signed_in)
        if netrc_file:
            host = urllib.parse.urlsplit(endpoints.query_url).hostname or ""
            credentials = credentials_from_netrc(Path(netrc_file).expanduser(), host) or credentials
        client = HttpClient(
            credentials,
            endpoints.urls(),
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            auth=auth or profile.auth,
        )
        if chunk_size is None:
            chunk_size = profile.chunk_size if endpoints.store_url else profile.insert_chunk_size
        loader = StoreLoader(
            endpoints,
            client,
            chunk_size,
            advance if show_progress else None,
            parallel,
            staging_query=profile.staging_query,
            checkpoint=profile.checkpoint,
            direct=profile.direct,
            insert_all=profile.insert_all,
            full_check=check == "full",
            # the SQL copy writes DB.DBA.RDF_QUAD past Virtuoso's graph-level security: only as its DBA
            copy_query=profile.copy_query if credentials and credentials.user == "dba" else None,
        )
        if server_dir:
            if profile.name != "virtuoso":
                raise ConfigurationError(f"--server-dir is for Virtuoso; this store is {profile.name}")
            if not (credentials and credentials.user == "dba"):
                raise ConfigurationError("--server-dir needs the DBA's credentials (FTZKG_USER=dba)")
            full = check == "full"
            loader.server_files = ServerFiles(
                loader, Path(server_dir), server_path, release_data, release_quads, full
            )
        report = loader.load_bodies(bodies, graphs or None)
    except (ConfigurationError, RdfInputError) as exc:
        fail(str(exc))
        return
    except StoreError as exc:
        fail(str(exc), EXIT_STORE)
        return
    finally:
        logging.getLogger("ftzkg").removeHandler(notes)
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"{'named graph':<58}{'sent':>8}{'in store':>10}")
    for g in report.graphs:
        click.echo(f"{shorten(g.graph):<58}{g.sent:>8}{g.in_store if g.in_store is not None else '?':>10}")
    if not report.verified:
        fail("the store does not hold what was sent (see the table)", EXIT_STORE)
    click.echo(f"loaded {sum(g.sent for g in report.graphs)} triples in {len(report.graphs)} named graphs")
    click.echo(f"store type {profile.name}: {profile.promise}")
    if loader.server_files is not None and loader.server_files.loaded:
        click.echo(f"{loader.server_files.loaded} new graph(s): {loader.server_files.promise}")
    if loader.staging_seen:
        click.echo(
            f"note: {len(loader.staging_seen)} graph(s) went through a staging graph that readers of "
            "the default graph could see while it loaded (duplicates in their counts until the swap)"
        )


@main.command()
@click.option("--release", default="dist", show_default=True, type=click.Path(file_okay=False))
@click.option(
    "--location",
    type=click.Path(file_okay=False),
    help="Store directory to keep (loaded when new or empty, else reused). Default: a temporary one.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="0: a free port."
)
@click.option("--writable", is_flag=True, help="Accept SPARQL updates and Graph Store writes.")
@click.option(
    "--rebuild/--no-rebuild",
    default=True,
    show_default=True,
    help="Rebuild the release first when a source file changed after it was built "
    "(--no-rebuild serves it as it is, with a warning).",
)
def serve(release: str, location: str | None, port: int, writable: bool, rebuild: bool) -> None:
    """Serve the built release with Oxigraph on 127.0.0.1 until Ctrl-C.

    \b
    Example:
      ftzkg build && ftzkg serve
      ftzkg query --endpoint http://127.0.0.1:7878/query trade-links
    """
    import shutil
    import signal
    import tempfile
    from pathlib import Path

    from .release import ReleaseError, newer_sources, release_file
    from .server import ServeError, serve_release

    try:
        nquads = release_file(Path(release))
        changed = newer_sources(Path(release), [f.path for f in current_project().all_files()])
        if changed:
            newest = current_project().display(changed[0])
            why = f"{release} is older than its sources: {newest}"
            why += f" and {len(changed) - 1} more file(s) changed" if len(changed) > 1 else " changed"
            if rebuild:
                click.echo(f"{why} after it was built; rebuilding it")
                with opened() as graph:
                    graph.build(Path(release))
                nquads = release_file(Path(release))
            else:
                click.echo(
                    f"warning: {why} after it was built; serving it as it is (ftzkg build updates it)",
                    err=True,
                )
    except ReleaseError as exc:
        fail(str(exc))
        return
    scratch = None if location else Path(tempfile.mkdtemp(prefix="ftzkg-serve-"))
    store_dir = Path(location) if location else Path(str(scratch)) / "store"

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = None
    code = None
    try:
        server, loaded = serve_release(nquads, store_dir, port, writable)
        mode = "read-write" if writable else "read-only"
        click.echo(f"{'loaded' if loaded else 'reusing'} {store_dir} ({mode})")
        click.echo(f"query page:      {server.url}/")
        click.echo(f"SPARQL endpoint: {server.query_url}")
        if writable:
            click.echo(f"update endpoint: {server.update_url}")
            click.echo(f"graph store:     {server.store_url}")
        click.echo("Ctrl-C stops the server")
        code = server.process.wait() if server.process else 0
    except KeyboardInterrupt:
        code = None
    except ServeError as exc:
        fail(str(exc), EXIT_STORE)
    finally:
        if server is not None:
            server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if code is not None:
        detail = server.stderr_text() if server else ""
        fail(f"oxigraph stopped with code {code}: {detail}", EXIT_STORE)
    click.echo("stopped")


# ---------------------------------------------------------------- synth: issue 6


@main.command()
@click.option("--firms", type=click.IntRange(min=1), required=True, help="How many synthetic firms.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), required=True, help="Folder to write into."
)
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.option(
    "--violations",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Fraction of firms (and reform programmes) given a deliberate shape violation.",
)
def synth(firms: int, seed: int, out_dir: str, fmt: str, violations: float) -> None:
    """Write a synthetic zone-scale graph (clearly marked synthetic) for scale tests.

    Load it beside data/reference, whose products, HS codes, countries and regions it uses.

    \b
    Example:
      ftzkg synth --firms 12000 --seed 1 --out build/synthetic        # about 1 million triples
      ftzkg synth --firms 200 --violations 0.05 --format trig --out /tmp/s
    """
    from pathlib import Path

    from .synth import generate, load_reference

    try:
        reference = load_reference(current_project())
        result = generate(firms, seed, Path(out_dir), fmt=fmt, violations=violations, reference=reference)
    except OSError as exc:
        fail(f"{out_dir}: {exc.strerror or exc}")
        return
    click.echo(f"{result.path}: {result.quads} triples in {result.graphs} named graphs, {result.firms} firms")
    if result.violations:
        kinds: dict[str, int] = {}
        for v in result.violations:
            kinds[v.kind] = kinds.get(v.kind, 0) + 1
        summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        click.echo(f"injected {len(result.violations)} violations: {summary}")


# ---------------------------------------------------------------- site: issue 7


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="site-out",
    show_default=True,
    help="Folder to write the site into (replaced whole; a foreign non-empty folder is refused).",
)
def site(out_dir: str) -> None:
    """Generate a static website: ontology reference, entity pages, trade-network picture.

    Open OUT/index.html from disk or publish the folder as it is; it needs no server
    and no network.

    \b
    Example:
      ftzkg site --out site-out
    """
    from .site import SiteError, build_site

    try:
        with opened() as graph:
            summary = build_site(graph.kg, out_dir, queries_dir=graph.project.queries_dir)
    except SiteError as exc:
        fail(str(exc))
        return
    click.echo(
        f"wrote {summary.files} files to {summary.out_dir}: {summary.entity_pages} entity pages, "
        f"{summary.ontology_terms} ontology terms, {summary.questions} catalogue questions"
    )
    click.echo(f"open {summary.out_dir / 'index.html'}")
