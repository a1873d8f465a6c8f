"""Ontology plus all data (every named graph but the shapes) are in the OWL 2 DL profile.

The OWL API's profile checker (Debian's libowlapi-java, see tests/owl_profile.py) checks the typing
constraints and reserved vocabulary (OWL 2 Structural Specification §5), the datatype map (§4) and
the global restrictions (§11), and reports the triples the OWL 2 mapping from RDF graphs cannot
read. HermiT (tests/test_reasoner.py) checks consistency; it accepts graphs that are not OWL 2 DL.
Each rule has a control below: a tiny ontology that breaks that rule alone, checked in the same run.
"""

from __future__ import annotations

import os
import shutil

import pytest
import rdflib
from owl_profile import RULES, classpath, profile_violations
from rdflib import OWL, RDF, URIRef

from ftzkg.namespaces import ONTOLOGY_GRAPH

try:
    classpath()
    missing = None if shutil.which("java") else "java is not installed"
except FileNotFoundError as error:
    missing = str(error)
if missing:  # pragma: no cover - CI installs both
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: .ci/run installs default-jre-headless and libowlapi-java", pytrace=False)
    pytest.skip(f"{missing} (needed by the OWL 2 DL profile check)", allow_module_level=True)

EX = "http://example.org/"
HEADER = f"""@prefix ex: <{EX}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:control a owl:Ontology .
"""
TRANSITIVE = "ex:p a owl:ObjectProperty , owl:TransitiveProperty ."

