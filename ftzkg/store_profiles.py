"""What ``ftzkg load`` knows about each kind of triple store.

A profile says where a store answers (query, update, Graph Store Protocol), how it
authenticates, how large a request it takes, how a staging graph is written fastest
and what ftzkg can promise about replacing a graph there. ``oxigraph`` and
``virtuoso`` are tested against real servers; every other SPARQL 1.1 store
(Fuseki, GraphDB, Blazegraph, ...) is ``generic``: give its URLs.

A store's type is detected from the ``Server`` header of its answer when not given.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from .http_client import ConfigurationError, HttpClient, StoreError, check_url
from .store_loading import Endpoints

STORE_TYPES = ("oxigraph", "virtuoso", "generic")


@dataclass(frozen=True)
class StoreProfile:
    """How to load one kind of store."""

    name: str
    auth: str  # "basic" or "digest" (HTTP authentication the store asks for)
    chunk_size: int  # triples per Graph Store Protocol POST
    insert_chunk_size: int  # triples per INSERT DATA request (no Graph Store endpoint)
    staging_query: str  # added to the query string of staging POSTs
    checkpoint: bool  # ask the store for a checkpoint once the graphs are swapped in
    direct: bool  # a graph the store lacks goes straight in when it fits one request (Oxigraph)
    insert_all: bool  # the swap inserts every staged triple (Virtuoso)
    copy_query: Callable[[str, str, int], str | None] | None  # copies a staging graph to a new graph
    promise: str  # what a replacement guarantees on this store, as printed by ``ftzkg load``

    def endpoints(
        self,
        endpoint: str | None,
        query_url: str | None = None,
        update_url: str | None = None,
        store_url: str | None = None,
        authenticated: bool = False,
    ) -> Endpoints:
        """The store's URLs: explicit ones win, the rest follow from ``endpoint`` (the server's base URL)."""
        base = base_url(endpoint) if endpoint else None
        if base and self.name == "oxigraph":
            query_url = query_url or base + "/query"
            update_url = update_url or base + "/update"
            store_url = store_url or base + "/store"
        elif base and self.name == "virtuoso":
            # the -auth endpoints take HTTP Digest; the plain ones are anonymous
            suffix = "-auth" if authenticated else ""
            query_url = query_url or f"{base}/sparql{suffix}"
            update_url = update_url or f"{base}/sparql{suffix}"
            store_url = store_url or f"{base}/sparql-graph-crud{suffix}"
        elif base:
            raise ConfigurationError(
                "a generic store needs its URLs: give --query-url and --update-url (and --store-url "
                "for the Graph Store Protocol), or --store-type oxigraph or virtuoso"
            )
        return Endpoints.resolve(None, query_url, update_url, store_url)


OXIGRAPH = StoreProfile(
    name="oxigraph",
    auth="basic",
    # one bulk load of up to 1,000,000 triples is one atomic ingestion (its batch size)
    chunk_size=1_000_000,
    insert_chunk_size=10_000,
    # written with the bulk loader (no transaction, several times faster): a new graph in one
    # request, or a staging graph; the swap into a graph it holds is one update, one transaction
    staging_query="no_transaction",
    checkpoint=False,
    direct=True,
    insert_all=False,
    copy_query=None,
    promise=(
        "atomic and durable: a new graph of up to 1,000,000 triples is written by one bulk load "
        "(one ingestion), any other by one update, one transaction; while a graph the store already "
        "held is replaced, its staging graph is visible in the union default graph"
    ),
)


def virtuoso_copy_query(staging: str, target: str, sent: int) -> str | None:
    """SPARQL running one SQL statement that copies ``staging`` into ``target`` (Virtuoso, as the DBA).

    ``INSERT INTO DB.DBA.RDF_QUAD ... SELECT`` of the staging graph's rows with the
    target's graph ID: one statement, one transaction, about ten times faster than
    the SPARQL swap (which Virtuoso runs row by row). For a target the store does not
    hold (there is nothing to delete); it copies nothing unless the staging graph
    holds the ``sent`` triples. None for a non-ASCII IRI: how Virtuoso would encode it
    between SPARQL and SQL is not tested, and a wrong graph ID would write elsewhere.
    """
    if not (staging.isascii() and target.isascii()):
        return None

    def sql_iri(iri: str) -> str:  # an IRI has no backslash or control character (Oxigraph checks)
        return "iri_to_id('" + str(ox.NamedNode(iri).value).replace("'", "''") + "')"

    st = sql_iri(staging)
    sql = (
        f"INSERT INTO DB.DBA.RDF_QUAD (G, S, P, O) SELECT {sql_iri(target)}, S, P, O FROM DB.DBA.RDF_QUAD "
        f"WHERE G = {st} AND (SELECT COUNT(*) FROM DB.DBA.RDF_QUAD WHERE G = {st}) = {int(sent)}"
    )
    literal = sql.replace("\\", "\\\\").replace("'", "\\'")
    return f"SELECT (bif:exec('{literal}') AS ?done) WHERE {{ }}"


VIRTUOSO = StoreProfile(
    name="virtuoso",
    auth="digest",
    chunk_size=50_000,
    insert_chunk_size=1_000,  # 10 000 triples in one INSERT DATA exhaust its SPARQL compiler (SP030)
    staging_query="",
    checkpoint=True,
    direct=False,
    insert_all=True,
    copy_query=virtuoso_copy_query,
    promise=(
        "atomic after a crash, and durable: a graph the store lacks is copied from its staging graph "
        "by one SQL statement (as the DBA), any other swapped in by one update, then a checkpoint; "
        "a reader may count part of a graph while Virtuoso commits it; staging graphs are visible "
        "in the default graph while they load"
    ),
)

GENERIC = StoreProfile(
    name="generic",
    auth="basic",
    chunk_size=10_000,
    insert_chunk_size=1_000,
    staging_query="",
    checkpoint=False,
    direct=False,
    insert_all=False,
    copy_query=None,
    promise=(
        "atomic if the store runs one update request as one transaction (SPARQL 1.1 says it should); "
        "durability after a crash is the store's own, untested by ftzkg; staging graphs are visible "
        "in a union default graph while they load"
    ),
)

PROFILES = {p.name: p for p in (OXIGRAPH, VIRTUOSO, GENERIC)}

_SUFFIXES = ("/sparql-graph-crud-auth", "/sparql-graph-crud", "/sparql-auth", "/sparql", "/query")


def base_url(endpoint: str) -> str:
    """The server's base URL: ``endpoint`` without a trailing slash or a known endpoint path."""
    base = endpoint.rstrip("/")
    for suffix in _SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def detect(url: str, client: HttpClient) -> str:
    """The store type named by the ``Server`` header of the store's answer to a GET of ``url``.

    ``generic`` when the header names neither Oxigraph nor Virtuoso.
    """
    try:
        request = urllib.request.Request(check_url(url, "--endpoint"), headers={"User-Agent": "ftzkg"})
        response = client.open(request, idempotent=True)
        server = response.headers.get("Server", "")
    except StoreError as exc:
        if exc.headers is None:  # no HTTP answer at all: the store is not there
            raise
        server = exc.headers.get("Server", "")
    server = server.lower()
    if server.startswith("virtuoso"):
        return "virtuoso"
    if server.startswith("oxigraph"):
        return "oxigraph"
    return "generic"


def profile_for(store_type: str, probe_url: str | None, client: HttpClient | None = None) -> StoreProfile:
    """The profile named ``store_type``, or (``auto``) the one detected from the answer at ``probe_url``."""
    if store_type == "auto":
        if probe_url is None or client is None:
            return GENERIC
        return PROFILES[detect(probe_url, client)]
    if store_type not in PROFILES:
        raise ConfigurationError(f"unknown store type {store_type!r}: use one of {', '.join(STORE_TYPES)}")
    return PROFILES[store_type]
