"""Is a graph in the OWL 2 DL profile? Asks the OWL API's profile checker (Debian's libowlapi-java).

The checker is the reference implementation of OWL 2 DL's conditions: the typing constraints and
reserved vocabulary of the OWL 2 Structural Specification (sections 5.1 to 5.8), its datatype map
(section 4) and the global restrictions on the axiom closure (section 11). tests/owlapi/OwlDlProfile.java
runs it over N-Triples files in one JVM (Java's single-file launcher: a JRE is enough) and also reports
the triples that the OWL 2 mapping from RDF graphs could not turn into axioms.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import rdflib
from owl_structure import structure_problems

JAVA_SOURCE = Path(__file__).parent / "owlapi" / "OwlDlProfile.java"
JAVA_DIR = Path("/usr/share/java")
#: libowlapi-java and the Debian packages it depends on (those the RDF parsers and the checker load)
JARS = [
    "owlapi-distribution",
    "guava",
    "caffeine",
    "commons-codec",
    "commons-io",
    "commons-text",
    "commons-lang3",
    "commons-rdf-api",
    "commons-rdf-simple",
    "hppcrt",
    "jsr305",
    "slf4j-api",
    "slf4j-nop",
    "xz",
    "atinject-jsr330-api",
    "jaxb-api",
    "javax.activation",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "httpclient",
    "httpcore",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:langString.
OWL2_DATATYPES = {
    XSD + t
    for t in [
        "decimal",
        "integer",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "double",
        "float",
        "string",
        "normalizedString",
        "token",
        "language",
        "Name",
        "NCName",
        "NMTOKEN",
        "boolean",
        "hexBinary",
        "base64Binary",
        "anyURI",
        "dateTime",
        "dateTimeStamp",
    ]
} | {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational",
}
#: Where the OWL API names a class expression it could not read (a malformed restriction).
OWLAPI_ERROR = "http://org.semanticweb.owlapi/error#"

SPEC = "OWL 2 Structural Specification"
DECLARE = " (a reused standard term: with the declarations at the end of ontology/ftz.ttl)"
#: Each violation the checker reports: the rule it breaks and where the specification states it.
RULES: dict[str, tuple[str, str]] = {
    "UseOfUndeclaredClass": (
        "a class must be declared" + DECLARE,
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "UseOfUndeclaredObjectProperty": (
        "an object property must be declared" + DECLARE,
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "UseOfUndeclaredDataProperty": (
        "a data property must be declared" + DECLARE,
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "UseOfUndeclaredAnnotationProperty": (
        "an annotation property must be declared" + DECLARE,
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "UseOfUndeclaredDatatype": ("a datatype must be declared", f"{SPEC} §5.8.1 typing constraints"),
    "IllegalPunning": (
        "an IRI may not be two kinds of property (object, data, annotation) at once",
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "DatatypeIRIAlsoUsedAsClassIRI": (
        "an IRI may not be both a class and a datatype",
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "UseOfReservedVocabularyForClassIRI": (
        "reserved vocabulary (rdf:, rdfs:, owl:, xsd:) other than owl:Thing and owl:Nothing may not "
        "name a class",
        f"{SPEC} §5.1 classes",
    ),
    "UseOfReservedVocabularyForObjectPropertyIRI": (
        "reserved vocabulary may not name an object property",
        f"{SPEC} §5.3 object properties",
    ),
    "UseOfReservedVocabularyForDataPropertyIRI": (
        "reserved vocabulary may not name a data property",
        f"{SPEC} §5.4 data properties",
    ),
    "UseOfReservedVocabularyForAnnotationPropertyIRI": (
        "reserved vocabulary may not name an annotation property",
        f"{SPEC} §5.5 annotation properties",
    ),
    "UseOfReservedVocabularyForIndividualIRI": (
        "reserved vocabulary may not name an individual",
        f"{SPEC} §5.6 individuals",
    ),
    "UseOfReservedVocabularyForOntologyIRI": (
        "reserved vocabulary may not name an ontology",
        f"{SPEC} §3.1 ontology IRIs",
    ),
    "UseOfReservedVocabularyForVersionIRI": (
        "reserved vocabulary may not name an ontology version",
        f"{SPEC} §3.1 ontology IRIs",
    ),
    "OntologyIRINotAbsolute": ("an ontology IRI must be absolute", f"{SPEC} §3.1 ontology IRIs"),
    "OntologyVersionIRINotAbsolute": ("a version IRI must be absolute", f"{SPEC} §3.1 ontology IRIs"),
    "UseOfNonAbsoluteIRI": ("IRIs must be absolute", f"{SPEC} §2.4 IRIs"),
    "UseOfUnknownDatatype": ("a datatype outside the OWL 2 datatype map", f"{SPEC} §4 datatype maps"),
    "LexicalNotInLexicalSpace": (
        "a literal's lexical form must be in its datatype's lexical space",
        f"{SPEC} §5.7 literals",
    ),
    "UseOfDefinedDatatypeInLiteral": (
        "a literal may not use a datatype defined by a datatype definition",
        f"{SPEC} §5.7 literals",
    ),
    "UseOfDefinedDatatypeInDatatypeRestriction": (
        "a datatype restriction must restrict a datatype of the datatype map",
        f"{SPEC} §7.5 datatype restrictions",
    ),
    "UseOfIllegalFacetRestriction": (
        "a facet the restricted datatype does not have",
        f"{SPEC} §4 datatype maps",
    ),
    "UseOfBuiltInDatatypeInDatatypeDefinition": (
        "a datatype of the datatype map may not be redefined",
        f"{SPEC} §9.4 datatype definitions",
    ),
    "CycleInDatatypeDefinition": (
        "datatype definitions may not be cyclic",
        f"{SPEC} §11.2 global restrictions",
    ),
    "UseOfTopDataPropertyAsSubPropertyInSubPropertyAxiom": (
        "owl:topDataProperty may not be a subproperty",
        f"{SPEC} §11.2 global restrictions",
    ),
    "UseOfNonSimplePropertyInCardinalityRestriction": (
        "a non-simple object property (transitive, or with a transitive or chained subproperty) in a "
        "cardinality restriction",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfNonSimplePropertyInFunctionalPropertyAxiom": (
        "a non-simple object property declared functional",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfNonSimplePropertyInInverseFunctionalObjectPropertyAxiom": (
        "a non-simple object property declared inverse functional",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfNonSimplePropertyInIrreflexivePropertyAxiom": (
        "a non-simple object property declared irreflexive",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfNonSimplePropertyInAsymmetricObjectPropertyAxiom": (
        "a non-simple object property declared asymmetric",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfNonSimplePropertyInDisjointPropertiesAxiom": (
        "a non-simple object property in a disjoint-properties axiom",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfNonSimplePropertyInObjectHasSelf": (
        "a non-simple object property in a self restriction",
        f"{SPEC} §11.1-11.2 simple object properties",
    ),
    "UseOfPropertyInChainCausesCycle": (
        "the property hierarchy with its chains is not regular (a cycle through a chain)",
        f"{SPEC} §11.2 global restrictions",
    ),
    "LastPropertyInChainNotInImposedRange": (
        "the last property of a chain must satisfy the range the chain's superproperty imposes",
        f"{SPEC} §11.2 global restrictions",
    ),
    "InsufficientOperands": ("too few operands (two at least)", f"{SPEC} §8 class expressions"),
    "InsufficientIndividuals": ("too few individuals", f"{SPEC} §9.6 assertions"),
    "InsufficientPropertyExpressions": (
        "too few properties (two at least)",
        f"{SPEC} §9.2 object property axioms",
    ),
    "EmptyOneOfAxiom": ("an enumeration needs at least one member", f"{SPEC} §8.1.4 enumerations"),
    "UnparsedTriple": (
        "a triple the mapping cannot turn into an axiom (a malformed restriction, list or axiom, or a "
        "reserved term used wrongly)",
        "OWL 2 Mapping to RDF Graphs §3, every triple must be consumed",
    ),
    "MalformedClassExpression": (
        "a restriction or class expression that cannot be read (owl:onProperty with exactly one of "
        "someValuesFrom, allValuesFrom, hasValue, hasSelf or a cardinality)",
        "OWL 2 Mapping to RDF Graphs §3.2.4 parsing of expressions",
    ),
    # checked on the RDF graph by tests/owl_structure.py: the OWL API's parser lets these through
    "DeclaredAsTwoKindsOfProperty": (
        "an IRI may not be declared as two kinds of property (object, data, annotation)",
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "DeclaredAsClassAndDatatype": (
        "an IRI may not be declared both a class and a datatype",
        f"{SPEC} §5.8.1 typing constraints",
    ),
    "ReservedVocabularyDeclared": (
        "reserved vocabulary (rdf:, rdfs:, owl:, xsd:) may not be declared anew",
        f"{SPEC} §2.4 and §5.1-5.6",
    ),
    "MalformedRestriction": (
        "a restriction has exactly one owl:onProperty and one filler (someValuesFrom, allValuesFrom, "
        "hasValue, hasSelf or a cardinality; a qualified one also one owl:onClass or owl:onDataRange)",
        "OWL 2 Mapping to RDF Graphs §3.2.4 parsing of expressions",
    ),
    "MalformedList": (
        "a list of classes, properties or members is a well-formed RDF list (one rdf:first and one "
        "rdf:rest per node, ending in rdf:nil)",
        "OWL 2 Mapping to RDF Graphs §3.2.4 parsing of expressions (sequences)",
    ),
    "TooFewMembers": (
        "owl:AllDisjointClasses, owl:AllDisjointProperties and owl:AllDifferent list two members at least",
        f"{SPEC} §9.1.3, §9.2.3, §9.6.2",
    ),
    "AnonymousIndividualCycle": (
        "object property assertions between anonymous individuals must form a forest (no cycle)",
        f"{SPEC} §11.2 anonymous individuals",
    ),
    "MissingImport": (
        "an imported ontology is not part of the project, so its axioms are not checked (imports are "
        "never fetched)",
        f"{SPEC} §3.4 imports",
    ),
    "LoadError": ("the graph cannot be read as an ontology", "OWL 2 Mapping to RDF Graphs §3"),
}


@dataclass(frozen=True)
class Violation:
    """One problem: its kind (the checker's name for the rule), the term it is about, the axiom."""

    kind: str
    term: str
    axiom: str

    @property
    def rule(self) -> str:
        return RULES.get(self.kind, (self.kind, "OWL 2 DL profile"))[0]

    @property
    def section(self) -> str:
        return RULES.get(self.kind, (self.kind, "OWL 2 DL profile"))[1]

    def __str__(self) -> str:
        return f"{self.term or '(ontology)'}: {self.rule} ({self.section}) in {self.axiom}"


def classpath() -> str:
    """The class path of Debian's libowlapi-java; ``FileNotFoundError`` naming what is missing."""
    jars = [JAVA_DIR / f"{name}.jar" for name in JARS]
    jars += sorted(p for p in JAVA_DIR.glob("rdf4j-*.jar") if not p.stem[-1].isdigit())
    missing = [str(p) for p in jars if not p.is_file()]
    if missing or len(jars) == len(JARS):
        raise FileNotFoundError(f"libowlapi-java is not installed (missing {', '.join(missing) or 'rdf4j'})")
    return ":".join(str(p) for p in jars)


def profile_violations(graphs: dict[str, rdflib.Graph], folder: Path) -> dict[str, list[Violation]]:
    """The OWL 2 DL violations of each graph, checked as an ontology of its own, by name."""
    paths = {}
    for name, graph in graphs.items():
        paths[name] = folder / f"{name}.nt"
        graph.serialize(paths[name], format="nt", encoding="utf-8")
    run = subprocess.run(
        ["java", "-cp", classpath(), str(JAVA_SOURCE), *map(str, paths.values())],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"the OWL API profile checker failed ({run.returncode}): {run.stderr[-2000:]}")
    by_path = {str(p): name for name, p in paths.items()}
    found: dict[str, list[Violation]] = {name: [] for name in graphs}
    for line in run.stdout.splitlines():
        path, kind, term, axiom = line.split("\t")
        if term.startswith(OWLAPI_ERROR):  # the term is the class the unreadable expression is about
            kind = "MalformedClassExpression"
            term = next((i for i in re.findall(r"<([^>]+)>", axiom) if not i.startswith(OWLAPI_ERROR)), "")
        elif kind == "UseOfUndeclaredDatatype" and term.startswith(XSD) and term not in OWL2_DATATYPES:
            kind = "UseOfUnknownDatatype"
        found[by_path[path]].append(Violation(kind, term, axiom))
    for name, graph in graphs.items():
        found[name] += [Violation(*problem) for problem in structure_problems(graph)]
    return found
