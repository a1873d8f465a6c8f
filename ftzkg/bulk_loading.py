"""Oxigraph: graphs the store does not hold yet go in with its bulk loader, then are read back and compared.

Oxigraph's bulk loader (``POST /store?no_transaction``) writes up to a million
triples as one ingestion of sorted files, all indexes at once (RocksDB ingests them
atomically), so a reader or a crash sees none of a request's graphs or all of them,
whole. Each graph travels in exactly one request, as quads ftzkg wrote itself (every
line given its graph's name), never a file's quads.

The new graphs are sent in a few requests, and each request's graphs are read back
(``CONSTRUCT``) and compared line by line while the next request is written: the store
writes one request on one core while it reads the last one back on the other. A graph
must hold exactly the lines sent; lines a release writes in a non-canonical form
(``"5.0"^^xsd:decimal``, which Oxigraph stores as ``5``) are put in Oxigraph's own form
before they are compared. A graph that does not match is dropped again.

The data arrives as one N-Triples *body* per graph (``bytes``, one triple a line): read
from a release by :func:`graph_bodies` without building a store, or from a store.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .http_client import ConfigurationError, StoreError
from .input_limits import LimitExceeded, read_regular_file
from .parsing import format_for, parse_file

if TYPE_CHECKING:
    from .store_loading import GraphResult, StoreLoader

log = logging.getLogger(__name__)


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
    if any(not isinstance(graph, ox.NamedNode) for graph in groups):
        raise ConfigurationError("the data has triples outside named graphs; ftzkg loads named graphs only")
    out: dict[str, bytes] = {}
    with_blank_nodes: list[ox.Quad] = []
    for graph, quads in groups.items():
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
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

    #: How many requests the new graphs are spread over at most (one is read back while one is written).
    batches = 2
    #: The smallest request worth its own ingestion (each one costs the store a flush and a merge).
    min_batch = 100_000

    def __init__(self, loader: StoreLoader):
        self.loader = loader

    def new_graphs(
        self, bodies: dict[str, bytes], sizes: dict[str, int], wanted: list[str]
    ) -> tuple[dict[str, GraphResult], list[tuple[str, StoreError]]]:
        """Load the wanted graphs the store lacks (each of at most ``chunk_size`` lines, ``sizes``).

        The answer: the graphs loaded and verified, and the failures. After a failure
        no further request is sent; the checks already started finish.
        """
        loader = self.loader
        candidates = [g for g in wanted if 0 < sizes[g] <= loader.chunk_size]
        held = loader.graphs_held(candidates)
        new = [g for g in candidates if g not in held]
        done: dict[str, GraphResult] = {}
        failures: list[tuple[str, StoreError]] = []
        checks: list[tuple[str, Future[GraphResult]]] = []
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="ftzkg-check") as checker:
            for batch in self._batches(new, sizes):
                posted, failed = self._post(batch, bodies)
                if posted:
                    loader.progress(sum(sizes[g] for g in posted), loader._total)
                failures += failed
                if failed:
                    break
                checks += [(g, checker.submit(compare, loader, g, bodies[g])) for g in posted]
            for graph, check in checks:
                try:
                    result = check.result()
                except StoreError as exc:
                    loader.left.append(graph)
                    failures.append((graph, StoreError(f"{exc}; could not check <{graph}>: check it")))
                    continue
                if result.verified:
                    done[graph] = result
                else:
                    failures.append((graph, self._reject(result)))
        return done, failures

    def _batches(self, graphs: list[str], sizes: dict[str, int]) -> list[list[str]]:
        """Whole graphs in at most ``batches`` requests of at least ``min_batch`` and at most ``chunk_size``
        triples (one request is one ingestion: fewer requests cost the store less)."""
        total = sum(sizes[g] for g in graphs)
        target = min(max(-(-total // self.batches), self.min_batch), self.loader.chunk_size)
        out: list[list[str]] = []
        batch: list[str] = []
        size = 0
        for graph in graphs:
            limit = target if len(out) + 1 < self.batches else self.loader.chunk_size
            if batch and size + sizes[graph] > limit:
                out.append(batch)
                batch, size = [], 0
            batch.append(graph)
            size += sizes[graph]
        if batch:
            out.append(batch)
        return out

    def _post(
        self, batch: list[str], bodies: dict[str, bytes]
    ) -> tuple[list[str], list[tuple[str, StoreError]]]:
        """One bulk-loader request with ``batch``'s graphs; the graphs written, or the failures."""
        loader = self.loader
        # each line given its graph's name: " .\n" ends every line and nothing else (line breaks are escaped)
        body = b"".join(bodies[g].replace(b" .\n", f" {ox.NamedNode(g)} .\n".encode()) for g in batch)
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
            return "whole" if all(compare(self.loader, g, bodies[g]).verified for g in batch) else "unknown"
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
