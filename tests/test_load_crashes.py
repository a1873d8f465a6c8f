"""``kill -9`` of the store at any moment of a load: after a restart, the old graph or the new one, whole.

For Oxigraph and Virtuoso alike, the store is killed before and after each request
of a load (through a proxy that counts them), and at several moments while the
store runs the swap; then restarted on the same files. Each time the target graph
must hold exactly the old triples or exactly the new ones. A reader querying the
graph during a load likewise sees one of the two, never a mix.

``make test`` kills at the moments around the swap (where a store could lose the
graph) and at two moments inside it; ``make crash-test`` (``FTZKG_EVERY_KILL=1``)
kills before and after every request of the load and at four moments inside the swap.
The same holds for a graph the store does not hold yet (none of it or all of it), which
Virtuoso gets by one SQL copy of its staging graph: killed around each request and at
several moments of the copy.
The fixture ``store`` (each store type, empty) comes from tests/load_fixtures.py.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time

import pyoxigraph as ox
from fault_proxy import Fault, FaultProxy, is_copy, is_swap
from store_queries import graph_lines, loader, select, staging_graphs

from ftzkg.http_client import StoreError
from ftzkg.virtuoso_server import VirtuosoServer

EX = "http://example.org/crash/"
TARGET = EX + "graph"


def version(tag: str, n: int) -> list[ox.Quad]:
    """``n`` triples, all different between versions (every one is deleted or inserted by the swap)."""
    p, g = ox.NamedNode(EX + "p"), ox.NamedNode(TARGET)
    return [ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal(f"{tag}-{i}"), g) for i in range(n)]


def lines(quads: list[ox.Quad]) -> set[str]:
    return {f"{q.subject.value} {q.predicate.value} {q.object.value}" for q in quads}


def recover(store) -> str:
    """Restart the killed store on its files; 'old', 'new' or what it holds instead; staging cleaned."""
    store.start()
    held = graph_lines(store, TARGET)
    for graph in staging_graphs(store):  # what the failed load named for the user to drop
        loader(store).drop(graph)
    return "old" if held == OLD else "new" if held == NEW else f"{len(held)} triples, a mix"


OLD, NEW = lines(version("old", 300)), lines(version("new", 300))
EVERY_KILL = bool(os.environ.get("FTZKG_EVERY_KILL"))


def test_a_kill_before_or_after_any_request_of_a_load_leaves_the_old_or_the_new_graph(store):
    chunk = 60  # 300 triples: 5 chunks
    # a first run through a recording proxy numbers the requests of one load
    assert loader(store).load_dataset(version("old", 300)).verified
    with FaultProxy(store.url) as proxy:
        assert loader(store, proxy.url, chunk_size=chunk).load_dataset(version("new", 300)).verified
    requests = len(proxy.requests)
    assert requests >= 10
    points = range(1, requests + 1)
    if not EVERY_KILL:  # the swap and what follows it (Virtuoso: the checkpoint)
        swap = next(i for i, r in enumerate(proxy.requests, 1) if is_swap(r))
        points = [swap, swap + 1]
    outcomes = {}
    for when in ("before", "after"):
        for nth in points:
            assert loader(store).load_dataset(version("old", 300)).verified
            fault = Fault(lambda r: True, when, nth=nth, callback=store.kill)
            with FaultProxy(store.url, [fault]) as proxy:
                try:
                    loader(store, proxy.url, chunk_size=chunk, retries=0).load_dataset(version("new", 300))
                    reported = "new"
                except StoreError:
                    reported = "error"
            outcome = recover(store)
            outcomes[(when, nth)] = outcome
            assert outcome in ("old", "new"), (when, nth, outcome)
            if reported == "new":  # never "loaded" unless it is, after the restart too
                assert outcome == "new", (when, nth)
    assert {"old", "new"} <= set(outcomes.values())  # both ends were reached


def test_a_kill_while_the_store_runs_the_swap_leaves_the_old_or_the_new_graph(store):
    n = 4_000
    old, new = version("old", n), version("new", n)
    assert loader(store).load_dataset(old).verified
    started = time.monotonic()
    assert loader(store).load_dataset(new).verified
    duration = time.monotonic() - started
    for fraction in (0.55, 0.7, 0.85, 0.95) if EVERY_KILL else (0.7, 0.85):
        assert loader(store).load_dataset(old if fraction != 0.7 else new).verified
        before = lines(old if fraction != 0.7 else new)
        killer = threading.Timer(duration * fraction, store.kill)
        killer.start()
        with contextlib.suppress(StoreError):  # the load may fail or finish: either is fine
            loader(store, retries=0).load_dataset(new if fraction != 0.7 else old)
        killer.join()
        store.start()
        held = graph_lines(store, TARGET)
        assert held in (lines(old), lines(new)), (fraction, len(held), len(held & before))
        for graph in staging_graphs(store):
            loader(store).drop(graph)


def test_a_reader_during_a_load_sees_the_old_graph_or_the_new_one(store):
    """On Oxigraph at every moment; on Virtuoso before the swap request and after its answer.

    Virtuoso releases the rows of a committing transaction page by page, and a reader
    at its default isolation (read committed) can count part of the new graph while
    the swap commits (README: Crashes); the test reads as fast as it can throughout.
    """
    n = 4_000
    old, new = version("old", n), version("new", n)
    assert loader(store).load_dataset(old).verified
    seen: list[tuple[float, float, int, int]] = []  # (asked, answered, triples, new ones)
    done = threading.Event()
    query = (
        f"SELECT (COUNT(*) AS ?n) (SUM(IF(STRSTARTS(STR(?o), 'new'), 1, 0)) AS ?new) "
        f"WHERE {{ GRAPH <{TARGET}> {{ ?s ?p ?o }} }}"
    )

    def read() -> None:
        while not done.is_set():
            asked = time.monotonic()
            row = select(store, query)[0]
            seen.append((asked, time.monotonic(), int(row["n"]), int(row.get("new") or 0)))

    writer = loader(store)
    window: list[float] = []
    update = writer.update

    def timed_update(text: str, idempotent: bool) -> None:
        swap = "DELETE" in text and "INSERT" in text
        window.extend([time.monotonic()] if swap else [])
        update(text, idempotent)
        window.extend([time.monotonic()] if swap else [])

    writer.update = timed_update  # type: ignore[method-assign]
    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert writer.load_dataset(new).verified
    finally:
        done.set()
        reader.join()
    assert len(seen) >= 3 and len(window) == 2
    whole = {(n, 0), (n, n)}
    if isinstance(store, VirtuosoServer):  # outside the swap's request: the old graph or the new one
        outside = [(t, m) for asked, answered, t, m in seen if answered < window[0] or asked > window[1]]
        assert set(outside) <= whole, sorted(set(outside))[:5]
        assert (n, 0) in outside and (n, n) in outside
    else:
        assert {(t, m) for _, _, t, m in seen} <= whole, sorted(set(seen))[:5]


def absent_or(store, new: set[str]) -> str:
    """Restart the killed store; 'absent', 'new' or what the graph holds instead; staging cleaned."""
    store.start()
    held = graph_lines(store, TARGET)
    for graph in staging_graphs(store):
        loader(store).drop(graph)
    return "absent" if not held else "new" if held == new else f"{len(held)} triples, a mix"


def test_a_kill_around_any_request_of_loading_a_graph_the_store_lacks_leaves_none_of_it_or_all(store):
    chunk = 60  # 300 triples: 5 chunks to a staging graph, then the swap (Virtuoso: the copy)
    with FaultProxy(store.url) as proxy:
        assert loader(store, proxy.url, chunk_size=chunk).load_dataset(version("new", 300)).verified
    points = range(1, len(proxy.requests) + 1)
    if not EVERY_KILL:
        swap = next(i for i, r in enumerate(proxy.requests, 1) if is_swap(r))
        points = [swap, swap + 1]
    outcomes = {}
    for when in ("before", "after"):
        for nth in points:
            loader(store).drop(TARGET)
            fault = Fault(lambda r: True, when, nth=nth, callback=store.kill)
            with FaultProxy(store.url, [fault]) as proxy:
                try:
                    loader(store, proxy.url, chunk_size=chunk, retries=0).load_dataset(version("new", 300))
                    reported = "new"
                except StoreError:
                    reported = "error"
            outcome = absent_or(store, NEW)
            outcomes[(when, nth)] = outcome
            assert outcome in ("absent", "new"), (when, nth, outcome)
            if reported == "new":
                assert outcome == "new", (when, nth)
    assert {"absent", "new"} <= set(outcomes.values())


def test_a_kill_while_virtuoso_copies_a_new_graph_leaves_none_of_it_or_all(virtuoso_clean):
    store, n = virtuoso_clean, 40_000
    new = version("new", n)
    with FaultProxy(store.url) as proxy:
        started = time.monotonic()
        assert loader(store, proxy.url).load_dataset(new).verified
    assert sum(is_copy(r) for r in proxy.requests) >= 1  # the copy, not the SPARQL swap
    assert not any(is_swap(r) and not is_copy(r) for r in proxy.requests)
    took = time.monotonic() - started
    outcomes = []
    delays = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.8) if EVERY_KILL else (0.02, 0.1, 0.3)
    for delay in delays:
        loader(store).drop(TARGET)
        killer = threading.Timer(delay, store.kill)
        fault = Fault(is_copy, "before", callback=killer.start)
        with FaultProxy(store.url, [fault]) as proxy, contextlib.suppress(StoreError):
            loader(store, proxy.url, retries=0).load_dataset(new)
        killer.join(timeout=took + 5)
        store.kill()  # had the copy finished before the timer, the store is killed after it
        outcome = absent_or(store, lines(new))
        outcomes.append(outcome)
        assert outcome in ("absent", "new"), (delay, outcome)
