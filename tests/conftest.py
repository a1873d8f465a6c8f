"""Shared fixtures: the project's knowledge graph, loaded once per test session."""

from __future__ import annotations

import pytest

from ftzkg import KnowledgeGraph


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The whole knowledge graph (ontology, shapes, data) in an embedded store."""
    return KnowledgeGraph.load()
