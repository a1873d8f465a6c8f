"""The release is put together from parts each source file's parse wrote; that parse checks literals too."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import ftzkg
from ftzkg.parsing import RdfInputError
from ftzkg.project import Project
from ftzkg.project_store import ProjectStore

SHIPPED = Project.shipped()
EX = "https://w3id.org/ftzkg/id/test/"
PROLOGUE = f"@prefix ex: <{EX}> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"


def small_project(folder: Path, files: dict[str, str]) -> Path:
    """A project with the shipped ontology and the given data files (TriG text by name)."""
    shutil.copytree(SHIPPED.root / "ontology", folder / "ontology")
    for name, text in files.items():
        (folder / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "data" / name).write_text(PROLOGUE + text, encoding="utf-8")
    return folder


def source(n: int, body: str) -> str:
    return f"ex:source-{n} {{\n  ex:source-{n} a <https://w3id.org/ftzkg/ontology#Source> .\n{body}}}\n"


def cli(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ftzkg", "--project", str(project), *args], capture_output=True, text=True
    )


def test_an_ill_typed_literal_in_a_source_stops_the_update_at_its_line_and_column(tmp_path):
    project = small_project(
        tmp_path / "p",
        {
            "a/good.trig": source(1, '  ex:x ex:when "2025-02-28"^^xsd:date .\n'),
            "b/bad.trig": source(
                2, '  ex:y ex:size "7"^^xsd:integer ;\n    ex:when "2025-02-30"^^xsd:date .\n'
            ),
        },
    )
    done = cli(project, "query", "--sparql", "ASK { ?s ?p ?o }")
    assert done.returncode == 2, done.stderr
    # line 6 of the file (two prefix lines, the graph, its source, then the subject), column of the literal
    assert (
        'data/b/bad.trig:6:13: "2025-02-30" is not a valid xsd:date literal (February 2025 has 28 days)'
        in (done.stderr)
    )
    assert "Traceback" not in done.stderr
    store = ProjectStore(Project.at(project))
    assert "data/b/bad.trig" in store.stale()  # tried again by the next command
    with pytest.raises(RdfInputError) as caught:
        store.update()
    assert (caught.value.line, caught.value.column) == (6, 13)
    bad = project / "data/b/bad.trig"
    bad.write_text(bad.read_text().replace("2025-02-30", "2025-02-27"))
    assert cli(project, "query", "--sparql", "ASK { ?s ?p ?o }").returncode == 0
    with ftzkg.open(project) as graph:  # nothing of the bad version was left behind
        assert graph.query(f"ASK {{ GRAPH ?g {{ <{EX}y> ?p ?o }} }}").boolean
        assert not graph.query('ASK { GRAPH ?g { ?s ?p "2025-02-30"^^xsd:date } }').boolean


def test_a_build_after_one_change_rewrites_that_file_only_and_equals_a_fresh_build(tmp_path):
    files = {f"s{n}/data.trig": source(n, f'  ex:thing-{n} ex:label "thing {n}" .\n') for n in range(3)}
    project = small_project(tmp_path / "p", files)
    with ftzkg.open(project) as graph:
        graph.build(tmp_path / "dist")
    parts_dir = Project.at(project).state_dir / "release"
    before = {p.name: p.stat().st_mtime_ns for p in parts_dir.iterdir()}
    changed = project / "data/s1/data.trig"
    changed.write_text(changed.read_text().replace('"thing 1"', '"thing one"'))
    with ftzkg.open(project) as graph:
        assert graph.last_update is not None and graph.last_update.parsed == ["data/s1/data.trig"]
        graph.build(tmp_path / "dist")
    after = {p.name: p.stat().st_mtime_ns for p in parts_dir.iterdir()}
    kept = set(before) & set(after)
    assert len(kept) == len(before) - 4 and all(before[name] == after[name] for name in kept)
    assert len(after) == len(before)  # the old parts of the changed file are gone, its new ones are there
    with ftzkg.open(project, state_dir=tmp_path / "fresh-state") as graph:
        graph.build(tmp_path / "fresh")
    for name in ("ftzkg.trig", "ftzkg.nq", "ftzkg.ttl", "ftzkg.jsonld", "void.ttl", "SHA256SUMS"):
        assert (tmp_path / "dist" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name
    assert b'"thing one"' in (tmp_path / "dist" / "ftzkg.nq").read_bytes()


def test_a_quad_written_twice_is_written_once(tmp_path):
    twice = '  ex:x ex:label "x" .\n  ex:x ex:label "x" .\n  ex:x ex:size 1.0 .\n  ex:x ex:size 1.00 .\n'
    project = small_project(tmp_path / "p", {"a/twice.trig": source(1, twice)})
    with ftzkg.open(project) as graph:
        release = graph.build(tmp_path / "dist")
        in_store = len(graph.kg)
    lines = (tmp_path / "dist" / "ftzkg.nq").read_bytes().splitlines()
    assert len(lines) == len(set(lines)) == release.triples == in_store
    store = ox.Store()
    store.load(path=str(tmp_path / "dist" / "ftzkg.trig"))
    assert len(store) == in_store
    # the file, written from the store, is written again after an edit; its old parts do not pile up
    parts_dir = Project.at(project).state_dir / "release"
    first = set(parts_dir.iterdir())
    edited = project / "data/a/twice.trig"
    edited.write_text(edited.read_text().replace('"x"', '"y"'))
    with ftzkg.open(project) as graph:
        graph.build(tmp_path / "dist")
    assert b'"y"' in (tmp_path / "dist" / "ftzkg.nq").read_bytes()
    after = set(parts_dir.iterdir())
    assert len(after) == len(first) and len(first - after) == 8  # the file's 4 parts and its group's 4


def test_blank_nodes_of_two_files_stay_apart_and_keep_their_labels_build_after_build(tmp_path):
    look_alike = "  ex:x ex:part [ ex:size 1 ] .\n"
    project = small_project(
        tmp_path / "p", {"a/one.trig": source(1, look_alike), "b/two.trig": source(2, look_alike)}
    )
    with ftzkg.open(project) as graph:
        graph.build(tmp_path / "dist")
    again = cli(project, "--in-memory", "build", "--out", str(tmp_path / "again"))
    assert again.returncode == 0, again.stderr
    nquads = (tmp_path / "dist" / "ftzkg.nq").read_bytes()
    assert nquads == (tmp_path / "again" / "ftzkg.nq").read_bytes()
    parts = [q for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS) if q.predicate.value == EX + "part"]
    assert len(parts) == 2 and parts[0].object != parts[1].object


def test_release_files_are_whole_documents_when_put_together_from_many_batches(tmp_path, monkeypatch):
    from ftzkg import release_parts

    monkeypatch.setattr(release_parts, "BATCH", 3)  # every file's parts made of many batches
    body = "".join(f'  ex:t{i} ex:label "t {i}" ; ex:rank {i} .\n' for i in range(20))
    project = small_project(tmp_path / "p", {"a/many.trig": source(1, body), "b/more.trig": source(2, body)})
    with ftzkg.open(project, persistent=False) as graph:
        release = graph.build(tmp_path / "dist")
    for name in ("ftzkg.trig", "ftzkg.nq"):
        store = ox.Store()
        store.load(path=str(tmp_path / "dist" / name))
        assert len(store) == release.triples, name
    for name in ("ftzkg.ttl", "ftzkg.jsonld"):
        assert len(list(ox.parse(path=str(tmp_path / "dist" / name)))) == release.triples, name
