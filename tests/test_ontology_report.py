"""An ontology report in the spirit of ROBOT's `report`, and a check of the OWL 2 DL datatype map.

Each failure names the term. Covers: every ftz: term labelled, defined and rdfs:isDefinedBy; no two
terms in use whose local names differ only by case or plural; no deprecated term used in data; every
concept of a scheme reachable from a top concept; every literal of ontology and data typed with a
datatype of the OWL 2 datatype map (so no xsd:gYear, xsd:gYearMonth or xsd:date).
"""

from __future__ import annotations

import pytest
import rdflib
from owl_profile import OWL2_DATATYPES
from rdflib import OWL, RDF, RDFS, SKOS, URIRef

from ftzkg.namespaces import FTZ, ONTOLOGY, ONTOLOGY_GRAPH

XSD = "http://www.w3.org/2001/XMLSchema#"
#: The project's own schemes: the ontology's code lists and the product and sector scheme.
OWN_SCHEMES = (FTZ, "https://w3id.org/ftzkg/id/scheme/products", "https://w3id.org/ftzkg/id/scheme/sectors")


@pytest.fixture(scope="module")
def ontology(kg) -> rdflib.Graph:
    return kg.rdflib_graph([ONTOLOGY_GRAPH])


@pytest.fixture(scope="module")
def data(kg) -> rdflib.Graph:
    return kg.rdflib_graph([g for g in kg.data_graph_names() if g != ONTOLOGY_GRAPH])


def ftz_terms(graph: rdflib.Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept)
    found = {s for k in kinds for s in graph.subjects(RDF.type, k)}
    found |= {
        s for s, _, o in graph.triples((None, RDF.type, None)) if (o, RDFS.subClassOf, SKOS.Concept) in graph
    }
    found |= set(graph.subjects(OWL.deprecated, None))
    return {t for t in found if isinstance(t, URIRef) and str(t).startswith(FTZ)}


def deprecated(graph: rdflib.Graph) -> set[URIRef]:
    return {
        t for t in graph.subjects(OWL.deprecated, None) if graph.value(t, OWL.deprecated).toPython() is True
    }


def test_every_term_is_labelled_defined_and_defined_by_the_ontology(ontology):
    terms = ftz_terms(ontology)
    assert len(terms) > 150
    problems = [
        f"{t} lacks {what}"
        for t in sorted(terms)
        for what, prop in (("rdfs:label", RDFS.label), ("skos:definition", SKOS.definition))
        if ontology.value(t, prop) is None
    ]
    problems += [
        f"{t} lacks rdfs:isDefinedBy"
        for t in sorted(terms)
        if (t, RDFS.isDefinedBy, URIRef(ONTOLOGY)) not in ontology
    ]
    assert problems == []


def _singulars(name: str) -> set[str]:
    """The name in lower case and every singular it could be the plural of."""
    name = name.lower()
    found = {name}
    if name.endswith("s"):
        found.add(name[:-1])
    if name.endswith("es"):
        found.add(name[:-2])
    if name.endswith("ies"):
        found.add(name[:-3] + "y")
    return found


def colliding_names(terms: set[URIRef]) -> list[tuple[str, ...]]:
    """Groups of local names equal up to case or a plural ending."""
    names = sorted(str(t)[len(FTZ) :] for t in terms)
    group = {n: {n} for n in names}
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if _singulars(a) & _singulars(b):
                merged = group[a] | group[b]
                for n in merged:
                    group[n] = merged
    return sorted({tuple(sorted(g)) for g in group.values() if len(g) > 1})


def test_no_two_terms_in_use_differ_only_by_case_or_plural(ontology):
    assert colliding_names(ftz_terms(ontology) - deprecated(ontology)) == []


def test_the_collision_check_catches_class_property_and_scheme_names():
    terms = {URIRef(FTZ + n) for n in ("InnovationScope", "innovationScope", "InnovationScopes", "Zone")}
    assert colliding_names(terms) == [("InnovationScope", "InnovationScopes", "innovationScope")]


def test_every_replaced_term_is_deprecated_with_its_replacement(ontology):
    old = {
        "measure",
        "period",
        "product",
        "sector",
        "market",
        "sourcingScope",
        "innovationScope",
        "transportMode",
        "launchDate",
        "periodStart",
        "periodEnd",
        "hsCode",
        "Market",
        "Measures",
        "ValueQualifiers",
    }
    for name in old:
        term = URIRef(FTZ + name)
        assert term in deprecated(ontology), name
        assert ontology.value(term, URIRef("http://purl.org/dc/terms/isReplacedBy")) is not None, name


def test_no_deprecated_term_is_used_in_the_data(ontology, data):
    old = deprecated(ontology)
    used = sorted({str(t) for triple in data for t in triple if t in old})
    assert used == []


def test_every_concept_of_a_scheme_is_reachable_from_a_top_concept(ontology, data):
    graph = ontology + data
    problems = []
    for scheme in set(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        tops = set(graph.objects(scheme, SKOS.hasTopConcept)) | set(graph.subjects(SKOS.topConceptOf, scheme))
        if str(scheme).startswith(OWN_SCHEMES) and not tops:
            problems.append(f"{scheme} has no top concept")
        if not str(scheme).startswith(OWN_SCHEMES):
            continue  # standards' schemes (ISO 3166-1, UN M49, HS) keep the standard's own structure
        reachable, todo = set(tops), list(tops)
        while todo:
            node = todo.pop()
            for narrower in set(graph.subjects(SKOS.broader, node)) | set(graph.objects(node, SKOS.narrower)):
                if narrower not in reachable:
                    reachable.add(narrower)
                    todo.append(narrower)
        members = set(graph.subjects(SKOS.inScheme, scheme))
        problems += [
            f"{c} is not reachable from a top concept of {scheme}" for c in sorted(members - reachable)
        ]
    assert problems == []


def test_the_innovation_scopes_are_not_upside_down(ontology):
    """Wider spread must not be a narrower concept: the scopes are a flat list of levels."""
    for scope in ("ProvincialReplication", "NationalCustomsAdoption"):
        assert (URIRef(FTZ + scope), SKOS.broader, URIRef(FTZ + "ZoneScope")) not in ontology


def test_every_literal_has_a_datatype_of_the_owl2_datatype_map(ontology, data):
    outside = sorted(
        {
            (str(s), str(o.datatype))
            for s, _, o in ontology + data
            if isinstance(o, rdflib.Literal)
            and o.datatype is not None
            and str(o.datatype) not in OWL2_DATATYPES
        }
    )
    assert outside == []


def test_the_datatype_check_would_catch_a_gyear():
    assert XSD + "gYear" not in OWL2_DATATYPES and XSD + "date" not in OWL2_DATATYPES


def test_a_contribution_using_a_deprecated_term_is_told_its_replacement():
    import pyoxigraph as ox

    from ftzkg.validation import ontology_quads
    from ftzkg.validation.vocabulary import Vocabulary

    vocabulary = Vocabulary.from_quads(ontology_quads())
    obs = ox.NamedNode("https://w3id.org/ftzkg/id/observation/example")
    quads = [
        ox.Quad(obs, ox.NamedNode(FTZ + "measure"), ox.NamedNode(FTZ + "Revenue")),
        ox.Quad(obs, ox.NamedNode(FTZ + "hasMeasure"), ox.NamedNode(FTZ + "Revenue")),
    ]
    messages = [p.message for p in vocabulary.check(quads)]
    assert messages == [
        "ftz:measure is deprecated (owl:deprecated) and no longer used in the graph; use ftz:hasMeasure"
    ]