#: name: (Turtle that breaks one rule, the rule's kind, the term it must name)
CONTROLS: dict[str, tuple[str, str, str]] = {
    "undeclared class": ("ex:a a ex:C .", "UseOfUndeclaredClass", "ex:C"),
    "undeclared object property": (
        "ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:q ; "
        "owl:someValuesFrom ex:C ] .",
        "UseOfUndeclaredObjectProperty",
        "ex:q",
    ),
    "undeclared data property": (
        "ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:d ; "
        "owl:someValuesFrom xsd:string ] .",
        "UseOfUndeclaredDataProperty",
        "ex:d",
    ),
    "undeclared annotation property": (
        'ex:a ex:note "a note" .',
        "UseOfUndeclaredAnnotationProperty",
        "ex:note",
    ),
    "undeclared datatype": (
        'ex:d a owl:DatatypeProperty . ex:a ex:d "7"^^ex:Code .',
        "UseOfUndeclaredDatatype",
        "ex:Code",
    ),
    "annotation property used as object property": (
        "ex:note a owl:AnnotationProperty . ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; "
        "owl:onProperty ex:note ; owl:someValuesFrom ex:C ] .",
        "IllegalPunning",
        "ex:note",
    ),
    "annotation property made transitive": (
        "ex:note a owl:AnnotationProperty , owl:TransitiveProperty .",
        "IllegalPunning",
        "ex:note",
    ),
    "rdf:Property as a class": (
        "ex:p a owl:ObjectProperty ; rdfs:range rdf:Property .",
        "UseOfReservedVocabularyForClassIRI",
        str(rdflib.RDF.Property),
    ),
    "xsd:gYear outside the datatype map": (
        'ex:d a owl:DatatypeProperty . ex:a ex:d "2023"^^xsd:gYear .',
        "UseOfUnknownDatatype",
        str(rdflib.XSD.gYear),
    ),
    "xsd:date outside the datatype map": (
        'ex:d a owl:DatatypeProperty . ex:a ex:d "2023-11-01"^^xsd:date .',
        "UseOfUnknownDatatype",
        str(rdflib.XSD.date),
    ),
    "literal outside its lexical space": (
        'ex:d a owl:DatatypeProperty . ex:a ex:d "many"^^xsd:integer .',
        "LexicalNotInLexicalSpace",
        '"many"^^xsd:integer',
    ),
    "non-simple property in a cardinality restriction": (
        f"{TRANSITIVE} ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; "
        'owl:maxCardinality "1"^^xsd:nonNegativeInteger ] .',
        "UseOfNonSimplePropertyInCardinalityRestriction",
        "ObjectMaxCardinality(1 <http://example.org/p> owl:Thing)",
    ),
    "functional transitive property": (
        f"{TRANSITIVE} ex:p a owl:FunctionalProperty .",
        "UseOfNonSimplePropertyInFunctionalPropertyAxiom",
        "ex:p",
    ),
    "functional superproperty of a transitive one": (
        f"{TRANSITIVE} ex:s a owl:ObjectProperty , owl:FunctionalProperty . ex:p rdfs:subPropertyOf ex:s .",
        "UseOfNonSimplePropertyInFunctionalPropertyAxiom",
        "ex:s",
    ),
    "functional property defined by a chain": (
        "ex:s a owl:ObjectProperty , owl:FunctionalProperty ; owl:propertyChainAxiom ( ex:q ex:r ) . "
        "ex:q a owl:ObjectProperty . ex:r a owl:ObjectProperty .",
        "UseOfNonSimplePropertyInFunctionalPropertyAxiom",
        "ex:s",
    ),
    "inverse-functional transitive property": (
        f"{TRANSITIVE} ex:p a owl:InverseFunctionalProperty .",
        "UseOfNonSimplePropertyInInverseFunctionalObjectPropertyAxiom",
        "ex:p",
    ),
    "irreflexive transitive property": (
        f"{TRANSITIVE} ex:p a owl:IrreflexiveProperty .",
        "UseOfNonSimplePropertyInIrreflexivePropertyAxiom",
        "ex:p",
    ),
    "asymmetric transitive property": (
        f"{TRANSITIVE} ex:p a owl:AsymmetricProperty .",
        "UseOfNonSimplePropertyInAsymmetricObjectPropertyAxiom",
        "ex:p",
    ),
    "transitive property in a disjointness": (
        f"{TRANSITIVE} ex:q a owl:ObjectProperty ; owl:propertyDisjointWith ex:p .",
        "UseOfNonSimplePropertyInDisjointPropertiesAxiom",
        "ex:p",
    ),
    "transitive property in a self restriction": (
        f"{TRANSITIVE} ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; "
        "owl:hasSelf true ] .",
        "UseOfNonSimplePropertyInObjectHasSelf",
        "ObjectHasSelf(<http://example.org/p>)",
    ),
    "irregular property chains": (
        "ex:p a owl:ObjectProperty ; owl:propertyChainAxiom ( ex:q ex:r ) . "
        "ex:q a owl:ObjectProperty ; owl:propertyChainAxiom ( ex:p ex:s ) . "
        "ex:r a owl:ObjectProperty . ex:s a owl:ObjectProperty .",
        "UseOfPropertyInChainCausesCycle",
        "ex:p",
    ),
    "restriction without a filler": (
        "ex:p a owl:ObjectProperty . ex:C a owl:Class ; "
        "rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ] .",
        "MalformedClassExpression",
        "ex:C",
    ),
    "restriction without a property": (
        "ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:someValuesFrom ex:C ] .",
        "MalformedClassExpression",
        "ex:C",
    ),
    "intersection of one class": (
        "ex:A a owl:Class . ex:C a owl:Class ; "
        "owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ex:A ) ] .",
        "InsufficientOperands",
        "ObjectIntersectionOf(<http://example.org/A>)",
    ),
    "disjoint classes without a list": (
        "ex:A a owl:Class . [ a owl:AllDisjointClasses ; owl:members ex:A ] .",
        "LoadError",
        "",
    ),
    "an import (never fetched)": (
        "ex:control owl:imports <http://example.org/elsewhere> .",
        "MissingImport",
        "ex:elsewhere",
    ),
    # the conditions tests/owl_structure.py checks on the graph
    "object and data property at once": (
        "ex:p a owl:ObjectProperty , owl:DatatypeProperty .",
        "DeclaredAsTwoKindsOfProperty",
        "ex:p",
    ),
    "object and annotation property at once": (
        "ex:p a owl:ObjectProperty , owl:AnnotationProperty .",
        "DeclaredAsTwoKindsOfProperty",
        "ex:p",
    ),
    "class and datatype at once": (
        "ex:T a owl:Class , rdfs:Datatype .",
        "DeclaredAsClassAndDatatype",
        "ex:T",
    ),
    "rdfs:label redeclared as an object property": (
        "rdfs:label a owl:ObjectProperty .",
        "ReservedVocabularyDeclared",
        str(rdflib.RDFS.label),
    ),
    "owl:sameAs declared as a data property": (
        "owl:sameAs a owl:DatatypeProperty .",
        "ReservedVocabularyDeclared",
        str(rdflib.OWL.sameAs),
    ),
    "restriction with two fillers": (
        "ex:p a owl:ObjectProperty . ex:C a owl:Class . ex:D a owl:Class ; "
        "rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; "
        "owl:someValuesFrom ex:C ; owl:allValuesFrom ex:C ] .",
        "MalformedRestriction",
        "ex:D",
    ),
    "restriction on two properties": (
        "ex:p a owl:ObjectProperty . ex:q a owl:ObjectProperty . ex:C a owl:Class ; rdfs:subClassOf "
        "[ a owl:Restriction ; owl:onProperty ex:p , ex:q ; owl:someValuesFrom ex:C ] .",
        "MalformedRestriction",
        "ex:C",
    ),
    "owl:onProperty on a class": (
        "ex:p a owl:ObjectProperty . ex:C a owl:Class ; owl:onProperty ex:p ; owl:someValuesFrom ex:C .",
        "MalformedRestriction",
        "ex:C",
    ),
    "qualified cardinality without a class": (
        "ex:p a owl:ObjectProperty . ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; "
        'owl:onProperty ex:p ; owl:qualifiedCardinality "1"^^xsd:nonNegativeInteger ] .',
        "MalformedRestriction",
        "ex:C",
    ),
    "disjoint classes listing one class": (
        "ex:A a owl:Class . ex:d a owl:AllDisjointClasses ; owl:members ( ex:A ) .",
        "TooFewMembers",
        "ex:d",
    ),
    "disjoint classes with a broken list": (
        "ex:A a owl:Class . ex:B a owl:Class . "
        "ex:d a owl:AllDisjointClasses ; owl:members [ rdf:first ex:A ] .",
        "MalformedList",
        "ex:d",
    ),
    "union list with two heads": (
        "ex:A a owl:Class . ex:B a owl:Class . ex:C a owl:Class ; owl:equivalentClass [ a owl:Class ; "
        "owl:unionOf [ rdf:first ex:A , ex:B ; rdf:rest rdf:nil ] ] .",
        "MalformedList",
        "ex:C",
    ),
    "cycle of anonymous individuals": (
        "ex:p a owl:ObjectProperty . _:a ex:p _:b . _:b ex:p _:c . _:c ex:p _:a .",
        "AnonymousIndividualCycle",
        "ex:p",
    ),
}
#: Controls that are in the profile: the checker must not flag regular chains or declared terms.
CLEAN = {
    "declared terms and a regular chain": (
        "ex:C a owl:Class . ex:a a ex:C . ex:note a owl:AnnotationProperty . ex:a ex:note ex:C . "
        "ex:p a owl:ObjectProperty ; owl:propertyChainAxiom ( ex:p ex:q ) . ex:q a owl:ObjectProperty . "
        'ex:d a owl:DatatypeProperty . ex:a ex:d "2023-11-01T00:00:00Z"^^xsd:dateTimeStamp .'
    ),
    "built-in terms declared, a chain of anonymous individuals, two disjoint classes": (
        "rdfs:label a owl:AnnotationProperty . owl:Thing a owl:Class . ex:p a owl:ObjectProperty . "
        "_:a ex:p _:b . _:b ex:p _:c . _:a ex:p _:b . ex:A a owl:Class . ex:B a owl:Class . "
        "[ a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ) ] . ex:C a owl:Class ; rdfs:subClassOf "
        "[ a owl:Restriction ; owl:onProperty ex:p ; "
        'owl:minQualifiedCardinality "1"^^xsd:nonNegativeInteger ; owl:onClass ex:A ] .'
    ),
}


