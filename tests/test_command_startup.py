"""What a question costs to start: ``ftzkg query`` and ``ftzkg stats`` on a built project load only
what they need.

A command is a whole process; at a million triples the store answers a one-entity question in
milliseconds, so what the process loads before and after dominates. These tests watch each
command in a real process (its forked query process included) and fail when it imports an
RDF library it does not need (rdflib, pySHACL, owlrl, pyparsing: tenths of a second) or
compiles the regular expressions for names beyond ASCII (tens of milliseconds) for a question
that has none. Two controls show the watch sees both, in the query process too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ftzkg.project import Project

HEAVY = ("rdflib", "pyshacl", "owlrl", "pyparsing")

# Run the command line in this process, reporting (one line each, to a file, also from the
# forked query process) every import of a heavy library and every compiled pattern that holds
# the name characters beyond the Basic Multilingual Plane.
WATCH = f"""
import os, re, sys
record = open(os.environ["WATCH_LOG"], "a", buffering=1)
heavy = {HEAVY!r}
def hook(event, args):
    if event == "import" and args[0].split(".")[0] in heavy:
        record.write("import " + args[0] + "\\n")
sys.addaudithook(hook)
plain_compile = re.compile
def compile(pattern, flags=0):
    if isinstance(pattern, str) and ("\\U000effff" in pattern or "\\\\U000EFFFF" in pattern.upper()):
        record.write("compiled a name class beyond ASCII\\n")
    return plain_compile(pattern, flags)
re.compile = compile
from ftzkg.cli import main
main(sys.argv[1:], prog_name="ftzkg")
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of the shipped project with its persistent store built."""
    folder = tmp_path_factory.mktemp("startup") / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(Project.shipped().root / part, folder / part)
    subprocess.run(
        [sys.executable, "-m", "ftzkg", "--project", str(folder), "stats"], check=True, capture_output=True
    )
    return folder


def watched(project: Path, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    log = tmp_path / "watch.log"
    log.write_text("")
    env = {**os.environ, "WATCH_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, "-c", WATCH, "--project", str(project), *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, sorted(set(log.read_text().splitlines()))


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "turtle"])
def test_a_catalogue_question_loads_no_rdf_library_and_no_wide_name_class(built, tmp_path, fmt):
    args = ["query", "entity-profile", "--param", "entity=firm:xinjiang-withyoung-health-food"]
    if fmt != "turtle":
        args += ["--format", fmt]
    done, seen = watched(built, tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert "xinjiang-withyoung-health-food" in done.stdout
    assert seen == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_stats_loads_no_rdf_library(built, tmp_path, fmt):
    for _ in range(2):  # computed once after the build, then read from the store's cache
        done, seen = watched(built, tmp_path, "stats", "--format", fmt)
        assert done.returncode == 0, done.stderr
        assert "triples" in done.stdout
        assert seen == []


def test_control_a_users_query_text_is_parsed_by_rdflib_in_the_query_process(built, tmp_path):
    """Text from the user is inspected in full by rdflib's parser, in the forked process."""
    done, seen = watched(built, tmp_path, "query", "--sparql", "ASK { ?s ?p ?o }")
    assert done.returncode == 0, done.stderr
    assert "import rdflib" in seen and "import pyparsing" in seen


def test_control_a_name_beyond_ascii_compiles_the_full_name_class(built, tmp_path):
    text = "SELECT ?n\u00e4me WHERE { BIND(1 AS ?n\u00e4me) }"
    done, seen = watched(built, tmp_path, "query", "--sparql", text)
    assert done.returncode == 0, done.stderr
    assert "compiled a name class beyond ASCII" in seen


EXAMPLES = Project.shipped().root / "data" / "contributions" / "examples"


@pytest.mark.parametrize("example", ["valid-example-firm.ttl", "invalid-unbacked-export.ttl"])
def test_a_contribution_check_loads_no_rdf_library_once_the_shapes_are_compiled(built, tmp_path, example):
    """The first check compiles the shapes into the store's check plan (rdflib reads them);
    every later one runs the plan on the contribution's neighbourhood without rdflib."""
    for run in range(2):
        done, seen = watched(built, tmp_path, "validate", str(EXAMPLES / example))
        assert done.returncode in (0, 1) and "Result:" in done.stdout, done.stderr
        if run == 1:
            assert seen == []
    assert (built / ".ftzkg" / "check-plan.json").is_file()


def test_control_a_contribution_that_adds_to_the_class_hierarchy_is_checked_by_the_engine(built, tmp_path):
    """The plan was compiled with the ontology's classes: a new subclass goes to the engine (rdflib)."""
    watched(built, tmp_path, "validate", str(EXAMPLES / "valid-example-firm.ttl"))
    text = (EXAMPLES / "valid-example-firm.ttl").read_text(encoding="utf-8")
    text += "\n<https://example.org/FruitFirm> rdfs:subClassOf ftz:Enterprise .\n"
    path = tmp_path / "subclass.ttl"
    path.write_text(text, encoding="utf-8")
    done, seen = watched(built, tmp_path, "validate", str(path))
    assert "Result:" in done.stdout, done.stderr
    assert "import rdflib" in seen


def test_after_a_build_the_first_contribution_check_loads_no_rdf_library(tmp_path):
    """`ftzkg build` compiles the shapes for contribution checks when they changed."""
    folder = tmp_path / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(Project.shipped().root / part, folder / part)
    subprocess.run(
        [sys.executable, "-m", "ftzkg", "--project", str(folder), "build", "--out", str(tmp_path / "dist")],
        check=True,
        capture_output=True,
    )
    assert (folder / ".ftzkg" / "check-plan.json").is_file()
    done, seen = watched(folder, tmp_path, "validate", str(EXAMPLES / "valid-example-firm.ttl"))
    assert done.returncode == 0 and "Result: VALID" in done.stdout, done.stderr
    assert seen == []
