"""A project is a folder: ``--project DIR`` / ``FTZKG_PROJECT`` point every command at one,
``ftzkg init`` starts one, and importing the package looks for none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ftzkg
from ftzkg.project import Project, ProjectError, init_project

SHIPPED = Project.shipped()

NEW_ZONE_SOURCE = """\
@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix ftzid: <https://w3id.org/ftzkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .

source:example-zone-gazette {
    source:example-zone-gazette a ftz:Source ;
        rdfs:label "Example Zone Gazette (an invented source for a test)"@en ;
        dcterms:title "Example Zone Gazette"@en ;
        dcterms:issued "2025-01-01"^^<http://www.w3.org/2001/XMLSchema#date> ;
        ftz:sourceType ftz:GovernmentPublication .
}
"""


def ftzkg_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FTZKG_PROJECT")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ftzkg", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def new_zone(tmp_path_factory) -> Path:
    """A second project, made by ``ftzkg init``."""
    folder = tmp_path_factory.mktemp("zones") / "new-zone"
    made = ftzkg_cli("init", str(folder))
    assert made.returncode == 0, made.stderr
    return folder


def test_init_copies_the_model_reference_data_and_queries_but_no_zone_data(new_zone):
    for part in ("ontology/ftz.ttl", "ontology/shapes.ttl", "queries/trade-links.rq"):
        assert (new_zone / part).read_bytes() == (SHIPPED.root / part).read_bytes()
    reference = sorted(p.name for p in (new_zone / "data" / "reference").iterdir())
    assert reference == sorted(p.name for p in (SHIPPED.data_dir / "reference").iterdir())
    assert not (new_zone / "data" / "kashgar").exists()
    assert ".ftzkg/" in (new_zone / ".gitignore").read_text(encoding="utf-8")


def test_the_project_option_points_every_command_at_the_new_project(new_zone):
    shipped = ftzkg_cli("stats", "--format", "json", cwd=new_zone)
    other = ftzkg_cli("--project", str(new_zone), "stats", "--format", "json")
    assert shipped.returncode == other.returncode == 0, other.stderr
    assert "kashgar" in shipped.stdout and "kashgar" not in other.stdout
    assert ftzkg_cli("--project", str(new_zone), "validate").returncode == 0
    queries = ftzkg_cli("--project", str(new_zone), "queries")
    assert "trade-links" in queries.stdout
    built = ftzkg_cli("--project", str(new_zone), "build", "--out", str(new_zone / "dist"))
    assert built.returncode == 0, built.stderr
    assert "kashgar" not in (new_zone / "dist" / "ftzkg.nq").read_text(encoding="utf-8")


def test_a_new_source_in_the_new_project_is_queried_and_the_env_variable_works_too(new_zone):
    (new_zone / "data" / "zone").mkdir(exist_ok=True)
    (new_zone / "data" / "zone" / "gazette.trig").write_text(NEW_ZONE_SOURCE, encoding="utf-8")
    sparql = "SELECT ?s WHERE { ?s a ftz:Source }"
    by_env = ftzkg_cli("query", "--sparql", sparql, "--format", "csv", env={"FTZKG_PROJECT": str(new_zone)})
    assert by_env.returncode == 0, by_env.stderr
    assert "example-zone-gazette" in by_env.stdout
    shipped = ftzkg_cli("query", "--sparql", sparql, "--format", "csv")
    assert "example-zone-gazette" not in shipped.stdout


def test_the_python_api_opens_the_new_project(new_zone):
    with ftzkg.open(new_zone) as kg:
        assert kg.project.root == new_zone.resolve()
        assert not [g for g in kg.stats().graphs if "kashgar" in g]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = ftzkg_cli("init", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    with pytest.raises(ProjectError):
        init_project(tmp_path / "keep.txt")


def test_a_folder_that_is_not_a_project_is_refused_in_one_line(tmp_path):
    result = ftzkg_cli("--project", str(tmp_path), "stats")
    assert result.returncode == 2
    assert "not an ftzkg project" in result.stderr and "Traceback" not in result.stderr
    env_result = ftzkg_cli("stats", env={"FTZKG_PROJECT": str(tmp_path / "missing")})
    assert env_result.returncode == 2 and "FTZKG_PROJECT=" in env_result.stderr


def test_import_ftzkg_needs_no_project_folder(tmp_path):
    """A copy of the package alone (no ontology/ beside it) imports; asking for a graph says why not."""
    shutil.copytree(Path(ftzkg.__file__).parent, tmp_path / "ftzkg", ignore=shutil.ignore_patterns("_kg"))
    code = (
        "import ftzkg, ftzkg.cli, ftzkg.validation.whole_graph, ftzkg.validation.contribution\n"
        "import ftzkg.catalogue, ftzkg.project\n"
        "try:\n"
        "    ftzkg.open()\n"
        "except ftzkg.ProjectError as exc:\n"
        "    print('refused:', exc)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTZKG_PROJECT")}
    env["PYTHONPATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "refused: the ftzkg package was installed without its ontology/" in result.stdout
    cli = subprocess.run(
        [sys.executable, "-m", "ftzkg", "stats"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert cli.returncode == 2 and cli.stderr.startswith("error: the ftzkg package was installed without")
