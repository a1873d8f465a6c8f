"""Look into a real store directly (plain HTTP, not ftzkg's client): what the tests check against."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pyoxigraph as ox


def select(server_url: str, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT query sent straight to ``server_url``/query."""
    url = f"{server_url}/query?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def graph_counts(server_url: str) -> dict[str, int]:
    """Triples per named graph."""
    rows = select(server_url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def graph_lines(server_url: str, graph: str) -> set[str]:
    """The triples of one graph as N-Triples lines (to compare contents exactly)."""
    rows = select(server_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {f"{r['s']} {r['p']} {r['o']}" for r in rows}


def update(server_url: str, text: str) -> None:
    """Run a SPARQL update straight on the store."""
    body = urllib.parse.urlencode({"update": text}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{server_url}/update", data=body), timeout=30).close()


def post_triples(server_url: str, graph_query: str, body: bytes, content_type: str) -> None:
    """POST a body to ``/store?<graph_query>`` exactly as given (for demonstrating the traps)."""
    url = f"{server_url}/store" + (f"?{graph_query}" if graph_query else "")
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    urllib.request.urlopen(request, timeout=30).close()


def write_nquads(path, quads: list[ox.Quad]) -> None:
    """Write quads as an N-Quads file for ``ftzkg load --release``."""
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
