"""On Virtuoso a query never outlives ``--timeout``, and a cut answer never passes for a whole one.

Against private Virtuoso 7 servers of this module (killed at its end, so that a query one of
them is still running cannot slow the tests after it): their own graphs readable
anonymously (about 2,500 triples, not prepared), which a three-way cross join turns into a
query that runs for hours. What Virtuoso does, measured here and relied on by
:class:`ftzkg.endpoint.EndpointBackend`:

* a query whose client went away keeps running (up to ``MaxQueryExecutionTime``);
* with a ``timeout`` parameter (ms) it stops the query itself, at the next two-second tick;
* a query it stops that way comes back as HTTP 200 with what it found so far: an aggregate,
  ``ASK`` or ``CONSTRUCT`` marked ``X-SQL-State: S1TAT``, the rows of a plain ``SELECT``
  with no mark at all; the ``timeout`` is cut to ``MaxQueryExecutionTime``, which without
  one ends the query with an error (S1T00) instead;
* an answer of ``ResultSetMaxRows`` rows or more is cut there, a ``SELECT`` with the header
  ``X-SPARQL-MaxRows`` (also when it has exactly that many), a ``CONSTRUCT`` with none.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_virtuoso
from fault_proxy import Fault, FaultProxy

from ftzkg.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")

#: Runs for hours on about 2,500 triples (15 billion combinations), answers one row.
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: As slow, but a plain SELECT: its rows come one by one, so Virtuoso can send those it has.
SLOW_ROWS = (
    "SELECT ?a ?d ?g WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
    "FILTER(STRLEN(STR(?a)) + STRLEN(STR(?d)) + STRLEN(STR(?g)) = 200) }"
)
ROW_CAP = 50


def start_virtuoso(location: Path, max_seconds: int, row_cap: int = 10_000_000):
    """A private Virtuoso with its own graphs readable, ``MaxQueryExecutionTime = max_seconds``
    and no refusal by estimated cost (so that the slow queries above are run, not refused)."""
    require_virtuoso()
    from ftzkg import virtuoso_server
    from ftzkg.virtuoso_server import VirtuosoServer

    class Configured(VirtuosoServer):
        def write_ini(self) -> None:
            super().write_ini()
            text = self.ini.read_text()
            for setting, value in (("MaxQueryExecutionTime", max_seconds), ("MaxQueryCostEstimationTime", 0)):
                text, done = re.subn(rf"^{setting} = \d+$", f"{setting} = {value}", text, flags=re.M)
                assert done == 1, setting
            self.ini.write_text(text)

    assert "MaxQueryExecutionTime = 600" in virtuoso_server.INI
    return Configured(location, password="dba", prepare=False, result_rows=row_cap).start()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """Its own graphs readable, ``ResultSetMaxRows = 50``, ``MaxQueryExecutionTime = 600``."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-limits"), 600, ROW_CAP)
    yield server
    server.kill()


@pytest.fixture(scope="module")
def virtuoso_1s(tmp_path_factory):
    """Its own graphs readable, ``MaxQueryExecutionTime = 1``: its time limit, not ftzkg's, stops a query."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-1s"), 1)
    yield server
    server.kill()


def query(url: str, text: str, timeout: str = "30", fmt: str = "csv"):
    args = ["query", "--sparql", text, "--format", fmt, "--timeout", timeout, "--endpoint", url]
    return CliRunner().invoke(main, args)


def assert_one_line_error(result, *words: str) -> None:
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: ") and result.output.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output


def threads_running(server) -> int:
    """Virtuoso's running threads, the isql session asking included (1 when idle)."""
    found = re.search(r"Currently (\d+) threads running", server.isql("status('');\n"))
    assert found is not None
    return int(found.group(1))


