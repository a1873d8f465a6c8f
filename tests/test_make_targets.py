"""What the README says the make targets run is what the Makefile runs (read by `make -n`, not run)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

if shutil.which("make") is None:  # pragma: no cover - make is how the README runs the tests
    pytest.skip("make is not installed", allow_module_level=True)


def commands(target: str, *variables: str) -> list[str]:
    """The commands ``make target`` would run (a dry run), without the install steps."""
    run = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target, *variables], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return [line for line in run.stdout.splitlines() if "pip install" not in line and "-m venv" not in line]


def pytest_line(target: str, *variables: str) -> str:
    (line,) = [c for c in commands(target, *variables) if "/pytest" in c]
    return line


def test_every_make_target_the_readme_names_exists_and_help_lists_it():
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert phony is not None
    targets = set(phony.group(1).split())
    named = set(re.findall(r"`make ([a-z-]+)", README))
    assert {"run", "test", "crash-test", "fuzz", "fuzz-queries"} <= named <= targets
    listed = "\n".join(commands("help"))
    assert all(f"make {t}" in listed for t in targets - {"help", "lint", "format"})


def test_make_test_lints_type_checks_and_runs_the_whole_suite_on_two_processes():
    done = commands("test")
    assert any(c.endswith("ruff check .") for c in done) and any("ruff format --check ." in c for c in done)
    assert any(c.endswith("/mypy") for c in done)
    line = pytest_line("test")
    assert re.search(r"/pytest -n 2 --dist loadfile$", line), line  # no file, -k, -m or --deselect: all of it
    assert pytest_line("test", "TEST_WORKERS=4").endswith("-n 4 --dist loadfile")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests"]
    assert not re.search(r"(^|\s)(-k|-m|--deselect|--ignore|-x)\b", options.get("addopts", ""))
    assert any(d.startswith("pytest-xdist") for d in config["project"]["optional-dependencies"]["test"])


def test_the_long_runs_run_the_same_tests_with_more_cases():
    crash = pytest_line("crash-test")
    assert "FTZKG_EVERY_KILL=1" in crash and crash.endswith("tests/test_load_crashes.py")
    fuzz = pytest_line("fuzz")
    assert "FTZKG_FUZZ_EXAMPLES=20000" in fuzz and "tests/test_contribution_fuzz.py" in fuzz
    queries = pytest_line("fuzz-queries")
    assert "FTZKG_FUZZ_EXAMPLES=20000" in queries and "tests/test_query_differential.py" in queries
    # and the tests read those variables
    assert "FTZKG_EVERY_KILL" in (ROOT / "tests" / "test_load_crashes.py").read_text(encoding="utf-8")
    for name in ("test_contribution_fuzz.py", "test_query_differential.py"):
        assert "FTZKG_FUZZ_EXAMPLES" in (ROOT / "tests" / name).read_text(encoding="utf-8")
