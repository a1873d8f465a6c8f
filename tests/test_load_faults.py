"""Faults during ``ftzkg load``, on Oxigraph and on Virtuoso: the previous graph stays, the command exits 3.

A fault-injecting proxy (tests/fault_proxy.py) sits in front of a real server and
breaks one chosen request: a malformed chunk, an HTTP 500, the store killed
mid-load, a 401, a stall past the timeout, a lost answer. Transient faults (a lost
answer, a 503) are retried and the load succeeds without duplicates.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import Result
from fault_proxy import Fault, FaultProxy, is_chunk, is_swap
from load_fixtures import ARTICLE, assert_unchanged, load_release
from store_queries import graph_counts, graph_lines, loader, staging_graphs, write_nquads

from ftzkg import KnowledgeGraph
from ftzkg.http_client import StoreError


@pytest.fixture
def new_version(tmp_path: Path, kg: KnowledgeGraph) -> Path:
    """A new version of the article graph (31 triples fewer), as an N-Quads file to load."""
    path = tmp_path / "article-v2.nq"
    quads = kg.quads([ARTICLE])
    write_nquads(path, quads[: len(quads) - 31])
    return path


def load(store, proxy: FaultProxy, data: Path, *extra: str) -> Result:
    """``ftzkg load`` through the proxy, in chunks of 50 triples (so that a fault can pick one)."""
    return load_release(store, proxy.url, data, "--chunk-size", "50", *extra)


def test_a_malformed_chunk_is_rejected_and_the_previous_graph_stays(store, previous, new_version):
    with FaultProxy(store.url, [Fault(is_chunk, "corrupt", nth=3)]) as proxy:
        result = load(store, proxy, new_version)
    assert result.exit_code == 3, result.output
    assert "HTTP 400" in result.output or "HTTP 500" in result.output
    assert f"previous data of <{ARTICLE}> is unchanged and the staging graph was dropped" in result.output
    assert_unchanged(store, previous)


def test_a_server_error_during_the_swap_leaves_the_previous_graph(store, previous, new_version):
    faults = [Fault(is_swap, "status", status=500, message="disk full")]
    with FaultProxy(store.url, faults) as proxy:
        result = load(store, proxy, new_version)
    assert result.exit_code == 3
    assert "HTTP 500 Internal Server Error: disk full" in result.output
    assert "is unchanged" in result.output
    assert_unchanged(store, previous)


def test_a_swap_virtuoso_refuses_halfway_is_reported_as_a_change_not_as_unchanged(virtuoso_clean, kg):
    """Virtuoso keeps the operations of a failed update that came before the failure (SPARQL 1.1
    Update says none should be kept): here the swap's DELETE, then an operation that fails."""
    store = virtuoso_clean
    quads = kg.quads([ARTICLE])
    assert loader(store).load_dataset(quads).verified
    before = graph_lines(store, ARTICLE)
    writer = loader(store, retries=0)
    swap_text = writer.swap_text

    def failing_halfway(staging: str, target: str, sent: int) -> str:
        delete, insert = swap_text(staging, target, sent).split(" ;\n", 1)
        fail = "INSERT { GRAPH <urn:x> { <urn:a> <urn:b> ?x } } WHERE { BIND (bif:signal('2', 'x') AS ?x) }"
        return f"{delete} ;\n{fail} ;\n{insert}"

    writer.swap_text = failing_halfway  # type: ignore[method-assign]
    graph, said = ox.NamedNode(ARTICLE), ox.NamedNode("http://example.org/said")
    added = [ox.Quad(graph, said, ox.Literal(f"new {i}"), graph) for i in range(5)]
    with pytest.raises(StoreError) as failure:
        writer.load_dataset(quads[: len(quads) - 31] + added)
    held = graph_lines(store, ARTICLE)
    assert held < before  # the DELETE was kept, the INSERT not made
    message = str(failure.value)
    assert "is unchanged" not in message
    assert f"yet <{ARTICLE}> was changed: it holds {len(held)} triples, {len(before)} before" in message
    assert not staging_graphs(store)
    assert loader(store).load_dataset(quads).verified  # loading again replaces it
    assert graph_lines(store, ARTICLE) == before


def test_a_server_error_on_a_chunk_is_not_retried(store, previous, new_version):
    with FaultProxy(store.url, [Fault(is_chunk, "status", nth=2, status=500)]) as proxy:
        result = load(store, proxy, new_version)
    assert result.exit_code == 3
    assert sum(is_chunk(r) for r in proxy.requests) == 2
    assert_unchanged(store, previous)


def test_the_store_killed_mid_load_keeps_the_previous_graph(store, previous, new_version):
    faults = [Fault(is_chunk, "before", nth=4, callback=store.kill)]
    try:
        with FaultProxy(store.url, faults) as proxy:
            result = load(store, proxy, new_version, "--retries", "1")
    finally:
        store.start()  # same data directory, same ports
    assert result.exit_code == 3
    assert "HTTP 502" in result.output
    assert "could not be dropped" in result.output and "DROP SILENT GRAPH <" + ARTICLE in result.output
    assert graph_lines(store, ARTICLE) == previous
    left = staging_graphs(store)
    assert all(g in result.output for g in left)  # whatever was left is named


