"""Shared fixtures: the project's knowledge graph, and real triple stores on free 127.0.0.1 ports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ftzkg import KnowledgeGraph

# the load-fault tests' fixtures (``store`` of each type, ``previous`` data), shared from one module
pytest_plugins = ["load_fixtures"]


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The whole knowledge graph (ontology, shapes, data) in an embedded store."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def release(tmp_path_factory, kg: KnowledgeGraph) -> Path:
    """``ftzkg build``'s release of the knowledge graph, built once: read it, never change it
    (a test that changes a release builds its own)."""
    from ftzkg.release import build_release

    out = tmp_path_factory.mktemp("release") / "dist"
    build_release(out, kg)
    return out


@pytest.fixture
def oxigraph_server(tmp_path_factory):
    """A real ``oxigraph serve`` on a free 127.0.0.1 port, empty, stopped after the test."""
    from ftzkg.server import OxigraphServer

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield server
    server.stop()


def require_virtuoso() -> None:
    """Skip with the reason when Virtuoso is not installed; fail instead when CI is set."""
    from ftzkg.virtuoso_server import virtuoso_available

    if not virtuoso_available():
        reason = "virtuoso-t/isql-vt not installed (apt-get install virtuoso-opensource)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the Virtuoso tests must run, not be skipped")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """A private Virtuoso 7 (own database folder, own ports, DBA password set), shared by the session.

    Tests that use it clean up the graphs they write (see :func:`virtuoso_clean`).
    """
    require_virtuoso()
    from ftzkg.virtuoso_server import VirtuosoServer

    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.stop()


@pytest.fixture
def virtuoso_clean(virtuoso_server):
    """The session's Virtuoso with no data graph left over from an earlier test."""
    from store_queries import drop_all_graphs

    drop_all_graphs(virtuoso_server)
    yield virtuoso_server
    drop_all_graphs(virtuoso_server)
