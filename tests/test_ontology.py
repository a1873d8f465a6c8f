"""The ontology is documented, aligned with standard vocabularies, and logically consistent with the data."""

from __future__ import annotations

import re

import owlrl
import pyoxigraph as ox
import pytest
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.namespace import DCTERMS

from ftzkg.namespaces import FTZ, ONTOLOGY, ONTOLOGY_GRAPH
from ftzkg.site.site_queries import select as site_select

ONT = URIRef(ONTOLOGY)


@pytest.fixture(scope="module")
def ontology(kg) -> rdflib.Graph:
    return kg.rdflib_graph([ONTOLOGY_GRAPH])


@pytest.fixture(scope="module")
def ontology_and_data(kg) -> rdflib.Graph:
    """The ontology and the data, with the generated code lists cut to what the reasoner needs to see.

    OWL-RL in Python takes minutes over 7,000 HS codes and 250 countries, and every entry of
    a generated code list has the same statements: the entries the other graphs use (with
    what contains them) and the first entries of each code list stand for the rest.
    """
    provenance = ox.NamedNode(str(DCTERMS.provenance))
    generated = {
        g for g in kg.store.named_graphs() if any(kg.store.quads_for_pattern(g, provenance, None, g))
    }
    keep = {ox.NamedNode(row["entity"].value) for row in site_select(kg, "entities")}
    graph = rdflib.Graph()
    quads = [
        q
        for g in kg.data_graph_names()
        for q in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(g))
    ]
    keep.update(
        q.object for q in quads if q.graph_name not in generated and isinstance(q.object, ox.NamedNode)
    )
    for name in generated:
        subjects = sorted({q.subject.value for q in kg.store.quads_for_pattern(None, None, None, name)})
        keep.update(ox.NamedNode(s) for s in subjects[:25])
    kept = [q.triple for q in quads if q.graph_name not in generated or q.subject in keep]
    graph.parse(data=ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def ftz_terms(graph: rdflib.Graph, kind: URIRef) -> list[URIRef]:
    return sorted(t for t in graph.subjects(RDF.type, kind) if str(t).startswith(FTZ))


def test_header_names_title_description_version_licence_creator_and_dates(ontology):
    for prop in (DCTERMS.title, DCTERMS.description, OWL.versionIRI, DCTERMS.license, DCTERMS.creator):
        assert ontology.value(ONT, prop) is not None, f"ontology header lacks {prop}"
    modified = ontology.value(ONT, DCTERMS.modified)
    # an ISO 8601 date as a plain string: xsd:date lies outside the OWL 2 datatype map
    assert isinstance(modified, Literal) and modified.datatype is None
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", str(modified))


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_term_has_label_definition_and_defining_ontology(ontology, kind):
    terms = ftz_terms(ontology, kind)
    assert len(terms) > 10
    for term in terms:
        assert (term, RDFS.label, None) in ontology, f"{term} has no rdfs:label"
        assert (term, SKOS.definition, None) in ontology, f"{term} has no skos:definition"
        assert (term, RDFS.isDefinedBy, ONT) in ontology, f"{term} has no rdfs:isDefinedBy"


@pytest.mark.parametrize(
    ("term", "standard"),
    [
        (FTZ + "Enterprise", "http://www.w3.org/ns/org#FormalOrganization"),
        (FTZ + "Enterprise", "http://www.w3.org/ns/prov#Agent"),
        (FTZ + "ReportingBody", "http://www.w3.org/ns/prov#Agent"),
        (FTZ + "CalendarDate", "http://www.w3.org/2006/time#TemporalPosition"),
        (FTZ + "Product", str(SKOS.Concept)),
        (FTZ + "HSCode", str(SKOS.Concept)),
        (FTZ + "SourcedFact", "http://www.w3.org/ns/prov#Entity"),
        (FTZ + "Period", "http://www.w3.org/2006/time#ProperInterval"),
        (FTZ + "QuantityValue", "http://qudt.org/schema/qudt/QuantityValue"),
        (FTZ + "Country", "https://schema.org/Country"),
    ],
)
def test_classes_align_with_standard_vocabularies(ontology, term, standard):
    assert (URIRef(term), RDFS.subClassOf, URIRef(standard)) in ontology


@pytest.mark.parametrize(
    ("term", "standard"),
    [
        ("numericValue", "http://qudt.org/schema/qudt/numericValue"),
        ("unit", "http://qudt.org/schema/qudt/unit"),
        ("reportedBy", "http://www.w3.org/ns/prov#wasAttributedTo"),
        ("refArea", "http://purl.org/linked-data/sdmx/2009/dimension#refArea"),
        ("refPeriod", "http://purl.org/linked-data/sdmx/2009/dimension#refPeriod"),
        ("precision", "http://www.w3.org/2006/time#unitType"),
    ],
)
def test_properties_align_with_standard_vocabularies(ontology, term, standard):
    assert (URIRef(FTZ + term), RDFS.subPropertyOf, URIRef(standard)) in ontology


def owl_rl_closure(graph: rdflib.Graph) -> rdflib.Graph:
    closed = rdflib.Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    return closed


def inconsistencies(closed: rdflib.Graph) -> list[str]:
    return sorted(str(m) for m in closed.objects(None, ERRNS.error))


@pytest.fixture(scope="module")
def closure(ontology_and_data) -> rdflib.Graph:
    return owl_rl_closure(ontology_and_data)


def test_owl_rl_closure_of_ontology_and_data_is_consistent(closure):
    assert inconsistencies(closure) == []


def test_reasoner_would_catch_a_firm_that_is_also_a_place(ontology_and_data):
    """The consistency test above can fail: disjointness axioms catch category mistakes."""
    broken = rdflib.Graph()
    for triple in ontology_and_data:
        broken.add(triple)
    firm = URIRef("https://w3id.org/ftzkg/id/firm/xinjiang-withyoung-health-food")
    broken.add((firm, RDF.type, URIRef(FTZ + "Place")))
    assert inconsistencies(owl_rl_closure(broken)) != []


def unintended_memberships(graph: rdflib.Graph) -> list[tuple[str, list[str]]]:
    """Instances that OWL-RL puts into ftz: classes their asserted types do not imply."""
    hierarchy = rdflib.Graph()
    for triple in graph.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    superclasses = owl_rl_closure(hierarchy)
    closed = owl_rl_closure(graph)
    found = []
    for node in set(graph.subjects(RDF.type, None)):
        implied = set(graph.objects(node, RDF.type))
        for cls in list(implied):
            implied.update(superclasses.objects(cls, RDFS.subClassOf))
        extra = {c for c in closed.objects(node, RDF.type) if str(c).startswith(FTZ)} - implied
        if extra:
            found.append((str(node), sorted(map(str, extra))))
    return sorted(found)


def test_reasoning_adds_no_unintended_class_membership(ontology_and_data):
    """Domains and ranges must not put any instance into an ftz: class its asserted types do not imply."""
    assert unintended_memberships(ontology_and_data) == []


def test_a_too_narrow_domain_would_show_as_unintended_membership(ontology_and_data):
    broken = rdflib.Graph()
    for triple in ontology_and_data:
        broken.add(triple)
    broken.add((URIRef(FTZ + "quote"), RDFS.domain, URIRef(FTZ + "TradeLink")))
    nodes = {node for node, _ in unintended_memberships(broken)}
    assert "https://w3id.org/ftzkg/id/observation/withyoung-revenue-2025" in nodes


def direct_and_transitive_subclasses(kg, parent: str) -> tuple[set[str], set[str]]:
    """The classes declared rdfs:subClassOf ``parent``, and those below it at any depth."""
    found = []
    for path in ("", "+"):
        query = f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>{path} <{parent}> }}"
        found.append({r["c"].value for r in kg.store.query(query, use_default_graph_as_union=True)})
    return found[0], found[1]