def wait_idle(server, seconds: float) -> float | None:
    """Seconds until Virtuoso runs nothing but the asking session, or None if it never did."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if threads_running(server) == 1:
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def post(url: str, text: str, **fields: str) -> tuple[int, dict[str, str], bytes]:
    """A raw SPARQL POST: status, headers, body."""
    data = urllib.parse.urlencode({"query": text, **fields}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


# ---------------------------------------------------------------- time: the server stops the query


def test_a_slow_query_fails_at_the_timeout_and_virtuoso_stops_running_it(virtuoso):
    assert wait_idle(virtuoso, 5) is not None
    started = time.monotonic()
    result = query(virtuoso.query_url, SLOW_COUNT, timeout="3")
    assert time.monotonic() - started < 6
    assert_one_line_error(result, "3 s", "--timeout")
    # it was sent the time left, and stops within about two seconds after it: not at its own 600 s
    assert wait_idle(virtuoso, 4) is not None, "Virtuoso is still running the query ftzkg gave up on"


def test_without_the_time_limit_virtuoso_keeps_running_a_query_its_client_gave_up_on(tmp_path):
    """Why ftzkg sends one: closing the connection does not stop the query."""
    server = start_virtuoso(tmp_path / "virtuoso", 600)
    try:
        data = urllib.parse.urlencode({"query": SLOW_COUNT}).encode()
        with pytest.raises((TimeoutError, urllib.error.URLError)):
            urllib.request.urlopen(urllib.request.Request(server.query_url, data=data), timeout=1)
        time.sleep(3)
        assert threads_running(server) > 1
    finally:
        server.kill()


def test_the_time_limit_goes_to_virtuoso_only(virtuoso, oxigraph_server):
    """Virtuoso gets ``timeout`` (ms, at most the time left); a store of another kind only ``query``."""
    with FaultProxy(virtuoso.url) as proxy:
        result = query(proxy.url + "/sparql", "SELECT ?s WHERE { ?s a ?t } LIMIT 3", timeout="20")
        assert result.exit_code == 0, result.output
        forms = [urllib.parse.parse_qs(seen.body.decode()) for seen in proxy.requests]
    assert forms[0]["query"] == ["ASK {}"]  # reads the Server header
    assert "timeout" not in forms[0] and "timeout" not in forms[1]  # before its limits are known
    assert "MaxQueryExecutionTime" in forms[1]["query"][0]
    sent = int(forms[2]["timeout"][0])
    assert 15_000 < sent <= 20_000 and forms[2]["query"][0].endswith("SELECT ?s WHERE { ?s a ?t } LIMIT 3")
    assert all("timeout" in form for form in forms[2:])
    with FaultProxy(oxigraph_server.url) as proxy:
        result = query(proxy.url + "/query", "SELECT ?s WHERE { ?s a ?t } LIMIT 3")
        assert result.exit_code == 0, result.output
        forms = [urllib.parse.parse_qs(seen.body.decode()) for seen in proxy.requests]
    assert len(forms) == 2 and all(set(form) == {"query"} for form in forms)


def test_a_virtuoso_whose_limits_cannot_be_read_is_sent_no_time_limit(virtuoso):
    """As a server that refuses ``bif:`` functions to its readers would: the query runs as before."""
    refuse = Fault(lambda seen: "bif:cfg_item_value" in seen.text, "status", status=403, message="no bif")
    with FaultProxy(virtuoso.url, [refuse]) as proxy:
        result = query(proxy.url + "/sparql", "SELECT ?s WHERE { ?s a ?t } LIMIT 3")
        assert result.exit_code == 0 and result.output.count("\n") == 4, result.output
        forms = [urllib.parse.parse_qs(seen.body.decode()) for seen in proxy.requests]
    assert refuse.matched == 1 and len(forms) == 3
    assert all(set(form) == {"query"} for form in forms)


def test_oxigraph_server_ignores_a_parameter_it_does_not_know(oxigraph_server):
    """So a Virtuoso-only parameter would do no harm there either (ftzkg does not send it)."""
    status, _, body = post(oxigraph_server.query_url, "ASK {}", timeout="5000")
    assert status == 200 and json.loads(body)["boolean"] is True


# ---------------------------------------------------------------- time: a partial answer is refused


#: Virtuoso's errors when a query ends at its time limit other than by its "anytime" stop: the
#: transaction time-out (no ``timeout`` sent), or, now and then although one was sent (2 of 34
#: requests here), ``HY008 ... SR203: Async statement killed by SQLCancel``; ftzkg exits 3 then too.
TIMED_OUT = ("S1T00", "HY008")


def timed_out(text: str) -> bool:
    return any(state in text for state in TIMED_OUT)


def stopped_answer(url: str, text: str, tries: int = 3) -> tuple[int, dict[str, str], bytes]:
    """A raw POST with a ``timeout`` (cut to the server's MaxQueryExecutionTime): the first answer
    that is not Virtuoso's time-out error."""
    for _ in range(tries):
        status, headers, body = post(url, text, timeout="30000")
        if not (status == 500 and timed_out(body.decode(errors="replace"))):
            return status, headers, body
    pytest.fail(f"Virtuoso ended the query with an error {tries} times")


def refused(url: str, text: str, fmt: str = "csv", tries: int = 3):
    """``ftzkg query`` of ``text``: the first result that is not Virtuoso's time-out error (exit 3 too)."""
    for _ in range(tries):
        result = query(url, text, fmt=fmt)
        if not timed_out(result.output):
            return result
        assert_one_line_error(result, "Virtuoso")
    pytest.fail(f"Virtuoso ended the query with an error {tries} times")


def test_virtuoso_sends_part_of_a_plain_select_it_stopped_with_no_mark(virtuoso_1s):
    """Why ftzkg refuses an answer that came after the time limit it sent, marked or not."""
    status, headers, body = post(virtuoso_1s.query_url, SLOW_ROWS)  # no limit sent: an error
    assert status == 500 and b"S1T00" in body
    started = time.monotonic()
    status, headers, body = stopped_answer(virtuoso_1s.query_url, SLOW_ROWS)  # cut to 1 s
    assert status == 200 and time.monotonic() - started < 45
    assert not any(name.lower().startswith("x-sql") for name in headers), headers
    assert json.loads(body)["results"]["bindings"], "some of the rows found in time"


def test_an_answer_virtuoso_marks_incomplete_is_refused(virtuoso_1s):
    status, headers, body = stopped_answer(virtuoso_1s.query_url, SLOW_COUNT)
    assert status == 200 and headers.get("X-SQL-State") == "S1TAT", (status, body[:300])
    # stopped at its MaxQueryExecutionTime of 1 s, never before: an answer sooner was not cut by it
    assert 1000 <= int(headers["X-Exec-Milliseconds"]) < 4500, headers
    assert json.loads(body)["results"]["bindings"] == []  # the count of a query it stopped
    result = refused(virtuoso_1s.query_url, SLOW_COUNT)
    assert_one_line_error(result, "incomplete", "S1TAT", "MaxQueryExecutionTime", "--timeout")
    never = SLOW_ROWS.replace("= 200", "= 1000")  # no row matches: the whole cross join is read
    for form, fmt in (("ASK", "csv"), ("CONSTRUCT { ?a ?b ?g }", "nt")):
        assert_one_line_error(
            refused(virtuoso_1s.query_url, never.replace("SELECT ?a ?d ?g", form), fmt), "S1TAT"
        )


def test_rows_virtuoso_sends_after_the_time_limit_it_was_given_are_refused(virtuoso_1s):
    result = refused(virtuoso_1s.query_url, SLOW_ROWS)
    assert_one_line_error(result, "may have sent part of the answer", "after 1 s", "MaxQueryExecutionTime")
    assert wait_idle(virtuoso_1s, 5) is not None


def test_a_quick_answer_from_a_virtuoso_with_a_short_time_limit_is_accepted(virtuoso_1s):
    result = query(virtuoso_1s.query_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.exit_code == 0, result.output
    assert int(result.output.splitlines()[1]) > 1000


# ---------------------------------------------------------------- rows: ResultSetMaxRows


def test_virtuoso_marks_a_select_that_reaches_its_result_set_max_rows(virtuoso):
    for limit, marked in ((ROW_CAP - 1, False), (ROW_CAP, True), (ROW_CAP + 1, True)):
        status, headers, body = post(virtuoso.query_url, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {limit}")
        assert status == 200
        assert len(json.loads(body)["results"]["bindings"]) == min(limit, ROW_CAP)
        assert (headers.get("X-SPARQL-MaxRows") == str(ROW_CAP)) is marked, (limit, headers)


def test_an_answer_cut_at_virtuosos_result_set_max_rows_is_refused(virtuoso):
    from ftzkg.endpoint import CAPPED

    result = query(virtuoso.query_url, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    said = f"sent {ROW_CAP} rows, at least its cap (ResultSetMaxRows {ROW_CAP})"
    assert_one_line_error(result, said, CAPPED)
    # exactly as many rows as the cap: Virtuoso marks it too, and it cannot be told from a cut one
    result = query(virtuoso.query_url, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {ROW_CAP}")
    assert_one_line_error(result, "ResultSetMaxRows")
    result = query(virtuoso.query_url, f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {ROW_CAP - 1}")
    assert result.exit_code == 0 and result.output.count("\n") == ROW_CAP, result.output


def test_a_construct_cut_at_virtuosos_result_set_max_rows_is_refused(virtuoso):
    """Virtuoso cuts it at one triple past the cap, unmarked: ftzkg reads the cap from the server."""
    data = urllib.parse.urlencode({"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"}).encode()
    request = urllib.request.Request(
        virtuoso.query_url, data=data, headers={"Accept": "application/n-triples"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers.get("X-SPARQL-MaxRows") is None
        assert response.read().count(b" .\n") == ROW_CAP + 1
    result = query(virtuoso.query_url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", fmt="nt")
    assert_one_line_error(result, "triples", f"ResultSetMaxRows {ROW_CAP}")
    result = query(virtuoso.query_url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 10", fmt="nt")
    assert result.exit_code == 0 and result.output.count("\n") == 10, result.output


def test_the_readme_and_the_help_say_what_is_sent_and_what_is_refused():
    from ftzkg.endpoint import CAPPED

    section = README.split("##### Virtuoso's limits on a query", 1)[1].split("\n#", 1)[0]
    for words in (
        "tests/test_endpoint_limits.py",
        "`X-SQL-State: S1TAT`",
        "`X-SPARQL-MaxRows: N`",
        "as Virtuoso's `timeout` parameter",
        "**with no mark at all**",
        f"(ResultSetMaxRows 50): {CAPPED}`",
        "A `DESCRIBE` is cut by resource",
    ):
        assert words in section, words
    assert "(#virtuosos-limits-on-a-query)" in README
    help_text = " ".join(CliRunner().invoke(main, ["query", "--help"]).output.split())
    assert "Virtuoso is sent the time left, so that it stops the query too" in help_text
    assert "an answer the endpoint cut short (its time limit or ResultSetMaxRows) is an error" in help_text
