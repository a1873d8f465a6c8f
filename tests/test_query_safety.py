"""User queries never reach the network or the disk, and parameters stay plain values.

A canary HTTP server on 127.0.0.1 records every request: refused queries must leave it
untouched, and the one test that opts in to federation shows that it would notice.
"""

from __future__ import annotations

import dataclasses
import http.server
import threading

import pytest
from click.testing import CliRunner

from ftzkg.catalogue import catalogue, find_query, parse_query_text, read_query_file
from ftzkg.cli import main
from ftzkg.querying import (
    EmbeddedBackend,
    ParameterError,
    QueryRefused,
    execute,
)


class Canary:
    def __init__(self):
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                canary.requests.append(f"{self.command} {self.path}")
                self.send_response(500)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary():
    server = Canary()
    yield server
    server.stop()


@pytest.fixture
def backend(kg):
    return EmbeddedBackend(kg.store)


def refused_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "SELECT * WHERE { BIND(<" + url + "> AS ?u) SERVICE ?u { ?s ?p ?o } }",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"LOAD <{url}>",
        "LOAD <file:///etc/passwd> INTO GRAPH <urn:x>",
        "DROP ALL",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


@pytest.mark.parametrize("index", range(12))
def test_queries_that_reach_out_or_change_the_store_are_refused(backend, canary, kg, index):
    text = refused_queries(canary.url)[index]
    size = len(kg.store)
    with pytest.raises(QueryRefused):
        execute(backend, text)
    assert canary.requests == []
    assert len(kg.store) == size


def test_service_in_comments_and_strings_does_not_fool_the_check(backend, canary):
    text = f"""# SERVICE <{canary.url}> {{ ?s ?p ?o }}
    SELECT ?x WHERE {{ BIND("SERVICE <{canary.url}> {{ }}" AS ?x) }}"""
    result = execute(backend, text)
    assert [s["x"].value for s in result.solutions] == [f"SERVICE <{canary.url}> {{ }}"]
    assert canary.requests == []


@pytest.mark.parametrize("index", range(12))
def test_a_catalogue_query_that_would_reach_out_is_still_refused(backend, canary, kg, index):
    """Catalogue queries skip the parse at run time, but a reaching word sends them to the full check."""
    text = refused_queries(canary.url)[index]
    entry = dataclasses.replace(parse_query_text(text, "edited"), from_catalogue=True)
    size = len(kg.store)
    with pytest.raises(QueryRefused):
        execute(backend, text, query=entry)
    assert canary.requests == []
    assert len(kg.store) == size


def test_a_catalogue_query_run_with_other_text_is_inspected_in_full(backend, canary):
    entry = find_query("product-hierarchy")
    assert entry.from_catalogue
    with pytest.raises(QueryRefused):
        execute(backend, f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}", query=entry)
    assert canary.requests == []


def test_only_the_project_catalogue_is_trusted_as_such(tmp_path):
    """A file, standard input, --sparql text or another folder of .rq files is always inspected."""
    (tmp_path / "copy.rq").write_text(find_query("trade-links").text, encoding="utf-8")
    assert not parse_query_text("SELECT * WHERE { ?s ?p ?o }", "--sparql").from_catalogue
    assert not read_query_file(tmp_path / "copy.rq").from_catalogue
    assert not any(q.from_catalogue for q in catalogue(tmp_path))
    assert all(q.from_catalogue for q in catalogue())


def test_from_a_named_graph_of_the_store_is_allowed(backend):
    graph = "https://w3id.org/ftzkg/id/source/un-m49"
    result = execute(backend, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}")
    assert int(next(iter(result.solutions))["n"].value) > 0


def test_the_canary_would_notice_a_federated_query(backend, canary):
    """With the explicit opt-in the query does reach out, so the canary's silence above means something."""
    with pytest.raises(Exception):  # noqa: B017 - the canary answers 500
        result = execute(
            backend, f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}", allow_federation=True
        )
        list(result.solutions)
    assert canary.requests != []


def test_the_command_refuses_with_a_clear_message_and_exit_2(canary):
    result = CliRunner().invoke(
        main, ["query", "--sparql", f"SELECT * {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"]
    )
    assert result.exit_code == 2
    assert "SERVICE" in result.output and "--allow-federation" in result.output
    result = CliRunner().invoke(main, ["query", "--sparql", "DROP ALL"])
    assert result.exit_code == 2 and "--allow-update" in result.output
    assert canary.requests == []


# ---------------------------------------------------------------- parameters are values, never SPARQL

ECHO = """# title: echo
# question: what value was bound?
# parameters:
#   text (string, default none): any text
# returns:
#   text: the value
SELECT ?text (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?text
"""

HOSTILE = [
    'x" } ; DROP ALL ; #',
    "x' } DROP ALL #",
    '"""} UNION { ?a ?b ?c } #',
    "}} SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } {{",
    "line\nbreak \\ backslash \u00e9",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_string_parameter_with_quotes_braces_or_keywords_is_a_plain_value(kg, backend, value):
    query = parse_query_text(ECHO, "echo")
    size = len(kg.store)
    result = execute(backend, query.text, query=query, params={"text": value})
    (solution,) = list(result.solutions)
    assert solution["text"].value == value
    assert int(solution["n"].value) == size
    assert len(kg.store) == size


@pytest.mark.parametrize(
    "value", ["region:143> } ; DROP ALL ; #", "http://x/> } DROP ALL", "not an iri", 'urn:x" ']
)
def test_an_iri_parameter_that_is_not_an_iri_is_rejected(kg, backend, value):
    query = next(
        q for q in __import__("ftzkg.catalogue").catalogue.catalogue() if q.name == "firms-reaching-region"
    )
    with pytest.raises(ParameterError):
        execute(backend, query.text, query=query, params={"region": value})


@pytest.mark.parametrize(("kind", "value"), [("year", "2025 } #"), ("integer", "1; DROP ALL"), ("date", "x")])
def test_typed_parameters_check_their_values(backend, kind, value):
    text = ECHO.replace("(string, default none)", f"({kind}, default 1)")
    query = parse_query_text(text, "echo")
    with pytest.raises(ParameterError, match=kind):
        execute(backend, query.text, query=query, params={"text": value})


def test_the_command_keeps_a_hostile_parameter_a_plain_value(tmp_path):
    path = tmp_path / "echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["query", str(path), "--param", 'text=x" } ; DROP ALL ; #', "--format", "tsv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "?text\t?n"
    assert lines[1].startswith('"x\\" } ; DROP ALL ; #"\t')
