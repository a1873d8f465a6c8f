"""The README and the command's help cannot drift apart."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ftzkg import project
from ftzkg.cli import main

README = (project.ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


def test_every_command_is_listed():
    assert set(COMMANDS) >= {
        "build",
        "validate",
        "query",
        "queries",
        "stats",
        "load",
        "serve",
        "synth",
        "site",
    }


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"ftzkg {name} --help shows no example"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_appears_in_the_readme(name):
    assert f"`ftzkg {name}" in README


@pytest.mark.parametrize("code", ["0", "1", "2", "3", "4"])
def test_exit_codes_are_documented_in_readme_and_help(code):
    assert re.search(rf"^\| {code} \|", README, re.M)
    assert f"{code} " in CliRunner().invoke(main, ["--help"]).output


def test_readme_shows_the_two_setup_commands_and_ci_runs_the_test_one():
    assert "make run" in README and "make test" in README
    ci = (project.ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci, re.M)
