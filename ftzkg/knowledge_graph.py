"""The knowledge graph as one dataset: ontology, shapes and data in their named graphs.

The dataset lives in an embedded Oxigraph store (fast to load and to query);
:meth:`KnowledgeGraph.rdflib_graph` hands a copy to rdflib-based tools such as
pySHACL and owlrl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import project
from .data_graphs import outside_named_graphs
from .namespaces import DERIVED_GRAPHS, ONTOLOGY_GRAPH, SHAPES_GRAPH
from .parsing import parse_file

if TYPE_CHECKING:
    import rdflib

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@dataclass(frozen=True)
class Stats:
    """Counts that describe a knowledge graph."""

    triples: int
    graphs: dict[str, int]
    classes: dict[str, int]


class KnowledgeGraph:
    """An RDF dataset with one named graph per source, held in an Oxigraph store."""

    def __init__(self, store: ox.Store | None = None):
        self.store = store if store is not None else ox.Store()

    @classmethod
    def load(
        cls,
        files: Iterable[project.SourceFile] | None = None,
        derive: bool | None = None,
        project_: project.Project | None = None,
    ) -> KnowledgeGraph:
        """Parse a project's files (``project_``, else the default project), or the given ones,
        into a new in-memory store.

        With ``derive`` (the default for a project's own files) the derived graphs are
        computed too: the corroboration statuses (:mod:`ftzkg.corroboration`).
        """
        kg = cls()
        derive = files is None if derive is None else derive
        if files is None:
            files = (project_ or project.Project.default()).all_files()
        for source in files:
            kg.add_file(source)
        if derive:
            kg.derive()
        return kg

    def derive(self) -> None:
        """(Re)compute the derived named graphs from the data graphs."""
        from .corroboration import add_corroboration_graph

        add_corroboration_graph(self.store)

    def add_file(self, source: project.SourceFile) -> int:
        """Add one file's quads; returns how many were parsed."""
        quads = parse_file(source.path, source.graph)
        if source.graph is None:  # a data file naming its own graphs: no triple may be left without one
            outside_named_graphs(source.path, quads)
        self.store.extend(quads)
        return len(quads)

    def __len__(self) -> int:
        return len(self.store)

    def graph_names(self) -> list[str]:
        """The IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def quads(self, graphs: Iterable[str] | None = None) -> list[ox.Quad]:
        """The quads of the given named graphs (all when None)."""
        if graphs is None:
            return list(self.store.quads_for_pattern(None, None, None, None))
        out: list[ox.Quad] = []
        for g in graphs:
            out.extend(self.store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        return out

    def rdflib_graph(self, graphs: Iterable[str] | None = None) -> rdflib.Graph:
        """The union of the given named graphs (all when None) as an rdflib graph.

        The copy goes through N-Triples, so plain literals stay plain (Oxigraph would
        otherwise hand "x" back as "x"^^xsd:string and upset sh:in checks).
        """
        import rdflib

        data = ox.serialize((q.triple for q in self.quads(graphs)), format=ox.RdfFormat.N_TRIPLES)
        union = rdflib.Graph()
        union.parse(data=data, format="nt")
        return union

    def data_graph_names(self) -> list[str]:
        """Every named graph but the shapes graph."""
        return [g for g in self.graph_names() if g != SHAPES_GRAPH]

    def source_graph_names(self) -> list[str]:
        """The named graphs of the sources: neither ontology, shapes nor derived graphs."""
        skip = {ONTOLOGY_GRAPH, SHAPES_GRAPH, *DERIVED_GRAPHS}
        return [g for g in self.graph_names() if g not in skip]

    def stats(self) -> Stats:
        """Triple counts in all, per named graph, and instances per class (over data and ontology)."""
        graphs = {g: self._count(f"GRAPH <{g}> {{ ?s ?p ?o }}") for g in self.graph_names()}
        classes: Counter[str] = Counter()
        data_graphs = " ".join(f"<{g}>" for g in self.data_graph_names())
        if data_graphs:
            for row in self.select(
                "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                f"VALUES ?g {{ {data_graphs} }} GRAPH ?g {{ ?s a ?c }} FILTER(isIRI(?c)) }} GROUP BY ?c"
            ):
                classes[row["c"].value] += int(row["n"].value)
        return Stats(
            triples=self._count("{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"),
            graphs=graphs,
            classes=dict(sorted(classes.items())),
        )

    def select(self, text: str, **options: object) -> ox.QuerySolutions:
        """The solutions of a SELECT query on the store (``options`` as for ``Store.query``)."""
        solutions = self.store.query(text, **options)  # type: ignore[arg-type]  # Store.query's keywords
        if not isinstance(solutions, ox.QuerySolutions):
            raise TypeError(f"not a SELECT query: {text[:60]}")
        return solutions

    def _count(self, pattern: str) -> int:
        row = next(iter(self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))
        return int(row["n"].value)
