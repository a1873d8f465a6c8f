"""``ftzkg load``: push the knowledge graph into any SPARQL 1.1 store, one named graph at a time.

Each named graph is replaced atomically and checked triple by triple:

1. its triples, blank nodes skolemized to stable IRIs, are serialized once to
   N-Triples (distinct, sorted lines) and POSTed in chunks to a fresh *staging*
   graph through the Graph Store Protocol (``?graph=`` + the percent-encoded IRI;
   never a bare PUT, never quads), or sent with ``INSERT DATA`` when the store has
   no Graph Store endpoint;
2. the staging graph must hold as many triples as were sent;
3. one update request swaps it in: it deletes the target's triples the staging
   graph lacks and inserts the ones the target lacks. One request is one
   transaction on the stores we test (a reader sees the old graph or the new one),
   and unlike ``MOVE`` it never deletes and re-inserts the same triple in one
   transaction (which Virtuoso can replay wrongly after a crash). Where the store
   asks for it (Virtuoso) a checkpoint then makes the new graph durable;
4. the store itself checks the content: the target must hold exactly the staging
   graph's triples (one join, counted), then the staging graph is dropped.

When a step fails, the target keeps its previous data and the staging graph is
dropped, or named when it cannot be. Graphs are independent, so ``parallel`` of
them (default 1) can load at once, each through its own staging graph. After a
failure no further graph is started; the graphs already in flight finish (each
atomically) and the error names the graphs that were replaced and every staging
graph left behind. Only idempotent steps are retried: chunk POSTs (idempotent
because the data has no blank nodes left), queries and ``DROP``; never the swap.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .blank_nodes import skolemize, sort_key
from .bulk_loading import BulkLoad, canonical_lines, compare
from .http_client import ConfigurationError, HttpClient, StoreError, check_url, display, printable
from .input_limits import read_regular_file
from .knowledge_graph import KnowledgeGraph
from .parsing import format_for, parse_file
from .release import ReleaseError, release_file

if TYPE_CHECKING:
    from .server_files import ServerFiles

log = logging.getLogger(__name__)

STAGING_PARAM = "ftzkg-staging"


@dataclass(frozen=True)
class Endpoints:
    """Where a store answers queries, updates and Graph Store Protocol requests."""

    query_url: str
    update_url: str
    store_url: str | None

    @classmethod
    def resolve(
        cls,
        endpoint: str | None = None,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
    ) -> Endpoints:
        """Explicit URLs win; ``endpoint`` alone gives Oxigraph's ``/query``, ``/update`` and ``/store``."""
        base = endpoint.rstrip("/") if endpoint else None
        query = query_url or (base and base + "/query")
        update = update_url or (base and base + "/update")
        store = store_url or (base and base + "/store")
        if not query or not update:
            raise ConfigurationError("give --endpoint, or both --query-url and --update-url")
        return cls(
            check_url(query, "the query URL"),
            check_url(update, "the update URL"),
            check_url(store, "the store URL") if store else None,
        )

    def urls(self) -> list[str]:
        return [u for u in (self.query_url, self.update_url, self.store_url) if u]


@dataclass
class GraphResult:
    """One named graph after a load: triples sent, held by the store, and how many of them match."""

    graph: str
    sent: int
    in_store: int | None = None
    matching: int | None = None  # target triples also in the staging graph (the store's own join)

    @property
    def verified(self) -> bool:
        return self.sent == self.in_store == self.matching


@dataclass
class LoadReport:
    """What ``load_dataset`` did, graph by graph."""

    graphs: list[GraphResult] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return all(g.verified for g in self.graphs)


class LoadError(StoreError):
    """Loading a graph failed; the message says what happened to the previous data."""

    def __init__(self, message: str, loaded: list[GraphResult], left: list[str] | None = None):
        super().__init__(message)
        self.loaded = loaded
        self.left = left or []  # staging graphs that could not be dropped


def graph_param(iri: str) -> str:
    """``graph=`` + the IRI percent-encoded whole (an unencoded ``&`` would name another graph)."""
    return "graph=" + urllib.parse.quote(iri, safe="")


