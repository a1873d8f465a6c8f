"""Run the same prepared queries on a remote SPARQL 1.1 endpoint, through SPARQLWrapper.

Results come back as SPARQL JSON (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) and
are parsed by Oxigraph into the same objects the embedded store returns, so every
output format is written by the same code for both. The endpoint should use the
union of its named graphs as its default graph (Oxigraph: ``--union-default-graph``).
"""

from __future__ import annotations

import json
import re
import urllib.error
from collections.abc import Iterable

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

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


class EndpointBackend:
    """A SPARQL 1.1 query endpoint at ``url``."""

    def __init__(self, url: str, timeout_s: float = 60.0):
        self.url = url
        self.timeout_s = timeout_s

    def _request(self, text: str, accept: str | None = None) -> bytes:
        wrapper = SPARQLWrapper(self.url)
        wrapper.setMethod(POST)
        wrapper.setTimeout(int(self.timeout_s))
        wrapper.setQuery(text)
        wrapper.setReturnFormat(JSON if accept is None else TURTLE)
        wrapper.setOnlyConneg(True)  # the Accept header alone: Virtuoso refuses format=turtle with it (406)
        if accept is not None:  # a graph result: ask for N-Triples, which Oxigraph parses strictly
            wrapper.addCustomHttpHeader("Accept", accept)
        try:
            response = wrapper.query().response
            return response.read()
        except SPARQLWrapperException as exc:
            raise BackendError(f"the endpoint {self.url} refused the query: {exc}") from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            raise BackendError(f"cannot reach the endpoint {self.url}: {exc}") from None

    def run(self, prepared: PreparedQuery) -> QueryResult:
        if prepared.form == "UPDATE":
            raise BackendError("updates run only on the embedded store, not through --endpoint")
        if prepared.form in ("CONSTRUCT", "DESCRIBE"):
            data = canonical_nt_booleans(self._request(prepared.text, NTRIPLES))
            try:
                triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            except SyntaxError as exc:
                raise BackendError(f"the endpoint {self.url} sent invalid N-Triples: {exc}") from None
            return QueryResult(prepared.form, triples=triples)
        data = canonical_booleans(self._request(prepared.text))
        try:
            result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise BackendError(f"the endpoint {self.url} sent invalid SPARQL JSON results: {exc}") from None
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        return QueryResult("SELECT", solutions=result)

    def graph_names(self) -> set[str]:
        data = self._request("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        solutions = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        return {s["g"].value for s in solutions if isinstance(s["g"], ox.NamedNode)}

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        rows: list[tuple[str, str, str]] = []
        for q in label_queries(iris):
            solutions = ox.parse_query_results(self._request(q), format=ox.QueryResultsFormat.JSON)
            rows += [(s["s"].value, s["p"].value, s["label"].value) for s in solutions]
        return pick_labels(rows)
