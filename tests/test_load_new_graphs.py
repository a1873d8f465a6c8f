"""Graphs the store does not hold yet, and what readers of the default graph see while graphs load.

On Oxigraph, graphs the store lacks go straight in with its bulk loader, each graph
whole in one request (one atomic ingestion; two requests written at once, each checked
as soon as it is written), and are checked by count and sample, or read back and
compared line by line (``--check full``); a
``kill -9`` during a request leaves none of the graph or all of it, and a reader of
the union default graph sees nothing or the whole graph. A graph the store holds goes
through a staging graph, which Oxigraph's union default graph shows: the command
says so; so does Virtuoso's default graph (every graph a reader may read).
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fault_proxy import Fault, FaultProxy, is_chunk_post, is_count, is_swap
from store_queries import graph_counts, graph_lines, loader, select, write_nquads

from ftzkg.bulk_loading import BulkLoad
from ftzkg.cli import main
from ftzkg.http_client import StoreError
from ftzkg.server import OxigraphServer
from ftzkg.store_loading import LoadError

EX = "http://example.org/new/"


def version(tag: str, n: int, graph: str) -> list[ox.Quad]:
    p, g = ox.NamedNode(EX + "p"), ox.NamedNode(graph)
    return [ox.Quad(ox.NamedNode(f"{EX}s{i}"), p, ox.Literal(f"{tag}-{i}"), g) for i in range(n)]


def count(store, graph: str | None = None) -> int:
    """Triples about EX subjects, in one graph or in the default graph (the union, for these stores)."""
    pattern = "?s ?p ?o FILTER (STRSTARTS(STR(?s), 'http://example.org/new/'))"
    where = f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern
    return int(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


def test_new_graphs_go_in_with_one_bulk_request_and_are_checked_by_count_and_sample(oxigraph_server):
    graphs = [EX + "a", EX + "b"]
    with FaultProxy(oxigraph_server.url) as proxy:
        data = version("v", 5000, graphs[0]) + version("w", 7, graphs[1])
        report = loader(oxigraph_server, proxy.url).load_dataset(data)
    assert report.verified
    assert [(r.graph, r.sent, r.in_store, r.matching) for r in report.graphs] == [
        (graphs[0], 5000, 5000, 5000),
        (graphs[1], 7, 7, 7),
    ]
    posts = [r for r in proxy.requests if is_chunk_post(r)]
    assert len(posts) == 1 and "no_transaction" in posts[0].query
    assert posts[0].content_type == "application/n-quads"
    assert not any("ftzkg-staging" in r.text or "ftzkg-staging" in r.query for r in proxy.requests)
    asks = [r.text for r in proxy.requests if "FILTER NOT EXISTS" in r.text and r.text.startswith("ASK")]
    assert len(asks) == 1  # the sampled triples of both graphs, in one question
    assert (BulkLoad.sample, BulkLoad.min_sample) == (2_000, 16)  # as the README says
    sampled = asks[0].count(f"<{graphs[0]}>")  # its share of the sample, drawn at random
    assert BulkLoad.min_sample < sampled <= round(BulkLoad.sample * 5000 / 5007) < 5000
    assert asks[0].count(f"<{graphs[1]}>") == 7  # a graph smaller than its share: every triple
    assert not any("CONSTRUCT" in r.text for r in proxy.requests)  # nothing read back whole
    assert graph_counts(oxigraph_server.url) == {graphs[0]: 5000, graphs[1]: 7}


def test_with_full_check_every_new_graph_is_read_back_and_compared(oxigraph_server):
    graphs = [EX + "a", EX + "b"]
    with FaultProxy(oxigraph_server.url) as proxy:
        data = version("v", 500, graphs[0]) + version("w", 7, graphs[1])
        report = loader(oxigraph_server, proxy.url, full_check=True).load_dataset(data)
    assert report.verified
    assert sum("CONSTRUCT" in r.text for r in proxy.requests) == 2  # each graph read back


def rename_literals(body: bytes) -> bytes:
    return body.replace(b'"v-', b'"x-')


@pytest.mark.parametrize(
    ("rewrite", "full_check", "held"),
    [
        (rename_literals, False, 0),  # as many triples, none of them sent: the sample sees it
        (lambda body: body[: body.rfind(b"\n", 0, -1) + 1], False, 599),  # the last line lost: the count
        (lambda body: body.replace(b'"v-7"', b'"x-7"', 1), True, 599),  # one triple altered: full check
    ],
)
def test_a_store_that_writes_something_else_is_caught_and_the_graph_dropped(
    oxigraph_server, rewrite, full_check, held
):
    fault = Fault(is_chunk_post, "rewrite", rewrite=rewrite)
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(StoreError) as caught:
        loader(oxigraph_server, proxy.url, full_check=full_check).load_dataset(version("v", 600, EX + "a"))
    assert f"of which {held} are among the 600 sent" in str(caught.value)
    assert "it was dropped again" in str(caught.value)
    assert graph_counts(oxigraph_server.url) == {}


def test_an_answer_to_the_sample_that_is_not_true_or_false_is_a_store_error(oxigraph_server):
    fault = Fault(lambda seen: seen.text.startswith("ASK { VALUES"), "answer", status=200, body=b"{}")
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(StoreError) as caught:
        loader(oxigraph_server, proxy.url).load_dataset(version("v", 50, EX + "a"))
    assert "no true or false answer to the ASK of sampled triples" in str(caught.value)
    assert f"could not check <{EX}a>: check it" in str(caught.value)


def test_new_graphs_are_spread_over_a_few_requests_each_graph_whole_in_one(oxigraph_server, monkeypatch):
    """With every graph read back (--check full), a request is read back while the next is written."""
    monkeypatch.setattr(BulkLoad, "min_batch", 100)  # as a million triples are, with 800
    graphs = [f"{EX}g{i}" for i in range(8)]
    data = [q for g in graphs for q in version("v", 100, g)]
    with FaultProxy(oxigraph_server.url) as proxy:
        report = loader(oxigraph_server, proxy.url, full_check=True).load_dataset(data)
    assert report.verified and [r.graph for r in report.graphs] == graphs
    bodies = [r.body.decode() for r in proxy.requests if is_chunk_post(r)]
    assert len(bodies) == BulkLoad.batches == 4
    sent_in = [[g for g in graphs if f"<{g}> .\n" in body] for body in bodies]
    assert sorted(g for names in sent_in for g in names) == graphs  # each graph in one request only
    for body, names in zip(bodies, sent_in, strict=True):
        assert all(body.count(f"<{g}> .\n") == 100 for g in names)  # every line of the graph, there
    assert sum("CONSTRUCT" in r.text for r in proxy.requests) == 8
    assert graph_counts(oxigraph_server.url) == dict.fromkeys(graphs, 100)


def test_two_requests_of_new_graphs_are_written_at_once_each_graph_whole_in_one(oxigraph_server, monkeypatch):
    """Oxigraph parses a request on one thread: the new graphs go in two requests of about equal
    size, both in flight at once (each one ingestion), the largest graph first into the lighter."""
    monkeypatch.setattr(BulkLoad, "min_batch", 100)  # as 40,000 triples and more are
    sizes = [300, 20, 150, 140, 90, 60, 30, 10]
    graphs = [f"{EX}g{i}" for i in range(len(sizes))]
    data = [q for g, n in zip(graphs, sizes, strict=True) for q in version("v", n, g)]
    second_arrived = threading.Event()
    overlapped: list[bool] = []
    faults = [
        Fault(is_chunk_post, "before", nth=1, callback=lambda: overlapped.append(second_arrived.wait(20))),
        Fault(is_chunk_post, "before", nth=2, callback=second_arrived.set),
    ]
    with FaultProxy(oxigraph_server.url, faults) as proxy:
        report = loader(oxigraph_server, proxy.url).load_dataset(data)
    assert report.verified and [r.graph for r in report.graphs] == sorted(graphs)
    assert overlapped == [True]  # the second request arrived while the first was still being written
    bodies = [r.body.decode() for r in proxy.requests if is_chunk_post(r)]
    assert len(bodies) == BulkLoad.writers == 2
    sent_in = [[g for g in graphs if f"<{g}> .\n" in body] for body in bodies]
    assert sorted(g for names in sent_in for g in names) == sorted(graphs)  # each graph in one request
    assert sorted(sum(sizes[graphs.index(g)] for g in names) for names in sent_in) == [400, 400]
    assert graph_counts(oxigraph_server.url) == {g: n for g, n in zip(graphs, sizes, strict=True)}


def test_when_one_of_two_requests_at_once_is_refused_each_graph_is_absent_or_whole_and_reported_so(
    oxigraph_server, monkeypatch
):
    monkeypatch.setattr(BulkLoad, "min_batch", 100)
    graphs = [f"{EX}g{i}" for i in range(4)]
    fault = Fault(is_chunk_post, "status", status=500)  # the first request to arrive
    data = [q for g in graphs for q in version("v", 100, g)]
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(LoadError) as caught:
        loader(oxigraph_server, proxy.url, retries=0).load_dataset(data)
    refused = next(r.body.decode() for r in proxy.requests if is_chunk_post(r))
    lost = sorted(g for g in graphs if f"<{g}> .\n" in refused)
    assert len(lost) == 2  # two requests of two graphs each, written at once
    assert "HTTP 500" in str(caught.value) and "nothing was written" in str(caught.value)
    held = graph_counts(oxigraph_server.url)
    others = {g for g in graphs if g not in lost}
    # the other request, written at the same time, went in whole (unless the refusal came before it started)
    assert set(held) in (others, set()) and set(held.values()) <= {100}
    assert sorted(r.graph for r in caught.value.loaded) == sorted(held)  # and reported as loaded


def test_a_request_answered_done_that_wrote_nothing_fails_its_own_graphs_only(oxigraph_server, monkeypatch):
    monkeypatch.setattr(BulkLoad, "min_batch", 100)
    graphs = [f"{EX}g{i}" for i in range(4)]
    fault = Fault(is_chunk_post, "answer", status=204, content_type="text/plain")  # the first request
    data = [q for g in graphs for q in version("v", 100, g)]
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(LoadError) as caught:
        loader(oxigraph_server, proxy.url, full_check=True).load_dataset(data)
    first = next(r.body.decode() for r in proxy.requests if is_chunk_post(r))  # the one answered falsely
    lost = [g for g in graphs if f"<{g}> .\n" in first]
    assert len(lost) == 1  # four requests, one graph each; two are written at once, either may be first
    assert "holds 0 triples of which 0 are among the 100 sent" in str(caught.value)
    assert sorted(r.graph for r in caught.value.loaded) == [g for g in graphs if g not in lost]
    assert graph_counts(oxigraph_server.url) == {g: 100 for g in graphs if g not in lost}


def test_a_count_after_the_bulk_request_that_is_not_a_number_is_a_store_error(oxigraph_server):
    row = {"g": {"type": "uri", "value": EX + "a"}, "n": {"type": "literal", "value": "banana"}}
    banana = json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": [row]}}).encode()
    fault = Fault(is_count, "answer", status=200, body=banana)  # the count its check reads
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(StoreError) as caught:
        loader(oxigraph_server, proxy.url).load_dataset(version("v", 50, EX + "a"))
    assert "not a count per graph" in str(caught.value) and "banana" in str(caught.value)
    assert f"could not check <{EX}a>: check it" in str(caught.value)


def test_literals_a_release_writes_in_another_form_are_compared_in_the_stores_form(oxigraph_server, tmp_path):
    xsd, graph = "http://www.w3.org/2001/XMLSchema#", EX + "forms"
    data = tmp_path / "forms.nq"
    data.write_text(
        f'<{EX}s> <{EX}p> "5.0"^^<{xsd}decimal> <{graph}> .\n'
        f'<{EX}s> <{EX}p> "5.00"^^<{xsd}decimal> <{graph}> .\n'  # the same value: one triple
        f'<{EX}s> <{EX}q> "007"^^<{xsd}integer> <{graph}> .\n'
        f'<{EX}s> <{EX}r> "x"@EN <{graph}> .\n'
    )
    args = ["load", "--release", str(data), "--endpoint", oxigraph_server.url]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert re.search(r"forms>\s+3\s+3\n", first.output), first.output
    assert graph_lines(oxigraph_server, graph) == {
        f"{EX}s {EX}p 5",
        f"{EX}s {EX}q 7",
        f"{EX}s {EX}r x",
    }
    with FaultProxy(oxigraph_server.url) as proxy:
        again = CliRunner().invoke(main, [*args[:-1], proxy.url])
    assert again.exit_code == 0, again.output
    assert not any(is_chunk_post(r) or "DELETE" in r.text for r in proxy.requests)  # held exactly: left alone


def test_a_graph_oxigraph_already_holds_exactly_is_read_back_and_left_alone(oxigraph_server):
    data = version("v", 300, EX + "a")
    assert loader(oxigraph_server).load_dataset(data).verified
    with FaultProxy(oxigraph_server.url) as proxy:
        report = loader(oxigraph_server, proxy.url).load_dataset(data)
    assert [(r.sent, r.in_store, r.matching) for r in report.graphs] == [(300, 300, 300)]
    assert not any(r.method == "POST" and "CONSTRUCT" not in r.text for r in proxy.requests)  # no write
    assert graph_counts(oxigraph_server.url) == {EX + "a": 300}


def test_a_store_refusing_the_bulk_request_leaves_the_new_graphs_absent(oxigraph_server):
    fault = Fault(is_chunk_post, "status", status=500)
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(StoreError) as caught:
        loader(oxigraph_server, proxy.url, retries=0).load_dataset(version("v", 50, EX + "a"))
    assert "HTTP 500" in str(caught.value) and "nothing was written" in str(caught.value)
    assert graph_counts(oxigraph_server.url) == {}


def test_a_store_that_answers_done_but_wrote_nothing_is_caught(oxigraph_server):
    fault = Fault(is_chunk_post, "answer", status=204, content_type="text/plain")
    with FaultProxy(oxigraph_server.url, [fault]) as proxy, pytest.raises(StoreError) as caught:
        loader(oxigraph_server, proxy.url).load_dataset(version("v", 50, EX + "a"))
    assert "holds 0 triples of which 0 are among the 50 sent" in str(caught.value)
    assert graph_counts(oxigraph_server.url) == {}


def test_a_lost_answer_after_the_bulk_request_is_checked_not_guessed(oxigraph_server):
    fault = Fault(is_chunk_post, "drop_after")
    with FaultProxy(oxigraph_server.url, [fault]) as proxy:
        report = loader(oxigraph_server, proxy.url, retries=0).load_dataset(version("v", 50, EX + "a"))
    assert report.verified  # the store did write it: read back whole, not posted twice
    assert sum(is_chunk_post(r) for r in proxy.requests) == 1
    assert graph_counts(oxigraph_server.url) == {EX + "a": 50}


@pytest.mark.parametrize("graphs", [1, 2], ids=["one request", "two requests at once"])
def test_a_kill_during_the_bulk_request_leaves_no_graph_or_the_whole_graph(tmp_path, graphs):
    n = 150_000 // graphs  # two graphs of 75,000 go in two requests written at once
    server = OxigraphServer(tmp_path / "store").start()
    try:
        started = time.monotonic()
        first = [q for k in range(graphs) for q in version("v", n, f"{EX}first{k}")]
        assert loader(server).load_dataset(first).verified
        duration = time.monotonic() - started
        for i, fraction in enumerate((0.2, 0.45, 0.7, 0.9)):
            names = [f"{EX}g{i}-{k}" for k in range(graphs)]
            killer = threading.Timer(duration * fraction, server.kill)
            killer.start()
            reported = False
            with contextlib.suppress(StoreError):
                data = [q for name in names for q in version("v", n, name)]
                reported = loader(server, retries=0).load_dataset(data).verified
            killer.join()
            server.start()
            for name in names:
                held = count(server, name)
                assert held in (0, n), (fraction, name, held)
                if reported:
                    assert held == n
        for k in range(graphs):  # what was loaded before survived every crash
            assert count(server, f"{EX}first{k}") == n
    finally:
        server.stop()


def test_a_reader_of_the_union_default_graph_sees_nothing_or_the_whole_new_graph(oxigraph_server):
    n = 60_000
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(count(oxigraph_server))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert loader(oxigraph_server).load_dataset(version("v", n, EX + "a")).verified
        time.sleep(0.2)
    finally:
        done.set()
        reader.join()
    assert len(seen) >= 3
    assert set(seen) <= {0, n}, sorted(set(seen))[:5]
    assert seen[-1] == n


@pytest.mark.parametrize("store_name", ["oxigraph", "virtuoso"])
def test_the_default_graph_shows_a_staging_graph_before_the_swap(store_name, request):
    """What the README's store table and the command's note say: not hidden, on either store."""
    store = request.getfixturevalue("oxigraph_server" if store_name == "oxigraph" else "virtuoso_clean")
    n, graph = 500, EX + "a"
    assert loader(store).load_dataset(version("old", n, graph)).verified
    seen: list[int] = []
    fault = Fault(is_swap, "before", callback=lambda: seen.append(count(store)))  # staged, not yet swapped
    with FaultProxy(store.url, [fault]) as proxy:
        assert loader(store, proxy.url).load_dataset(version("new", n, graph)).verified
    assert seen == [2 * n]  # the graph's n triples and the n staged beside them
    assert count(store) == n


@pytest.mark.parametrize("store_name", ["oxigraph", "virtuoso"])
def test_the_command_says_when_readers_of_the_default_graph_could_see_a_staging_graph(
    store_name, request, tmp_path
):
    store = request.getfixturevalue("oxigraph_server" if store_name == "oxigraph" else "virtuoso_clean")
    data = tmp_path / "data.nq"
    write_nquads(data, version("v", 20, EX + "a"))
    env = {"FTZKG_USER": "dba", "FTZKG_PASSWORD": store.password} if store_name == "virtuoso" else {}
    args = ["load", "--release", str(data), "--endpoint", store.url, "--store-type", store_name]
    first = CliRunner().invoke(main, args, env=env)
    write_nquads(data, version("w", 20, EX + "a"))
    again = CliRunner().invoke(main, args, env=env)
    assert first.exit_code == 0 and again.exit_code == 0, first.output + again.output
    note = "1 graph(s) went through a staging graph that readers of the default graph"
    if store_name == "oxigraph":
        assert "note:" not in first.output  # a new graph goes straight in: no staging graph
        assert "its staging graph is visible in the union default graph" in again.output
    else:  # every graph goes through a staging graph
        assert note in first.output
        assert "staging graphs are visible in the default graph while they load" in again.output
    assert note in again.output


@pytest.mark.parametrize(("check", "read_back"), [("sample", 0), ("full", 1)])
def test_the_command_checks_new_graphs_as_check_says(oxigraph_server, tmp_path, check, read_back):
    data = tmp_path / "data.nq"
    write_nquads(data, version("v", 40, EX + "a"))
    with FaultProxy(oxigraph_server.url) as proxy:
        args = ["load", "--release", str(data), "--endpoint", proxy.url, "--check", check]
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sum("CONSTRUCT" in r.text for r in proxy.requests) == read_back
    assert sum(r.text.startswith("ASK { VALUES") for r in proxy.requests) == 1 - read_back
    assert graph_counts(oxigraph_server.url) == {EX + "a": 40}