def staging_iri(target: str, token: str | None = None) -> str:
    """A fresh graph IRI to stage data for ``target`` in."""
    if "#" in target:
        return f"urn:uuid:{uuid.uuid4()}"
    token = token or secrets.token_hex(8)
    return f"{target}{'&' if '?' in target else '?'}{STAGING_PARAM}={token}"


def _iri(iri: str) -> str:
    """An IRI in SPARQL syntax (validated by Oxigraph)."""
    return str(ox.NamedNode(iri))


class StoreLoader:
    """Replaces named graphs in a SPARQL 1.1 store, atomically and verified."""

    def __init__(
        self,
        endpoints: Endpoints,
        client: HttpClient,
        chunk_size: int = 10_000,
        progress: Callable[[int, int], None] | None = None,
        parallel: int = 1,
        staging_query: str = "",
        checkpoint: bool = False,
        direct: bool = False,
        insert_all: bool = False,
        full_check: bool = False,
        copy_query: Callable[[str, str, int], str | None] | None = None,
    ):
        if chunk_size < 1:
            raise ConfigurationError("the chunk size must be at least 1 triple")
        if parallel < 1:
            raise ConfigurationError("at least 1 graph must be loaded at a time")
        self.endpoints = endpoints
        self.client = client
        self.chunk_size = chunk_size
        self.parallel = parallel
        self.staging_query = staging_query
        self.checkpoint_after_swap = checkpoint
        self.direct = direct  # a new graph that fits one request goes straight in (see load_new_graph)
        self.insert_all = insert_all  # the swap inserts every staged triple (Virtuoso; see swap_text)
        self.full_check = full_check  # a bulk-loaded graph is read back whole (see BulkLoad.check)
        # a graph the store lacks is copied from its staging graph by this query (Virtuoso; see copy_new)
        self.copy_query = copy_query
        self.server_files: ServerFiles | None = None  # set for Virtuoso's files route (--server-dir)
        self.staging_seen: list[str] = []  # staging graphs readers of the default graph could see
        self._progress = progress or (lambda done, total: None)
        self._progress_lock = threading.Lock()
        self._total = 0
        self.left: list[str] = []  # staging graphs a failure left behind

    def progress(self, done: int, total: int) -> None:
        with self._progress_lock:  # graphs load in several threads; the callback sees one at a time
            self._progress(done, total)

    # ------------------------------------------------------------ SPARQL

    def select(self, query: str) -> list[dict[str, str]]:
        """Rows of a SELECT query (values as strings); StoreError for anything but SPARQL JSON results."""
        url = self.endpoints.query_url
        request = urllib.request.Request(
            f"{url}{'&' if '?' in url else '?'}" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": "application/sparql-results+json", "User-Agent": "ftzkg"},
        )
        with self.client.open(request, idempotent=True) as response:
            body = response.read()
        try:
            bindings = json.loads(body.decode("utf-8"))["results"]["bindings"]
            return [{k: str(v["value"]) for k, v in row.items()} for row in bindings]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # UnicodeDecodeError is a ValueError
            raise StoreError(
                f"GET {display(url)}: the answer is not SPARQL JSON results ({printable(str(exc)[:120])})"
            ) from None

    def select_integer(self, query: str, what: str) -> int:
        """The one integer a query such as ``SELECT (COUNT(*) AS ?n)`` answers."""
        rows = self.select(query)
        value = rows[0].get("n") if rows else "0"
        try:
            number = int(str(value).strip())
        except ValueError:
            number = -1
        if number < 0:
            shown = printable(str(value)[:40])
            raise StoreError(f"GET {display(self.endpoints.query_url)}: {what} is not a count: {shown!r}")
        return number

    def count(self, graph: str) -> int:
        """Triples in a named graph (0 when it does not exist)."""
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
        return self.select_integer(query, f"the number of triples in <{graph}>")

    def holds(self, graph: str) -> bool:
        """Whether a named graph holds any triple (``ASK``)."""
        query = f"ASK {{ GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
        return self._ask(query, f"no true or false answer to ASK of <{graph}>")

    def _ask(self, query: str, failure: str) -> bool:
        """The store's answer to an ``ASK`` query; ``failure`` says what is wrong when it gives none."""
        url = self.endpoints.query_url
        request = urllib.request.Request(
            f"{url}{'&' if '?' in url else '?'}"
            + urllib.parse.urlencode({"query": query}, quote_via=urllib.parse.quote),
            headers={"Accept": "application/sparql-results+json", "User-Agent": "ftzkg"},
        )
        with self.client.open(request, idempotent=True) as response:
            answer = boolean_answer(response.read())
        if answer is None:
            raise StoreError(f"GET {display(url)}: {failure}")
        return answer

    def graphs_held(self, graphs: list[str]) -> set[str]:
        """Those of ``graphs`` that hold a triple (one query per 50 graphs)."""
        held: set[str] = set()
        for start in range(0, len(graphs), 50):
            names = " ".join(_iri(g) for g in graphs[start : start + 50])
            query = (
                f"SELECT ?g WHERE {{ VALUES ?g {{ {names} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
            )
            held.update(row.get("g", "") for row in self.select(query))
        return held & set(graphs)

    def counts(self, graphs: list[str]) -> dict[str, int]:
        """Triples in each of ``graphs`` (one query per 50 graphs; 0 for a graph the store lacks)."""
        out = dict.fromkeys(graphs, 0)
        for start in range(0, len(graphs), 50):
            names = " ".join(_iri(g) for g in graphs[start : start + 50])
            query = (
                f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                "GROUP BY ?g"
            )
            for row in self.select(query):
                graph, value = row.get("g"), row.get("n", "")
                if graph not in out or not value.strip().isdigit():
                    shown = printable(f"{graph}: {value}"[:80])
                    url = display(self.endpoints.query_url)
                    raise StoreError(f"GET {url}: not a count per graph: {shown!r}")
                out[graph] = int(value)
        return out

    def held_and_matching(self, target: str, staging: str) -> tuple[int, int]:
        """Triples of ``target``, and how many of them ``staging`` holds too: one query, two counts."""
        t, st = _iri(target), _iri(staging)
        query = (
            f"SELECT ?n ?m WHERE {{ {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {t} {{ ?s ?p ?o }} }} }} "
            f"{{ SELECT (COUNT(*) AS ?m) WHERE {{ GRAPH {t} {{ ?s ?p ?o }} GRAPH {st} {{ ?s ?p ?o }} }} }} }}"
        )
        rows = self.select(query)
        values = [rows[0].get(k, "") if rows else "" for k in ("n", "m")]
        if not all(v.strip().isdigit() for v in values):
            shown = printable(", ".join(values)[:60])
            raise StoreError(
                f"GET {display(self.endpoints.query_url)}: <{target}>'s counts are not counts: {shown!r}"
            )
        return int(values[0]), int(values[1])

    def update(self, text: str, idempotent: bool) -> None:
        """Run a SPARQL update (form-encoded POST, which every store accepts)."""
        body = urllib.parse.urlencode({"update": text}).encode()
        self.client.request(
            "POST",
            self.endpoints.update_url,
            body,
            content_type="application/x-www-form-urlencoded",
            idempotent=idempotent,
        )

    def query_post(self, query: str | bytes, idempotent: bool = False) -> bytes:
        """Run a query sent as a form-encoded POST; its answer. Retried only when ``idempotent``
        (a query that may write, as ``copy_query`` does, never is)."""
        body = urllib.parse.urlencode({"query": query}).encode()
        return self.client.request(
            "POST",
            self.endpoints.query_url,
            body,
            content_type="application/x-www-form-urlencoded",
            accept="application/sparql-results+json",
            idempotent=idempotent,
        )

    def check(self) -> None:
        """Ask the store an ``ASK {}``: fails early on a wrong URL, credentials or a stopped store."""
        self._ask("ASK {}", "this is not a SPARQL endpoint (no answer to ASK {})")

    # ------------------------------------------------------------ writing

    def post_chunk(self, graph: str, body: bytes) -> None:
        """Add N-Triples (no blank nodes) to ``graph``; safe to retry: adding a triple twice is a no-op."""
        if self.endpoints.store_url:
            url = f"{self.endpoints.store_url}{'&' if '?' in self.endpoints.store_url else '?'}"
            extra = f"&{self.staging_query}" if self.staging_query else ""
            self.client.request(
                "POST",
                url + graph_param(graph) + extra,
                body,
                content_type="application/n-triples",
                idempotent=True,
            )
        else:
            self.update(f"INSERT DATA {{ GRAPH {_iri(graph)} {{\n{body.decode()}}} }}", idempotent=True)

    def drop(self, graph: str) -> None:
        """``DROP SILENT GRAPH`` (for staging graphs only)."""
        self.update(f"DROP SILENT GRAPH {_iri(graph)}", idempotent=True)

    def swap_text(self, staging: str, target: str, sent: int) -> str:
        """One update making ``target`` hold exactly the staging graph's triples, touching only the change.

        Both operations apply only while the staging graph holds the ``sent`` triples,
        so a staging graph that vanished (or shrank) cannot empty the target, the way
        ``MOVE SILENT`` from a missing graph does. The staging graph stays, so that the
        store can then check the target against it. With ``insert_all`` (Virtuoso) the
        insert takes every staged triple, without ``FILTER NOT EXISTS``: Virtuoso runs
        that filter row by row (minutes for a graph it already holds), and inserting a
        triple it holds leaves it alone (nothing is deleted and re-inserted). Never
        ``ADD``: Virtuoso copies a graph in steps a reader can see.
        """
        t, st = _iri(target), _iri(staging)
        guard = (
            f"{{ SELECT (COUNT(*) AS ?staged) WHERE {{ GRAPH {st} {{ ?s0 ?p0 ?o0 }} }} }} "
            f"FILTER (?staged = {int(sent)})"
        )
        delete = (
            f"DELETE {{ GRAPH {t} {{ ?s ?p ?o }} }} WHERE {{ {guard} GRAPH {t} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH {st} {{ ?s ?p ?o }} }} }} ;\n"
        )
        insert = f"INSERT {{ GRAPH {t} {{ ?s ?p ?o }} }} WHERE {{ {guard} GRAPH {st} {{ ?s ?p ?o }} "
        if self.insert_all:
            return delete + insert + "}"
        return delete + (
            f"INSERT {{ GRAPH {t} {{ ?s ?p ?o }} }} WHERE {{ {guard} GRAPH {st} {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH {t} {{ ?s ?p ?o }} }} }}"
        )

    def checkpoint(self) -> None:
        """Virtuoso: write a checkpoint, so that the swaps are in the database file, not only in its log."""
        self.select("SELECT (bif:exec('checkpoint') AS ?n) WHERE { }")

    def read_graph(self, graph: str, subjects: Iterable[bytes] = ()) -> set[bytes]:
        """The N-Triples lines of ``graph`` as the store writes them (a ``CONSTRUCT``), unterminated;
        only those of ``subjects`` (IRIs as N-Triples writes them) when there are any."""
        url = self.endpoints.query_url
        among = b" ".join(subjects).decode()
        values = f"VALUES ?s {{ {among} }} " if among else ""
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values}GRAPH {_iri(graph)} {{ ?s ?p ?o }} }}"
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode({"query": query}).encode(),
            headers={
                "Accept": "application/n-triples",
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "ftzkg",
            },
        )
        with self.client.open(request, idempotent=True) as response:
            body = response.read()
        lines = set(body.split(b"\n"))
        lines.discard(b"")
        return lines

    def replace_graph(self, target: str, triples: list[ox.Triple]) -> GraphResult:
        """Replace the contents of ``target`` with ``triples``, or leave it as it was and raise."""
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
            raise ValueError("skolemize blank nodes before loading: re-sent blank nodes duplicate data")
        return self.replace_graph_lines(target, ntriples_lines(triples))

    def replace_graph_lines(
        self, target: str, lines: list[bytes], compared: bool = False, absent: bool = False
    ) -> GraphResult:
        """Replace ``target`` with distinct N-Triples ``lines`` (each ending in a newline, no blank nodes);
        ``compared``: the caller already found that the store does not hold exactly these; ``absent``:
        it found that the store holds nothing in ``target`` (no need to ask again)."""
        sent = len(lines)
        if self.direct and not compared and 0 < sent <= self.chunk_size:
            held = self.read_graph(target)
            if held == {line[:-1] for line in lines}:  # the store holds exactly these: nothing to write
                self.progress(sent, self._total or sent)
                return GraphResult(target, sent, len(held), len(held))
        staging = staging_iri(target)
        log.info("loading %d triples into %s through %s", sent, target, staging)
        self.staging_seen.append(staging)
        try:
            for start in range(0, sent, self.chunk_size):
                chunk = lines[start : start + self.chunk_size]
                self.post_chunk(staging, b"".join(chunk))
                self.progress(len(chunk), self._total or sent)
            staged = self.count(staging)
            if staged != sent:
                raise StoreError(f"the staging graph holds {staged} triples but {sent} were sent")
        except StoreError as exc:
            raise StoreError(f"{_read_only_hint(exc)}; {self._abandon(target, staging)}") from None
        had: int | None = None  # triples in the target before the swap
        try:
            if not self.copy_new(staging, target, sent, absent):
                had = self.count(target)
                self.update(self.swap_text(staging, target, sent), idempotent=False)
        except StoreError as exc:
            if self._swapped(target, staging, sent):
                log.warning("%s, but the store did make the swap", exc)
            elif exc.status is not None:
                # SPARQL 1.1 Update (2.2) says a failed request changes nothing; Virtuoso keeps the
                # operations before the one that failed (the swap's DELETE): say what it did
                raise StoreError(f"{exc}; {self._abandon(target, staging, had=had)}") from None
            else:
                # no answer (timeout, lost connection): the store may still be swapping; touch nothing
                self.left.append(staging)
                raise StoreError(f"{exc}; {self._unknown(target, staging)}") from None
        try:
            result = GraphResult(target, sent, *self.held_and_matching(target, staging))
        except StoreError as exc:
            self.left.append(staging)
            raise StoreError(f"{exc}; {self._unknown(target, staging)}") from None
        if not result.verified:
            raise StoreError(
                f"the store answered the swap, but <{target}> holds {result.in_store} triples of which "
                f"{result.matching} are among the {sent} sent: it was not replaced as asked; "
                + self._abandon(target, staging, unchanged=False)
            )
        try:
            self.drop(staging)
        except StoreError as exc:
            self.left.append(staging)
            log.warning("%s: <%s> is loaded, but drop its staging graph <%s>", exc, target, staging)
        return result

    def copy_new(self, staging: str, target: str, sent: int, absent: bool = False) -> bool:
        """A target the store lacks, copied from its staging graph by ``copy_query`` in one request.

        True when copied; False when the swap must do it: no ``copy_query``, a target
        the store holds, a query it cannot write (a non-ASCII IRI), or a store that
        refuses the query (it is not asked again). On Virtuoso one SQL ``INSERT ... SELECT``
        copies the staging graph about ten times faster than the SPARQL swap, in one
        transaction. When the store answers it with an error but wrote part of the graph,
        the target (which was empty) is dropped again before the error is raised.
        """
        query = self.copy_query(staging, target, sent) if self.copy_query else None
        if query is None or (not absent and self.holds(target)):
            return False
        try:
            self.query_post(query)
        except StoreError as exc:
            if exc.status is None:
                raise  # no answer: the caller checks whether it was copied, or touches nothing
            if self._swapped(target, staging, sent):
                raise
            if self._absent(target):
                log.info("%s: the store does not copy graphs for this user; the swap does it", exc)
                self.copy_query = None
                return False
            try:
                self.drop(target)
                undone = "it was dropped again, as it was before"
            except StoreError as drop_exc:
                self.left.append(target)
                undone = f"drop it with DROP SILENT GRAPH <{target}> ({drop_exc})"
            raise StoreError(f"{exc}: <{target}> was written in part; {undone}", exc.status) from None
        return True

    def _swapped(self, target: str, staging: str, sent: int) -> bool:
        """After a failed swap: does the target hold exactly the staging graph's triples?"""
        try:
            held, matching = self.held_and_matching(target, staging)
            return held == sent == matching
        except StoreError:
            return False

    def _abandon(self, target: str, staging: str, unchanged: bool = True, had: int | None = None) -> str:
        """Drop the staging graph; a sentence saying what state the store is in.

        ``had``: the target's triples before a swap the store refused; counted again,
        a different number means the store applied part of the swap after all.
        """
        before = f"the previous data of <{target}> is unchanged" if unchanged else "check it"
        if unchanged and had is not None:
            try:
                now = self.count(target)
            except StoreError:
                now = None
            if now != had:
                shown = "an unknown number of" if now is None else now
                before = (
                    f"yet <{target}> was changed: it holds {shown} triples, {had} before (the store "
                    "kept part of the refused swap); load it again to replace it"
                )
        try:
            self.drop(staging)
        except StoreError as exc:
            if self._absent(staging):
                return f"{before}; nothing was left in the store"
            self.left.append(staging)
            return (
                f"{before}, but the staging graph <{staging}> could not be dropped ({exc}): "
                f"drop it with DROP SILENT GRAPH <{staging}>"
            )
        return f"{before} and the staging graph was dropped"

    def _absent(self, graph: str) -> bool:
        """True when the store says ``graph`` holds nothing (False when it cannot say)."""
        try:
            return self.count(graph) == 0
        except StoreError:
            return False

    def _unknown(self, target: str, staging: str) -> str:
        return f"could not tell whether <{target}> was replaced; check it, and drop <{staging}> if it exists"

    def load_dataset(
        self, source: ox.Store | Iterable[ox.Quad], graphs: Iterable[str] | None = None
    ) -> LoadReport:
        """Replace each named graph of ``source`` (or only ``graphs``), then count them all again."""
        if self.bulk or self.server_files is not None:
            return self.load_bodies(ntriples_bodies(source), graphs)
        return self.load_lines(ntriples_by_graph(source), graphs)

    @property
    def bulk(self) -> bool:
        """New graphs go in by the store's bulk loader (Oxigraph; see :mod:`ftzkg.bulk_loading`)."""
        return self.direct and self.endpoints.store_url is not None

    def load_lines(self, by_graph: dict[str, list[bytes]], graphs: Iterable[str] | None = None) -> LoadReport:
        """Replace each named graph of :func:`ntriples_by_graph`'s answer (or only ``graphs``)."""
        if self.bulk or self.server_files is not None:
            return self.load_bodies({g: b"".join(lines) for g, lines in by_graph.items()}, graphs)
        wanted = _wanted(by_graph, graphs)
        self.check()
        self._total = sum(len(by_graph[g]) for g in wanted)
        return self._load(wanted, lambda graph: self.replace_graph_lines(graph, by_graph[graph]), {}, [])

    def load_bodies(self, bodies: dict[str, bytes], graphs: Iterable[str] | None = None) -> LoadReport:
        """Replace each named graph of an N-Triples body per graph (:func:`ntriples_bodies`,
        :func:`~ftzkg.bulk_loading.graph_bodies`): on Oxigraph, graphs it lacks go in by its bulk
        loader; a graph it holds exactly is left alone; any other goes through a staging graph."""
        wanted = _wanted(bodies, graphs)
        self.check()
        sizes = {g: bodies[g].count(b"\n") for g in wanted}  # lines: triples, unless a line is repeated
        self._total = sum(sizes.values())
        if self.bulk:
            done, failures = BulkLoad(self, self.full_check).new_graphs(bodies, sizes, wanted)
            return self._load(wanted, lambda g: self.replace_graph_body(g, bodies[g]), done, failures)
        done, failures = {}, []
        if self.server_files is not None:  # Virtuoso reads the new graphs from files (ftzkg.server_files)
            done, failures = self.server_files.new_graphs(bodies, sizes, wanted)
        rest = [g for g in wanted if g not in done] if not failures else []
        # each graph's canonical lines are written by a thread of their own, in the order the graphs
        # load: the client writes the next graphs while the store takes this one
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ftzkg-lines") as writer:
            lines = {g: writer.submit(canonical_lines, bodies[g]) for g in rest}

            def replace(graph: str) -> GraphResult:
                try:
                    parsed = lines.pop(graph).result()
                except (SyntaxError, ValueError) as exc:  # a release split unparsed (server_files)
                    where = self.server_files.locate(graph, bodies[graph], exc) if self.server_files else None
                    where = where or f"the data of <{graph}>"
                    raise StoreError(f"{where}: {exc}; <{graph}> is unchanged") from None
                return self.replace_graph_lines(graph, parsed)

            return self._load(wanted, replace, done, failures)

    def replace_graph_body(self, target: str, body: bytes) -> GraphResult:
        """Replace ``target`` with the triples of an N-Triples body; left alone when the store holds them."""
        if 0 < body.count(b"\n") <= self.chunk_size:
            result = compare(self, target, body)
            if result.verified:  # the store holds exactly these: nothing to write
                self.progress(result.sent, self._total or result.sent)
                return result
            absent = not result.in_store
            return self.replace_graph_lines(target, canonical_lines(body), compared=True, absent=absent)
        return self.replace_graph_lines(target, canonical_lines(body), compared=True)

    def _load(
        self,
        wanted: list[str],
        replace: Callable[[str], GraphResult],
        done: dict[str, GraphResult],
        failures: list[tuple[str, StoreError]],
    ) -> LoadReport:
        """``replace`` each wanted graph not ``done`` yet (``parallel`` at a time), unless ``failures``."""
        counted = set(done)  # their counts were read just after their bulk request, not again
        pending = iter([g for g in wanted if g not in done] if not failures else [])
        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="ftzkg-load") as pool:
            running: dict[Future[GraphResult], str] = {}

            def start_next() -> None:
                graph = next(pending, None)
                if graph is not None:
                    running[pool.submit(replace, graph)] = graph

            for _ in range(self.parallel):
                start_next()
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    graph = running.pop(future)
                    try:
                        done[graph] = future.result()
                    except StoreError as exc:
                        failures.append((graph, exc))
                    if not failures:  # after a failure, start nothing new; let the others finish
                        start_next()
        report = LoadReport([done[g] for g in wanted if g in done])
        if self.checkpoint_after_swap and report.graphs:
            try:  # one checkpoint for the whole load: each swap is already in the store's log
                self.checkpoint()
            except StoreError as exc:  # e.g. a user without the DBA's rights: the log still holds the swaps
                log.warning("%s: no checkpoint after the load", exc)
        if failures:
            graph, exc = failures[0]
            replaced = ", ".join(f"<{r.graph}>" for r in report.graphs)
            before = f" (already replaced: {replaced})" if replaced else ""
            others = "".join(f"; loading <{g}> failed too: {e}" for g, e in failures[1:])
            left = ""
            if self.left:
                left = "; staging graphs left in the store: " + ", ".join(f"<{g}>" for g in self.left)
            message = f"loading <{graph}> failed: {exc}{others}{before}{left}"
            raise LoadError(message, report.graphs, self.left)
        counts = self.counts([r.graph for r in report.graphs if r.graph not in counted])
        for result in report.graphs:
            in_store = counts.get(result.graph, result.in_store)
            if in_store != result.in_store:  # changed under us since it was checked
                result.in_store = in_store
        return report


