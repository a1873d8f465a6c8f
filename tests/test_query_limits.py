"""Queries run where they can be stopped: a deadline, a memory cap, a whole-request time-out.

Every case ends with exit 3 and one line naming the limit and its flag; nothing is
written to standard output, and no traceback reaches the user.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler

import pytest
from click.testing import CliRunner
from connection_canary import ConnectionCanary
from fault_proxy import FaultProxy, LoopbackServer

from ftzkg.cli import main
from ftzkg.endpoint import EndpointBackend
from ftzkg.http_client import Credentials
from ftzkg.querying import BackendError, prepare

CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_a_query_that_needs_too_much_memory_is_stopped_with_exit_3():
    started = time.monotonic()
    result = run("query", "--max-memory", "100", "--timeout", "120", "--sparql", CARTESIAN)
    assert result.exit_code == 3, result.output
    assert "more than 100 MB" in result.output and "--max-memory" in result.output
    assert result.stdout == "" and "Traceback" not in result.output
    assert time.monotonic() - started < 120


def test_a_query_that_runs_too_long_is_stopped_at_the_deadline_with_exit_3():
    started = time.monotonic()
    result = run("query", "--timeout", "2", "--format", "csv", "--sparql", CARTESIAN)
    assert result.exit_code == 3, result.output
    assert "within 2 s" in result.output and "--timeout" in result.output
    assert result.stdout == ""  # nothing half-written
    assert time.monotonic() - started < 30


def test_a_result_larger_than_the_budget_is_stopped_with_exit_3():
    result = run("query", "--max-memory", "16", "--timeout", "120", "--format", "csv", "--sparql", CARTESIAN)
    assert result.exit_code == 3, result.output
    assert "--max-memory" in result.output and result.stdout == ""


def test_errors_inside_the_query_process_keep_their_exit_codes():
    assert run("query", "--sparql", "SELECT * WHERE { ?s ?p }").exit_code == 2  # syntax
    assert run("query", "--format", "turtle", "--sparql", "SELECT * WHERE { ?s ?p ?o }").exit_code == 2
    assert run("query", "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").exit_code == 0


# ---------------------------------------------------------------- federation failing at run time


def test_a_federated_query_that_fails_at_run_time_is_one_line_and_exit_3():
    with ConnectionCanary() as canary:  # answers every request with HTTP 500
        result = run(
            "query", "--allow-federation", "--sparql", f"SELECT * {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
        )
    assert result.exit_code == 3, result.output
    assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_credentials_in_a_service_url_are_never_printed():
    with ConnectionCanary() as canary:
        url = canary.url.replace("http://", "http://user:s3cret-pw@")
        result = run(
            "query", "--allow-federation", "--sparql", f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        )
    assert result.exit_code == 3, result.output
    assert "s3cret-pw" not in result.output


# ---------------------------------------------------------------- endpoints


def test_an_endpoint_url_with_credentials_is_refused_without_printing_them():
    result = run("query", "trade-links", "--endpoint", "http://user:s3cret-pw@127.0.0.1:9/query")
    assert result.exit_code == 2, result.output
    assert "s3cret-pw" not in result.output and "FTZKG_USER" in result.output


class Trickle(LoopbackServer):
    """An endpoint that answers 200 and then one byte a second, for ever."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                try:
                    for _ in range(600):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass

        self._listen(Handler)


def test_an_endpoint_sending_one_byte_a_second_is_stopped_at_the_deadline():
    """A per-read time-out never trips here; the deadline bounds the whole request."""
    with Trickle() as server:
        backend = EndpointBackend(server.url + "/query", timeout_s=2)
        started = time.monotonic()
        with pytest.raises(BackendError, match="within 2 s"):
            backend.run(prepare("SELECT * WHERE { ?s ?p ?o }"))
        assert time.monotonic() - started < 6
        started = time.monotonic()
        result = run("query", "trade-links", "--endpoint", server.url + "/query", "--timeout", "2")
        assert result.exit_code == 3, result.output
        assert "--timeout" in result.output
        assert time.monotonic() - started < 10


def test_endpoint_credentials_come_from_the_environment_and_go_to_the_endpoint_only(oxigraph_server):
    credentials = Credentials("Basic", "reader", "s3cret-pw")
    with FaultProxy(oxigraph_server.url, require_auth=credentials.header()) as proxy:
        url = proxy.url + "/query"
        assert run("query", "--sparql", "ASK {}", "--endpoint", url).exit_code == 3
        env = {"FTZKG_USER": "reader", "FTZKG_PASSWORD": "s3cret-pw"}
        result = run("query", "--sparql", "ASK {}", "--endpoint", url, env=env)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == "true"
        wrong = run("query", "--sparql", "ASK {}", "--endpoint", url, env={**env, "FTZKG_PASSWORD": "nope"})
        assert wrong.exit_code == 3 and "nope" not in wrong.output and "401" in wrong.output


def test_an_endpoint_answer_is_read_only_up_to_the_budget():
    class Flood(LoopbackServer):
        def __init__(self) -> None:
            class Handler(BaseHTTPRequestHandler):
                def log_message(self, *args: object) -> None:
                    pass

                def do_POST(self) -> None:
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    self.send_response(200)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.end_headers()
                    self.wfile.write(b" " * 100_000)

            self._listen(Handler)

    with Flood() as server:
        backend = EndpointBackend(server.url + "/query", max_bytes=10_000)
        with pytest.raises(BackendError, match="larger than"):
            backend.run(prepare("SELECT * WHERE { ?s ?p ?o }"))


def test_without_fork_the_work_runs_in_the_process_itself(monkeypatch):
    import ftzkg.query_limits as limits

    monkeypatch.delattr(limits.os, "fork")
    assert limits.run_bounded(lambda out: out.write(b"done"), limits.Limits(1, 16)) == b"done"


def _dies_saying(message: bytes):
    def work(out) -> None:
        import os

        os.write(2, message)
        os._exit(7)  # as a Rust abort would: no status written

    return work


@pytest.mark.parametrize("memfd", [True, False], ids=["in-memory file", "temporary file"])
def test_what_the_query_process_says_as_it_dies_names_the_failure(monkeypatch, memfd):
    """Its standard error is kept in an anonymous file (in memory where Linux allows)."""
    import ftzkg.query_limits as limits

    if not memfd:

        def refused(name: str, flags: int = 0) -> int:
            raise OSError(38, "Function not implemented")

        monkeypatch.setattr(limits.os, "memfd_create", refused, raising=False)
    with pytest.raises(limits.LimitExceeded, match="--max-memory"):
        limits.run_bounded(_dies_saying(b"memory allocation of 4096 bytes failed\n"), limits.Limits(10, 64))
    with pytest.raises(BackendError, match="ended with code 7: the store broke"):
        limits.run_bounded(_dies_saying(b"the store broke\nmore\n"), limits.Limits(10, 64))
