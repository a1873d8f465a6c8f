"""Shared fixtures: the project's knowledge graph, loaded once per test session."""

from __future__ import annotations

import pytest

from ftzkg import KnowledgeGraph


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The whole knowledge graph (ontology, shapes, data) in an embedded store."""
    return KnowledgeGraph.load()


@pytest.fixture
def oxigraph_server(tmp_path_factory):
    """A real ``oxigraph serve`` on a free 127.0.0.1 port, empty, stopped after the test."""
    from ftzkg.server import OxigraphServer

    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield server
    server.stop()