def _wanted(data: Mapping[str, object], graphs: Iterable[str] | None) -> list[str]:
    """The graphs to load: ``graphs`` (each must be in ``data``), or all of them."""
    wanted = sorted(data) if graphs is None else list(graphs)
    missing = [g for g in wanted if g not in data]
    if missing:
        raise ConfigurationError(f"no such named graph in the data: <{missing[0]}>")
    return wanted


def boolean_answer(body: bytes) -> bool | None:
    """The boolean of a SPARQL JSON answer to an ``ASK``; ``None`` for any other answer."""
    try:
        answer = json.loads(body.decode("utf-8")).get("boolean")
    except (ValueError, AttributeError):
        return None
    return answer if isinstance(answer, bool) else None


def _read_only_hint(exc: StoreError) -> str:
    """The error, saying plainly when the store is read-only."""
    text = str(exc)
    if exc.status in (403, 405) and "read-only" in text.lower():
        return (
            f"{text}: the store is read-only (for `ftzkg serve`, start it with --writable; "
            "for Oxigraph, `oxigraph serve` rather than `serve-read-only`)"
        )
    return text


def require_graphs(source: ox.Store | Iterable[ox.Quad], graphs: Iterable[str]) -> None:
    """ConfigurationError naming the first of ``graphs`` that ``source`` does not hold."""
    if isinstance(source, ox.Store):
        present = {g.value for g in source.named_graphs() if isinstance(g, ox.NamedNode)}
    else:
        present = {q.graph_name.value for q in source if isinstance(q.graph_name, ox.NamedNode)}
    for graph in graphs:
        if graph not in present:
            raise ConfigurationError(f"no such named graph in the data: <{graph}>")


