"""Say so when a finding is about a code the reference data does not hold.

A trade link to ``country:XK`` fails its shape ("must point to a market") because
nothing in the graph says ``country:XK`` is a country: the code is not in the
reference data. That cause is what the contributor needs to read, with where the
code list lives and how it is made; this module rewrites such findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .namespaces import FTZ, ID
from .validation.report import (
    CONFLICT_CHECK,
    EMBEDDED_SHAPES_CHECK,
    ONTOLOGY_PROTECTION_CHECK,
    VOCABULARY_CHECK,
    Finding,
    shorten_term,
)

#: Findings of the checks made in Python, which explain themselves.
OWN_MESSAGES = frozenset({CONFLICT_CHECK, EMBEDDED_SHAPES_CHECK, ONTOLOGY_PROTECTION_CHECK, VOCABULARY_CHECK})

QUDT_UNIT = "http://qudt.org/vocab/unit/"
QUDT_CURRENCY = "http://qudt.org/vocab/currency/"

#: IRI namespace -> (what is missing, where the code list is, how to add to it)
CODE_LISTS: dict[str, tuple[str, str, str]] = {
    ID + "country/": (
        "ISO 3166-1 country with alpha-2 code",
        "data/reference/countries.trig",
        "it holds every ISO 3166-1 country, so check the code (two capital letters, such as RU)",
    ),
    ID + "region/": (
        "UN M49 region with code",
        "data/reference/regions.trig",
        "it holds every M49 region, so check the code (three digits, such as 143)",
    ),
    ID + "hs/": (
        "HS 2022 code",
        "data/reference/hs-2022.trig",
        "it holds every HS 2022 chapter, heading and subheading, so check the code "
        "(2, 4 or 6 digits without dots, such as 851631)",
    ),
    QUDT_UNIT: (
        "unit",
        "data/reference/units.trig",
        "add the unit with its QUDT IRI to UNITS in ftzkg/refdata/units.py and run `make reference`",
    ),
    QUDT_CURRENCY: (
        "ISO 4217 currency with code",
        "data/reference/currencies.trig",
        "it holds every ISO 4217 currency, so check the code (three capital letters, such as USD)",
    ),
    FTZ: (
        "term",
        "the ontology (ontology/ftz.ttl, code lists in ontology/codelists.ttl)",
        "use a term of the code lists (measures, qualifiers, statuses), or propose a new one there",
    ),
}


def explanation(iri: str) -> str | None:
    """Why ``iri`` (described nowhere in the graph) is unknown, or None if it is no reference code."""
    for namespace, (what, where, advice) in CODE_LISTS.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            code = iri[len(namespace) :]
            if namespace == FTZ:
                return f"{shorten_term(iri)} is not defined in {where}: {advice}."
            return (
                f"{shorten_term(iri)} is not in the reference data: {where} has no {what} {code}; {advice}."
            )
    return None


def explain_missing(findings: list[Finding], described: Callable[[str], bool]) -> list[Finding]:
    """The findings, with those whose value is an undescribed reference code saying so first."""
    out = []
    for finding in findings:
        value = finding.value
        own = finding.shape in OWN_MESSAGES
        reason = explanation(value) if value and not own else None
        if reason and described(value):  # a code the graph knows: the shape's own message stands
            reason = None
        out.append(replace(finding, message=f"{reason} ({finding.message})") if reason else finding)
    return out
