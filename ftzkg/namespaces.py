"""The IRIs of the ftzkg vocabulary, its instances and its named graphs."""

from __future__ import annotations

ONTOLOGY = "https://w3id.org/ftzkg/ontology"
FTZ = ONTOLOGY + "#"
ID = "https://w3id.org/ftzkg/id/"
SHAPES = "https://w3id.org/ftzkg/shapes"
SHAPES_NS = SHAPES + "#"

ONTOLOGY_GRAPH = ONTOLOGY
SHAPES_GRAPH = SHAPES
#: Named graphs computed from the sources' graphs when the graph is assembled (never contributed).
CORROBORATION_GRAPH = ID + "graph/corroboration"
DERIVED_GRAPHS = (CORROBORATION_GRAPH,)

#: Prefixes the project writes and the queries may use without declaring them.
PREFIXES: dict[str, str] = {
    "ftz": FTZ,
    "ftzsh": SHAPES_NS,
    "source": ID + "source/",
    "zone": ID + "zone/",
    "place": ID + "place/",
    "firm": ID + "firm/",
    "product": ID + "product/",
    "sector": ID + "sector/",
    "country": ID + "country/",
    "region": ID + "region/",
    "hs": ID + "hs/",
    "link": ID + "link/",
    "obs": ID + "observation/",
    "period": ID + "period/",
    "date": ID + "date/",
    "policy": ID + "policy/",
    "facility": ID + "facility/",
    "effect": ID + "effect/",
    "value": ID + "value/",
    "agent": ID + "agent/",
    "reform": ID + "reform/",
    "note": ID + "characterisation/",
    "corridor": ID + "corridor/",
    "scheme": ID + "scheme/",
    "assessment": ID + "assessment/",
    "derivation": ID + "derivation/",
    "correction": ID + "correction/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "rov": "http://www.w3.org/ns/regorg#",
    "schema": "https://schema.org/",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "cur": "http://qudt.org/vocab/currency/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}


def sparql_prologue() -> str:
    """PREFIX declarations for every prefix in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def shorten(iri: str) -> str:
    """``ftz:Enterprise`` for the full IRI, the IRI in angle brackets when no prefix fits."""
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best) :]}"
