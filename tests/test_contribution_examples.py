"""`ftzkg validate FILE` on each example contribution gives its expected report and exit code.

The examples are in data/contributions/examples/ (never loaded into the graph);
the expected reports in tests/expected/contributions/<name>.txt, whose first
line is ``exit: <code>``. The reports are pinned to the frozen copy of the data
(tests/frozen, as the golden query answers are): a new source that speaks of the
same firm adds its own warnings, and must not turn these red. Against the live
data only the exit code is checked. Regenerate a report after a deliberate change
from the output of the report test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftzkg import project
from ftzkg.cli import main

EXAMPLES = project.DATA_DIR / "contributions" / "examples"
EXPECTED = Path(__file__).parent / "expected" / "contributions"
FROZEN = Path(__file__).parent / "frozen"
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.ttl"))


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def test_there_is_one_valid_example_and_several_invalid_ones():
    assert [n for n in NAMES if n.startswith("valid")] == ["valid-example-firm"]
    assert len([n for n in NAMES if n.startswith("invalid")]) >= 6
    assert sorted(p.stem for p in EXPECTED.glob("*.txt")) == NAMES


def test_examples_are_never_part_of_the_knowledge_graph():
    assert not [s for s in project.data_files() if "contributions" in s.path.parts]


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> Path:
    """A project made of the frozen copy, with the examples where they are in the live project."""
    root = tmp_path_factory.mktemp("frozen-project")
    for folder in ("ontology", "data"):
        shutil.copytree(FROZEN / folder, root / folder)
    shutil.copytree(EXAMPLES, root / "data" / "contributions" / "examples")
    return root


def run_frozen(root: Path, *args: str):
    return CliRunner().invoke(main, ["--project", str(root), "--in-memory", "validate", *args])


@pytest.mark.parametrize("name", NAMES)
def test_example_contribution_gets_its_exit_code_against_the_live_data(name):
    expected = (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
    assert f"exit: {run(str(EXAMPLES / f'{name}.ttl')).exit_code}" == expected.partition("\n")[0]


@pytest.mark.parametrize("name", NAMES)
def test_example_contribution_gets_its_expected_report_and_exit_code(name, frozen):
    expected = (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
    first, _, report = expected.partition("\n")
    result = run_frozen(frozen, str(frozen / "data" / "contributions" / "examples" / f"{name}.ttl"))
    assert f"exit: {result.exit_code}" == first
    assert result.output.strip() == report.strip()


def test_the_valid_example_reports_what_it_adds_as_json(frozen):
    example = frozen / "data" / "contributions" / "examples" / "valid-example-firm.ttl"
    result = run_frozen(frozen, str(example), "--format", "json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["conforms"] is True
    assert payload["findings"] == []
    assert payload["additions"]["entities"] == {
        "ftz:Enterprise": 1,
        "ftz:Observation": 1,
        "ftz:Source": 1,
        "ftz:TradeLink": 1,
    }
    assert payload["additions"]["new_statements"] == 28


def test_a_misspelt_term_comes_back_with_the_closest_correct_one_in_json():
    result = run(str(EXAMPLES / "invalid-misspelt-term.ttl"), "--format", "json")
    assert result.exit_code == 1
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert any("ftz:exportTo" in m and "did you mean ftz:exportsTo?" in m for m in messages)
    assert any("ftz:Enterprize" in m and "did you mean ftz:Enterprise?" in m for m in messages)


def test_turtle_output_is_a_shacl_report_graph():
    import rdflib
    from rdflib.namespace import SH

    result = run(str(EXAMPLES / "invalid-missing-source.ttl"), "--format", "turtle")
    assert result.exit_code == 1
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    report = next(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms).toPython() is False
    shapes = {str(graph.value(r, SH.sourceShape)) for r in graph.objects(report, SH.result)}
    assert shapes == {"https://w3id.org/ftzkg/shapes#SourcedFact-source"}


def test_several_files_are_one_contribution(tmp_path):
    """A link in one file backs the direct edge written in another."""
    firm = EXAMPLES / "valid-example-firm.ttl"
    text = firm.read_text(encoding="utf-8")
    head, link_and_rest = text.split("link:example-dried-fruit-exporter-kazakhstan", 1)
    link, rest = link_and_rest.split("obs:example-dried-fruit-exporter-revenue-2025", 1)
    prefixes = "".join(line + "\n" for line in head.splitlines() if line.startswith("@prefix"))
    first, second = tmp_path / "firm.ttl", tmp_path / "link.ttl"
    first.write_text(head + "obs:example-dried-fruit-exporter-revenue-2025" + rest, encoding="utf-8")
    # each file describes the source its statements come from, as a data file must
    source = "source:example-contribution-source a ftz:Source .\n"
    link = "link:example-dried-fruit-exporter-kazakhstan" + link
    second.write_text(prefixes + source + link, encoding="utf-8")
    assert run(str(first)).exit_code == 1  # the exportsTo edge alone is unbacked
    result = run(str(first), str(second))
    assert result.exit_code == 0, result.output
    assert "Adds 4 new entities" in result.output


def test_warnings_alone_pass_unless_asked_to_fail(tmp_path):
    contribution = tmp_path / "standard.ttl"
    contribution.write_text(
        "@prefix ftz: <https://w3id.org/ftzkg/ontology#> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/ftzkg/id/source/example-standard> a ftz:ReferenceStandard ;\n"
        '    dcterms:title "EXAMPLE standard"@en ; ftz:aiAssisted false .\n',
        encoding="utf-8",
    )
    plain = run(str(contribution))
    assert plain.exit_code == 0
    assert "WARNING" in plain.output and "ftzsh:ReferenceStandard-publisher" in plain.output
    assert run(str(contribution), "--fail-on-warning").exit_code == 1
