"""Validating the whole knowledge graph: every data graph with the project's shapes, plus
vocabulary conformance, contradictions between sources and missing references.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from .. import project
from ..knowledge_graph import KnowledgeGraph
from ..namespaces import ONTOLOGY_GRAPH
from ..source_index import MemoryIndex
from .engine_names import WHOLE_GRAPH_ENGINE
from .report import (
    VOCABULARY_CHECK,
    Finding,
    ValidationReport,
    sort_findings,
)
from .source_locator import (
    Locations,
    SourceLocator,
)
from .vocabulary import Vocabulary


def vocabulary_findings(vocabulary: Vocabulary, quads: Iterable[ox.Quad]) -> list[Finding]:
    """Unknown or misspelt terms as violations."""
    return [
        Finding(
            "Violation", problem.subject.strip("<>"), VOCABULARY_CHECK, problem.message, value=problem.term
        )
        for problem in vocabulary.check(quads)
    ]


def validate_knowledge_graph(
    kg: KnowledgeGraph | None = None,
    engine: str = WHOLE_GRAPH_ENGINE,
    project_: project.Project | None = None,
    index: Locations | None = None,
) -> ValidationReport:
    """Validate every data graph with the project's shapes and ontology, plus vocabulary conformance.

    ``project_`` (default: :meth:`ftzkg.project.Project.default`) gives the shapes and
    names the data files; ``kg`` defaults to its files loaded in memory. Findings are
    placed in files by ``index`` (the persistent store's), else by an index of the data
    files made here. The data (with the ontology's triples) go to the engine as
    N-Triples text: the default engine never needs an rdflib copy of the whole graph.
    """
    from .engines import ntriples_of  # the engines load rdflib: not for a contribution's vocabulary check
    from .shape_runs import load_shapes, ontology_quads, shacl_findings, to_rdflib

    project_ = project_ or project.Project.default()
    kg = kg if kg is not None else KnowledgeGraph.load(project_=project_)
    data_graphs = [ox.NamedNode(g) for g in kg.source_graph_names()]

    def data_quads() -> Iterator[ox.Quad]:
        # streamed from the store at each pass: the data are never held as Python objects at once
        for graph in data_graphs:
            yield from kg.store.quads_for_pattern(None, None, None, graph)

    ontology = kg.quads([ONTOLOGY_GRAPH]) or ontology_quads(project_)
    from ..data_graphs import graph_descriptions, source_classes_of  # imports parsing, like this module

    if engine == "sparql":
        from .store_validation import store_findings

        findings, report = store_findings(kg, data_graphs, ontology, load_shapes(project_))
    else:
        described = [
            ox.Quad(t.subject, t.predicate, t.object)
            for t in graph_descriptions(data_quads(), source_classes_of(ontology))
        ]
        findings, report = shacl_findings(
            ntriples_of(itertools.chain(data_quads(), ontology, described)),
            to_rdflib(ontology),
            load_shapes(project_),
            engine,
        )
    findings += vocabulary_findings(Vocabulary.from_quads(ontology), data_quads())
    from ..source_contradictions import graph_contradictions  # imports this module

    findings += graph_contradictions(kg.store)
    from ..missing_reference import explain_missing  # imports this module

    findings = explain_missing(
        findings,
        lambda iri: any(True for _ in kg.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)),
    )
    files = [s.path for s in project_.data_files()]
    if index is None:
        index = MemoryIndex((project_.display(p), p) for p in files)
    located = [_with_index(f, index, project_) for f in findings]
    return ValidationReport(
        findings=sort_findings(located),
        report_graph=report,
        files=[project_.display(p) for p in files],
        focus_nodes=_subjects(kg, data_graphs),
    )


def _subjects(kg: KnowledgeGraph, graphs: list[ox.NamedNode]) -> int:
    """How many distinct subjects the data graphs have (counted by the store, not in Python)."""
    if not graphs:
        return 0
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = list(graphs)
    rows = kg.store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }", default_graph=default)
    assert isinstance(rows, ox.QuerySolutions)
    return int(next(iter(rows))["n"].value)


def _with_index(finding: Finding, index: Locations, project_: project.Project) -> Finding:
    """The finding placed at its focus node's line; an unknown term at its first mention in that file."""
    if finding.file is not None:
        return finding
    name, line = index.locate(finding.focus)
    if name is not None and finding.shape == VOCABULARY_CHECK and finding.value:
        mention = SourceLocator([project_.root / name], {project_.root / name: name}).first_mention(
            finding.value
        )
        name, line = mention if mention[0] else (name, line)
    return Finding(**{**finding.__dict__, "file": name, "line": line})


def _with_location(finding: Finding, locator: SourceLocator, only: str | None = None) -> Finding:
    if finding.file is not None:
        return finding
    if finding.shape == VOCABULARY_CHECK and finding.value:
        name, line = locator.first_mention(finding.value, only)
    else:
        name, line = locator.locate(finding.focus, only)
    return Finding(**{**finding.__dict__, "file": name, "line": line})