def test_every_fact_class_is_a_direct_subclass_of_sourced_fact(kg):
    """ai-assisted-facts and sources rely on it: a transitive subclass path loses rows on Virtuoso 7."""
    direct, transitive = direct_and_transitive_subclasses(kg, FTZ + "SourcedFact")
    assert direct and transitive == direct


def test_every_source_class_is_a_direct_subclass_of_source(kg):
    """ai-assisted-facts and sources test "is a source" as ``a ftz:Source`` or ``a/rdfs:subClassOf
    ftz:Source``, without a transitive path, which Virtuoso 7 evaluates wrongly inside FILTER NOT EXISTS."""
    direct, transitive = direct_and_transitive_subclasses(kg, FTZ + "Source")
    assert FTZ + "ReferenceStandard" in direct
    assert transitive == direct


QB = "http://purl.org/linked-data/cube#"


def test_no_half_made_data_cube_alignment(ontology):
    """Observations with qualifiers, ranges and unknown periods cannot meet the Data Cube integrity
    constraints, so nothing claims to be a qb:Observation or a qb measure property (README: No Data Cube)."""
    claims = [
        (str(s), str(p), str(o))
        for s, p, o in ontology.triples((None, None, None))
        if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)
        and str(o).startswith(QB)
    ]
    assert claims == []


def test_enterprise_claims_no_registration_the_data_lacks(ontology):
    """No legal name or registration number is recorded, so a firm is no rov:RegisteredOrganization."""
    enterprise = URIRef(FTZ + "Enterprise")
    assert (
        enterprise,
        RDFS.subClassOf,
        URIRef("http://www.w3.org/ns/regorg#RegisteredOrganization"),
    ) not in ontology
    assert (enterprise, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#FormalOrganization")) in ontology
