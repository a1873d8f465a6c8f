"""Every catalogue query answers the same on the embedded store, an Oxigraph server and Virtuoso.

The same CSV, byte for byte: same rows in the same order, same values, booleans as
``true``/``false``. Virtuoso's system graphs stay out of its default graph (the
README's recipe), so the union of the data's graphs is what every query reads.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from store_queries import loader

from ftzkg import KnowledgeGraph
from ftzkg.catalogue import catalogue
from ftzkg.cli import main

QUERIES = sorted(q.name for q in catalogue())

#: Known differences on Virtuoso, each with its reason; the test fails as soon as one is gone.
VIRTUOSO_GAPS = {
    "firms-reaching-region": "loses rows of markets reached through a region on Virtuoso 7 "
    "(ftz:withinRegion* joined with a bound region) since the data gained more Central Asian orders",
}

#: Queries Virtuoso 7 does not finish within the query time limit; not sent to it, because
#: Virtuoso keeps running a query after its client gave up and would stall the tests after it.
VIRTUOSO_TOO_SLOW = {
    "zone-indicators": "runs past 60 s on Virtuoso 7 (the zone's areas through ftz:isAreaOf* "
    "joined with the period filters), under a second on Oxigraph",
}


#: Queries whose Virtuoso 7 answer varies from run to run (rows lost in some runs, not in
#: others); a different answer is a known failure, the same answer a pass.
VIRTUOSO_UNSTABLE = {
    "ai-assisted-facts": "loses rows on Virtuoso 7 in some runs (nested prov:wasDerivedFrom* paths "
    "inside FILTER NOT EXISTS), answers the same in others",
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory, virtuoso_server, kg: KnowledgeGraph):
    """An Oxigraph server and the session's Virtuoso, both holding the whole graph."""
    from store_queries import drop_all_graphs

    from ftzkg.server import OxigraphServer

    oxigraph = OxigraphServer(tmp_path_factory.mktemp("oxigraph-portable")).start()
    drop_all_graphs(virtuoso_server)
    for server in (oxigraph, virtuoso_server):
        assert loader(server).load_dataset(kg.quads()).verified
    yield {"oxigraph": oxigraph.query_url, "virtuoso": virtuoso_server.query_url}
    oxigraph.stop()
    drop_all_graphs(virtuoso_server)


def csv_answer(name: str, *extra: str) -> str:
    result = CliRunner().invoke(main, ["query", name, "--format", "csv", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", QUERIES)
def test_a_catalogue_query_answers_the_same_on_every_store(name, servers):
    embedded = csv_answer(name)
    assert embedded.count("\n") >= 2, "the query answers nothing: nothing would be compared"
    assert csv_answer(name, "--endpoint", servers["oxigraph"]) == embedded, f"{name} differs on oxigraph"
    if name in VIRTUOSO_TOO_SLOW:
        pytest.xfail(VIRTUOSO_TOO_SLOW[name])
    on_virtuoso = csv_answer(name, "--endpoint", servers["virtuoso"])
    if name in VIRTUOSO_GAPS:
        assert on_virtuoso != embedded, f"{name} now answers the same on Virtuoso: drop it from VIRTUOSO_GAPS"
        pytest.xfail(VIRTUOSO_GAPS[name])
    if name in VIRTUOSO_UNSTABLE and on_virtuoso != embedded:
        pytest.xfail(VIRTUOSO_UNSTABLE[name])
    assert on_virtuoso == embedded, f"{name} differs on virtuoso"


def test_booleans_read_true_and_false_on_virtuoso_too(servers):
    for url in servers.values():
        answer = csv_answer("sources", "--endpoint", url)
        assert ",true," in answer and ",false," in answer and ",1," not in answer
