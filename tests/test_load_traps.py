"""The known traps of loading a triple store, each shown on the real Oxigraph and avoided by ``ftzkg load``.

Every test first demonstrates the trap with plain HTTP (so the test would notice
if the store stopped behaving this way), then loads through a recording proxy
and checks that ftzkg never sets it off.
"""

from __future__ import annotations

import urllib.request

import pyoxigraph as ox
import pytest
from fault_proxy import Fault, FaultProxy, is_swap
from store_queries import graph_counts, post_triples, select, update

from ftzkg.http_client import HttpClient, StoreError
from ftzkg.store_loading import Endpoints, StoreLoader, graph_param

EX = "http://example.org/"
TARGET = EX + "target"
VICTIM = EX + "victim"


def quads(graph: str, n: int, tag: str = "v") -> list[ox.Quad]:
    return [
        ox.Quad(
            ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"{tag}{i}"), ox.NamedNode(graph)
        )
        for i in range(n)
    ]


def loader(url: str, chunk_size: int = 10_000) -> StoreLoader:
    endpoints = Endpoints.resolve(url)
    return StoreLoader(
        endpoints, HttpClient(allowed_urls=endpoints.urls(), backoff=0.01), chunk_size=chunk_size
    )


def seed(url: str) -> None:
    """A victim graph that must survive, and a target graph with 3 triples."""
    update(
        url, f"INSERT DATA {{ GRAPH <{VICTIM}> {{ <{EX}v> <{EX}p> 1 }} GRAPH <{TARGET}> {{ {_old(3)} }} }}"
    )


def _old(n: int) -> str:
    return " ".join(f'<{EX}s{i}> <{EX}p> "old{i}" .' for i in range(n))


def test_trap_put_without_graph_parameter_replaces_the_whole_dataset(oxigraph_server):
    url = oxigraph_server.url
    seed(url)
    request = urllib.request.Request(
        url + "/store", data=f'<{EX}x> <{EX}p> "put" .'.encode(), method="PUT",
        headers={"Content-Type": "application/n-triples"},
    )  # fmt: skip
    urllib.request.urlopen(request).close()
    assert graph_counts(url) == {}  # every named graph is gone

    seed(url)
    with FaultProxy(url) as proxy:
        assert loader(proxy.url, chunk_size=2).load_dataset(quads(TARGET, 5)).verified
    assert graph_counts(url) == {VICTIM: 1, TARGET: 5}
    store_requests = [r for r in proxy.requests if r.path.endswith("/store")]
    assert store_requests and all(r.method == "POST" for r in store_requests)
    assert all(len(r.params.get("graph", [])) == 1 and "default" not in r.params for r in store_requests)


def test_trap_unencoded_ampersand_in_a_graph_iri_targets_another_graph(oxigraph_server):
    url = oxigraph_server.url
    tricky = EX + "g?a=1&b=2"
    post_triples(url, "graph=" + tricky, f'<{EX}s> <{EX}p> "x" .'.encode(), "application/n-triples")
    assert graph_counts(url) == {EX + "g?a=1": 1}  # the data went to another graph

    update(url, "DROP ALL")
    assert graph_param(tricky) == "graph=http%3A%2F%2Fexample.org%2Fg%3Fa%3D1%26b%3D2"
    assert loader(url).load_dataset(quads(tricky, 4)).verified
    assert graph_counts(url) == {tricky: 4}


def test_trap_quads_posted_to_the_store_write_into_unrelated_graphs(oxigraph_server):
    url = oxigraph_server.url
    seed(url)
    post_triples(url, "", f'<{EX}s> <{EX}p> "intruder" <{VICTIM}> .'.encode(), "application/n-quads")
    assert graph_counts(url)[VICTIM] == 2  # a graph nobody asked for was written to

    update(url, "DROP ALL")
    seed(url)
    with FaultProxy(url) as proxy:
        both = quads(TARGET, 3) + quads(EX + "other", 2)
        assert loader(proxy.url).load_dataset(both).verified
    assert graph_counts(url) == {VICTIM: 1, TARGET: 3, EX + "other": 2}
    posted = [r for r in proxy.requests if r.method == "POST" and r.path.endswith("/store")]
    assert {r.content_type for r in posted} == {"application/n-triples"}


def test_trap_move_silent_from_a_missing_staging_graph_empties_the_target(oxigraph_server):
    url = oxigraph_server.url
    seed(url)
    update(url, f"MOVE SILENT <{EX}missing-staging> TO <{TARGET}>")
    assert TARGET not in graph_counts(url)  # the target was emptied, silently

    update(url, "DROP ALL")
    seed(url)

    def drop_staging_graph() -> None:  # the staging graph vanishes just before the MOVE
        for row in select(url, "SELECT ?g WHERE { GRAPH ?g {} }"):
            if "ftzkg-staging" in row["g"]:
                update(url, f"DROP GRAPH <{row['g']}>")

    expected = r"<http://example\.org/target> holds 3 triples of which 0 are among the 5 sent"
    with (
        FaultProxy(url, [Fault(is_swap, "before", callback=drop_staging_graph)]) as proxy,
        pytest.raises(StoreError, match=expected),
    ):
        loader(proxy.url).load_dataset(quads(TARGET, 5))
    swaps = [r.text for r in proxy.requests if is_swap(r)]
    assert swaps and "MOVE" not in swaps[0]  # the swap applies only while the staging graph is whole
    assert graph_counts(url) == {VICTIM: 1, TARGET: 3}  # the previous data is still there


def test_trap_reposting_blank_nodes_duplicates_them(oxigraph_server):
    url = oxigraph_server.url
    body = f'_:b <{EX}p> "x" .\n'.encode()
    query = graph_param(TARGET)
    post_triples(url, query, body, "application/n-triples")
    post_triples(url, query, body, "application/n-triples")
    assert graph_counts(url) == {TARGET: 2}  # one triple, sent twice, stored twice

    update(url, "DROP ALL")
    node = ox.BlankNode()
    data = [
        ox.Quad(node, ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(TARGET)),
        ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "q"), node, ox.NamedNode(TARGET)),
    ]
    # a lost answer after the store took the chunk: the chunk is sent again
    with FaultProxy(url, [Fault(lambda r: r.method == "POST" and r.path == "/store", "drop_after")]) as proxy:
        assert loader(proxy.url).load_dataset(data).verified
    assert sum(r.path == "/store" for r in proxy.requests) == 2
    assert graph_counts(url) == {TARGET: 2}  # no duplicate
    assert loader(url).load_dataset(data).verified  # and a second load neither
    assert graph_counts(url) == {TARGET: 2}
