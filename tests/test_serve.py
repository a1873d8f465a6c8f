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
from ftzkg.release import build_release
from ftzkg.server import HOST, free_port


@pytest.fixture(scope="module")
def release(tmp_path_factory, kg: KnowledgeGraph) -> Path:
    out = tmp_path_factory.mktemp("serve") / "dist"
    build_release(out, kg)
    return out


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
