"""What runs is what was checked: texts that parsers read differently cannot hide a SERVICE.

rdflib (the safety check) ends a ``#`` comment only at ``\\n``; Oxigraph (the engine) also
at ``\\r``. rdflib expands ``\\u`` escapes before parsing; Oxigraph only inside strings.
Each text below hides a SERVICE, LOAD or FROM from one parser and not from the other. The
check now parses a canonical text (:mod:`ftzkg.sparql_text`) and that text is what runs,
so each is refused by every route into ``ftzkg query``, and the canary hears nothing.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from connection_canary import ConnectionCanary
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ftzkg import sparql_text
from ftzkg.cli import main
from ftzkg.querying import EmbeddedBackend, QueryLimitError, QueryRefused, QuerySyntaxError, execute
from ftzkg.sparql_text import DEFAULT_MAX_NESTING, canonical


@pytest.fixture
def canary():
    with ConnectionCanary() as server:
        yield server


def hidden_service(url: str) -> dict[str, str]:
    service = f"SERVICE SILENT <{url}> {{ ?s ?p ?o }}"
    return {
        "comment ended by a bare CR": f"SELECT ?x WHERE {{ BIND(1 AS ?x) #\r{service}\n }}",
        "comment ended by CR LF": f"SELECT ?x WHERE {{ BIND(1 AS ?x) #\r\n{service}\n }}",
        "escaped backslash only rdflib expands": (
            f'SELECT ?y WHERE {{ BIND("x\\u005C" AS ?y) SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} #" AS ?y) }}'
        ),
    }


def settle(canary: ConnectionCanary) -> int:
    time.sleep(0.2)  # a connection in flight is counted before the assertion
    return canary.connections


def test_the_canary_hears_these_texts_when_oxigraph_runs_them_unchecked(canary):
    """Without the check each text does reach out, so the silence below means something."""
    for text in hidden_service(canary.url).values():
        list(ox.Store().query(text))
    ox.Store().update(f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} #\r; LOAD SILENT <{canary.url}>")
    assert settle(canary) == 4


@pytest.mark.parametrize("case", list(hidden_service("http://127.0.0.1:9/")))
def test_a_hidden_service_is_refused_by_the_library(canary, case):
    text = hidden_service(canary.url)[case]
    with pytest.raises(QueryRefused, match="SERVICE"):
        execute(EmbeddedBackend(ox.Store()), text, allow_update=True)
    assert settle(canary) == 0


@pytest.mark.parametrize("case", list(hidden_service("http://127.0.0.1:9/")))
def test_a_hidden_service_is_refused_from_text_standard_input_and_a_file(canary, tmp_path, case):
    text = hidden_service(canary.url)[case]
    path = tmp_path / "hidden.rq"
    path.write_bytes(text.encode("utf-8"))  # bytes: keep the bare CR as it is
    runner = CliRunner()
    for args, stdin in [(["--sparql", text], None), (["-"], text), ([str(path)], None)]:
        result = runner.invoke(main, ["query", *args], input=stdin)
        assert result.exit_code == 2, (args, result.output)
        assert "SERVICE" in result.output and "--allow-federation" in result.output
    assert settle(canary) == 0


def test_a_hidden_service_is_refused_before_it_is_sent_to_an_endpoint(canary, oxigraph_server):
    for text in hidden_service(canary.url).values():
        args = ["query", "--endpoint", oxigraph_server.query_url, "--sparql", text]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "SERVICE" in result.output
    assert settle(canary) == 0


def test_a_hidden_load_after_an_allowed_update_is_refused(canary):
    text = f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} #\r; LOAD SILENT <{canary.url}>"
    result = CliRunner().invoke(main, ["query", "--allow-update", "--sparql", text])
    assert result.exit_code == 2, result.output
    assert "LOAD" in result.output and "--allow-federation" in result.output
    assert settle(canary) == 0


def test_a_hidden_from_a_local_file_is_refused():
    result = CliRunner().invoke(
        main, ["query", "--sparql", "SELECT * #\rFROM <file:///etc/passwd>\nWHERE { ?s ?p ?o }"]
    )
    assert result.exit_code == 2, result.output
    assert "file:///etc/passwd" in result.output and "--allow-federation" in result.output


# ---------------------------------------------------------------- the canonical text


def test_the_canonical_text_drops_comments_and_writes_one_kind_of_line_break():
    text = 'SELECT ?x # a comment\r\nWHERE {\r BIND("a\\u0041\\t" AS ?x) } # end'
    assert canonical(text).text == 'SELECT ?x \nWHERE {\n BIND("aA\\t" AS ?x) } '


def test_the_canonical_text_keeps_the_lines_so_errors_point_into_the_users_text():
    with pytest.raises(QuerySyntaxError) as error:
        execute(EmbeddedBackend(ox.Store()), "SELECT ?x # comment\rWHERE {\r\n  ?x ?y }")
    assert error.value.line == 3


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SELECT * WHERE { ?s ?p ?o #\u2028 }", "U+2028"),
        ("SELECT * WHERE { ?s ?p ?o #\x85 }", "U+0085"),
        ("SELECT * WHERE {\x0b?s ?p ?o }", "U+000B"),
        ('SELECT * WHERE { BIND("\\u2028" AS ?x) }', "U+2028"),
        ('SELECT * WHERE { BIND("\x1b[31m" AS ?x) }', "U+001B"),
        ("SELECT * WHERE { ?s ?p \\u003Fo }", "unexpected character"),
        ('SELECT * WHERE { BIND("\\\\u0022" AS ?x) }', "backslash followed by u"),
        ("SELECT * WHERE { ?s ex:a\\#b ?o }", "unexpected character"),
        ('SELECT * WHERE { BIND("open AS ?x) }', "not closed"),
    ],
)
def test_what_parsers_could_read_differently_is_refused_with_its_position(text, problem):
    with pytest.raises(QuerySyntaxError, match=problem.replace("+", r"\+")) as error:
        execute(EmbeddedBackend(ox.Store()), text)
    assert error.value.line == 1 and error.value.column is not None


def test_strings_iris_and_unicode_keep_their_meaning():
    text = (
        "SELECT ?a ?b ?c ?d WHERE { BIND('''it's \"quoted\"\r\nover lines''' AS ?a) "
        'BIND("caf\\u00e9 \\U0001F600 \u4e2d" AS ?b) BIND(<http://example.org/a#b> AS ?c) '
        'BIND("# not a comment" AS ?d) }'
    )
    (row,) = list(execute(EmbeddedBackend(ox.Store()), text).solutions)
    assert row["a"].value == 'it\'s "quoted"\r\nover lines'
    assert row["b"].value == "caf\u00e9 \U0001f600 \u4e2d"
    assert row["c"].value == "http://example.org/a#b"
    assert row["d"].value == "# not a comment"


# ---------------------------------------------------------------- nesting


def nested(depth: int, kind: str) -> str:
    if kind == "(":
        return "SELECT ?x WHERE { BIND(" + "(" * depth + "1" + ")" * depth + " AS ?x) }"
    # LIMIT 1: the nesting is under test, not printing every triple of the graph
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth + "LIMIT 1"


@pytest.mark.parametrize("kind", ["(", "{"])
def test_nesting_deeper_than_the_limit_is_refused_before_parsing_with_exit_2(kind):
    result = CliRunner().invoke(main, ["query", "--sparql", nested(DEFAULT_MAX_NESTING + 1, kind)])
    assert result.exit_code == 2, result.output
    assert f"deeper than {DEFAULT_MAX_NESTING} levels" in result.output and "--max-nesting" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["(", "{"])
def test_the_nesting_of_the_issue_now_runs_and_the_flag_raises_the_limit(kind):
    """40 levels gave a RecursionError traceback; 200 run with --max-nesting 256."""
    assert CliRunner().invoke(main, ["query", "--sparql", nested(40, kind)]).exit_code == 0
    deep = CliRunner().invoke(main, ["query", "--max-nesting", "256", "--sparql", nested(200, kind)])
    assert deep.exit_code == 0, deep.output
    with pytest.raises(QueryLimitError):
        execute(EmbeddedBackend(ox.Store()), nested(300, kind))


def test_a_reaching_word_the_parse_does_not_account_for_is_refused():
    """The lexer reads ``<#>`` as an IRI, the parsers as ``<`` and a comment: SERVICE is seen by one only."""
    text = "SELECT * WHERE { ?s ?p ?o FILTER(?o <#> SERVICE <http://127.0.0.1:9/> {}\n 1) }"
    with pytest.raises(QueryRefused, match="found none"):
        execute(EmbeddedBackend(ox.Store()), text)
    assert execute(EmbeddedBackend(ox.Store()), text, allow_federation=True).form == "SELECT"


