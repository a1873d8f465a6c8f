"""Run the same prepared queries on a remote SPARQL 1.1 endpoint (SPARQL 1.1 Protocol, POST).

Results come back as SPARQL JSON (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE) and
are parsed by Oxigraph into the same objects the embedded store returns, so every
output format is written by the same code for both. The endpoint should use the
union of its named graphs as its default graph (Oxigraph: ``--union-default-graph``).

One deadline (``timeout_s``, from the first request) bounds every request of a query,
the label look-ups included, connect and every read; answers are read up to
``max_bytes``. Virtuoso is sent the time left with each request, so that it stops the
query too, and an answer it may have cut short (its time limit, its row cap) is an
error (see :class:`EndpointBackend`). Credentials (FTZKG_USER/FTZKG_PASSWORD or FTZKG_TOKEN) go to the
endpoint's own host and port only, and never appear in messages; a URL with
credentials in it is refused.
"""

from __future__ import annotations

import email.message
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable

import pyoxigraph as ox

from .http_client import (
    ConfigurationError,
    Credentials,
    StoreError,
    answer_within,
    check_url,
    display,
    printable,
)
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

#: Virtuoso's own limits, as its SPARQL endpoint reads them (``[SPARQL]`` of its ``virtuoso.ini``).
VIRTUOSO_SETTINGS = (
    "SELECT ?time ?rows WHERE { "
    "BIND(bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'MaxQueryExecutionTime') AS ?time) "
    "BIND(bif:cfg_item_value(bif:virtuoso_ini_path(), 'SPARQL', 'ResultSetMaxRows') AS ?rows) }"
)
_LEADING_INTEGER = re.compile(r"\s*(-?\d+)")
CAPPED = (
    "Virtuoso cuts a longer answer there, so some may be missing; raise ResultSetMaxRows "
    "([SPARQL] in virtuoso.ini) above the answer's size, or ask for fewer (LIMIT)"
)
_FIX_TIME = "raise --timeout, or the server's MaxQueryExecutionTime ([SPARQL] in virtuoso.ini)"


def _setting(value: str | None) -> int:
    """An ini value read as Virtuoso's ``atoi`` does (``60 ; in seconds`` is 60; none is 0)."""
    found = _LEADING_INTEGER.match(value or "")
    return int(found.group(1)) if found else 0


class _Answer:
    """One HTTP answer: its body, headers, and how long it took from sending to the last byte."""

    def __init__(self, body: bytes, headers: email.message.Message, seconds: float, stop_after: float | None):
        self.body = body
        self.headers = headers
        self.seconds = seconds
        self.stop_after = stop_after  # the time limit the server was given (Virtuoso's ``timeout``), if any


