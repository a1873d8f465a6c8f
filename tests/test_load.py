"""``ftzkg load`` against a real Oxigraph server: what goes in is what the embedded store holds."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fault_proxy import FaultProxy
from store_queries import graph_counts, select, update, write_nquads

from ftzkg import KnowledgeGraph
from ftzkg.blank_nodes import GENID
from ftzkg.bulk_loading import canonical, graph_bodies, line_set
from ftzkg.cli import main
from ftzkg.http_client import ConfigurationError, HttpClient
from ftzkg.namespaces import sparql_prologue
from ftzkg.parsing import RdfInputError
from ftzkg.store_loading import (
    Endpoints,
    StoreLoader,
    ntriples_bodies,
    read_dataset_store,
    release_path,
    triples_by_graph,
)

ARTICLE = "https://w3id.org/ftzkg/id/source/kashgar-ftz-2025-article"

#: Questions answered both by the embedded store and by the loaded server.
SELECTS = [
    """SELECT ?firm ?country WHERE { ?firm ftz:exportsTo ?country } ORDER BY ?firm ?country""",
    """SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { GRAPH ?g { ?x a ?class } }
       GROUP BY ?class ORDER BY ?class""",
    """SELECT ?fact ?source WHERE { GRAPH ?g { ?fact prov:wasDerivedFrom ?source ; ftz:quote ?q } }
       ORDER BY ?fact ?source""",
    """SELECT ?s ?v ?q WHERE { ?s ftz:numericValue ?v ; ftz:qualifier ?q } ORDER BY ?s""",
]


def loader_for(url: str, chunk_size: int = 10_000) -> StoreLoader:
    endpoints = Endpoints.resolve(url)
    return StoreLoader(endpoints, HttpClient(allowed_urls=endpoints.urls()), chunk_size=chunk_size)


def embedded_rows(kg: KnowledgeGraph, query: str) -> list[tuple[str, ...]]:
    results = kg.store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    return [tuple(str(term.value) for term in row) for row in results]


def served_rows(url: str, query: str) -> list[tuple[str, ...]]:
    return [tuple(row.values()) for row in select(url, sparql_prologue() + query)]


def test_loading_the_release_gives_the_same_counts_and_answers_as_the_embedded_store(
    oxigraph_server, release: Path, kg: KnowledgeGraph
):
    result = CliRunner().invoke(
        main, ["load", "--endpoint", oxigraph_server.url, "--release", str(release), "--chunk-size", "250"]
    )
    assert result.exit_code == 0, result.output
    assert graph_counts(oxigraph_server.url) == kg.stats().graphs
    for query in SELECTS:
        embedded = embedded_rows(kg, query)
        assert embedded, f"the question has no answer in the embedded store: {query}"
        assert served_rows(oxigraph_server.url, query) == embedded
    # the summary table: every graph, triples sent, triples in the store
    for graph, count in kg.stats().graphs.items():
        line = next(ln for ln in result.output.splitlines() if graph.rsplit("/", 1)[-1].rstrip(">") in ln)
        assert line.split()[-2:] == [str(count), str(count)]
    assert f"loaded {len(kg)} triples in {len(kg.graph_names())} named graphs" in result.output


def test_loading_twice_keeps_the_same_triples_without_duplicates_or_blank_nodes(oxigraph_server, kg):
    loader = loader_for(oxigraph_server.url)
    first = loader.load_dataset(kg.quads())
    second = loader.load_dataset(kg.quads())
    assert first.verified and second.verified
    assert graph_counts(oxigraph_server.url) == kg.stats().graphs
    rows = select(
        oxigraph_server.url,
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }",
    )
    assert rows == [{"n": "0"}]
    skolem = select(
        oxigraph_server.url,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o "
        f'FILTER(STRSTARTS(STR(?s), "{GENID}")) }} }}',
    )
    assert int(skolem[0]["n"]) > 0  # the ontology's blank nodes arrive as stable skolem IRIs


def test_loading_replaces_only_the_named_graphs_of_the_data(oxigraph_server, kg):
    unrelated = "http://example.org/someone-elses-graph"
    update(
        oxigraph_server.url,
        f"INSERT DATA {{ GRAPH <{unrelated}> {{ <http://ex.org/a> <http://ex.org/b> 1 }} }}",
    )
    loader_for(oxigraph_server.url).load_dataset(kg.quads(), graphs=[ARTICLE])
    counts = graph_counts(oxigraph_server.url)
    assert counts == {unrelated: 1, ARTICLE: kg.stats().graphs[ARTICLE]}


def test_graph_iris_with_ampersands_reach_exactly_their_graph(oxigraph_server):
    tricky = "http://example.org/g?a=1&graph=http://example.org/victim"
    quads = [
        ox.Quad(
            ox.NamedNode("http://example.org/s"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal(str(i)),
            ox.NamedNode(tricky),
        )
        for i in range(5)
    ]
    with FaultProxy(oxigraph_server.url) as proxy:
        report = loader_for(proxy.url, chunk_size=2).load_dataset(quads)
    assert report.verified
    assert graph_counts(oxigraph_server.url) == {tricky: 5}
    posts = [r for r in proxy.requests if r.method == "POST" and r.path.endswith("/store")]
    assert len(posts) == 3
    assert all(r.params["graph"][0].startswith(tricky + "&ftzkg-staging=") for r in posts)
    assert all("%26" in r.query and "&" not in r.query for r in posts)


def test_a_store_without_graph_store_endpoint_is_loaded_with_insert_data(oxigraph_server, kg):
    endpoints = Endpoints.resolve(query_url=oxigraph_server.query_url, update_url=oxigraph_server.update_url)
    assert endpoints.store_url is None
    with FaultProxy(oxigraph_server.url) as proxy:
        proxied = Endpoints.resolve(query_url=proxy.url + "/query", update_url=proxy.url + "/update")
        loader = StoreLoader(proxied, HttpClient(allowed_urls=proxied.urls()), chunk_size=100)
        report = loader.load_dataset(kg.quads(), graphs=[ARTICLE])
    assert report.verified
    assert graph_counts(oxigraph_server.url) == {ARTICLE: kg.stats().graphs[ARTICLE]}
    assert not any(r.path.endswith("/store") for r in proxy.requests)
    assert sum("INSERT DATA" in r.text for r in proxy.requests) == 5  # 431 triples in chunks of 100


def test_separate_query_update_and_store_urls_are_used_as_given(oxigraph_server, kg, tmp_path):
    data = tmp_path / "article.nq"
    write_nquads(data, kg.quads([ARTICLE]))
    with FaultProxy(oxigraph_server.url) as proxy:
        for quads in (kg.quads([ARTICLE])[1:], kg.quads([ARTICLE])):  # new, then changed: staged and swapped
            write_nquads(data, quads)
            result = CliRunner().invoke(
                main,
                [
                    "load",
                    "--query-url", proxy.url + "/query",
                    "--update-url", proxy.url + "/update",
                    "--store-url", proxy.url + "/store",
                    "--release", str(data),
                ],
            )  # fmt: skip
            assert result.exit_code == 0, result.output
    assert {r.path for r in proxy.requests} == {"/query", "/update", "/store"}
    assert graph_counts(oxigraph_server.url) == {ARTICLE: kg.stats().graphs[ARTICLE]}


def test_endpoint_alone_derives_oxigraph_urls():
    endpoints = Endpoints.resolve("http://127.0.0.1:7878/")
    assert endpoints == Endpoints(
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --endpoint"),
        (["--endpoint", "ftp://127.0.0.1/"], "http:// or https://"),
        (["--endpoint", "http://user:pw@127.0.0.1:1/"], "must not contain credentials"),
        (["--endpoint", "http://127.0.0.1:1", "--graph", "http://example.org/nope"], "no such named graph"),
    ],
)
def test_unusable_settings_exit_2_with_one_clear_line(args, message):
    result = CliRunner().invoke(main, ["load", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "pw@" not in result.output


def test_a_store_that_is_not_running_exits_3(tmp_path):
    from ftzkg.server import free_port

    result = CliRunner().invoke(
        main, ["load", "--endpoint", f"http://127.0.0.1:{free_port()}", "--retries", "0"]
    )
    assert result.exit_code == 3
    assert "connection refused" in result.output


def test_skolemized_triples_are_grouped_per_graph_and_sorted(kg):
    by_graph = triples_by_graph(kg.quads())
    assert sorted(by_graph) == kg.graph_names()
    for graph, triples in by_graph.items():
        assert len(triples) == kg.stats().graphs[graph]
        assert not any(
            isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
        )
    assert triples_by_graph(KnowledgeGraph.load().quads()) == by_graph  # stable across parses


def test_progress_bar_on_request_and_not_by_default_when_not_a_terminal(oxigraph_server, kg, tmp_path):
    data = tmp_path / "article.nq"
    write_nquads(data, kg.quads([ARTICLE]))
    args = ["load", "--endpoint", oxigraph_server.url, "--release", str(data), "--chunk-size", "100"]
    quiet = CliRunner().invoke(main, args)
    shown = CliRunner().invoke(main, [*args, "--progress"])
    assert quiet.exit_code == shown.exit_code == 0
    assert "loading" not in quiet.output
    assert "loading" in shown.output and "100%" in shown.output


def test_a_release_read_without_a_store_gives_the_triples_a_store_gives(release: Path):
    """``ftzkg load`` parses a release straight into one N-Triples body per graph; in canonical form
    they are what an in-memory store gives, and graphs with blank nodes get the same skolem IRIs."""
    fast = graph_bodies(release_path(release))
    stored = ntriples_bodies(read_dataset_store(release))
    assert list(fast) == list(stored)
    assert any(b"/.well-known/genid/" in body for body in stored.values())
    for graph, body in stored.items():
        assert canonical(line_set(fast[graph])) == line_set(body), graph


def test_a_release_with_triples_outside_named_graphs_or_a_syntax_error_is_refused(tmp_path: Path):
    outside = tmp_path / "outside.nq"
    outside.write_text('<http://example.org/s> <http://example.org/p> "1" .\n')
    with pytest.raises(ConfigurationError, match="outside named graphs"):
        graph_bodies(outside)
    broken = tmp_path / "broken.nq"
    broken.write_text(
        '<http://example.org/s> <http://example.org/p> "1" <http://example.org/g> .\n'
        '<http://example.org/s> <http://example.org/p> "2 <http://example.org/g> .\n'
    )
    with pytest.raises(RdfInputError, match=r"broken\.nq:2"):
        graph_bodies(broken)


def test_through_staging_graphs_the_next_graphs_lines_are_written_while_the_store_takes_one(
    oxigraph_server, monkeypatch
):
    """On Virtuoso and generic stores each graph goes through a staging graph; its canonical lines are
    written by a thread of their own, in load order, so the client's work overlaps the store's: the
    first graph is sent before the last graph's lines are written."""
    import threading

    from fault_proxy import Fault, is_chunk_post

    from ftzkg import store_loading
    from ftzkg.store_loading import Endpoints, StoreLoader

    graphs = [f"http://example.org/ahead/g{i}" for i in range(3)]
    bodies = {g: f'<{g}/s> <{g}/p> "{g}" .\n'.encode() for g in graphs}
    first_sent = threading.Event()
    overlapped: list[bool] = []
    written = store_loading.canonical_lines

    def canonical_lines(body: bytes) -> list[bytes]:
        if body == bodies[graphs[-1]]:  # the last graph's lines wait for the first graph's request
            overlapped.append(first_sent.wait(20))
        return written(body)

    monkeypatch.setattr(store_loading, "canonical_lines", canonical_lines)
    fault = Fault(is_chunk_post, "before", callback=first_sent.set)
    with FaultProxy(oxigraph_server.url, [fault]) as proxy:
        client = HttpClient(None, [proxy.url], timeout=60, retries=0)
        report = StoreLoader(Endpoints.resolve(proxy.url), client, 10_000).load_bodies(bodies)
    assert report.verified and [r.graph for r in report.graphs] == graphs
    assert overlapped == [True]
