"""Look into a real store directly (plain HTTP, not ftzkg's client): what the tests check against.

``target`` is an Oxigraph base URL (``http://127.0.0.1:PORT``) or a server object
(:class:`~ftzkg.server.OxigraphServer`, :class:`~ftzkg.virtuoso_server.VirtuosoServer`).
Virtuoso is read through its anonymous endpoint (which sees data graphs only) and
written through ``/sparql-auth`` as ``dba`` with HTTP Digest.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pyoxigraph as ox

from ftzkg.http_client import Credentials, HttpClient
from ftzkg.store_loading import StoreLoader
from ftzkg.store_profiles import PROFILES
from ftzkg.virtuoso_server import VirtuosoServer


def _urls(target) -> tuple[str, str, urllib.request.OpenerDirector]:
    """(query URL, update URL, opener) for a store."""
    if isinstance(target, VirtuosoServer):
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, target.url, "dba", target.password)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
        return target.query_url, target.auth_url, opener
    base = target if isinstance(target, str) else target.url
    return f"{base}/query", f"{base}/update", urllib.request.build_opener()


def select(target, query: str, as_dba: bool = False) -> list[dict[str, str]]:
    """Rows of a SELECT query sent straight to the store (Virtuoso: as ``dba`` through
    ``/sparql-auth`` when ``as_dba``, whose default graph holds Virtuoso's own graphs too)."""
    query_url, auth_url, opener = _urls(target)
    if as_dba:
        assert isinstance(target, VirtuosoServer)
        query_url = auth_url
    url = f"{query_url}?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with opener.open(request, timeout=60) as response:
        data = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


def graph_counts(target) -> dict[str, int]:
    """Triples per named graph."""
    rows = select(target, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def graph_lines(target, graph: str) -> set[str]:
    """The triples of one graph as N-Triples-like lines (to compare contents exactly)."""
    rows = select(target, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return {f"{r['s']} {r['p']} {r['o']}" for r in rows}


def update(target, text: str) -> None:
    """Run a SPARQL update straight on the store."""
    _, update_url, opener = _urls(target)
    body = urllib.parse.urlencode({"update": text}).encode()
    opener.open(urllib.request.Request(update_url, data=body), timeout=120).close()


def drop_all_graphs(target) -> None:
    """Drop every named graph the store shows (Virtuoso: its data graphs only)."""
    for graph in graph_counts(target):
        update(target, f"DROP SILENT GRAPH <{graph}>")


def post_triples(server_url: str, graph_query: str, body: bytes, content_type: str) -> None:
    """POST a body to ``/store?<graph_query>`` exactly as given (for demonstrating the traps)."""
    url = f"{server_url}/store" + (f"?{graph_query}" if graph_query else "")
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    urllib.request.urlopen(request, timeout=30).close()


def write_nquads(path, quads: list[ox.Quad]) -> None:
    """Write quads as an N-Quads file for ``ftzkg load --release``."""
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))


def store_type(target) -> str:
    """``virtuoso`` or ``oxigraph``."""
    return "virtuoso" if isinstance(target, VirtuosoServer) else "oxigraph"


def credentials_env(target) -> dict[str, str]:
    """The environment ``ftzkg load`` needs to write to the store (Virtuoso: the DBA's password)."""
    if isinstance(target, VirtuosoServer):
        return {"FTZKG_USER": "dba", "FTZKG_PASSWORD": target.password}
    return {}


def loader(
    target, url: str | None = None, chunk_size: int | None = None, retries: int = 3, **options
) -> StoreLoader:
    """ftzkg's loader for a store (or for a proxy at ``url`` in front of it), set up by its store type."""
    profile = PROFILES[store_type(target)]
    base = url or target.url
    credentials = None
    if isinstance(target, VirtuosoServer):
        credentials = Credentials("Basic", "dba", target.password)
    endpoints = profile.endpoints(base, authenticated=credentials is not None)
    client = HttpClient(
        credentials, endpoints.urls(), auth=profile.auth, backoff=0.01, timeout=120, retries=retries
    )
    return StoreLoader(
        endpoints,
        client,
        chunk_size or profile.chunk_size,
        staging_query=profile.staging_query,
        checkpoint=profile.checkpoint,
        direct=profile.direct,
        insert_all=options.pop("insert_all", profile.insert_all),
        copy_query=options.pop("copy_query", profile.copy_query),
        **options,
    )


def staging_graphs(target) -> list[str]:
    """Staging graphs in the store."""
    return [g for g in graph_counts(target) if "ftzkg-staging" in g]
