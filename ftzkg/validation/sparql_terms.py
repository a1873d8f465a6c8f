"""SPARQL text for SHACL terms and value tests (what :mod:`.shacl_sparql` writes its queries with)."""

from __future__ import annotations

import rdflib
from rdflib.namespace import RDF, RDFS, SH, XSD


class Unsupported(Exception):
    """A shape this compiler cannot turn into SPARQL faithfully (the message says what)."""


#: Datatypes whose lexical form is checked (a cast from the string must succeed), as rdflib does.
CHECKED_DATATYPES = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.dateTime, XSD.date}

#: Integer datatypes derived from xsd:integer, with their ranges (rdflib refuses values outside).
INTEGER_RANGES = {
    XSD.long: (-(2**63), 2**63 - 1), XSD.int: (-(2**31), 2**31 - 1), XSD.short: (-32768, 32767),
    XSD.byte: (-128, 127), XSD.nonNegativeInteger: (0, None), XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0), XSD.negativeInteger: (None, -1),
    XSD.unsignedLong: (0, 2**64 - 1), XSD.unsignedInt: (0, 2**32 - 1), XSD.unsignedShort: (0, 65535),
    XSD.unsignedByte: (0, 255),
}  # fmt: skip


def term(node: rdflib.term.Node) -> str:
    """A shapes-graph term written in SPARQL."""
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    if isinstance(node, rdflib.Literal):
        return node.n3()
    raise Unsupported(f"a blank node ({node.n3()}) used as a value in a constraint")


def string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def true(node: rdflib.term.Node | None) -> bool:
    """A boolean true as written ``true`` (pySHACL does not read ``"1"^^xsd:boolean`` as true here)."""
    return isinstance(node, rdflib.Literal) and node.datatype == XSD.boolean and str(node) == "true"


def parameters(sg: rdflib.Graph, component: rdflib.term.Node) -> set[rdflib.term.Node]:
    return {p for parameter in sg.objects(component, SH.parameter) for p in sg.objects(parameter, SH.path)}


def datatype_matches(v: str, datatype: rdflib.term.Node) -> str:
    if datatype == RDFS.Literal:
        return f"isLiteral({v})"
    if datatype == RDF.langString:
        return f'isLiteral({v}) && LANG({v}) != ""'
    if not isinstance(datatype, rdflib.URIRef):
        raise Unsupported(f"a datatype that is not an IRI ({datatype.n3()})")
    same = f"isLiteral({v}) && sameTerm(DATATYPE({v}), <{datatype}>)"
    if datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        lexical = f'REGEX(STR({v}), "^[+-]?[0-9]+$")'
        number = f"<{XSD.integer}>(STR({v}))"
        bounds = [
            f"{number} >= {low}" if low is not None else "",
            f"{number} <= {high}" if high is not None else "",
        ]
        checks = " && ".join([lexical, *[b for b in bounds if b]])
        return f"{same} && COALESCE({checks}, false)"
    if datatype in CHECKED_DATATYPES:  # an ill-typed literal ("x"^^xsd:integer) does not match
        return f"{same} && COALESCE(sameTerm(DATATYPE(<{datatype}>(STR({v}))), <{datatype}>), false)"
    return same


def node_kind(v: str, kind: rdflib.term.Node) -> str:
    kinds = {
        SH.IRI: f"isIRI({v})",
        SH.BlankNode: f"isBlank({v})",
        SH.Literal: f"isLiteral({v})",
        SH.BlankNodeOrIRI: f"(isIRI({v}) || isBlank({v}))",
        SH.BlankNodeOrLiteral: f"(isBlank({v}) || isLiteral({v}))",
        SH.IRIOrLiteral: f"(isIRI({v}) || isLiteral({v}))",
    }
    if kind not in kinds:
        raise Unsupported(f"an unknown sh:nodeKind ({kind.n3()})")
    return kinds[kind]
