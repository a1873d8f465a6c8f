"""Servers that answer wrongly: ``ftzkg load`` ends with one line and exit 3, and says what it left behind.

Each case broke before: bytes that are not UTF-8, a count that is not a number,
a swap answered "done" that did nothing (the old graph, as large as the new one,
stayed in place while the command reported success), a server that trickles one
byte a second past ``--timeout``, and a read-only server answered with advice to
drop a staging graph. The fixtures ``store`` and ``previous`` come from tests/load_fixtures.py.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from fault_proxy import Fault, FaultProxy, LoopbackServer, is_count, is_swap
from load_fixtures import ARTICLE, load_release
from store_queries import graph_lines, loader, staging_graphs, write_nquads

from ftzkg import KnowledgeGraph
from ftzkg.cli import main
from ftzkg.server import serve_release


@pytest.fixture
def same_size_new_version(tmp_path: Path, kg: KnowledgeGraph) -> Path:
    """A new version of the article with as many triples as the old one: every label changed."""
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [
        ox.Quad(q.subject, q.predicate, ox.Literal(q.object.value + " (v2)"), q.graph_name)
        if q.predicate == label
        else q
        for q in kg.quads([ARTICLE])
    ]
    path = tmp_path / "article-v2.nq"
    write_nquads(path, quads)
    return path


def assert_one_line_error(result: Result) -> str:
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1
    return lines[0]


def test_a_swap_answered_done_that_did_nothing_is_caught_by_content_not_counts(
    store, previous, same_size_new_version
):
    faults = [Fault(is_swap, "answer", status=204, body=b"")]  # "done", but never forwarded
    with FaultProxy(store.url, faults) as proxy:
        result = load_release(store, proxy.url, same_size_new_version)
    line = assert_one_line_error(result)
    n = len(previous)
    assert f"<{ARTICLE}> holds {n} triples of which" in line and f"among the {n} sent" in line
    assert "was not replaced as asked" in line
    assert graph_lines(store, ARTICLE) == previous  # the old data, never reported as loaded
    assert not staging_graphs(store)


def test_a_count_that_is_not_a_number_is_a_store_error_that_cleans_up(store, previous, same_size_new_version):
    row = {"n": {"type": "literal", "value": "banana"}}
    banana = {"head": {"vars": ["n"]}, "results": {"bindings": [row]}}
    faults = [Fault(is_count, "answer", status=200, body=json.dumps(banana).encode())]
    with FaultProxy(store.url, faults) as proxy:
        result = load_release(store, proxy.url, same_size_new_version)
    line = assert_one_line_error(result)
    assert "is not a count: 'banana'" in line
    assert "staging graph was dropped" in line
    assert graph_lines(store, ARTICLE) == previous
    assert not staging_graphs(store)


@pytest.mark.parametrize("body", [b"\xff\xfe\xfa not UTF-8", b'{"results": 7}', b"<html>busy</html>"])
def test_an_answer_that_is_not_sparql_results_is_a_store_error(store, previous, same_size_new_version, body):
    faults = [Fault(is_count, "answer", status=200, body=body)]
    with FaultProxy(store.url, faults) as proxy:
        result = load_release(store, proxy.url, same_size_new_version)
    line = assert_one_line_error(result)
    assert "the answer is not SPARQL JSON results" in line
    assert graph_lines(store, ARTICLE) == previous
    assert not staging_graphs(store)


def test_when_every_answer_is_garbage_each_staging_graph_left_is_named(store, previous, kg, tmp_path):
    """Counts fail and so does the cleanup: the message names every staging graph left behind."""
    data = tmp_path / "two.nq"
    graphs = kg.graph_names()[:2]
    write_nquads(data, kg.quads(graphs))
    drops = lambda r: "DROP" in r.text  # noqa: E731
    faults = [Fault(is_count, "answer", nth=n, body=b"banana") for n in range(1, 10)]
    faults += [Fault(drops, "status", nth=n, status=500, message="no") for n in range(1, 10)]
    with FaultProxy(store.url, faults) as proxy:
        options = ["--parallel", "2", "--retries", "0", "--chunk-size", "10"]
        result = load_release(store, proxy.url, data, *options)
    line = assert_one_line_error(result)
    left = staging_graphs(store)
    assert len(left) == 2
    assert all(f"<{g}>" in line.split("staging graphs left in the store:")[1] for g in left)
    for graph in left:  # clean up for the next test
        loader(store).drop(graph)


class Trickle(LoopbackServer):
    """Answers every request one byte a second (headers included when ``headers_too``)."""

    def __init__(self, headers_too: bool):
        outer = self
        self.headers_too = headers_too

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = b'{"head": {}, "boolean": true}'
                head = (
                    b"HTTP/1.1 200 OK\r\nServer: Oxigraph/0.5\r\n"
                    + b"Content-Type: application/sparql-results+json"
                    + f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                )
                try:
                    if not outer.headers_too:
                        self.wfile.write(head)
                        head = b""
                    for byte in head + body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass

        self._listen(Handler)


@pytest.mark.parametrize("headers_too", [False, True])
def test_a_server_trickling_a_byte_a_second_is_cut_off_at_the_timeout(headers_too, tmp_path, kg):
    data = tmp_path / "article.nq"
    write_nquads(data, kg.quads([ARTICLE]))
    with Trickle(headers_too) as server:
        started = time.monotonic()
        result = CliRunner().invoke(
            main, ["load", "--endpoint", server.url, "--release", str(data), "--timeout", "3"]
        )
        elapsed = time.monotonic() - started
    line = assert_one_line_error(result)
    assert "no answer within 3 s (timeout)" in line
    assert elapsed < 8  # the detection GET and the first query: each cut at 3 s


def test_loading_into_the_read_only_serve_says_it_is_read_only(tmp_path, release):
    server, _ = serve_release(release / "ftzkg.nq", tmp_path / "store", port=0)
    try:
        before = graph_lines(server, ARTICLE)
        result = CliRunner().invoke(main, ["load", "--endpoint", server.url, "--release", str(release)])
    finally:
        server.stop()
    line = assert_one_line_error(result)
    assert "the store is read-only" in line and "--writable" in line
    assert "DROP" not in line and "staging graph" not in line.split("read-only")[0]
    assert "nothing was left in the store" in line
    assert before  # the served data was there, and nothing could touch it


def test_a_server_message_with_terminal_escapes_is_printed_escaped(store, previous, same_size_new_version):
    faults = [Fault(is_swap, "status", status=500, message="\x1b[2J\x1b[31mdisk full\x07")]
    with FaultProxy(store.url, faults) as proxy:
        result = load_release(store, proxy.url, same_size_new_version)
    line = assert_one_line_error(result)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b[2J\\x1b[31mdisk full\\x07" in line