def expand(term: str) -> str:
    return EX + term[3:] if term.startswith("ex:") else term


@pytest.fixture(scope="module")
def project_graph(kg) -> rdflib.Graph:
    """Ontology plus every data graph (all but the shapes)."""
    return kg.rdflib_graph(kg.data_graph_names())


@pytest.fixture(scope="module")
def report(project_graph, tmp_path_factory) -> dict:
    """One run of the checker over the project's graph and every control."""
    graphs = {"project": project_graph}
    for name, turtle in [*((n, c[0]) for n, c in CONTROLS.items()), *CLEAN.items()]:
        graphs[name.replace(" ", "-").replace(":", "")] = rdflib.Graph().parse(
            data=HEADER + turtle, format="turtle"
        )
    return profile_violations(graphs, tmp_path_factory.mktemp("owl-profile"))


def found(report: dict, name: str) -> list:
    return report[name.replace(" ", "-").replace(":", "")]


def test_ontology_and_all_data_are_in_the_owl2_dl_profile(project_graph, report):
    assert len(project_graph) > 1000
    assert [str(v) for v in report["project"]] == []


@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_a_graph_breaking_one_rule_is_reported_with_the_term_and_the_section(report, name):
    _, kind, term = CONTROLS[name]
    violations = found(report, name)
    assert kind in {v.kind for v in violations}, [str(v) for v in violations]
    match = next(v for v in violations if v.kind == kind)
    if kind != "LoadError":
        assert match.term == expand(term)
        assert str(match).startswith(f"{match.term}: {RULES[kind][0]} ({RULES[kind][1]})")
    assert "§" in match.section


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_a_graph_in_the_profile_is_not_reported(report, name):
    assert [str(v) for v in found(report, name)] == []


