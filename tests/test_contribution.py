"""Contribution validation checks the touched nodes and the existing nodes whose neighbourhood
the contribution reaches, and reports a problem of an existing node only when it introduces it."""

from __future__ import annotations

import re
from pathlib import Path

import rdflib

from ftzkg.validation.contribution import validate_contribution

HEADER = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix reform: <https://w3id.org/ftzkg/id/reform/> .
@prefix zone: <https://w3id.org/ftzkg/id/zone/> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""

OUTLINED = """obs:example-outlined-again a ftz:Observation ;
    rdfs:label "EXAMPLE reform measures outlined, another count"@en ;
    ftz:hasMeasure ftz:ReformMeasuresOutlined ; ftz:refProgramme reform:kashgar-ftz-area-reform-programme ;
    ftz:refArea zone:kashgar-area ; ftz:numericValue {n} ; ftz:qualifier ftz:Exact ; ftz:unit unit:NUM ;
    prov:wasDerivedFrom source:example-other-report ; ftz:quote "EXAMPLE sentence." .
source:example-other-report a ftz:Source ; dcterms:title "EXAMPLE report"@en ; ftz:aiAssisted false .
"""


def contribution(tmp_path, n: str):
    path = tmp_path / "outlined.ttl"
    text = HEADER + "@prefix dcterms: <http://purl.org/dc/terms/> .\n" + OUTLINED.replace("{n}", n)
    path.write_text(text, encoding="utf-8")
    return path


def shape_findings(report):
    """Findings other than the warning that another source states a different count."""
    return [f for f in report.findings if not f.shape.endswith("#CrossSourceContradictionCheck")]


def test_a_consistent_contribution_reports_nothing_about_its_neighbours(kg, tmp_path):
    report = validate_contribution([contribution(tmp_path, "210.0")], kg)
    assert shape_findings(report) == []
    # 210 outlined measures from another report disagree with the article's 207: a warning, not a violation
    [warning] = report.findings
    assert warning.severity == "Warning" and report.conforms
    assert report.additions.entities == {
        "https://w3id.org/ftzkg/ontology#Observation": 1,
        "https://w3id.org/ftzkg/ontology#Source": 1,
    }


def test_a_problem_the_contribution_causes_in_an_existing_node_is_reported_there(kg, tmp_path):
    """Outlining only 100 measures makes the existing 205 implemented ones too many."""
    report = validate_contribution([contribution(tmp_path, "100.0")], kg)
    [finding] = shape_findings(report)
    assert finding.focus == "https://w3id.org/ftzkg/id/observation/kashgar-reform-measures-implemented"
    assert finding.shape.endswith("#ImplementedNotAboveOutlinedShape")
    assert "More reform measures implemented (205) than outlined (100" in finding.message
    assert finding.file == "data/kashgar/kashgar-ftz-2025-article.trig"
    assert finding.line is not None


def test_only_a_neighbourhood_is_validated_not_the_whole_graph(kg, tmp_path):
    report = validate_contribution([contribution(tmp_path, "210.0")], kg)
    assert 0 < report.focus_nodes < len({q.subject for q in kg.quads()}) / 4


# ---------------------------------------------------------------- re-checking what is already there

ARTICLE_OBSERVATION = "https://w3id.org/ftzkg/id/observation/kashgar-reform-measures-outlined"
CONFLICT = "https://w3id.org/ftzkg/shapes#ConflictCheck"


def restatement(tmp_path, value: str):
    """The 2025 article's count of reform measures restated in another source's file."""
    path = tmp_path / "restated.ttl"
    path.write_text(
        HEADER
        + "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        + f"obs:kashgar-reform-measures-outlined ftz:numericValue {value} .\n"
        + 'source:example-restating a ftz:Source ; dcterms:title "EXAMPLE"@en ; ftz:aiAssisted false .\n',
        encoding="utf-8",
    )
    return path


def conflicts(report):
    return [f for f in report.findings if f.shape == CONFLICT]


