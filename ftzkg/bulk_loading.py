"""Oxigraph: graphs the store does not hold yet go in with its bulk loader, then are read back and compared.

Oxigraph's bulk loader (``POST /store?no_transaction``) writes up to a million
triples as one ingestion of sorted files, all indexes at once (RocksDB ingests them
atomically), so a reader or a crash sees none of a request's graphs or all of them,
whole. Each graph travels in exactly one request, as quads ftzkg wrote itself (every
line given its graph's name), never a file's quads.

The new graphs are sent in a few requests of about equal size, two at once (the server
parses a request on one thread: two requests keep two cores busy), and each request's
graphs are checked as soon as it is written: counted and sampled, or with ``--check full``
read back (``CONSTRUCT``) and compared line by line. A graph
must hold exactly the lines sent; lines a release writes in a non-canonical form
(``"5.0"^^xsd:decimal``, which Oxigraph stores as ``5``) are put in Oxigraph's own form
before they are compared. A graph that does not match is dropped again.

The data arrives as one N-Triples *body* per graph (``bytes``, one triple a line): read
from a release by :func:`graph_bodies` without building a store, or from a store.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .http_client import ConfigurationError, StoreError, display
from .input_limits import LimitExceeded, read_regular_file
from .parsing import format_for, parse_file

if TYPE_CHECKING:
    from .store_loading import GraphResult, StoreLoader

log = logging.getLogger(__name__)

_random = secrets.SystemRandom()  # a sample the store cannot foresee


def graph_bodies(path: Path) -> dict[str, bytes]:
    """A release file's triples as one N-Triples body per named graph, blank nodes skolemized.

    Parsed once by Oxigraph's parser and written once by its serializer, graph by
    graph, without an in-memory store: literals keep the form the file gives them
    (compared in Oxigraph's canonical form after loading). Graphs with blank nodes go
    through a store and :func:`~ftzkg.store_loading.ntriples_bodies`, as from a project
    store, so that their skolem IRIs do not depend on how a literal was written. A
    syntax error is reported with the file, line and column; default-graph triples are
    refused.
    """
    from .store_loading import ntriples_bodies

    fmt = format_for(path)
    groups: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Quad]] = defaultdict(list)
    try:
        data = read_regular_file(path, None)
        for quad in ox.parse(data, format=fmt):
            groups[quad.graph_name].append(quad)
    except (OSError, LimitExceeded, SyntaxError, ValueError, MemoryError):
        groups.clear()  # the careful parser names the file, line and problem
        for quad in parse_file(path):
            groups[quad.graph_name].append(quad)
    out: dict[str, bytes] = {}
    with_blank_nodes: list[ox.Quad] = []
    for graph, quads in groups.items():
        if not isinstance(graph, ox.NamedNode):
            raise ConfigurationError(
                "the data has triples outside named graphs; ftzkg loads named graphs only"
            )
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
        if body.startswith(b"_:") or b" _:" in body:  # maybe a blank node (or " _:" inside a literal)
            with_blank_nodes += quads
            continue
        # each line ends with " <graph> .\n" (a literal's line breaks are escaped): drop the name
        out[graph.value] = body.replace(b" " + str(graph).encode() + b" .\n", b" .\n")
    if with_blank_nodes:
        store = ox.Store()
        store.bulk_extend(with_blank_nodes)
        out.update(ntriples_bodies(store))
    return dict(sorted(out.items()))


def nquads(graph: str, body: bytes) -> bytes:
    """An N-Triples body as N-Quads in ``graph``: " .\n" ends every line and nothing else (line breaks
    inside literals are escaped), so each line is given the graph's name there."""
    return body.replace(b" .\n", f" {ox.NamedNode(graph)} .\n".encode())


def line_set(body: bytes) -> set[bytes]:
    """The distinct lines of an N-Triples body, without their line breaks."""
    lines = set(body.split(b"\n"))
    lines.discard(b"")
    return lines


def canonical(lines: set[bytes]) -> set[bytes]:
    """The same triples with every literal in Oxigraph's canonical form (``"5.0"^^xsd:decimal`` → ``"5"``)."""
    if not lines:
        return set()
    return {line[:-1] for line in canonical_lines(b"\n".join(lines) + b"\n")}


def canonical_lines(body: bytes) -> list[bytes]:
    """Distinct N-Triples lines of ``body`` in Oxigraph's canonical form, each ending in a newline."""
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.N_TRIPLES)
    dump = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    return [line + b"\n" for line in dump.split(b"\n") if line]


def sample_lines(body: bytes, k: int) -> set[bytes]:
    """About ``k`` distinct lines of an N-Triples body chosen at random (each with its " ."), all of
    a body of at most ``k`` lines; lines with a quoted triple (``<<``) are left out."""
    if body.count(b"\n") <= k:
        lines = {line for line in body.split(b"\n") if line}
    else:
        lines = set()
        for _ in range(k):
            at = _random.randrange(len(body))
            start = body.rfind(b"\n", 0, at) + 1
            lines.add(body[start : body.find(b"\n", at)])
    return {line for line in lines if b"<<" not in line}