def test_a_401_mid_load_keeps_the_previous_graph(store, previous, new_version):
    faults = [Fault(is_chunk, "status", nth=2, status=401, message="token expired")]
    with FaultProxy(store.url, faults) as proxy:
        result = load(store, proxy, new_version)
    assert result.exit_code == 3
    assert "HTTP 401 Unauthorized: token expired" in result.output
    assert_unchanged(store, previous)


def test_a_stalled_request_times_out_and_keeps_the_previous_graph(store, previous, new_version):
    with FaultProxy(store.url, [Fault(is_chunk, "stall", nth=2)]) as proxy:
        result = load(store, proxy, new_version, "--timeout", "2")
    assert result.exit_code == 3
    assert "no answer within 2 s (timeout)" in result.output
    assert_unchanged(store, previous)


def test_a_lost_answer_is_retried_without_duplicating_anything(store, previous, new_version, kg):
    faults = [Fault(is_chunk, "drop_after", nth=2), Fault(is_chunk, "status", nth=5, status=503)]
    with FaultProxy(store.url, faults) as proxy:
        result = load(store, proxy, new_version)
    assert result.exit_code == 0, result.output
    assert "retrying" in result.output
    assert graph_counts(store) == {ARTICLE: len(kg.quads([ARTICLE])) - 31}
    sent = len(kg.quads([ARTICLE])) - 31
    chunks = -(-sent // 50)  # the new version in chunks of 50 triples
    assert sum(is_chunk(r) for r in proxy.requests) == chunks + 2  # and the 2 retried chunks, once each


def test_transient_failures_that_persist_give_up_after_the_retries(store, previous, new_version):
    faults = [Fault(is_chunk, "status", nth=n, status=503) for n in (1, 2, 3)]
    with FaultProxy(store.url, faults) as proxy:
        result = load(store, proxy, new_version, "--retries", "2")
    assert result.exit_code == 3
    assert "HTTP 503" in result.output
    assert_unchanged(store, previous)


def test_a_swap_whose_answer_is_lost_is_checked_not_retried(store, previous, new_version, kg):
    with FaultProxy(store.url, [Fault(is_swap, "drop_after")]) as proxy:
        result = load(store, proxy, new_version)
    assert result.exit_code == 0, result.output
    assert "but the store did make the swap" in result.output
    assert sum(is_swap(r) for r in proxy.requests) == 1
    assert graph_counts(store) == {ARTICLE: len(kg.quads([ARTICLE])) - 31}


def test_a_swap_without_answer_is_reported_as_undecided_and_nothing_is_dropped(store, previous, new_version):
    with FaultProxy(store.url, [Fault(is_swap, "stall")]) as proxy:
        result = load(store, proxy, new_version, "--timeout", "2")
    assert result.exit_code == 3
    assert "no answer within 2 s" in result.output
    assert f"could not tell whether <{ARTICLE}> was replaced" in result.output
    assert graph_lines(store, ARTICLE) == previous  # the stalled swap never reached the store
    staging = staging_graphs(store)
    assert len(staging) == 1 and staging[0] in result.output  # left for the user to check, and named
    assert "staging graphs left in the store: <" + staging[0] in result.output


def test_a_failure_while_graphs_load_side_by_side_replaces_each_graph_wholly_or_not_at_all(
    store, kg, tmp_path
):
    # every graph but the largest (the HS list's 42,000 triples only make each step slower)
    graphs = sorted(kg.graph_names(), key=lambda g: len(kg.quads([g])))[:-1]
    assert len(graphs) >= 10
    assert loader(store).load_dataset(kg.quads(graphs)).verified
    before = {g: graph_lines(store, g) for g in graphs}
    newer = tmp_path / "all-v2.nq"  # every graph loses one triple: old and new are told apart
    write_nquads(newer, [q for g in graphs for q in kg.quads([g])[1:]])
    with FaultProxy(store.url, [Fault(is_swap, "status", nth=2, message="disk full")]) as proxy:
        result = load(store, proxy, newer, "--parallel", "2", "--chunk-size", "1000")
    assert result.exit_code == 3
    assert "disk full" in result.output
    after = {g: graph_lines(store, g) for g in graphs}
    replaced = [g for g in graphs if after[g] != before[g]]
    assert all(len(after[g]) == len(before[g]) - 1 and after[g] < before[g] for g in replaced)
    assert len(replaced) == sum(is_swap(r) for r in proxy.requests) - 1  # every swap but the failed one
    assert all(f"<{g}>" in result.output.split("already replaced:")[1] for g in replaced)
    assert len(replaced) < len(graphs) - 1  # no graph was started after the failure
    assert not staging_graphs(store)
