"""A DL reasoner (HermiT, through owlready2) accepts ontology plus data: consistent, and no
unsatisfiable class. HermiT refuses literals outside the OWL 2 datatype map, but reads undeclared terms
and illegal punning without a word: the OWL 2 DL profile itself is checked by tests/test_owl_profile.py.
Needs a Java runtime (`.ci/run` installs Debian's default-jre-headless)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import owlready2
import pytest
import rdflib
from rdflib import RDF, URIRef

from ftzkg.namespaces import FTZ, ID, ONTOLOGY_GRAPH

if shutil.which("java") is None:  # pragma: no cover - CI installs Java
    if os.environ.get("CI"):
        pytest.fail("java is missing: .ci/run installs default-jre-headless", pytrace=False)
    pytest.skip("java is not installed (needed by HermiT)", allow_module_level=True)


def hermit(graph: rdflib.Graph, tmp: Path) -> list[str]:
    """Run HermiT over the graph; the IRIs of unsatisfiable classes. Raises when HermiT refuses it."""
    path = tmp / "graph.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return sorted(c.iri for c in world.inconsistent_classes())


@pytest.fixture(scope="module")
def ontology(kg) -> rdflib.Graph:
    return kg.rdflib_graph([ONTOLOGY_GRAPH])


def test_ontology_and_all_data_are_consistent_with_no_unsatisfiable_class(kg, tmp_path):
    graph = kg.rdflib_graph(kg.data_graph_names())
    assert len(graph) > 1000
    assert hermit(graph, tmp_path) == []


def test_a_firm_that_is_also_a_place_is_inconsistent(ontology, tmp_path):
    """The check above can fail: the disjointness axioms catch a category mistake."""
    graph = ontology + rdflib.Graph()
    firm = URIRef(ID + "firm/example")
    graph.add((firm, RDF.type, URIRef(FTZ + "Enterprise")))
    graph.add((firm, RDF.type, URIRef(FTZ + "Place")))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(graph, tmp_path)


def test_an_enterprise_reporting_its_own_figures_is_consistent(ontology, tmp_path):
    """Reporting is a role: a firm can be the reporter of its own revenue (and a reporting body)."""
    graph = ontology + rdflib.Graph()
    firm, fact = URIRef(ID + "firm/example"), URIRef(ID + "observation/example")
    graph.add((firm, RDF.type, URIRef(FTZ + "Enterprise")))
    graph.add((firm, RDF.type, URIRef(FTZ + "ReportingBody")))
    graph.add((fact, RDF.type, URIRef(FTZ + "Observation")))
    graph.add((fact, URIRef(FTZ + "reportedBy"), firm))
    assert hermit(graph, tmp_path) == []


def test_countries_are_not_markets_by_class_but_still_not_places(ontology, tmp_path):
    """China and "World" are places; being a market is a relation, so no class forces it."""
    graph = ontology + rdflib.Graph()
    country = URIRef(ID + "country/XA")
    graph.add((country, RDF.type, URIRef(FTZ + "Country")))
    graph.add((country, RDF.type, URIRef(FTZ + "Place")))  # disjoint kinds still clash
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(graph, tmp_path)
    assert (URIRef(FTZ + "Country"), rdflib.RDFS.subClassOf, URIRef(FTZ + "Market")) not in ontology


def test_a_gyear_literal_is_refused(ontology, tmp_path):
    """xsd:gYear lies outside the OWL 2 datatype map: HermiT refuses it (so dates are nodes)."""
    graph = ontology + rdflib.Graph()
    graph.add(
        (
            URIRef(ID + "zone/example"),
            URIRef(FTZ + "launchDate"),
            rdflib.Literal("2023", datatype=rdflib.XSD.gYear),
        )
    )
    with pytest.raises(owlready2.OwlReadyJavaError, match="OWL 2 datatype map"):
        hermit(graph, tmp_path)


def test_hermit_reads_an_undeclared_class_and_punned_property_without_a_word(tmp_path):
    """Why tests/test_owl_profile.py exists: HermiT accepts this graph, which is not OWL 2 DL."""
    graph = rdflib.Graph().parse(
        data="""@prefix ex: <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        ex:a a ex:Undeclared . ex:p a owl:ObjectProperty , owl:DatatypeProperty . ex:a ex:p ex:b .""",
        format="turtle",
    )
    assert hermit(graph, tmp_path) == []
