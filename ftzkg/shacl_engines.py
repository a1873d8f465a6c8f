"""The SHACL engines validation can run on, behind one function.

Every engine takes rdflib graphs and returns pySHACL's contract: whether the
data conforms and the SHACL validation report as an rdflib graph.
"""

from __future__ import annotations

import pyshacl
import rdflib

ENGINES = ("pyshacl",)


def run_shacl(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph | None = None,
    engine: str = "pyshacl",
) -> tuple[bool, rdflib.Graph]:
    """Validate ``data`` against ``shapes`` (with ``ontology`` for class hierarchy); never reads shapes from ``data``."""
    if engine != "pyshacl":
        raise ValueError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return bool(conforms), report
