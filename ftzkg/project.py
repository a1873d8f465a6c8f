"""A project is a folder: ``ontology/`` (with ``shapes.ttl``), ``data/`` and ``queries/``.

:class:`Project` names such a folder and lists which file fills which named graph.
Nothing is looked up when the package is imported: :meth:`Project.default` picks
the folder when asked, from ``FTZKG_PROJECT`` (or its older spelling
``FTZKG_PROJECT_DIR``), else the Kashgar project shipped with the package (the
repository in a source checkout, ``ftzkg/_kg`` in a wheel).

The module-level functions (:func:`data_files`, ...) and names (``ROOT``,
``DATA_DIR``, ...) answer for :meth:`Project.default`; library code takes a
:class:`Project` instead.
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH

#: Environment variables naming the project folder (the first set wins).
PROJECT_ENV = ("FTZKG_PROJECT", "FTZKG_PROJECT_DIR")

#: The folder, inside a project, that holds its persistent store and indexes (git-ignored).
STATE_DIR_NAME = ".ftzkg"


class ProjectError(Exception):
    """A folder that is not a usable ftzkg project."""


@dataclass(frozen=True)
class SourceFile:
    """One file of the knowledge graph and the named graph its triples go to.

    ``graph`` is ``None`` for TriG and N-Quads files, which name their own graphs.
    """

    path: Path
    graph: str | None


@dataclass(frozen=True)
class Project:
    """A project folder and the files ``ftzkg build`` assembles from it."""

    root: Path

    @classmethod
    def at(cls, folder: Path | str) -> Project:
        """The project in ``folder``; :class:`ProjectError` when it has no ``ontology/*.ttl``."""
        root = Path(folder).expanduser().resolve()
        if not root.is_dir():
            raise ProjectError(f"{folder}: no such project folder")
        if not any((root / "ontology").glob("*.ttl")):
            raise ProjectError(
                f"{folder}: not an ftzkg project (no ontology/*.ttl); start one with ftzkg init"
            )
        return cls(root)

    @classmethod
    def shipped(cls) -> Project:
        """The Kashgar project that comes with the package."""
        here = Path(__file__).resolve().parent
        for candidate in (here.parent, here / "_kg"):
            if (candidate / "ontology" / "ftz.ttl").is_file():
                return cls(candidate)
        raise ProjectError("the ftzkg package was installed without its ontology/, data/ and queries/")

    @classmethod
    def default(cls) -> Project:
        """The folder named by ``FTZKG_PROJECT`` (or ``FTZKG_PROJECT_DIR``), else :meth:`shipped`."""
        for name in PROJECT_ENV:
            chosen = os.environ.get(name)
            if chosen:
                try:
                    return cls.at(chosen)
                except ProjectError as exc:
                    raise ProjectError(f"{name}={exc}") from None
        return cls.shipped()

    # ------------------------------------------------------------ folders

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    @property
    def state_dir(self) -> Path:
        """Where the persistent store lives: ``.ftzkg/`` in the project, or a per-user cache
        when the project folder cannot be written (a read-only install)."""
        inside = self.root / STATE_DIR_NAME
        if inside.is_dir() or os.access(self.root, os.W_OK):
            return inside
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        digest = hashlib.sha256(str(self.root).encode("utf-8")).hexdigest()[:16]
        return cache / "ftzkg" / digest

    # ------------------------------------------------------------ files

    def ontology_files(self) -> list[SourceFile]:
        """The ontology's Turtle files (all but the shapes), into the ontology graph."""
        return [
            SourceFile(p, ONTOLOGY_GRAPH)
            for p in sorted(self.ontology_dir.glob("*.ttl"))
            if p != self.shapes_file
        ]

    def shapes_files(self) -> list[SourceFile]:
        """The SHACL shapes, into the shapes graph."""
        return [SourceFile(self.shapes_file, SHAPES_GRAPH)] if self.shapes_file.is_file() else []

    def data_files(self) -> list[SourceFile]:
        """Every RDF file under ``data/`` but the contribution examples (see :mod:`ftzkg.data_graphs`).

        TriG and N-Quads files name their own graphs (``graph`` None); a triples-only
        file goes into the graph of the one source it describes. A file that is not RDF,
        or a triples-only file that does not describe exactly one source, raises
        :class:`~ftzkg.parsing.RdfInputError` naming it: nothing is skipped in silence.
        """
        from . import data_graphs

        if not self.data_dir.is_dir():
            return []
        classes = functools.cache(lambda: data_graphs.source_classes([f.path for f in self.ontology_files()]))
        return [
            SourceFile(path, data_graphs.graph_for(path, classes))
            for path in data_graphs.data_paths(self.data_dir)
        ]

    def all_files(self) -> list[SourceFile]:
        """Ontology, shapes and data: everything ``ftzkg build`` assembles."""
        return self.ontology_files() + self.shapes_files() + self.data_files()

    def display(self, path: Path) -> str:
        """``path`` relative to the project folder when inside it, else as given."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)


# ---------------------------------------------------------------- a new project

#: What ``ftzkg init`` copies from the template project: the model, the reference data, the questions.
TEMPLATE_PARTS = ("ontology", "data/reference", "queries")

GITIGNORE = f"{STATE_DIR_NAME}/\ndist/\nsite-out/\n"


def init_project(target: Path | str, template: Project | None = None) -> Project:
    """Start a new zone's project in ``target`` (absent or empty) from ``template`` (default: the
    shipped project): its ontology and shapes, reference data and query catalogue, none of its
    zone's own data. The folder appears complete or not at all."""
    import shutil
    import tempfile

    target = Path(target).expanduser()
    template = template or Project.shipped()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ProjectError(f"{target}: exists and is not an empty folder; not touching it")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-init-", dir=target.parent))
    try:
        for part in TEMPLATE_PARTS:
            source = template.root / part
            if source.is_dir():
                shutil.copytree(source, staging / part, ignore=shutil.ignore_patterns(".*", "__pycache__"))
        (staging / "data").mkdir(exist_ok=True)
        (staging / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Project.at(target)


# ---------------------------------------------------------------- the default project


def default_project() -> Project:
    """:meth:`Project.default`, as a function."""
    return Project.default()


def ontology_files() -> list[SourceFile]:
    return default_project().ontology_files()


def shapes_files() -> list[SourceFile]:
    return default_project().shapes_files()


def data_files() -> list[SourceFile]:
    return default_project().data_files()


def all_files() -> list[SourceFile]:
    return default_project().all_files()


_FOLDERS = {
    "ROOT": "root",
    "ONTOLOGY_DIR": "ontology_dir",
    "DATA_DIR": "data_dir",
    "QUERIES_DIR": "queries_dir",
    "SHAPES_FILE": "shapes_file",
}


def __getattr__(name: str) -> Path:
    """``ROOT``, ``DATA_DIR``, ... of the default project, looked up when used, not at import."""
    if name in _FOLDERS:
        return getattr(default_project(), _FOLDERS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
