"""Which named graph each file under ``data/`` fills, or why it cannot be loaded.

Every RDF file under ``data/`` is loaded; nothing is skipped in silence:

- TriG and N-Quads files name their own graphs. A triple outside every named graph
  has no source, so such a file stops the build (checked as the file is loaded,
  :func:`outside_named_graphs`).
- Turtle, N-Triples, RDF/XML and JSON-LD without named graphs hold triples only. Their graph is the
  one ``ftz:Source`` (or subclass, such as ``ftz:ReferenceStandard``) the file
  describes: the triples go into the named graph whose IRI is that source, so the
  file is one source's graph like a TriG file. A triples-only file that describes no
  source, or several, stops the build, naming the file.
- ``README.md`` and other ``.md``/``.txt`` files are documentation; files and folders
  whose name starts with a dot are ignored; ``data/contributions/`` holds examples,
  never loaded. Any other file stops the build, naming it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox

from .namespaces import FTZ
from .parsing import FORMATS, RdfInputError, format_for

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
DOCUMENTATION = (".md", ".txt")
EXAMPLES_FOLDER = "contributions"


def data_paths(data_dir: Path) -> list[Path]:
    """The RDF files under ``data_dir``, sorted; :class:`RdfInputError` for a file that is not RDF."""
    found = []
    for path in sorted(data_dir.rglob("*")):
        parts = path.relative_to(data_dir).parts
        if path.is_dir() or parts[0] == EXAMPLES_FOLDER or any(p.startswith(".") for p in parts):
            continue
        suffix = path.suffix.lower()
        if suffix in DOCUMENTATION:
            continue
        if suffix not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise RdfInputError(
                path,
                f"not an RDF file the build can read (expected one of {known}); every file under data/ "
                "is loaded, so move it out of data/",
            )
        found.append(path)
    return found


def source_classes(ontology_files: list[Path]) -> frozenset[str]:
    """ftz:Source and every class the ontology files make a subclass of it (at any depth)."""
    return source_classes_of(q for path in ontology_files for q in _parse(path))


def source_classes_of(ontology: Iterable[ox.Quad]) -> frozenset[str]:
    """ftz:Source and every class these ontology quads make a subclass of it (at any depth)."""
    parents: dict[str, set[str]] = {}
    for quad in ontology:
        if quad.predicate.value == RDFS_SUBCLASS and isinstance(quad.object, ox.NamedNode):
            parents.setdefault(quad.object.value, set()).add(str(quad.subject.value))
    found, todo = {FTZ + "Source"}, [FTZ + "Source"]
    while todo:
        for child in parents.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def triples_graph(path: Path, classes: frozenset[str]) -> str:
    """The IRI of the one source a triples-only file describes; :class:`RdfInputError` otherwise."""
    st = path.stat()
    return _triples_graph(path, st.st_mtime_ns, st.st_size, classes)


@functools.lru_cache(maxsize=256)
def _triples_graph(path: Path, _mtime: int, _size: int, classes: frozenset[str]) -> str:
    return described_source(path, _parse(path), classes)


def described_source(
    where: Path | str, quads: Iterable[ox.Quad], classes: frozenset[str], suffix: str | None = None
) -> str:
    """The IRI of the one source a triples-only file's ``quads`` describe; :class:`RdfInputError`
    naming ``where`` (a file with ``suffix``, by default its own) when they describe none, or several."""
    sources = sorted(
        {
            q.subject.value
            for q in quads
            if q.predicate.value == RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
            and q.object.value in classes
            and isinstance(q.subject, ox.NamedNode)
        }
    )
    kind = (suffix if suffix is not None else Path(str(where)).suffix).lower()
    if len(sources) != 1:
        found = "none" if not sources else f"{len(sources)}: " + ", ".join(f"<{s}>" for s in sources)
        raise RdfInputError(
            where,
            f"a {kind} file holds triples only, so its named graph is the one ftz:Source it describes, and "
            f"it must describe exactly one (found {found}); describe its source in it, split it, or "
            "write it as TriG with the source's IRI as graph name",
        )
    return sources[0]


def check_loadable(where: Path | str, path: Path, quads: list[ox.Quad], classes: frozenset[str]) -> None:
    """:class:`RdfInputError` (naming ``where``) when the build would refuse ``path`` as a data file:
    a file naming its graphs with a triple outside them, or a triples-only file that does not
    describe exactly one source (the rules of :func:`graph_for` and :func:`outside_named_graphs`)."""
    fmt = format_for(path)
    named = any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads)
    if named or (fmt.supports_datasets and fmt != ox.RdfFormat.JSON_LD):
        outside_named_graphs(where, quads)
    else:
        described_source(where, quads, classes, path.suffix)


def graph_for(path: Path, classes: Callable[[], frozenset[str]]) -> str | None:
    """The graph a data file's triples go to: None when the file names its own graphs
    (TriG, N-Quads, JSON-LD with named graphs), else the one source it describes."""
    fmt = format_for(path)
    if fmt == ox.RdfFormat.JSON_LD:
        if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in _parse(path)):
            return None
    elif fmt.supports_datasets:
        return None
    return triples_graph(path, classes())


SD_NAMED_GRAPH = "http://www.w3.org/ns/sparql-service-description#NamedGraph"
FOAF_PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"


def graph_descriptions(quads: Iterable[ox.Quad], classes: frozenset[str]) -> list[ox.Triple]:
    """Each named graph of ``quads`` as a node for the shapes (ftzsh:DataGraphShape):
    ``<G> a sd:NamedGraph``, and ``<G> foaf:primaryTopic <S>`` for each source S typed in G."""
    graphs: set[ox.NamedNode] = set()
    topics: set[tuple[ox.NamedNode, ox.NamedNode]] = set()
    for q in quads:
        if not isinstance(q.graph_name, ox.NamedNode):
            continue
        graphs.add(q.graph_name)
        if (
            q.predicate.value == RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
            and q.object.value in classes
            and isinstance(q.subject, ox.NamedNode)
        ):
            topics.add((q.graph_name, q.subject))
    rdf_type, named, topic = (
        ox.NamedNode(RDF_TYPE),
        ox.NamedNode(SD_NAMED_GRAPH),
        ox.NamedNode(FOAF_PRIMARY_TOPIC),
    )
    return [ox.Triple(g, rdf_type, named) for g in sorted(graphs, key=str)] + [
        ox.Triple(g, topic, s) for g, s in sorted(topics, key=str)
    ]


def outside_named_graphs(path: Path | str, quads: list[ox.Quad] | int) -> None:
    """:class:`RdfInputError` when a TriG or N-Quads data file puts triples in the default graph
    (``quads``: the file's quads, or the number of them in the default graph)."""
    if isinstance(quads, int):
        loose = quads
    else:
        loose = sum(1 for q in quads if isinstance(q.graph_name, ox.DefaultGraph))
    if loose:
        raise RdfInputError(
            path,
            f"{loose} triple(s) outside any named graph: in a data file every triple belongs to the named "
            "graph of its source (GRAPH <source IRI> { ... })",
        )


def _parse(path: Path) -> list[ox.Quad]:
    from .parsing import parse_file

    return parse_file(path)


__all__ = [
    "check_loadable",
    "data_paths",
    "described_source",
    "graph_descriptions",
    "graph_for",
    "outside_named_graphs",
    "source_classes",
    "source_classes_of",
    "triples_graph",
]
