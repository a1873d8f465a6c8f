"""``ftzkg queries`` and ``ftzkg query``: names, files, standard input, formats, errors."""

from __future__ import annotations

import json

import pyoxigraph as ox
from click.testing import CliRunner

from ftzkg.catalogue import catalogue
from ftzkg.cli import main


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def test_queries_lists_every_catalogue_query_with_its_parameters():
    result = run("queries")
    assert result.exit_code == 0
    for query in catalogue():
        assert query.name in result.output and query.title in result.output
    assert "region (iri, default region:143)" in result.output
    listing = json.loads(run("queries", "--format", "json").output)
    assert {q["name"] for q in listing} == {q.name for q in catalogue()}


def test_the_table_shows_labels_beside_iris():
    result = run("query", "trade-links", "--max-width", "0")
    assert result.exit_code == 0, result.output
    assert "firm:xinjiang-withyoung-health-food (Xinjiang Withyoung Health Food Co)" in result.output
    assert "region:143 (Central Asia)" in result.output
    rows = len(run("query", "trade-links", "--format", "csv").output.splitlines()) - 1
    assert rows >= 3 and result.output.rstrip().endswith(f"({rows} rows)")


def test_a_query_runs_from_a_file_from_standard_input_and_from_text(tmp_path):
    text = "SELECT ?firm WHERE { ?firm a ftz:Enterprise } ORDER BY ?firm"
    path = tmp_path / "firms.rq"
    path.write_text(text, encoding="utf-8")
    outputs = {
        run("query", str(path), "--format", "csv").stdout_bytes,
        run("query", "-", "--format", "csv", stdin=text).stdout_bytes,
        run("query", "--sparql", text, "--format", "csv").stdout_bytes,
    }
    [output] = outputs  # the same answer three ways
    lines = output.decode("utf-8").splitlines()
    assert lines[0] == "firm" and lines[1:] == sorted(lines[1:])
    assert {
        "https://w3id.org/ftzkg/id/firm/kashgar-kangyi-intelligent-technology",
        "https://w3id.org/ftzkg/id/firm/xinjiang-withyoung-health-food",
    } <= set(lines[1:])


def test_select_results_come_in_the_sparql_results_formats():
    production_rows = len(run("query", "production", "--format", "csv").stdout.splitlines()) - 1
    assert production_rows >= 3  # Kangyi's small appliances, projectors and laptops at least
    for fmt, results_format in [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ]:
        result = run("query", "production", "--format", fmt)
        assert result.exit_code == 0, result.output
        solutions = ox.parse_query_results(result.stdout_bytes, format=results_format)
        assert len(list(solutions)) == production_rows  # every format carries every row


def test_ask_answers_true_or_false():
    assert run("query", "--sparql", "ASK { ?f ftz:exportsTo country:PK }").output == "true\n"
    result = run("query", "--sparql", "ASK { ?f ftz:exportsTo country:CN }", "--format", "json")
    assert json.loads(result.output)["boolean"] is False


def test_construct_writes_turtle_or_another_rdf_syntax():
    turtle = run("query", "entity-profile")
    assert turtle.exit_code == 0
    triples = list(ox.parse(turtle.stdout_bytes, format=ox.RdfFormat.TURTLE))
    assert any(t.subject.value.endswith("/firm/xinjiang-withyoung-health-food") for t in triples)
    ntriples = run("query", "entity-profile", "--format", "nt")
    assert len(list(ox.parse(ntriples.stdout_bytes, format=ox.RdfFormat.N_TRIPLES))) == len(triples)


def test_a_syntax_error_names_line_and_column():
    result = run("query", "--sparql", "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }")
    assert result.exit_code == 2
    assert "line 3, column 18" in result.output


def test_an_unknown_query_name_suggests_the_closest():
    result = run("query", "trade-link")
    assert result.exit_code == 2
    assert "did you mean trade-links" in result.output


def test_an_unknown_parameter_names_the_accepted_ones():
    result = run("query", "firms-reaching-region", "--param", "regoin=region:143")
    assert result.exit_code == 2
    assert "unknown parameter 'regoin'" in result.output and "accepted parameters: region" in result.output
    result = run("query", "trade-links", "--param", "x=1")
    assert result.exit_code == 2 and "takes no parameters" in result.output


def test_a_parameter_changes_the_answer():
    result = run("query", "firms-reaching-region", "--param", "region=region:145", "--format", "csv")
    assert result.exit_code == 0
    assert "withyoung-exports-turkiye" in result.output and "kangyi" not in result.output


def test_a_query_runs_on_an_on_disk_store(tmp_path, kg):
    store = ox.Store(str(tmp_path / "store"))
    store.extend(kg.quads())
    store.flush()
    del store
    on_disk = run("query", "trade-links", "--format", "csv", "--store", str(tmp_path / "store"))
    assert on_disk.exit_code == 0, on_disk.output
    assert on_disk.stdout_bytes == run("query", "trade-links", "--format", "csv").stdout_bytes


def test_updates_run_only_with_the_opt_in():
    update = "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> <urn:x:c> } }"
    assert run("query", "--sparql", update).exit_code == 2
    allowed = run("query", "--sparql", update, "--allow-update")
    assert allowed.exit_code == 0 and allowed.output == "update done\n"