def test_the_same_number_spelt_differently_is_no_conflict(kg, tmp_path):
    # the article says 207; "207.0" (xsd:decimal) and "207"^^xsd:integer are the same value
    for spelling in ("207.0", '"207"^^<http://www.w3.org/2001/XMLSchema#integer>', "207.000"):
        assert conflicts(validate_contribution([restatement(tmp_path, spelling)], kg)) == [], spelling


def test_a_different_number_is_still_a_conflict(kg, tmp_path):
    found = conflicts(validate_contribution([restatement(tmp_path, "208.0")], kg))
    assert [(f.focus, f.value) for f in found] == [(ARTICLE_OBSERVATION, "208.0")]
    assert 'already has ftz:numericValue "207"' in found[0].message


def test_rechecking_a_data_file_already_in_the_graph_reports_nothing_against_itself(kg):
    from ftzkg import project

    for source in project.data_files():
        if "reference" in source.path.parts:
            continue  # code lists: nothing single-valued to conflict with; checked whole by test_validate
        report = validate_contribution([source.path], kg)
        assert [(f.focus, f.shape, f.message) for f in report.findings if f.severity == "Violation"] == [], (
            source.path
        )
        assert conflicts(report) == [], source.path


def test_a_corrected_copy_of_a_file_replaces_its_graph_instead_of_conflicting_with_it(kg, tmp_path):
    from ftzkg import project

    article = project.Project.default().data_dir / "kashgar" / "kashgar-ftz-2025-article.trig"
    text = article.read_text(encoding="utf-8")
    assert 'ftz:neighbouringCountryCount "8"^^xsd:nonNegativeInteger' in text
    corrected = tmp_path / "kashgar-ftz-2025-article.trig"
    corrected.write_text(text.replace('"8"^^xsd:nonNegativeInteger', '"9"^^xsd:nonNegativeInteger'), "utf-8")
    report = validate_contribution([corrected], kg)
    assert conflicts(report) == []


# ---------------------------------------------------------------- what the build would refuse

FACT_CITING_THE_ARTICLE = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix zone: <https://w3id.org/ftzkg/id/zone/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
obs:example-facts-only a ftz:Observation ; ftz:hasMeasure ftz:RegisteredBusinesses ;
    ftz:refArea zone:kashgar-area ; ftz:numericValue 5200.0 ; ftz:qualifier ftz:MoreThan ; ftz:unit unit:NUM ;
    prov:wasDerivedFrom source:kashgar-ftz-2025-article ; ftz:quote "EXAMPLE sentence." .