class EndpointBackend:
    """A SPARQL 1.1 query endpoint at ``url``.

    Before the first query it asks ``ASK {}`` and reads the answer's ``Server`` header.
    On Virtuoso it then reads the server's ``MaxQueryExecutionTime`` and ``ResultSetMaxRows``,
    and sends every request the time left (``timeout``, in ms, at most
    ``MaxQueryExecutionTime``), so the server stops a query itself once ``ftzkg`` has
    stopped waiting for it. Other stores get no parameter but ``query``.

    An answer that may be partial is an error, never a result: marked as cut short by
    Virtuoso's "anytime" time limit (``X-SQL-State``), or arriving after the time limit the
    server was given (Virtuoso then sends the rows of a plain ``SELECT`` found so far with
    no mark at all), or as long as the server's row cap (``X-SPARQL-MaxRows``, or
    ``ResultSetMaxRows`` triples of a ``CONSTRUCT``).
    """

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
        self.server: str | None = None  # the ``Server`` header of the first answer
        self.virtuoso = False
        self.max_time_s: int | None = None  # Virtuoso's MaxQueryExecutionTime (0: none), once read
        self.max_rows: int | None = None  # Virtuoso's ResultSetMaxRows (0 or less: none), once read
        self._probed = False

    def _post(self, fields: dict[str, str], accept: str) -> _Answer:
        if self._ends is None:
            self._ends = time.monotonic() + self.timeout_s
        remaining = self._ends - time.monotonic()
        if remaining <= 0:
            raise BackendError(
                f"the endpoint {display(self.url)} did not answer within {self.timeout_s:g} s, the limit; "
                "raise it with --timeout"
            )
        stop_after = None
        if self.max_time_s is not None:  # a Virtuoso whose limits are known: it stops in time itself
            limit_ms = max(int(remaining * 1000), 1000)
            if self.max_time_s >= 1:
                limit_ms = min(limit_ms, self.max_time_s * 1000)
            fields = {**fields, "timeout": str(limit_ms)}
            stop_after = limit_ms / 1000
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": accept,
                "User-Agent": "ftzkg",
            },
        )
        started = time.monotonic()
        try:
            body, headers = answer_within(request, remaining, self.max_bytes, self.credentials)
        except StoreError as exc:
            raise BackendError(f"the endpoint failed: {exc}") from None
        return _Answer(body, headers, time.monotonic() - started, stop_after)

    def _probe(self) -> None:
        """Which server this is, and on Virtuoso its limits (once, before the first query)."""
        if self._probed:
            return
        self._probed = True
        self.server = self._post({"query": "ASK {}"}, SPARQL_JSON).headers.get("Server", "")
        self.virtuoso = self.server.startswith("Virtuoso")
        if not self.virtuoso:
            return
        try:
            settings = self._post({"query": VIRTUOSO_SETTINGS}, SPARQL_JSON).body
            rows = json.loads(settings)["results"]["bindings"]
            row = rows[0] if rows else {}
            max_time, max_rows = (_setting(row.get(k, {}).get("value")) for k in ("time", "rows"))
        except (BackendError, ValueError, KeyError, TypeError, AttributeError):
            return  # its limits unknown: no time limit is sent (nor could a cut answer be told)
        self.max_rows = max_rows
        self.max_time_s = max_time

    def _request(self, text: str, accept: str = SPARQL_JSON) -> _Answer:
        self._probe()
        answer = self._post({"query": text}, accept)
        self._refuse_partial(answer)
        return answer

    def _refuse_partial(self, answer: _Answer) -> None:
        """:class:`BackendError` for an answer that says, or may be, incomplete (cut by time)."""
        where = display(self.url)
        state = answer.headers.get("X-SQL-State")
        if state:
            took = answer.headers.get("X-Exec-Milliseconds")
            after = f" after {int(took) / 1000:g} s" if took and took.isdigit() else ""
            raise BackendError(
                f"the endpoint {where} sent an incomplete answer (X-SQL-State {printable(state[:20])}): "
                f"Virtuoso stopped the query at its time limit{after} and sent what it had found by then; "
                + _FIX_TIME
            )
        if answer.stop_after is not None and answer.seconds >= answer.stop_after:
            raise BackendError(
                f"the endpoint {where} may have sent part of the answer: Virtuoso was told to stop the "
                f"query after {answer.stop_after:g} s and answered after {answer.seconds:.1f} s, and a query "
                "it stops may come back cut short with no mark; " + _FIX_TIME
            )

    def _refuse_capped(self, count: int, header: str | None, what: str) -> None:
        """:class:`BackendError` for an answer as long as the server's row cap (it may be cut there)."""
        cap = int(header) if header and header.strip().isdigit() else None
        if cap is None and self.max_rows is not None and self.max_rows > 0 and what == "triples":
            cap = self.max_rows
        if cap is not None and count >= cap:
            raise BackendError(
                f"the endpoint {display(self.url)} sent {count} {what}, at least its cap "
                f"(ResultSetMaxRows {cap}): {CAPPED}"
            )

    def run(self, prepared: PreparedQuery) -> QueryResult:
        if prepared.form == "UPDATE":
            raise BackendError("updates run only on the embedded store, not through --endpoint")
        if prepared.form in ("CONSTRUCT", "DESCRIBE"):
            answer = self._request(prepared.text, NTRIPLES)
            data = canonical_nt_booleans(answer.body)
            try:
                triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            except SyntaxError as exc:
                raise BackendError(
                    f"the endpoint {display(self.url)} sent invalid N-Triples: {exc}"
                ) from None
            if prepared.form == "CONSTRUCT":
                self._refuse_capped(len(triples), answer.headers.get("X-SPARQL-MaxRows"), "triples")
            return QueryResult(prepared.form, triples=triples)
        result = self._select(prepared.text)
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", boolean=bool(result))
        return QueryResult("SELECT", solutions=result)

    def _select(self, text: str) -> ox.QuerySolutions | ox.QueryBoolean:
        """The answer to a SELECT or ASK query, checked against the server's row cap."""
        answer = self._request(text)
        data = canonical_booleans(answer.body)
        cap = answer.headers.get("X-SPARQL-MaxRows")
        if cap is not None:  # the server says the answer reached its cap: count the rows
            counted = self._results(data)
            if not isinstance(counted, ox.QueryBoolean):
                self._refuse_capped(sum(1 for _ in counted), cap, "rows")
        return self._results(data)

    def _results(self, data: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
        try:
            return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise BackendError(
                f"the endpoint {display(self.url)} sent invalid SPARQL JSON results: {exc}"
            ) from None

    def graph_names(self) -> set[str]:
        solutions = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return {s["g"].value for s in solutions if isinstance(s["g"], ox.NamedNode)}  # type: ignore[union-attr]

    def labels(self, iris: Iterable[str]) -> dict[str, str]:
        rows: list[tuple[str, str, str]] = []
        for q in label_queries(iris):
            solutions = self._select(q)
            rows += [(s["s"].value, s["p"].value, s["label"].value) for s in solutions]  # type: ignore[union-attr]
        return pick_labels(rows)
