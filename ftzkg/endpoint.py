"""Run the same prepared queries on a remote SPARQL 1.1 endpoint (SPARQL 1.1 Protocol, POST).

Results come back as SPARQL JSON (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) and
are parsed by Oxigraph into the same objects the embedded store returns, so every
output format is written by the same code for both. The endpoint should use the
union of its named graphs as its default graph (Oxigraph: ``--union-default-graph``).

One deadline (``timeout_s``, from the first request) bounds every request of a query,
the label look-ups included, connect and every read; answers are read up to
``max_bytes``. Credentials (FTZKG_USER/FTZKG_PASSWORD or FTZKG_TOKEN) go to the
endpoint's own host and port only, and never appear in messages; a URL with
credentials in it is refused.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable

import pyoxigraph as ox

from .http_client import ConfigurationError, Credentials, StoreError, check_url, display, read_within
from .querying import BackendError, PreparedQuery, QueryResult, label_queries, pick_labels

NTRIPLES = "application/n-triples"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_NT_BOOLEAN = re.compile(rb'"([01])"\^\^<' + re.escape(XSD_BOOLEAN.encode()) + rb">")


def canonical_booleans(data: bytes) -> bytes:
    """SPARQL JSON results with ``xsd:boolean`` values in their canonical form (``true``/``false``).

    Virtuoso writes ``"1"^^xsd:boolean``, a valid but not canonical lexical form; the same
    query should print the same answer on every store.
    """
    if XSD_BOOLEAN.encode() not in data:
        return data
    try:
        results = json.loads(data)
        for row in results["results"]["bindings"]:
            for term in row.values():
                if term.get("datatype") == XSD_BOOLEAN and term.get("value") in ("0", "1"):
                    term["value"] = "true" if term["value"] == "1" else "false"
    except (ValueError, KeyError, TypeError, AttributeError):
        return data  # not SELECT results: left to the parser to judge
    return json.dumps(results).encode()


def canonical_nt_booleans(data: bytes) -> bytes:
    """N-Triples with ``"1"^^xsd:boolean`` written ``"true"^^xsd:boolean`` (as :func:`canonical_booleans`)."""
    suffix = b'"^^<' + XSD_BOOLEAN.encode() + b">"
    return _NT_BOOLEAN.sub(lambda m: b'"' + (b"true" if m.group(1) == b"1" else b"false") + suffix, data)


SPARQL_JSON = "application/sparql-results+json"


class EndpointBackend:
    """A SPARQL 1.1 query endpoint at ``url``."""

    def __init__(
        self,
        url: str,
        timeout_s: float = 60.0,
        credentials: Credentials | None = None,
        max_bytes: int = 2048 * 1024 * 1024,
    ):
        parts = urllib.parse.urlsplit(url)
        if parts.username is not None or parts.password is not None:
            raise ConfigurationError(
                "--endpoint must not contain credentials; use FTZKG_USER/FTZKG_PASSWORD or FTZKG_TOKEN"
            )
        self.url = check_url(url, "--endpoint")
        self.timeout_s = timeout_s
        self.credentials = credentials
        self.max_bytes = max_bytes
        self._ends: float | None = None

    def _request(self, text: str, accept: str = SPARQL_JSON) -> bytes:
        if self._ends is None:
            self._ends = time.monotonic() + self.timeout_s
        remaining = self._ends - time.monotonic()
        if remaining <= 0:
            raise BackendError(
                f"the endpoint {display(self.url)} did not answer within {self.timeout_s:g} s, the limit; "
                "raise it with --timeout"
            )
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode({"query": text}).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": accept,
                "User-Agent": "ftzkg",
            },
        )
        try:
            return read_within(request, remaining, self.max_bytes, self.credentials)
        except StoreError as exc:
            raise BackendError(f"the endpoint failed: {exc}") from None

    def run(self, prepared: PreparedQuery) -> QueryResult:
        if prepared.form == "UPDATE":
            raise BackendError("updates run only on the embedded store, not through --endpoint")
        if prepared.form in ("CONSTRUCT", "DESCRIBE"):
            data = canonical_nt_booleans(self._request(prepared.text, NTRIPLES))
            try:
                triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            except SyntaxError as exc:
                raise BackendError(
                    f"the endpoint {display(self.url)} sent invalid N-Triples: {exc}"
                ) from None
            return QueryResult(prepared.form, triples=triples)
        result = self._results(canonical_booleans(self._request(prepared.text)))
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        return QueryResult("SELECT", solutions=result)

    def _results(self, data: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
        try:
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise BackendError(
                f"the endpoint {display(self.url)} sent invalid SPARQL JSON results: {exc}"
            ) from None

    def graph_names(self) -> set[str]:
        solutions = self._results(self._request("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return {s["g"].value for s in solutions if isinstance(s["g"], ox.NamedNode)}  # type: ignore[union-attr]

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        rows: list[tuple[str, str, str]] = []
        for q in label_queries(iris):
            solutions = self._results(self._request(q))
            rows += [(s["s"].value, s["p"].value, s["label"].value) for s in solutions]  # type: ignore[union-attr]
        return pick_labels(rows)
