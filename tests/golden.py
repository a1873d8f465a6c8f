"""Golden query answers, pinned to a frozen copy of the data kept with the tests.

The answers in ``tests/expected/queries/`` are what the catalogue queries give on
``tests/frozen/`` (a copy of ``ontology/`` and ``data/`` taken when the answers were
last regenerated), never on the live data: adding a valid source to ``data/`` cannot
change them. After changing a query, the ontology or the data on purpose, regenerate
both with one command::

    make golden        # = .venv/bin/python tests/golden.py

``tests/test_golden.py`` fails when the committed answers differ from what the frozen
copy gives, so stale answers cannot be committed unnoticed.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FROZEN = HERE / "frozen"
EXPECTED = HERE / "expected" / "queries"
MANIFEST = FROZEN / "MANIFEST.tsv"


def frozen_files():
    """The frozen copy as project files (path, named graph), from its manifest."""
    from ftzkg import project

    files = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            relative, graph = line.split("\t")
            files.append(project.SourceFile(FROZEN / relative, None if graph == "-" else graph))
    return files


def frozen_kg():
    """The knowledge graph of the frozen copy, with its derived graphs."""
    from ftzkg.knowledge_graph import KnowledgeGraph

    return KnowledgeGraph.load(frozen_files(), derive=True)


def answer(kg, query) -> str:
    """A catalogue query's answer as CSV with default parameters, as ``ftzkg query NAME --format csv``."""
    from ftzkg.querying import EmbeddedBackend, execute
    from ftzkg.results import write

    out = io.BytesIO()
    write(execute(EmbeddedBackend(kg.store), query.text, query=query, params={}), out, "csv")
    return out.getvalue().decode("utf-8")


def freeze() -> None:
    """Copy the project's ontology, shapes and data files into tests/frozen/ (replacing the old copy)."""
    from ftzkg import project

    if FROZEN.exists():
        shutil.rmtree(FROZEN)
    lines = ["# frozen copy of the project's files for the golden answers: path<TAB>named graph (- for TriG)"]
    for source in project.all_files():
        relative = source.path.resolve().relative_to(project.ROOT)
        target = FROZEN / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.path, target)
        lines.append(f"{relative.as_posix()}\t{source.graph or '-'}")
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")


def regenerate() -> list[Path]:
    """Write every catalogue query's answer on the frozen copy to tests/expected/queries/."""
    from ftzkg.catalogue import catalogue

    kg = frozen_kg()
    EXPECTED.mkdir(parents=True, exist_ok=True)
    written = []
    for query in catalogue():
        path = EXPECTED / f"{query.name}.csv"
        path.write_bytes(answer(kg, query).encode("utf-8"))
        written.append(path)
    for stale in set(EXPECTED.glob("*.csv")) - set(written):
        stale.unlink()
    return written


def main(argv: list[str]) -> int:
    froze = "--answers-only" not in argv
    if froze:
        freeze()
    written = regenerate()
    done = f"froze the data in {FROZEN.relative_to(HERE.parent)}/ and " if froze else ""
    print(f"{done}wrote {len(written)} answers to {EXPECTED.relative_to(HERE.parent)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
