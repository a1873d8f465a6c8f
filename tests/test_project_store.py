"""The persistent store: built once, kept current file by file, shared safely between processes."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from ftzkg.blank_nodes import relabel
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import ONTOLOGY_GRAPH
from ftzkg.parsing import RdfInputError
from ftzkg.project import Project
from ftzkg.project_store import ProjectStore, StoreBusyError

SHIPPED = Project.shipped()
KASHGAR = "data/kashgar/kashgar-ftz-2025-article.trig"
REGIONS = "data/reference/regions.trig"


def copy_project(folder: Path) -> Project:
    for part in ("ontology", "data", "queries"):
        shutil.copytree(SHIPPED.root / part, folder / part)
    return Project.at(folder)


@pytest.fixture
def project(tmp_path) -> Project:
    return copy_project(tmp_path / "project")


def quads_of(kg: KnowledgeGraph) -> set[str]:
    """The quads, blank nodes labelled by their content (parsing names them afresh each time)."""
    return {str(q) for q in relabel(list(kg.store.quads_for_pattern(None, None, None, None)))}


def same_as_in_memory(project: Project) -> bool:
    with ProjectStore(project).open() as opened:
        return quads_of(opened.kg) == quads_of(KnowledgeGraph.load(project_=project))


def test_a_fresh_store_holds_what_parsing_the_files_gives(project):
    report = ProjectStore(project).update()
    assert sorted(report.parsed) == sorted(project.display(s.path) for s in project.all_files())
    assert same_as_in_memory(project)
    assert (project.root / ".ftzkg" / "store").is_dir()


def test_an_unchanged_file_is_not_parsed_again_even_when_touched(project):
    store = ProjectStore(project)
    store.update()
    assert store.stale() == []
    again = store.update()
    assert again.parsed == [] and again.unchanged == len(project.all_files())
    os.utime(project.root / KASHGAR)  # new modification time, same content
    assert store.stale() == [KASHGAR]
    touched = store.update()
    assert touched.parsed == [] and store.stale() == []


def test_a_changed_file_replaces_only_its_own_graph(project):
    store = ProjectStore(project)
    store.update()
    path = project.root / REGIONS
    path.write_text(path.read_text(encoding="utf-8").replace('"Central Asia"@en', '"Middle Asia"@en'))
    report = store.update()
    assert report.parsed == [REGIONS]
    with store.open() as opened:
        text = "\n".join(quads_of(opened.kg))
    assert "Middle Asia" in text and '"Central Asia"@en' not in text
    assert same_as_in_memory(project)


def test_a_changed_ontology_file_reloads_every_file_of_the_shared_graph(project):
    store = ProjectStore(project)
    store.update()
    path = project.ontology_dir / "codelists.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    report = store.update()
    assert set(report.parsed) == {"ontology/codelists.ttl", "ontology/ftz.ttl"}
    with store.open() as opened:
        assert opened.kg.quads([ONTOLOGY_GRAPH]) and same_as_in_memory(project)


def test_a_removed_file_drops_its_graphs_and_a_new_one_is_added(project):
    store = ProjectStore(project)
    store.update()
    moved = project.root / REGIONS
    extra = project.data_dir / "extra" / "regions-copy.trig"
    extra.parent.mkdir()
    shutil.move(moved, extra)
    report = store.update()
    assert report.removed == [REGIONS] and report.parsed == ["data/extra/regions-copy.trig"]
    assert same_as_in_memory(project)
    extra.unlink()
    assert store.update().removed == ["data/extra/regions-copy.trig"]
    assert same_as_in_memory(project)


def test_a_source_that_breaks_stops_the_update_and_is_retried_until_fixed(project):
    store = ProjectStore(project)
    store.update()
    path = project.root / REGIONS
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\nthis is not trig .\n", encoding="utf-8")
    with pytest.raises(RdfInputError) as raised:
        store.update()
    assert str(raised.value).startswith(str(path)) and raised.value.line is not None
    assert store.stale() == [REGIONS]  # still to be loaded: the next command tries again
    with pytest.raises(RdfInputError):
        store.update()
    path.write_text(good, encoding="utf-8")
    assert store.update().parsed == [REGIONS]
    assert same_as_in_memory(project)


def _update(root: str) -> int:
    return len(ProjectStore(Project.at(root)).update().parsed)


def test_concurrent_updates_leave_one_consistent_store(project):
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        parsed = pool.map(_update, [str(project.root)] * 3)
    assert sum(parsed) == len(project.all_files())  # one process loaded, the others found it current
    assert same_as_in_memory(project)


def test_an_update_waits_for_readers_and_gives_up_with_a_clear_error(project):
    ProjectStore(project).update()
    (project.root / REGIONS).write_text(
        (project.root / REGIONS).read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    busy = pytest.raises(StoreBusyError, match="in use by another ftzkg process")
    with ProjectStore(project).open(update=False), busy:
        ProjectStore(project, lock_timeout=0.3).update()


def test_every_command_notices_an_edited_source_and_says_it_updated(project):
    env = {**os.environ, "FTZKG_PROJECT": str(project.root)}
    sparql = "SELECT ?label WHERE { <https://w3id.org/ftzkg/id/region/143> rdfs:label ?label }"

    def ask() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "ftzkg", "query", "--sparql", sparql, "--format", "csv"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = ask()
    assert first.returncode == 0 and "Central Asia" in first.stdout
    assert "store: updated" in first.stderr  # the first command builds the store
    fresh = ask()
    assert fresh.stdout == first.stdout and fresh.stderr == ""  # current: nothing said, nothing parsed
    path = project.root / REGIONS
    path.write_text(path.read_text(encoding="utf-8").replace('"Central Asia"@en', '"Middle Asia"@en'))
    stale = ask()
    assert "Middle Asia" in stale.stdout and "Central Asia" not in stale.stdout
    assert stale.stderr.strip() == f"store: updated from 1 changed file(s): {REGIONS}"


def test_validation_locates_findings_from_the_store_index_without_indexing_files_again(project, monkeypatch):
    import ftzkg.source_index
    import ftzkg.validation

    path = project.root / KASHGAR
    path.write_text(
        path.read_text(encoding="utf-8").replace(" a ftz:Enterprise", " a ftz:Enterprize", 1),
        encoding="utf-8",
    )
    with ProjectStore(project).open() as opened:
        from_store_index = None

        def no_reading(*args, **kwargs):
            raise AssertionError("a data file was indexed again")

        with monkeypatch.context() as patched:
            patched.setattr(ftzkg.source_index, "index_file", no_reading)
            from_store_index = ftzkg.validation.validate_knowledge_graph(
                opened.kg, project_=project, index=opened.index
            )
    in_memory = ftzkg.validation.validate_knowledge_graph(
        KnowledgeGraph.load(project_=project), project_=project
    )
    assert from_store_index.findings == in_memory.findings
    assert any(f.file == KASHGAR and f.line for f in from_store_index.findings)


def test_the_store_answers_what_the_store_of_oxigraph_holds(project):
    """The store is a plain Oxigraph store: any Oxigraph tool can read it."""
    ProjectStore(project).update()
    store = ox.Store.read_only(str(project.root / ".ftzkg" / "store"))
    assert len(store) == len(KnowledgeGraph.load(project_=project))


def test_in_memory_writes_no_store_and_answers_the_same(project):
    env = {**os.environ, "FTZKG_PROJECT": str(project.root)}

    def stats(*options: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "ftzkg", *options, "stats", "--format", "json"]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    memory = stats("--in-memory")
    assert memory.returncode == 0 and not (project.root / ".ftzkg").exists()
    assert stats().stdout == memory.stdout and (project.root / ".ftzkg" / "store").is_dir()
