"""No traceback reaches a user: an unexpected error is one line and exit 4; --debug shows it.

Each command is made to fail where nothing expects it (its callback, or a library
function it calls, raises); the user sees ``error: internal error (...)`` on one line,
with control characters escaped and URL credentials hidden, and exit code 4.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

import ftzkg.catalogue
import ftzkg.knowledge_graph
import ftzkg.results
from ftzkg.cli import EXIT_INTERNAL, main

NASTY = "boom\nsecond line \x1b[31mred http://user:s3cret-pw@example.org/x"


def explode(*args, **kwargs):
    raise RuntimeError(NASTY)


def assert_one_clean_line(result) -> None:
    assert result.exit_code == EXIT_INTERNAL, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: internal error (RuntimeError: boom")
    assert "--debug" in lines[0]
    assert "Traceback" not in result.output and "\x1b" not in result.output
    assert "s3cret-pw" not in result.output


#: Just enough arguments for click to call a command's callback.
REQUIRED = {"init": ["new-project"], "synth": ["--firms", "1", "--out", "synthetic"]}


@pytest.mark.parametrize("command", sorted(main.commands))
def test_an_unexpected_error_in_any_command_is_one_line_and_exit_4(monkeypatch, tmp_path, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(main.commands[command], "callback", explode)
    assert_one_clean_line(CliRunner().invoke(main, [command, *REQUIRED.get(command, [])]))


@pytest.mark.parametrize(
    ("module", "function", "args"),
    [
        (ftzkg.knowledge_graph.KnowledgeGraph, "stats", ["stats"]),
        (ftzkg.catalogue, "catalogue", ["queries"]),
        (ftzkg.results, "write", ["query", "trade-links"]),  # inside the query's own process
    ],
)
def test_a_library_function_failing_inside_a_command_is_one_line_and_exit_4(
    monkeypatch, module, function, args
):
    monkeypatch.setattr(module, function, explode)
    assert_one_clean_line(CliRunner().invoke(main, ["--in-memory", *args]))


def test_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setattr(ftzkg.catalogue, "catalogue", explode)
    result = CliRunner().invoke(main, ["--debug", "queries"])
    assert isinstance(result.exception, RuntimeError)  # re-raised: Python prints the traceback


FAILING_RUN = (
    "import sys, ftzkg.catalogue as c\n"
    "def boom(*a, **k): raise RuntimeError('boom')\n"
    "c.catalogue = boom\n"
    "from ftzkg.cli import main\n"
    "sys.argv = ['ftzkg', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.mark.parametrize(
    ("args", "env", "traceback"),
    [([], {}, False), (["--debug"], {}, True), ([], {"FTZKG_DEBUG": "1"}, True)],
)
def test_a_real_process_prints_the_traceback_only_when_asked(args, env, traceback):
    import os

    result = subprocess.run(
        [sys.executable, "-c", FAILING_RUN, *args, "queries"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )
    assert ("Traceback" in result.stderr) == traceback
    if not traceback:
        assert result.returncode == EXIT_INTERNAL
        (line,) = result.stderr.strip().splitlines()
        assert line == (
            "error: internal error (RuntimeError: boom); "
            "run again with --debug for the traceback and report it"
        )