"""
A_SOURCE = "source:example-{name} a ftz:Source ; ftz:aiAssisted false .\n"


def validate_cli(path):
    from click.testing import CliRunner

    from ftzkg.cli import main

    return CliRunner().invoke(main, ["--in-memory", "validate", str(path)])


def build_error(tmp_path, path) -> str:
    """What the build says of ``path`` as a data file of a project (the shipped ontology, this file)."""
    import shutil

    from ftzkg import project
    from ftzkg.knowledge_graph import KnowledgeGraph
    from ftzkg.parsing import RdfInputError

    root = tmp_path / "project"
    shutil.copytree(project.Project.default().root / "ontology", root / "ontology")
    (root / "data").mkdir()
    shutil.copy(path, root / "data" / path.name)
    try:
        KnowledgeGraph.load(project_=project.Project.at(root))
    except RdfInputError as exc:
        return exc.message
    raise AssertionError("the build took the file")


def test_a_triples_only_contribution_that_describes_no_source_is_refused_as_the_build_refuses_it(tmp_path):
    path = tmp_path / "facts.ttl"
    path.write_text(FACT_CITING_THE_ARTICLE, encoding="utf-8")
    result = validate_cli(path)
    assert result.exit_code == 2, result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"error: {path}: a .ttl file holds triples only")
    assert "it must describe exactly one (found none); describe its source in it" in line
    assert line.endswith(build_error(tmp_path, path))  # the same rule, the same words


def test_a_triples_only_contribution_that_describes_two_sources_is_refused(tmp_path):
    path = tmp_path / "two.ttl"
    text = FACT_CITING_THE_ARTICLE + A_SOURCE.format(name="one") + A_SOURCE.format(name="two")
    path.write_text(text, encoding="utf-8")
    result = validate_cli(path)
    assert result.exit_code == 2, result.output
    found = "must describe exactly one (found 2: <https://w3id.org/ftzkg/id/source/example-one>"
    assert found in result.output


def test_a_triples_only_contribution_that_describes_its_source_is_checked(tmp_path):
    path = tmp_path / "facts.ttl"
    path.write_text(FACT_CITING_THE_ARTICLE + A_SOURCE.format(name="one"), encoding="utf-8")
    result = validate_cli(path)
    assert result.exit_code in (0, 1) and "Result:" in result.output, result.output


def test_a_trig_contribution_with_a_triple_outside_its_graphs_is_refused_as_the_build_refuses_it(tmp_path):
    path = tmp_path / "loose.trig"
    source = "<https://w3id.org/ftzkg/id/source/example-one>"
    path.write_text(
        "@prefix ftz: <https://w3id.org/ftzkg/ontology#> .\n"
        f"GRAPH {source} {{ {source} a ftz:Source ; ftz:aiAssisted false . }}\n"
        "<https://w3id.org/ftzkg/id/firm/example-loose> a ftz:Enterprise .\n",
        encoding="utf-8",
    )
    result = validate_cli(path)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"error: {path}: {build_error(tmp_path, path)}"
    assert "1 triple(s) outside any named graph" in result.output


# ---------------------------------------------------------------- facts written as blank nodes

EXAMPLE_FIRM = Path(__file__).parent.parent / "data" / "contributions" / "examples" / "valid-example-firm.ttl"
NAMED_LINK = "link:example-dried-fruit-exporter-kazakhstan a ftz:TradeLink ;"


def unmirrored_link(tmp_path, subject: str) -> Path:
    """The example firm's trade link without the direct edge ftz:exportsTo that must mirror it,
    the link written with ``subject`` (its IRI, or ``[]`` for a blank node)."""
    text = EXAMPLE_FIRM.read_text(encoding="utf-8")
    text = text.replace(
        "    ftz:locatedInZone zone:kashgar-area ;\n    ftz:exportsTo country:KZ .",
        "    ftz:locatedInZone zone:kashgar-area .",
    )
    path = tmp_path / f"link-{'blank' if subject == '[]' else 'named'}.ttl"
    path.write_text(text.replace(NAMED_LINK, f"{subject} a ftz:TradeLink ;"), encoding="utf-8")
    return path


def violations(report) -> list[tuple[str, str | None]]:
    return sorted((f.shape.rsplit("#", 1)[-1], f.value) for f in report.findings if f.severity == "Violation")


def test_a_violation_found_by_a_sparql_shape_on_a_blank_node_is_reported_as_on_a_named_node(kg, tmp_path):
    """The SHACL-SPARQL shapes run on their own store: its blank nodes must keep the data's labels,
    or the result names a node the report does not hold and the contribution passes as valid."""
    named = validate_contribution([unmirrored_link(tmp_path, NAMED_LINK.split()[0])], kg)
    blank = validate_contribution([unmirrored_link(tmp_path, "[]")], kg)
    assert violations(named) == [("LinkMirroredShape", "https://w3id.org/ftzkg/id/country/KZ")]
    assert violations(blank) == violations(named)
    assert not blank.conforms
    [finding] = blank.findings
    assert finding.focus.startswith("_:")


def test_a_blank_node_finding_is_placed_at_a_line_that_writes_one_of_its_literals(kg, tmp_path):
    path = unmirrored_link(tmp_path, "[]")
    [finding] = validate_contribution([path], kg).findings
    line = path.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert finding.file == str(path)
    assert '"EXAMPLE' in line and "Kazakhstan" in line


def test_every_engine_reports_a_blank_node_violation_with_the_data_s_own_label():
    from ftzkg.validation.engines import NTriples, run_shacl
    from ftzkg.validation.report import findings_from_report

    shapes = rdflib.Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select
            "SELECT $this ?value WHERE { $this <http://example.org/p> ?value . FILTER (?value > 2) }" ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxInclusive 1 ] .""",
        format="turtle",
    )
    data = NTriples(
        "_:fact <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.org/C> .\n"
        '_:fact <http://example.org/p> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    for engine in ("turbo", "hybrid", "sparql"):
        _, report = run_shacl(data, shapes, None, engine)
        foci = {f.focus for f in findings_from_report(report)}
        assert foci == {"_:fact"}, engine


# ---------------------------------------------------------------- placing findings in large files


def scanned_locate(path: Path, iri: str) -> tuple[str | None, int | None]:
    """The line a subject starts at, else its first bounded mention, found by reading every line."""
    from ftzkg.validation.source_locator import SourceLocator, _bounded

    locator = SourceLocator([path], {path: "f"})
    _, lines, prefixes = locator.files[0]
    forms = locator.spellings(iri, prefixes)
    fallback: tuple[str | None, int | None] = (None, None)
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith("#"):
            continue
        for form in forms:
            at = line.find(form)
            if at >= 0 and _bounded(line, at, form):
                if line.lstrip().startswith(form) or re.search(
                    r'"@id"\s*:\s*' + re.escape(form.strip('"')), line
                ):
                    return "f", number
                fallback = fallback if fallback[0] else ("f", number)
    return fallback


def test_findings_are_placed_at_the_lines_a_full_scan_finds(tmp_path):
    """The locator reads a file into an index once (a 40,000-firm contribution is placed in
    seconds, not minutes); it must place every node where reading each line would."""
    path = tmp_path / "tricky.ttl"
    path.write_text(
        "\n".join(
            [
                "@prefix firm: <https://w3id.org/ftzkg/id/firm/> .",
                "@prefix : <https://w3id.org/ftzkg/id/zone/> .",
                "# firm:a in a comment",
                "firm:ab a firm:Thing .",
                "<https://w3id.org/ftzkg/id/firm/b> firm:x firm:a.",
                'firm:c firm:label "https://w3id.org/ftzkg/id/firm/d", "a \\"quoted\\" firm:e" ;',
                "    firm:next firm:a.b , firm:f;",
                "firm:a firm:p :kashgar .",
                ':kashgar firm:q "x" .',
                '{"@id": "https://w3id.org/ftzkg/id/firm/g"}',
                "  firm:f firm:p firm:e .",
                "firm:h:i firm:p <https://w3id.org/ftzkg/id/firm/j> .",
                "firm:j firm:p firm:k.",
            ]
        ),
        encoding="utf-8",
    )
    from ftzkg.validation.source_locator import SourceLocator

    locator = SourceLocator([path], {path: "f"})
    names = [*"abcdefghjk", "h:i", "x", "next", "missing"]
    iris = [f"https://w3id.org/ftzkg/id/firm/{n}" for n in names] + ["https://w3id.org/ftzkg/id/zone/kashgar"]
    placed = {iri: locator.locate(iri) for iri in iris}
    assert placed == {iri: scanned_locate(path, iri) for iri in iris}
    assert placed["https://w3id.org/ftzkg/id/firm/a"] == ("f", 8)  # a subject, after two mentions
    assert placed["https://w3id.org/ftzkg/id/firm/f"] == ("f", 11)
    assert placed["https://w3id.org/ftzkg/id/firm/k"] == ("f", 13)  # only mentioned, before a statement's end
    assert placed["https://w3id.org/ftzkg/id/firm/missing"] == (None, None)
