"""Every RDF file under data/ is loaded into its source's graph, or the build stops and names it.

Each test makes a small project (the repository's ontology and one or two data files)
in a temporary folder.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from ftzkg import KnowledgeGraph, project
from ftzkg.cli import main
from ftzkg.parsing import RdfInputError

PREFIXES = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix firm: <https://w3id.org/ftzkg/id/firm/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""

SOURCE = """source:example-bulletin a ftz:Source ;
    dcterms:title "EXAMPLE bulletin"@en ;
    ftz:aiAssisted false .
"""

FIRM = 'firm:example-firm a ftz:Enterprise ; rdfs:label "EXAMPLE firm"@en .\n'
BULLETIN = "https://w3id.org/ftzkg/id/source/example-bulletin"


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(project.Project.default().ontology_dir, tmp_path / "ontology")
    (tmp_path / "data" / "zone").mkdir(parents=True)
    return tmp_path


def graphs_of(folder) -> dict[str, int]:
    kg = KnowledgeGraph.load(project_=project.Project.at(folder), derive=False)
    return {g: len(kg.quads([g])) for g in kg.data_graph_names()}


def build(folder, persistent: bool = False) -> tuple[int, str]:
    """``ftzkg build`` of the project, in memory or through its persistent store."""
    memory = [] if persistent else ["--in-memory"]
    result = CliRunner().invoke(
        main, ["--project", str(folder), *memory, "build", "--out", str(folder / "dist")]
    )
    return result.exit_code, result.output


def test_a_turtle_file_under_data_goes_into_the_graph_of_the_source_it_describes(folder):
    (folder / "data" / "zone" / "bulletin.ttl").write_text(PREFIXES + SOURCE + FIRM, encoding="utf-8")
    assert graphs_of(folder)[BULLETIN] == 5
    for persistent in (False, True):
        code, output = build(folder, persistent)
        assert code == 0, output
        assert "triples in 4 named graphs" in output  # ontology, shapes, the bulletin, derived


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("bulletin.nt", "<https://w3id.org/ftzkg/id/source/example-bulletin> a "),
        ("bulletin.jsonld", None),
    ],
)
def test_every_triples_format_is_read_the_same_way(folder, name, text):
    from rdflib import Graph

    graph = Graph().parse(data=PREFIXES + SOURCE + FIRM, format="turtle")
    fmt = {"nt": "nt", "jsonld": "json-ld"}[name.rsplit(".", 1)[1]]
    (folder / "data" / "zone" / name).write_text(graph.serialize(format=fmt), encoding="utf-8")
    assert graphs_of(folder)[BULLETIN] == 5
    code, output = build(folder, persistent=True)  # the persistent store reads it the same way
    assert code == 0 and "triples in 4 named graphs" in output, output


def test_a_turtle_file_that_describes_no_source_stops_the_build_naming_it(folder):
    (folder / "data" / "zone" / "firms.ttl").write_text(PREFIXES + FIRM, encoding="utf-8")
    with pytest.raises(RdfInputError, match=r"firms\.ttl: a \.ttl file holds triples only.*found none"):
        graphs_of(folder)
    code, output = build(folder)
    assert code == 2
    assert "data/zone/firms.ttl" in output and "exactly one" in output
    assert "Traceback" not in output and not (folder / "dist").exists()


def test_a_turtle_file_with_two_sources_stops_the_build(folder):
    second = SOURCE.replace("example-bulletin", "example-other")
    (folder / "data" / "zone" / "two.ttl").write_text(PREFIXES + SOURCE + second, encoding="utf-8")
    with pytest.raises(RdfInputError, match=r"found 2: .*example-bulletin.*example-other"):
        graphs_of(folder)


def test_a_file_that_is_not_rdf_stops_the_build_naming_it(folder):
    (folder / "data" / "zone" / "figures.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    code, output = build(folder)
    assert code == 2 and "data/zone/figures.csv" in output and "not an RDF file" in output


def test_triples_outside_any_named_graph_of_a_trig_file_stop_the_build(folder):
    text = PREFIXES + FIRM + "source:example-bulletin {\n" + SOURCE + "}\n"
    (folder / "data" / "zone" / "bulletin.trig").write_text(text, encoding="utf-8")
    with pytest.raises(RdfInputError, match=r"bulletin\.trig: 2 triple\(s\) outside any named graph"):
        graphs_of(folder)
    for persistent in (False, True):
        code, output = build(folder, persistent)
        assert code == 2 and "bulletin.trig" in output and "outside any named graph" in output


def test_documentation_hidden_files_and_contribution_examples_are_not_data(folder):
    (folder / "data" / "README.md").write_text("# data\n", encoding="utf-8")
    (folder / "data" / ".notes.csv").write_text("x\n", encoding="utf-8")
    (folder / "data" / "contributions").mkdir()
    (folder / "data" / "contributions" / "example.ttl").write_text(PREFIXES + FIRM, encoding="utf-8")
    (folder / "data" / "zone" / "bulletin.trig").write_text(
        PREFIXES + "source:example-bulletin {\n" + SOURCE + "}\n", encoding="utf-8"
    )
    assert sorted(graphs_of(folder)) == [BULLETIN, "https://w3id.org/ftzkg/ontology"]


# ---------------------------------------------------------------- a graph is named after its source

WRONG_NAME = PREFIXES + "source:bulletin-graph {\n" + SOURCE + "}\n"


def test_a_graph_not_named_after_the_source_it_describes_fails_validation(folder):
    (folder / "data" / "zone" / "bulletin.trig").write_text(WRONG_NAME, encoding="utf-8")
    result = CliRunner().invoke(main, ["--project", str(folder), "--in-memory", "validate"])
    assert result.exit_code == 1, result.output
    assert "source:bulletin-graph  (line 6)" in result.output
    assert "VIOLATION ftzsh:DataGraphShape" in result.output
    assert (
        "is not the graph of a source: its IRI must be the IRI of the ftz:Source it describes"
        in result.output
    )


def test_a_contribution_whose_graph_is_not_its_source_is_refused_at_the_graph_line(tmp_path):
    path = tmp_path / "bulletin.trig"
    path.write_text(WRONG_NAME, encoding="utf-8")
    result = CliRunner().invoke(main, ["--in-memory", "validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "source:bulletin-graph  (line 6)" in result.output and "ftzsh:DataGraphShape" in result.output
