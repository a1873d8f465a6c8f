"""What the load-fault tests share (test_load_faults, test_load_hostile_servers, test_load_crashes).

Fixtures (made available to every test module by ``conftest.py``): ``store``, an empty
real store of each type (a fresh Oxigraph per test; the session's Virtuoso, emptied), and
``previous``, the article graph already loaded into it: the data a failed load must leave
as it was. Helpers: :func:`load_release` runs ``ftzkg load`` as a user would,
:func:`assert_unchanged` checks the previous graph and that no staging graph was left.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from store_queries import credentials_env, graph_lines, loader, staging_graphs

from ftzkg import KnowledgeGraph
from ftzkg.cli import main
from ftzkg.server import OxigraphServer

ARTICLE = "https://w3id.org/ftzkg/id/source/kashgar-ftz-2025-article"


@pytest.fixture(params=["oxigraph", "virtuoso"])
def store(request, tmp_path_factory):
    """An empty real store of each type: a fresh ``oxigraph serve``, or the session's Virtuoso emptied."""
    if request.param == "virtuoso":
        yield request.getfixturevalue("virtuoso_clean")
        return
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    yield server
    server.stop()


@pytest.fixture
def previous(store, kg: KnowledgeGraph) -> set[str]:
    """The article graph already in the store: the data a failed load must not touch."""
    assert loader(store).load_dataset(kg.quads([ARTICLE])).verified
    return graph_lines(store, ARTICLE)


def load_release(store, url: str, data: Path, *extra: str) -> Result:
    """``ftzkg load --release data`` into ``url`` (the store, or a proxy in front of it), with the
    store's credentials in the environment and a short retry backoff."""
    args = ["load", "--endpoint", url, "--release", str(data), "--backoff", "0.01", *extra]
    return CliRunner().invoke(main, args, env=credentials_env(store))


def assert_unchanged(store, previous: set[str]) -> None:
    """The article graph holds exactly its previous triples, and no staging graph was left."""
    assert graph_lines(store, ARTICLE) == previous
    assert not staging_graphs(store), "a staging graph was left behind"