def test_a_query_text_longer_than_the_limit_is_refused_with_exit_2(tmp_path):
    text = "SELECT * WHERE { ?s ?p ?o } " + "#" * 200
    path = tmp_path / "long.rq"
    path.write_text(text, encoding="utf-8")
    for args, stdin in [(["--sparql", text], None), (["-"], text), ([str(path)], None)]:
        result = CliRunner().invoke(main, ["query", "--max-query-size", "100", *args], input=stdin)
        assert result.exit_code == 2, result.output
        assert "longer than 100 characters" in result.output and "--max-query-size" in result.output


def test_the_readme_states_the_limits_the_code_applies():
    from ftzkg import project
    from ftzkg.query_limits import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT_S
    from ftzkg.sparql_text import DEFAULT_MAX_QUERY_SIZE, NESTING_CEILING

    readme = (project.ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| {DEFAULT_MAX_NESTING} levels | `--max-nesting` (at most {NESTING_CEILING}) | exit 2" in readme
    assert f"| {DEFAULT_MAX_QUERY_SIZE} characters | `--max-query-size` | exit 2" in readme
    assert f"| {DEFAULT_TIMEOUT_S:g} s | `--timeout` | exit 3 |" in readme
    assert f"| {DEFAULT_MAX_MEMORY_MB} MB | `--max-memory` | exit 3 |" in readme
    help_text = CliRunner().invoke(main, ["query", "--help"]).output
    for flag in ("--max-nesting", "--max-query-size", "--timeout", "--max-memory"):
        assert flag in help_text


def test_an_allowed_update_changes_only_a_copy_in_memory():
    runner = CliRunner()
    update = runner.invoke(
        main, ["query", "--allow-update", "--sparql", "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"]
    )
    assert update.exit_code == 0 and "update done" in update.output, update.output
    ask = runner.invoke(main, ["query", "--sparql", "ASK { <urn:x:a> ?p ?o }"])
    assert ask.output.strip() == "false"


# ---------------------------------------------------------------- names beyond ASCII, read cheaply

# Queries hold names of ASCII almost always; the terminals for names beyond ASCII take longer to
# compile than the rest of a command spends starting, so they are compiled only when a name may
# hold such a character. Both readings must agree on every text.
_PIECES = st.sampled_from(
    [
        *(" ", "\t", "\r\n", "\n", "#", '"', "'", "<", ">", "?", "$", "_:", ":", ".", "%2F", "%", "-", "("),
        *(")", "{", "}", "^^", "@en", "1", "2.5e3", "a", "Z", "_", "SELECT", "WHERE", "SERVICE", "ex", "x"),
        *("\u00e9", "\u00b7", "\u0301", "\u4e2d", "\U00010400", "\u00d7", "\u2030", "\u00a0", "\u3000"),
    ]
)


def _canonical_or_error(text: str) -> object:
    try:
        result = sparql_text.canonical(text)
    except (sparql_text.TextError, sparql_text.NestingError) as exc:
        return (type(exc).__name__, str(exc))
    return result


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=12).map("".join) | st.lists(_PIECES, max_size=60).map("".join))
@example("SELECT ?caf\u00e9 WHERE { ?caf\u00e9 ex:\u4e2d _:b\u00b7 }")
def test_a_text_is_read_the_same_with_or_without_the_full_name_terminals(text):
    cheap = _canonical_or_error(text)
    narrow = sparql_text._terminals
    try:
        sparql_text._terminals = lambda wide: narrow(True)  # always the full terminals
        full = _canonical_or_error(text)
    finally:
        sparql_text._terminals = narrow
    assert cheap == full


def test_names_beyond_ascii_are_read_whole_and_their_terminals_compiled_only_for_them():
    sparql_text._terminals.cache_clear()
    ascii_names = 'SELECT ?caf WHERE { ?caf rdfs:label "caf\u00e9 \u4e2d" } # r\u00e9sum\u00e9\n'
    assert sparql_text.canonical(ascii_names).text.startswith("SELECT ?caf WHERE")
    assert sparql_text._terminals.cache_info().currsize == 1  # the ASCII terminals only
    wide = sparql_text.canonical("SELECT ?caf\u00e9 WHERE { ?caf\u00e9 ex:\u4e2d\u6587 _:b\u00b7 }")
    kinds = [(t.kind, t.text) for t in wide.tokens if t.kind != "ws"]
    assert ("var", "?caf\u00e9") in kinds and ("pname", "ex:\u4e2d\u6587") in kinds
    assert ("bnode", "_:b\u00b7") in kinds
    assert sparql_text._terminals.cache_info().currsize == 2