#: Kinds the vocabularies' own documents give (SKOS Core RDF, PROV-O, QUDT schema, OWL-Time).
VOCABULARY_KINDS = {
    "http://www.w3.org/2004/02/skos/core#": {
        "Concept": OWL.Class,
        "ConceptScheme": OWL.Class,
        "Collection": OWL.Class,
        "prefLabel": OWL.AnnotationProperty,
        "altLabel": OWL.AnnotationProperty,
        "definition": OWL.AnnotationProperty,
        "notation": OWL.DatatypeProperty,
        "broader": OWL.ObjectProperty,
        "inScheme": OWL.ObjectProperty,
        "hasTopConcept": OWL.ObjectProperty,
        "topConceptOf": OWL.ObjectProperty,
        "member": OWL.ObjectProperty,
        "broadMatch": OWL.ObjectProperty,
        "exactMatch": OWL.ObjectProperty,
        "narrowMatch": OWL.ObjectProperty,
        "closeMatch": OWL.ObjectProperty,
    },
    "http://www.w3.org/ns/prov#": {
        "Entity": OWL.Class,
        "Activity": OWL.Class,
        "Agent": OWL.Class,
        "wasDerivedFrom": OWL.ObjectProperty,
        "wasGeneratedBy": OWL.ObjectProperty,
        "wasAttributedTo": OWL.ObjectProperty,
        "used": OWL.ObjectProperty,
        "qualifiedDerivation": OWL.ObjectProperty,
    },
    "http://qudt.org/schema/qudt/": {
        "unit": OWL.ObjectProperty,
        "hasQuantityKind": OWL.ObjectProperty,
        "numericValue": OWL.DatatypeProperty,
        "symbol": OWL.DatatypeProperty,
    },
    "http://www.w3.org/2006/time#": {"unitType": OWL.ObjectProperty},
}


def test_reused_terms_are_declared_with_the_kind_their_vocabulary_gives_them(kg, project_graph):
    ontology = kg.rdflib_graph([ONTOLOGY_GRAPH])
    wrong = [
        f"{namespace}{name} is not declared a {kind}"
        for namespace, kinds in VOCABULARY_KINDS.items()
        for name, kind in kinds.items()
        if (URIRef(namespace + name), RDF.type, kind) not in ontology
    ]
    assert wrong == []
    # Dublin Core and VANN give no OWL kind: their terms are annotations (as on the ontology header)
    used = set(project_graph.predicates())
    metadata = {
        p for p in used if str(p).startswith(("http://purl.org/dc/terms/", "http://purl.org/vocab/vann/"))
    }
    assert metadata and all((p, RDF.type, OWL.AnnotationProperty) in ontology for p in metadata)


def test_every_rule_has_a_section_of_the_specification():
    assert all("§" in section for _, section in RULES.values())