def ntriples_lines(triples: Iterable[ox.Triple]) -> list[bytes]:
    """Distinct N-Triples lines of ``triples``, sorted, each ending in a newline.

    One serialization per graph; the chunks are slices of these lines, so
    nothing is serialized twice. N-Triples escapes line breaks inside literals,
    so a line is exactly one triple.
    """
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return sorted({line + b"\n" for line in body.split(b"\n") if line})


def ntriples_by_graph(source: ox.Store | Iterable[ox.Quad]) -> dict[str, list[bytes]]:
    """Distinct N-Triples lines per named graph (:func:`ntriples_bodies`, a line each ending in a newline)."""
    bodies = ntriples_bodies(source)
    return {g: [line + b"\n" for line in body.split(b"\n") if line] for g, body in bodies.items()}


def ntriples_bodies(source: ox.Store | Iterable[ox.Quad]) -> dict[str, bytes]:
    """The triples of each named graph as N-Triples (distinct lines), blank nodes skolemized;
    default-graph triples are refused.

    The lines are written by Oxigraph from a store (``source``, or an in-memory one
    holding its quads), graph by graph, so that no triple becomes a Python object
    unless its graph has blank nodes; every literal is in the store's canonical form,
    as Oxigraph's server writes it back. Graphs with blank nodes go through
    :func:`~ftzkg.blank_nodes.skolemize` together (a blank node may span graphs).
    """
    if isinstance(source, ox.Store):
        store = source
    else:
        store = ox.Store()
        store.bulk_extend(source)
    outside = "ASK { ?s ?p ?o }"  # the default graph alone (no union)
    if bool(store.query(outside)) or any(not isinstance(g, ox.NamedNode) for g in store.named_graphs()):
        raise ConfigurationError("the data has triples outside named graphs; ftzkg loads named graphs only")
    out: dict[str, bytes] = {}
    with_blank_nodes: list[ox.Quad] = []
    for graph in store.named_graphs():
        body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph) or b""
        if body.startswith(b"_:") or b" _:" in body:  # maybe a blank node (or a literal with " _:" in it)
            with_blank_nodes += store.quads_for_pattern(None, None, None, graph)
        elif body:
            out[graph.value] = body
    grouped: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in skolemize(with_blank_nodes):
        grouped[q.graph_name.value].append(q.triple)
    out.update((g, b"".join(ntriples_lines(ts))) for g, ts in grouped.items())
    return dict(sorted(out.items()))


