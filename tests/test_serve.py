"""``ftzkg serve``: the built release behind a local read-only SPARQL endpoint, stopped cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_queries import graph_counts, update

from ftzkg import KnowledgeGraph
from ftzkg.cli import main
from ftzkg.server import HOST, free_port


def start_serving(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """Run ``ftzkg serve`` and read what it prints until the server is up."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ftzkg", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        printed.setdefault("first line", line.strip())
        if ":" in line and line.split(":", 1)[0] in ("query page", "SPARQL endpoint", "update endpoint"):
            key, value = line.split(":", 1)
            printed[key] = value.strip()
        if line.startswith("Ctrl-C"):
            return process, printed
    process.wait(10)
    raise AssertionError(f"ftzkg serve exited with {process.returncode}: {process.stderr.read()}")


def answers(port_url: str) -> bool:
    try:
        graph_counts(port_url)
    except OSError:
        return False
    return True


def stop(process: subprocess.Popen[str], sig: int) -> tuple[int, str]:
    process.send_signal(sig)
    out, _ = process.communicate(timeout=20)
    return process.returncode, out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_answers_queries_and_stops_cleanly_on_a_signal(release: Path, kg: KnowledgeGraph, sig: int):
    process, printed = start_serving("--release", str(release), "--port", "0")
    try:
        base = printed["query page"].rstrip("/")
        assert printed["SPARQL endpoint"] == base + "/query"
        assert base.startswith(f"http://{HOST}:")
        assert graph_counts(base) == kg.stats().graphs
        code, out = stop(process, sig)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0
    assert "stopped" in out
    assert not answers(base)  # the oxigraph child is gone too


def test_serve_is_read_only_unless_writable(release: Path):
    process, printed = start_serving("--release", str(release), "--port", "0")
    try:
        base = printed["query page"].rstrip("/")
        with pytest.raises(OSError):
            update(base, "DROP ALL")
        assert graph_counts(base)
    finally:
        stop(process, signal.SIGTERM)

    process, printed = start_serving("--release", str(release), "--port", "0", "--writable")
    try:
        base = printed["query page"].rstrip("/")
        assert printed["update endpoint"] == base + "/update"
        update(base, "DROP ALL")
        assert graph_counts(base) == {}
    finally:
        stop(process, signal.SIGTERM)


def test_a_kept_location_is_loaded_once_and_reused(release: Path, tmp_path: Path, kg: KnowledgeGraph):
    location = tmp_path / "store"
    for expected in ("loaded", "reusing"):
        process, printed = start_serving(
            "--release", str(release), "--port", "0", "--location", str(location)
        )
        try:
            assert printed["first line"].startswith(f"{expected} {location}")
            assert graph_counts(printed["query page"].rstrip("/")) == kg.stats().graphs
        finally:
            assert stop(process, signal.SIGTERM)[0] == 0


def test_serving_without_a_release_says_to_build_first(tmp_path: Path):
    result = CliRunner().invoke(main, ["serve", "--release", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "run ftzkg build first" in result.output


def test_a_port_in_use_is_refused_with_exit_3(release: Path):
    port = free_port()
    with socket.socket() as busy:
        busy.bind((HOST, port))
        busy.listen()
        result = CliRunner().invoke(main, ["serve", "--release", str(release), "--port", str(port)])
    assert result.exit_code == 3
    assert f"port {port}" in result.output and "--port" in result.output


# ---------------------------------------------------------------- a release older than its sources

FACT = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
source:example-bulletin {
source:example-bulletin a ftz:Source ; dcterms:title "EXAMPLE bulletin {n}"@en ; ftz:aiAssisted false .
}
"""


@pytest.fixture
def stale_project(tmp_path: Path) -> tuple[Path, Path]:
    """A small project with a built release, whose data file then changed."""
    import os
    import shutil

    from ftzkg import project

    shutil.copytree(project.Project.default().ontology_dir, tmp_path / "ontology")
    data = tmp_path / "data" / "zone" / "bulletin.trig"
    data.parent.mkdir(parents=True)
    data.write_text(FACT.replace("{n}", "1"), encoding="utf-8")
    dist = tmp_path / "dist"
    built = CliRunner().invoke(main, ["--project", str(tmp_path), "--in-memory", "build", "--out", str(dist)])
    assert built.exit_code == 0, built.output
    data.write_text(FACT.replace("{n}", "2"), encoding="utf-8")
    earlier = data.stat().st_mtime - 5  # the release was built before the data file changed
    os.utime(dist / "ftzkg.nq", (earlier, earlier))
    return tmp_path, dist


def serve_on_busy_port(folder: Path, dist: Path, *options: str):
    """``ftzkg serve`` up to the point where it would start the server (the port is taken: exit 3)."""
    port = free_port()
    with socket.socket() as busy:
        busy.bind((HOST, port))
        busy.listen()
        return CliRunner().invoke(
            main,
            [
                "--project",
                str(folder),
                "--in-memory",
                "serve",
                "--release",
                str(dist),
                "--port",
                str(port),
                *options,
            ],
        )


def test_serve_rebuilds_a_release_older_than_its_sources(stale_project):
    folder, dist = stale_project
    result = serve_on_busy_port(folder, dist)
    assert "is older than its sources: data/zone/bulletin.trig changed after it was built; rebuilding it" in (
        result.output
    )
    assert result.exit_code == 3  # then the busy port, as always
    assert "EXAMPLE bulletin 2" in (dist / "ftzkg.nq").read_text(encoding="utf-8")


def test_serve_no_rebuild_warns_and_serves_the_old_release(stale_project):
    folder, dist = stale_project
    before = (dist / "ftzkg.nq").read_bytes()
    result = serve_on_busy_port(folder, dist, "--no-rebuild")
    assert "warning:" in result.output and "is older than its sources" in result.output
    assert "serving it as it is" in result.output
    assert (dist / "ftzkg.nq").read_bytes() == before


def test_serve_says_nothing_about_a_current_release(stale_project):
    folder, dist = stale_project
    serve_on_busy_port(folder, dist)  # rebuilds
    result = serve_on_busy_port(folder, dist)
    assert "older than its sources" not in result.output and result.exit_code == 3