def compare(loader: StoreLoader, graph: str, body: bytes) -> GraphResult:
    """Read ``graph`` back from the store and compare it with ``body``, line by line.

    Lines the store does not hold as written are put in canonical form first, so a
    decimal written ``5.0`` matches the store's ``5``, and two spellings of one value
    count once. ``sent`` is the number of distinct triples, ``in_store`` what the store
    holds, ``matching`` how many of them were sent.
    """
    from .store_loading import GraphResult

    stored = loader.read_graph(graph)
    sent = line_set(body)
    if sent != stored:
        extra = sent - stored
        if extra:
            sent = (sent & stored) | canonical(extra)
    matching = len(stored) if sent == stored else len(stored & sent)
    return GraphResult(graph, len(sent), len(stored), matching)


class BulkLoad:
    """Graphs the store does not hold yet, straight into it by the bulk loader, then checked."""

    #: How many requests the new graphs are spread over when every graph is read back whole (each is
    #: read back while others are written; more would cost the store more merging than they save).
    batches = 4
    #: Requests written at once. Oxigraph's server parses a request on one thread, so two requests
    #: use two cores: on the 2-core machine 100,000 triples went in in 0.42 s instead of 0.82 s, a
    #: million in 6.0 s instead of 10.7 s. Checked by sample, the new graphs go in this many requests
    #: (more when ``chunk_size`` asks for it), each of at least ``min_batch`` triples.
    writers = 2
    #: The smallest request worth its own ingestion (each one costs the store a flush and a merge).
    min_batch = 20_000
    #: Triples of a request checked by sample (reading every triple back costs the store about as
    #: much as writing it), and at least this many of each graph.
    sample = 2_000
    min_sample = 16

    def __init__(self, loader: StoreLoader, full: bool = False):
        self.loader = loader
        self.full = full  # read every graph back and compare it, rather than counts and a sample

    def new_graphs(
        self, bodies: dict[str, bytes], sizes: dict[str, int], wanted: list[str]
    ) -> tuple[dict[str, GraphResult], list[tuple[str, StoreError]]]:
        """Load the wanted graphs the store lacks (each of at most ``chunk_size`` lines, ``sizes``).

        ``writers`` requests are written at once, and each is checked as soon as it is written.
        The answer: the graphs loaded and verified, and the failures. After a failure no
        further request is sent; the requests and checks already started finish.
        """
        loader = self.loader
        candidates = [g for g in wanted if 0 < sizes[g] <= self._limit()]
        held = loader.graphs_held(candidates)
        new = [g for g in candidates if g not in held]
        done: dict[str, GraphResult] = {}
        failures: list[tuple[str, StoreError]] = []
        stop = threading.Event()

        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ftzkg-check") as checker:

            def write(
                batch: list[str],
            ) -> tuple[list[str], list[tuple[str, StoreError]], Future[list[GraphResult]] | None]:
                if stop.is_set():  # another request failed: send no more
                    return [], [], None
                posted, failed = self._post(batch, bodies)
                if failed:
                    stop.set()
                if not posted:
                    return posted, failed, None
                loader.progress(sum(sizes[g] for g in posted), loader._total)
                return posted, failed, checker.submit(self.check, posted, bodies, sizes)

            with ThreadPoolExecutor(max_workers=self.writers, thread_name_prefix="ftzkg-bulk") as writers:
                jobs = [writers.submit(write, batch) for batch in self._batches(new, sizes)]
            for job in jobs:
                batch, failed, checking = job.result()
                failures += failed
                if checking is None:
                    continue
                try:
                    results = checking.result()
                except StoreError as exc:
                    loader.left.extend(batch)
                    failures += [(g, StoreError(f"{exc}; could not check <{g}>: check it")) for g in batch]
                    continue
                for result in results:
                    if result.verified:
                        done[result.graph] = result
                    else:
                        failures.append((result.graph, self._reject(result)))
        return done, failures

    def compare(self, graph: str, body: bytes) -> GraphResult:
        """What the store holds of ``graph``, read back and compared with ``body`` (:func:`compare`)."""
        return compare(self.loader, graph, body)

    def _limit(self) -> int:
        """The largest graph this way takes (one request is one ingestion of at most ``chunk_size``)."""
        return self.loader.chunk_size

    def check(self, batch: list[str], bodies: dict[str, bytes], sizes: dict[str, int]) -> list[GraphResult]:
        """What the store holds of ``batch``'s graphs after their request.

        With ``full``, every graph is read back and compared. Otherwise each graph must hold
        as many triples as lines were sent (one ``COUNT`` per graph, in one query), and
        randomly chosen lines of every graph (``sample`` in all, at least ``min_sample`` a
        graph, all of a smaller one) must all be there (one ``ASK``); a graph that fails
        either, or whose lines cannot be asked about, is read back and compared in full,
        which says exactly what it holds (and accepts a value written in two forms, which
        the store holds once).
        """
        from .store_loading import GraphResult

        loader = self.loader
        if self.full:
            return [self.compare(g, bodies[g]) for g in batch]
        share = self.sample / max(sum(sizes[g] for g in batch), 1)
        rows: list[bytes] = []
        unsampled: set[str] = set()
        for graph in batch:
            lines = sample_lines(bodies[graph], max(self.min_sample, round(share * sizes[graph])))
            if not lines:
                unsampled.add(graph)
            name = str(ox.NamedNode(graph)).encode()
            rows += [b"(" + name + b" " + line[:-2] + b")" for line in lines]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ftzkg-count") as counter:
            counting = counter.submit(loader.counts, batch)  # both questions at once
            missing = bool(rows) and self._any_missing(rows)
            counts = counting.result()
        suspect = {g for g in batch if counts[g] != sizes[g]} | unsampled
        if missing:
            suspect = set(batch)  # the store cannot say which graph: read them all back
        return [
            self.compare(g, bodies[g]) if g in suspect else GraphResult(g, sizes[g], counts[g], counts[g])
            for g in batch
        ]

    def _any_missing(self, rows: list[bytes]) -> bool:
        """Whether the store lacks any of the quads given as SPARQL ``VALUES`` rows (one ``ASK``)."""
        query = (
            b"ASK { VALUES (?g ?s ?p ?o) { " + b"\n".join(rows) + b" } "
            b"FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        from .store_loading import boolean_answer

        missing = boolean_answer(self.loader.query_post(query, idempotent=True))
        if missing is None:
            url = display(self.loader.endpoints.query_url)
            raise StoreError(f"POST {url}: no true or false answer to the ASK of sampled triples")
        return missing

    def _batches(self, graphs: list[str], sizes: dict[str, int]) -> list[list[str]]:
        """Whole graphs in requests of about equal size: ``writers`` of them (``batches`` when every
        graph is read back), fewer when a request would hold less than ``min_batch`` triples, more
        when one would hold more than ``chunk_size`` (one request is one ingestion). The largest
        graph goes first into the lightest request; each request keeps the graphs' order."""
        chunk = self.loader.chunk_size
        total = sum(sizes[g] for g in graphs)
        parts = self.batches if self.full else self.writers
        out: list[list[str]] = [
            [] for _ in range(max(min(parts, total // self.min_batch), -(-total // chunk), 1))
        ]
        load = [0] * len(out)
        for graph in sorted(graphs, key=lambda g: -sizes[g]):
            i = min(range(len(out)), key=load.__getitem__)
            if load[i] and load[i] + sizes[graph] > chunk:  # no request has room: a new one
                out.append([])
                load.append(0)
                i = len(out) - 1
            out[i].append(graph)
            load[i] += sizes[graph]
        place = {g: n for n, g in enumerate(graphs)}
        return [sorted(batch, key=place.__getitem__) for batch in out if batch]

    def _post(
        self, batch: list[str], bodies: dict[str, bytes]
    ) -> tuple[list[str], list[tuple[str, StoreError]]]:
        """One bulk-loader request with ``batch``'s graphs; the graphs written, or the failures."""
        loader = self.loader
        body = b"".join(nquads(g, bodies[g]) for g in batch)
        names = ", ".join(f"<{g}>" for g in batch)
        log.info("loading %d new graphs in one request: %s", len(batch), names)
        store_url = loader.endpoints.store_url or ""
        url = f"{store_url}{'&' if '?' in store_url else '?'}{loader.staging_query}"
        try:
            loader.client.request("POST", url, body, content_type="application/n-quads", idempotent=True)
        except StoreError as exc:
            from .store_loading import _read_only_hint

            outcome = self._after_lost_answer(batch, bodies)
            if outcome == "absent":
                error = StoreError(f"{_read_only_hint(exc)}; nothing was written")
                return [], [(g, error) for g in batch]
            if outcome == "unknown":
                loader.left.extend(batch)
                error = StoreError(f"{exc}; could not tell whether {names} were written whole; check them")
                return [], [(g, error) for g in batch]
            log.warning("%s, but the store did write %s whole", exc, names)
        return batch, []

    def _after_lost_answer(self, batch: list[str], bodies: dict[str, bytes]) -> str:
        """After a failed request: ``absent`` (none of the graphs is there), ``whole`` (all are, exactly)
        or ``unknown``."""
        try:
            if not self.loader.graphs_held(batch):
                return "absent"
            return "whole" if all(self.compare(g, bodies[g]).verified for g in batch) else "unknown"
        except StoreError:
            return "unknown"

    def _reject(self, result: GraphResult) -> StoreError:
        """Drop a graph the store did not write as asked; the error saying so."""
        graph = result.graph
        try:
            self.loader.drop(graph)
            state = "it was dropped again, as it was before"
        except StoreError as exc:
            state = f"drop it with DROP SILENT GRAPH <{graph}> ({exc})"
        return StoreError(
            f"<{graph}> holds {result.in_store} triples of which {result.matching} are among the "
            f"{result.sent} sent: it was not written as asked; {state}"
        )
