"""Build the whole site from a knowledge graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..knowledge_graph import KnowledgeGraph
from ..namespaces import PREFIXES
from . import paths
from .catalogue_answers import answers
from .index_page import IndexPage
from .markup import Renderer, stylesheet
from .network_svg import network_svg
from .ontology_reference import OntologyReference, collect_ontology
from .output import write_tree
from .pages import EntityPages
from .site_data import collect
from .site_queries import construct


@dataclass(frozen=True)
class SiteSummary:
    """What was written: where, how many files, entity pages, ontology terms, catalogue questions."""

    out_dir: Path
    files: int
    entity_pages: int
    ontology_terms: int
    questions: int


def site_files(kg: KnowledgeGraph, queries_dir: Path | None = None) -> tuple[dict[str, bytes], SiteSummary]:
    """Every file of the site (relative path -> bytes), generated from ``kg`` through SPARQL;
    the catalogue's questions come from ``queries_dir`` (default: the default project's)."""
    data = collect(kg)
    ontology = collect_ontology(kg)
    renderer = Renderer(data, ontology.anchored())
    catalogue_answers = answers(kg, queries_dir)
    files: dict[str, bytes] = {paths.STYLE: stylesheet().encode("utf-8")}
    files.update(EntityPages(kg, data, renderer).files())
    files[paths.ONTOLOGY] = OntologyReference(ontology, renderer).html().encode("utf-8")
    onto_triples = construct(kg, "ontology-graph")
    files["ontology.ttl"] = ox.serialize(onto_triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    svg = network_svg(kg, renderer)
    files[paths.INDEX] = IndexPage(kg, renderer, svg, catalogue_answers).html().encode("utf-8")
    summary = SiteSummary(
        out_dir=Path(),
        files=len(files),
        entity_pages=len(data.entities),
        ontology_terms=len(ontology.terms),
        questions=len(catalogue_answers),
    )
    return files, summary


def build_site(kg: KnowledgeGraph, out_dir: Path | str, queries_dir: Path | None = None) -> SiteSummary:
    """Generate the static site of ``kg`` into ``out_dir`` (replaced whole, never half-written)."""
    files, summary = site_files(kg, queries_dir)
    write_tree(files, Path(out_dir))
    return SiteSummary(
        Path(out_dir), summary.files, summary.entity_pages, summary.ontology_terms, summary.questions
    )
