"""ftzkg: a knowledge graph of the entities of free trade zones.

The front door is :func:`open` (see :mod:`ftzkg.api`)::

    import ftzkg

    with ftzkg.open() as kg:          # or ftzkg.open("path/to/project")
        answer = kg.query("trade-links")
        report = kg.validate()

Importing the package reads no file and looks for no project folder; the names
below are imported when first used, so a command line that needs only a few
modules starts quickly.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Answer, ProjectGraph
    from .knowledge_graph import KnowledgeGraph, Stats
    from .parsing import RdfInputError, parse_file
    from .project import Project, ProjectError
    from .validation.report import ValidationReport

_LAZY = {
    "Answer": ".api",
    "ProjectGraph": ".api",
    "KnowledgeGraph": ".knowledge_graph",
    "Stats": ".knowledge_graph",
    "RdfInputError": ".parsing",
    "parse_file": ".parsing",
    "Project": ".project",
    "ProjectError": ".project",
    "ValidationReport": ".validation.report",
}

__all__ = [
    "Answer",
    "KnowledgeGraph",
    "Project",
    "ProjectError",
    "ProjectGraph",
    "RdfInputError",
    "Stats",
    "ValidationReport",
    "__version__",
    "open",
    "parse_file",
]


def open(
    path: Path | str | None = None, *, persistent: bool = True, state_dir: Path | str | None = None
) -> ProjectGraph:
    """Open the knowledge graph of a project folder (default: ``FTZKG_PROJECT``, else the shipped one).

    See :func:`ftzkg.api.open`.
    """
    from .api import open as open_project

    return open_project(path, persistent=persistent, state_dir=state_dir)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
