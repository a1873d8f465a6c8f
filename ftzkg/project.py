"""Where the project's ontology, shapes, data and queries are, and which graph each file fills."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH


def _find_root() -> Path:
    """The folder that holds ``ontology/``, ``data/`` and ``queries/``.

    In a source checkout (editable install) it is the repository; in a wheel the
    same folders are packaged under ``ftzkg/_kg``. The environment variable
    ``FTZKG_PROJECT_DIR`` names another such folder (a copy of the project to try
    a new source in).
    """
    chosen = os.environ.get("FTZKG_PROJECT_DIR")
    if chosen:
        folder = Path(chosen).resolve()
        if not (folder / "ontology" / "ftz.ttl").is_file():
            raise FileNotFoundError(f"FTZKG_PROJECT_DIR={chosen}: no ontology/ftz.ttl there")
        return folder
    here = Path(__file__).resolve().parent
    for candidate in (here.parent, here / "_kg"):
        if (candidate / "ontology" / "ftz.ttl").is_file():
            return candidate
    raise FileNotFoundError("cannot find the ftzkg ontology/ and data/ folders next to the package")


ROOT = _find_root()
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


@dataclass(frozen=True)
class SourceFile:
    """One file of the knowledge graph and the named graph its triples go to.

    ``graph`` is ``None`` for TriG and N-Quads files, which name their own graphs.
    """

    path: Path
    graph: str | None


def ontology_files() -> list[SourceFile]:
    """The ontology's Turtle files (all but the shapes), into the ontology graph."""
    return [SourceFile(p, ONTOLOGY_GRAPH) for p in sorted(ONTOLOGY_DIR.glob("*.ttl")) if p != SHAPES_FILE]


def shapes_files() -> list[SourceFile]:
    """The SHACL shapes, into the shapes graph."""
    return [SourceFile(SHAPES_FILE, SHAPES_GRAPH)] if SHAPES_FILE.is_file() else []


def data_files() -> list[SourceFile]:
    """Every TriG file under ``data/`` except contribution examples; each names its own graph."""
    return [
        SourceFile(p, None)
        for p in sorted(DATA_DIR.rglob("*.trig"))
        if "contributions" not in p.relative_to(DATA_DIR).parts
    ]


def all_files() -> list[SourceFile]:
    """Ontology, shapes and data: everything ``ftzkg build`` assembles."""
    return ontology_files() + shapes_files() + data_files()
