"""Vocabulary conformance: every class and property data uses must be a known term.

A term is known when the ftzkg ontology defines it (any subject of the ontology
graph under the ``ftz:`` namespace) or when it belongs to an allowed standard
vocabulary: term by term for the small ones, whole namespaces for big ones
such as schema.org. A misspelt term is reported with the closest known term
(difflib), so ``ftz:exportTo`` comes back as "did you mean ftz:exportsTo?".

OWL 2 DL (Structural Specification, section 5.8.1) also wants every class and
property declared, each property of one kind: a standard term the ontology does
not declare, or an object property given a literal (or a data property an IRI),
is reported here, so a contribution that validates keeps ontology plus data in
the profile (the build's OWL API check would otherwise be the first to see it).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import FTZ, PREFIXES, shorten

RDF = PREFIXES["rdf"]
RDF_TYPE = RDF + "type"
OWL = PREFIXES["owl"]
#: Namespaces whose terms OWL 2 builds in (reserved vocabulary): never declared by an ontology.
BUILT_IN = (RDF, PREFIXES["rdfs"], OWL, PREFIXES["xsd"])


def _terms(names: str) -> frozenset[str]:
    return frozenset(names.split())


#: Terms of the small standard vocabularies, by namespace (local names).
STANDARD_TERMS: dict[str, frozenset[str]] = {
    RDF: _terms(
        "type Property Statement subject predicate object first rest nil List value langString HTML "
        "XMLLiteral Bag Seq Alt JSON"
    ),
    PREFIXES["rdfs"]: _terms(
        "Resource Class subClassOf subPropertyOf comment label domain range seeAlso isDefinedBy Literal "
        "Container ContainerMembershipProperty member Datatype"
    ),
    PREFIXES["owl"]: _terms(
        "Class Thing Nothing ObjectProperty DatatypeProperty AnnotationProperty FunctionalProperty "
        "InverseFunctionalProperty TransitiveProperty SymmetricProperty Ontology sameAs differentFrom "
        "equivalentClass equivalentProperty inverseOf versionInfo versionIRI imports deprecated "
        "AllDisjointClasses members disjointWith NamedIndividual Restriction onProperty someValuesFrom "
        "allValuesFrom hasValue unionOf intersectionOf oneOf priorVersion"
    ),
    PREFIXES["skos"]: _terms(
        "Concept ConceptScheme Collection OrderedCollection inScheme hasTopConcept topConceptOf prefLabel "
        "altLabel hiddenLabel notation note changeNote definition editorialNote example historyNote "
        "scopeNote semanticRelation broader narrower related broaderTransitive narrowerTransitive member "
        "memberList mappingRelation closeMatch exactMatch broadMatch narrowMatch relatedMatch"
    ),
    PREFIXES["dcterms"]: _terms(
        "abstract accessRights accrualMethod accrualPeriodicity accrualPolicy alternative audience available "
        "bibliographicCitation conformsTo contributor coverage created creator date dateAccepted "
        "dateCopyrighted dateSubmitted description educationLevel extent format hasFormat hasPart "
        "hasVersion identifier instructionalMethod isFormatOf isPartOf isReferencedBy isReplacedBy "
        "isRequiredBy issued isVersionOf language license mediator medium modified provenance publisher "
        "references relation replaces requires rights rightsHolder source spatial subject tableOfContents "
        "temporal title type valid Agent AgentClass BibliographicResource FileFormat Frequency Jurisdiction "
        "LicenseDocument LinguisticSystem Location LocationPeriodOrJurisdiction MediaType "
        "MediaTypeOrExtent MethodOfAccrual MethodOfInstruction PeriodOfTime PhysicalMedium "
        "PhysicalResource Policy ProvenanceStatement RightsStatement SizeOrDuration Standard"
    ),
    PREFIXES["prov"]: _terms(
        "Entity Activity Agent Plan Person Organization SoftwareAgent Collection Bundle Location "
        "wasGeneratedBy wasDerivedFrom wasAttributedTo startedAtTime used wasInformedBy endedAtTime "
        "wasAssociatedWith actedOnBehalfOf generatedAtTime invalidatedAtTime wasRevisionOf wasQuotedFrom "
        "hadPrimarySource atLocation value wasInfluencedBy hadPlan hadRole qualifiedDerivation "
        "qualifiedAttribution specializationOf alternateOf"
    ),
    PREFIXES["org"]: _terms(
        "Organization FormalOrganization OrganizationalUnit Site Membership Post Role ChangeEvent "
        "subOrganizationOf transitiveSubOrganizationOf hasSubOrganization purpose hasUnit unitOf "
        "classification identifier linkedTo memberOf hasMember hasMembership member organization role "
        "hasSite siteOf hasPrimarySite hasRegisteredSite siteAddress basedAt location headOf "
        "reportsTo postIn holds heldBy originalOrganization changedBy resultedFrom resultingOrganization "
        "remuneration"
    ),
    PREFIXES["rov"]: _terms(
        "RegisteredOrganization legalName orgType orgStatus orgActivity registration "
        "hasRegisteredOrganization"
    ),
    PREFIXES["qb"]: _terms(
        "Observation DataSet DataStructureDefinition Slice ComponentSpecification ComponentProperty "
        "DimensionProperty MeasureProperty AttributeProperty dataSet observation structure component "
        "dimension measure attribute measureType slice"
    ),
    PREFIXES["time"]: _terms(
        "TemporalEntity Instant Interval ProperInterval DateTimeDescription hasBeginning hasEnd "
        "inXSDDate inXSDDateTime inXSDgYear inXSDgYearMonth hasDuration before after"
    ),
    PREFIXES["qudt"]: _terms(
        "Unit QuantityValue QuantityKind Quantity unit numericValue value quantityKind hasUnit "
        "hasQuantityKind symbol ucumCode"
    ),
    PREFIXES["void"]: _terms(
        "Dataset Linkset triples entities classes properties distinctSubjects distinctObjects "
        "sparqlEndpoint dataDump vocabulary exampleResource uriSpace subset"
    ),
    PREFIXES["dcat"]: _terms(
        "Catalog Dataset Distribution DataService Resource keyword theme distribution downloadURL "
        "accessURL mediaType contactPoint landingPage byteSize"
    ),
    "http://xmlns.com/foaf/0.1/": _terms(
        "Person Organization Agent Document name homepage page based_near depiction mbox"
    ),
    "http://purl.org/vocab/vann/": _terms(
        "preferredNamespacePrefix preferredNamespaceUri example changes usageNote"
    ),
}

#: Big vocabularies allowed as whole namespaces (every local name accepted).
ALLOWED_NAMESPACES: tuple[str, ...] = (
    PREFIXES["schema"],
    "http://purl.org/linked-data/sdmx/2009/dimension#",
    "http://purl.org/linked-data/sdmx/2009/attribute#",
    "http://purl.org/linked-data/sdmx/2009/measure#",
    "http://purl.org/linked-data/sdmx/2009/concept#",
    "http://purl.org/linked-data/sdmx/2009/code#",
)

_PREFIX_FOR_NAMESPACE = {
    "http://xmlns.com/foaf/0.1/": "foaf",
    "http://purl.org/vocab/vann/": "vann",
}


@dataclass(frozen=True)
class VocabularyProblem:
    """A term the vocabulary does not know, where it is used, and the closest known term."""

    term: str
    #: "class", "property", "term", "deprecated" (a replaced ftz: term), "undeclared" (a standard
    #: term the ontology does not declare), "object property" or "data property" (used as the other)
    role: str
    subject: str
    suggestion: str | None

    @property
    def message(self) -> str:
        if self.role == "undeclared":
            return (
                f"{_short(self.term)} is not declared by the ftzkg ontology; OWL 2 DL needs every class and "
                "property declared: add its declaration (the kind its own vocabulary gives it) to the "
                "reused terms in ontology/ftz.ttl"
            )
        if self.role == "object property":
            return f"{_short(self.term)} is an object property: its value must be an IRI, not a literal"
        if self.role == "data property":
            return f"{_short(self.term)} is a data property: its value must be a literal, not an IRI"
        if self.role == "deprecated":
            text = f"{_short(self.term)} is deprecated (owl:deprecated) and no longer used in the graph"
            return text + (f"; use {_short(self.suggestion)}" if self.suggestion else "")
        text = f"{_short(self.term)} is not a {self.role} of the ftzkg ontology or an allowed vocabulary"
        if self.suggestion:
            text += f"; did you mean {_short(self.suggestion)}?"
        return text


def _short(iri: str) -> str:
    for namespace, prefix in _PREFIX_FOR_NAMESPACE.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return shorten(iri)


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


class Vocabulary:
    """The terms data may use: the ontology's plus the allowed standard ones."""

    def __init__(
        self,
        ontology_terms: Iterable[str],
        classes: Iterable[str] = (),
        properties: Iterable[str] = (),
        replaced: dict[str, str | None] | None = None,
        declared: dict[str, frozenset[str]] | None = None,
    ):
        self.ontology_terms = frozenset(ontology_terms)
        #: every IRI the ontology declares (ftz: or reused), with the OWL kinds it is declared as;
        #: None (no declarations given) turns the declaration checks off
        self.declared = declared
        self.classes = frozenset(classes)
        self.properties = frozenset(properties)
        #: deprecated ftz: terms and a replacement (dcterms:isReplacedBy), if the ontology names one
        self.replaced = dict(replaced or {})

    @classmethod
    def from_quads(cls, ontology: Iterable[ox.Quad]) -> Vocabulary:
        """The vocabulary of an ontology given as quads (its ``ftz:`` subjects are its terms)."""
        terms: set[str] = set()
        classes: set[str] = set()
        properties: set[str] = set()
        owl = PREFIXES["owl"]
        property_types = {
            owl + "ObjectProperty",
            owl + "DatatypeProperty",
            owl + "AnnotationProperty",
            RDF + "Property",
        }
        deprecated: set[str] = set()
        replacements: dict[str, str] = {}
        deprecated_flag = owl + "deprecated"
        replaced_by = PREFIXES["dcterms"] + "isReplacedBy"
        declared: dict[str, set[str]] = {}
        kinds = {owl + k for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
        kinds.add(PREFIXES["rdfs"] + "Datatype")
        for quad in ontology:
            subject = quad.subject
            if (
                isinstance(subject, ox.NamedNode)
                and quad.predicate.value == RDF_TYPE
                and isinstance(quad.object, ox.NamedNode)
                and quad.object.value in kinds
            ):
                declared.setdefault(subject.value, set()).add(quad.object.value)
            if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(FTZ):
                continue
            terms.add(subject.value)
            if (
                quad.predicate.value == deprecated_flag
                and isinstance(quad.object, ox.Literal)
                and quad.object.value.lower() == "true"
            ):
                deprecated.add(subject.value)
            elif quad.predicate.value == replaced_by and isinstance(quad.object, ox.NamedNode):
                # several replacements (ftz:hsCode): suggest the lowest IRI, deterministically
                replacements[subject.value] = min(quad.object.value, replacements.get(subject.value, "~"))
            if quad.predicate.value == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
                if quad.object.value == owl + "Class":
                    classes.add(subject.value)
                elif quad.object.value in property_types:
                    properties.add(subject.value)
        return cls(
            terms,
            classes,
            properties,
            {t: replacements.get(t) for t in deprecated},
            {iri: frozenset(k) for iri, k in declared.items()},
        )

    def is_known(self, iri: str) -> bool:
        """Whether data may use this IRI as a class or property."""
        if iri.startswith(FTZ):
            return iri in self.ontology_terms
        if any(iri.startswith(ns) for ns in ALLOWED_NAMESPACES):
            return True
        namespace = _namespace(iri)
        local = iri[len(namespace) :]
        if namespace in STANDARD_TERMS:
            return local in STANDARD_TERMS[namespace]
        return RDF + "_" in iri and local[1:].isdigit()  # rdf:_1 container membership

    def _is(self, iri: str, kind: frozenset[str]) -> bool:
        """Known, and for an ``ftz:`` term also of the right kind (class or property)."""
        if not self.is_known(iri):
            return False
        return not (iri.startswith(FTZ) and kind and iri not in kind)

    def _candidates(self, iri: str, role: str) -> list[str]:
        if iri.startswith(FTZ):
            pool = {"class": self.classes, "property": self.properties}.get(role) or self.ontology_terms
            return sorted(pool or self.ontology_terms)
        namespace = _namespace(iri)
        if namespace in STANDARD_TERMS:
            return sorted(namespace + local for local in STANDARD_TERMS[namespace])
        every = [t for t in self.ontology_terms]
        for ns, locals_ in STANDARD_TERMS.items():
            every.extend(ns + local for local in locals_)
        return sorted(every)

    def suggest(self, iri: str, role: str) -> str | None:
        """The closest known term to a misspelt one, or None when nothing is close."""
        candidates = self._candidates(iri, role)
        by_local = {c[len(_namespace(c)) :]: c for c in candidates}
        local = iri[len(_namespace(iri)) :]
        match = difflib.get_close_matches(local, list(by_local), n=1, cutoff=0.6)
        if match:
            return by_local[match[0]]
        match = difflib.get_close_matches(_short(iri), [_short(c) for c in candidates], n=1, cutoff=0.6)
        if match:
            return next(c for c in candidates if _short(c) == match[0])
        return None

    def check(self, quads: Iterable[ox.Quad]) -> list[VocabularyProblem]:
        """Unknown classes (objects of rdf:type), unknown properties, and unknown ``ftz:`` IRIs anywhere."""
        problems: dict[tuple[str, str], VocabularyProblem] = {}

        def report(term: str, role: str, subject: ox.NamedNode | ox.BlankNode | ox.Triple) -> None:
            if (term, role) not in problems:
                problems[(term, role)] = VocabularyProblem(term, role, str(subject), self.suggest(term, role))

        declared = self.declared
        object_property, data_property = OWL + "ObjectProperty", OWL + "DatatypeProperty"
        for quad in quads:
            predicate = quad.predicate.value
            if not self._is(predicate, self.properties):
                report(predicate, "property", quad.subject)
            elif declared is not None and not predicate.startswith(BUILT_IN):
                kind = declared.get(predicate)
                if kind is None:
                    if not predicate.startswith(FTZ):
                        report(predicate, "undeclared", quad.subject)
                elif object_property in kind and isinstance(quad.object, ox.Literal):
                    report(predicate, "object property", quad.subject)
                elif data_property in kind and not isinstance(quad.object, ox.Literal):
                    report(predicate, "data property", quad.subject)
            for term in (predicate, quad.object.value if isinstance(quad.object, ox.NamedNode) else None):
                if term in self.replaced and (term, "deprecated") not in problems:
                    problems[(term, "deprecated")] = VocabularyProblem(
                        term, "deprecated", str(quad.subject), self.replaced[term]
                    )
            obj = quad.object
            if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
                if not self._is(obj.value, self.classes):
                    report(obj.value, "class", quad.subject)
                elif (
                    declared is not None
                    and not obj.value.startswith((FTZ, *BUILT_IN))
                    and obj.value not in declared
                ):
                    report(obj.value, "undeclared", quad.subject)
            elif isinstance(obj, ox.NamedNode) and obj.value.startswith(FTZ) and not self.is_known(obj.value):
                report(obj.value, "term", quad.subject)
            subject = quad.subject
            if (
                isinstance(subject, ox.NamedNode)
                and subject.value.startswith(FTZ)
                and not self.is_known(subject.value)
            ):
                report(subject.value, "term", subject)
        return sorted(problems.values(), key=lambda p: (p.subject, p.term))
