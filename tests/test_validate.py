"""`ftzkg validate` with no files: the whole knowledge graph validates clean, and a defect is
reported with its shape, message, file and line. Vocabulary conformance on its own."""

from __future__ import annotations

import json

import pyoxigraph as ox
from click.testing import CliRunner

from ftzkg import project
from ftzkg.cli import main
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import FTZ
from ftzkg.validation import SourceLocator, ontology_quads, validate_knowledge_graph
from ftzkg.validation.vocabulary import Vocabulary


def test_the_whole_knowledge_graph_validates_clean(kg):
    report = validate_knowledge_graph(kg)
    assert report.findings == []
    assert report.conforms


def test_validate_without_files_exits_0_and_says_valid():
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("Result: VALID: 0 violations, 0 warnings, 0 infos.")


def test_validate_without_files_as_json():
    result = CliRunner().invoke(main, ["validate", "--format", "json"])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["conforms"] is True
    assert "data/kashgar/kashgar-ftz-2025-article.trig" in payload["files"]


def test_a_defect_in_a_data_file_is_found_with_its_file_and_line(tmp_path):
    defect = tmp_path / "defect.trig"
    defect.write_text(
        "@prefix ftz: <https://w3id.org/ftzkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/ftzkg/id/source/test> {\n"
        "  <https://w3id.org/ftzkg/id/firm/no-label> a ftz:Enterprise ;\n"
        "      ftz:locatedInZone <https://w3id.org/ftzkg/id/zone/kashgar-area> .\n"
        "  <https://w3id.org/ftzkg/id/source/test> a ftz:Source ; ftz:aiAssisted false ;\n"
        '      <http://purl.org/dc/terms/title> "Test"@en .\n'
        "}\n",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([*project.all_files(), project.SourceFile(defect, None)])
    report = validate_knowledge_graph(kg)
    assert not report.conforms
    # the test graph is no described source either (DataGraphShape); the firm's defect is the one looked at
    [finding] = [f for f in report.findings if f.focus == "https://w3id.org/ftzkg/id/firm/no-label"]
    assert finding.shape.endswith("#label")
    assert finding.message.startswith("Needs an rdfs:label")
    located = SourceLocator([defect]).locate(finding.focus)
    assert located[1] == 4


def vocabulary() -> Vocabulary:
    return Vocabulary.from_quads(ontology_quads())


def quad(s: str, p: str, o: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))


FIRM = "https://w3id.org/ftzkg/id/firm/x"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_every_term_the_data_uses_is_known(kg):
    assert vocabulary().check(kg.quads(kg.data_graph_names())) == []


def test_a_misspelt_property_comes_with_the_closest_term():
    [problem] = vocabulary().check([quad(FIRM, FTZ + "exportTo", "https://w3id.org/ftzkg/id/country/KZ")])
    assert problem.message == (
        "ftz:exportTo is not a property of the ftzkg ontology or an allowed vocabulary; "
        "did you mean ftz:exportsTo?"
    )


def test_a_misspelt_standard_term_is_caught_too():
    [problem] = vocabulary().check([quad(FIRM, "http://www.w3.org/2004/02/skos/core#prefLable", FIRM)])
    assert problem.suggestion == "http://www.w3.org/2004/02/skos/core#prefLabel"


def test_big_vocabularies_are_allowed_by_namespace_and_unknown_ones_are_not():
    vocab = vocabulary()
    assert vocab.is_known("https://schema.org/anyPropertyAtAll")
    [problem] = vocab.check([quad(FIRM, "https://example.org/vocab/madeUp", FIRM)])
    assert problem.role == "property"


def test_a_standard_term_the_ontology_does_not_declare_must_be_declared_first():
    # OWL 2 DL wants every term declared: validating data with it would pass here and then turn
    # the OWL 2 DL profile check of ontology plus data red.
    vocab = vocabulary()
    [problem] = vocab.check([quad(FIRM, "https://schema.org/anyPropertyAtAll", FIRM)])
    assert problem.role == "undeclared"
    assert problem.message.startswith("schema:anyPropertyAtAll is not declared by the ftzkg ontology")
    assert "ontology/ftz.ttl" in problem.message
    [problem] = vocab.check([quad(FIRM, RDF_TYPE, "https://schema.org/Volcano")])
    assert problem.role == "undeclared"


def test_a_standard_term_the_ontology_declares_is_accepted():
    declared = "https://schema.org/containedInPlace"
    assert "http://www.w3.org/2002/07/owl#ObjectProperty" in (vocabulary().declared or {})[declared]
    assert vocabulary().check([quad(FIRM, declared, "https://w3id.org/ftzkg/id/region/x")]) == []


def test_a_property_keeps_the_kind_the_ontology_gives_it():
    literal = ox.Quad(ox.NamedNode(FIRM), ox.NamedNode(FTZ + "exportsTo"), ox.Literal("Kazakhstan"))
    [problem] = vocabulary().check([literal])
    assert problem.message == "ftz:exportsTo is an object property: its value must be an IRI, not a literal"
    vocab = vocabulary()
    data_property = next(
        iri
        for iri, kinds in (vocab.declared or {}).items()
        if iri.startswith(FTZ)
        and iri not in vocab.replaced
        and kinds == {"http://www.w3.org/2002/07/owl#DatatypeProperty"}
    )
    [problem] = vocab.check([quad(FIRM, data_property, FIRM)])
    assert problem.role == "data property"


def test_a_class_used_as_a_property_is_reported():
    [problem] = vocabulary().check([quad(FIRM, FTZ + "TradeLink", FIRM)])
    assert "ftz:TradeLink is not a property" in problem.message


def test_an_unknown_code_value_is_reported():
    [problem] = vocabulary().check([quad(FIRM, FTZ + "status", FTZ + "Reportd")])
    assert problem.suggestion == FTZ + "Reported"


def test_a_misspelt_class_is_reported():
    [problem] = vocabulary().check([quad(FIRM, RDF_TYPE, FTZ + "Enterprize")])
    assert problem.role == "class" and problem.suggestion == FTZ + "Enterprise"