def triples_by_graph(quads: Iterable[ox.Quad]) -> dict[str, list[ox.Triple]]:
    """Skolemized, sorted, distinct triples per named graph; default-graph triples are refused."""
    quads = skolemize(list(quads))
    out: dict[str, set[ox.Triple]] = defaultdict(set)
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            raise ConfigurationError(
                "the data has triples outside named graphs; ftzkg loads named graphs only"
            )
        out[q.graph_name.value].add(ox.Triple(q.subject, q.predicate, q.object))
    return {g: sorted(ts, key=sort_key) for g, ts in sorted(out.items())}


def read_dataset(release: Path | None = None) -> list[ox.Quad]:
    """The quads to load: a release folder (checked against SHA256SUMS), an RDF file, or the project's KG."""
    if release is None:
        return KnowledgeGraph.load().quads()
    return parse_file(release_path(Path(release)))


def read_dataset_store(release: Path) -> ox.Store:
    """A release folder (checked against SHA256SUMS) or an RDF file, in an in-memory store.

    Oxigraph parses it straight into the store; when it cannot, :func:`parse_file`
    reads it again to name the file, line and problem.
    """
    path = release_path(Path(release))
    store = ox.Store()
    try:
        data = read_regular_file(path, None)
        store.bulk_load(data, format=format_for(path))
    except Exception:  # any failure: the careful parser says what it is
        store = ox.Store()
        store.bulk_extend(parse_file(path))
    return store


def release_path(release: Path) -> Path:
    """The dataset file of a release folder (checked against its SHA256SUMS), or ``release`` itself."""
    if release.is_dir():
        try:
            return release_file(release)
        except ReleaseError as exc:
            raise ConfigurationError(str(exc)) from None
    return release
