"""Validation of the knowledge graph and of contributions to it, one job per module:

- :mod:`.report`: the report model (findings, additions, JSON and SHACL report graph);
- :mod:`.whole_graph`: the whole graph with the project's shapes and vocabulary;
- :mod:`.contribution`: new files checked in the context of the existing graph;
- :mod:`.shape_runs`: running the shapes and turning the engine's report into findings;
- :mod:`.engines`: the SHACL engines behind one function (:mod:`.engine_names` their names);
- :mod:`.sparql_shapes`: SHACL-SPARQL shapes evaluated on Oxigraph;
- :mod:`.sparql_results`: a SHACL-SPARQL constraint's results by pySHACL's rules, without rdflib;
- :mod:`.shacl_sparql` (with :mod:`.sparql_terms`): SHACL core compiled to SPARQL queries;
- :mod:`.store_engine`: the compiled queries run on a store (the ``sparql`` engine);
- :mod:`.store_validation`: whole-graph validation on the graph's own store;
- :mod:`.vocabulary`: unknown or misspelt terms;
- :mod:`.graph_walks`: neighbourhoods of focus nodes in a store;
- :mod:`.source_locator`: the file and line a node is written on;
- :mod:`.text_format`: the report as text;
- :mod:`.rdflib_patch`: the one place rdflib is patched while validation runs, with ``undo()``.

The names below are imported from their module when first used (``from ftzkg.validation
import Finding`` loads only the report model).
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "validate_contribution": "contribution",
    **dict.fromkeys(
        ["INVERSE_PROPERTIES", "NEIGHBOURHOOD_HOPS", "Node", "StoreView", "dependents", "neighbourhood"],
        "graph_walks",
    ),
    **dict.fromkeys(
        [
            "CONFLICT_CHECK",
            "EMBEDDED_SHAPES_CHECK",
            "IMPORTS_CHECK",
            "ONTOLOGY_PROTECTION_CHECK",
            "SEVERITIES",
            "VOCABULARY_CHECK",
            "Additions",
            "Finding",
            "ValidationReport",
            "findings_from_report",
            "shorten_term",
            "sort_findings",
        ],
        "report",
    ),
    **dict.fromkeys(["load_shapes", "ontology_quads", "shacl_findings", "to_rdflib"], "shape_runs"),
    **dict.fromkeys(["Locations", "SourceLocator", "display_path"], "source_locator"),
    "format_text": "text_format",
    **dict.fromkeys(["validate_knowledge_graph", "vocabulary_findings"], "whole_graph"),
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
