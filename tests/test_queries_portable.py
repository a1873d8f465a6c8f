"""Every catalogue query answers the same on the embedded store, an Oxigraph server and Virtuoso.

The same CSV, byte for byte: same rows in the same order, same values, booleans as
``true``/``false``. Virtuoso's system graphs stay out of its default graph (the
README's recipe), so the union of the data's graphs is what every query reads.

The queries are those of ``queries/``: a new query is compared as soon as it is added.
Queries with parameters are compared again with other values (:data:`OTHER_VALUES`),
because Virtuoso 7 plans a query differently for different constants.

Virtuoso here is a private server of this module, killed at its end: a query that
Virtuoso never finishes (it ignores its own time limits then, see the README's
Virtuoso recipe) cannot stall the tests after this one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import require_virtuoso
from store_queries import loader

from ftzkg import KnowledgeGraph
from ftzkg.cli import main

ROOT = Path(__file__).resolve().parents[1]
QUERIES_DIR = ROOT / "queries"
README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))

#: Other parameter values, beside the defaults: those where Virtuoso 7 lost rows or never
#: answered before the queries were rewritten, and a few more.
OTHER_VALUES = [
    ("firms-reaching-region", "region=region:142"),  # Asia: markets two levels down
    ("firms-reaching-region", "region=region:001"),  # the world: three levels down
    ("firms-reaching-region", "region=region:034"),
    ("firms-reaching-region", "region=region:150"),
    ("firms-reaching-region", "region=country:KG"),  # a country: directly only
    ("zone-indicators", "year=2023"),
    ("zone-indicators", "year=2024"),
    ("zone-indicators", "year=2026"),
    ("zone-indicators", "zone=zone:china-xinjiang-pilot-ftz"),
]

#: A query Virtuoso has not answered within this is a failure, not a wait.
TIMEOUT_S = "60"


@pytest.fixture(scope="module")
def servers(tmp_path_factory, kg: KnowledgeGraph):
    """An Oxigraph server and a private Virtuoso, both holding the whole graph."""
    from ftzkg.server import OxigraphServer

    require_virtuoso()
    from ftzkg.virtuoso_server import VirtuosoServer

    oxigraph = OxigraphServer(tmp_path_factory.mktemp("oxigraph-portable")).start()
    virtuoso = VirtuosoServer(tmp_path_factory.mktemp("virtuoso-portable")).start()
    try:
        for server in (oxigraph, virtuoso):
            assert loader(server).load_dataset(kg.quads()).verified
        yield {"oxigraph": oxigraph.query_url, "virtuoso": virtuoso.query_url}
    finally:
        oxigraph.stop()
        virtuoso.kill()  # its data is thrown away; a query it never finishes would delay a stop


def csv_answer(name: str, *extra: str) -> str:
    result = CliRunner().invoke(main, ["query", name, "--format", "csv", "--timeout", TIMEOUT_S, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


#: The first query a store did not answer in time; the later ones then fail at once instead of
#: each waiting for a store that may still be busy with it.
TIMED_OUT: dict[str, str] = {}


def assert_same_everywhere(name: str, servers: dict[str, str], *params: str) -> None:
    extra = [a for p in params for a in ("--param", p)]
    embedded = csv_answer(name, *extra)
    for store, url in servers.items():
        if store in TIMED_OUT:
            pytest.fail(f"{store} did not answer {TIMED_OUT[store]} in time; not asked again")
        args = ["query", name, "--format", "csv", "--timeout", TIMEOUT_S, *extra, "--endpoint", url]
        result = CliRunner().invoke(main, args)
        if result.exit_code == 3 and "within" in result.output:
            TIMED_OUT[store] = f"{name} {' '.join(params)}".strip()
        assert result.exit_code == 0, result.output
        assert result.stdout == embedded, f"{name} {params} differs on {store}"


def test_every_query_of_the_folder_is_compared():
    assert len(QUERIES) >= 15 and "zone-indicators" in QUERIES
    assert {name for name, _ in OTHER_VALUES} <= set(QUERIES)


@pytest.mark.parametrize("name", QUERIES)
def test_a_catalogue_query_answers_the_same_on_every_store(name, servers):
    assert csv_answer(name).count("\n") >= 2, "the query answers nothing: nothing would be compared"
    assert_same_everywhere(name, servers)


@pytest.mark.parametrize(("name", "param"), OTHER_VALUES)
def test_a_query_answers_the_same_with_other_parameter_values(name, param, servers):
    assert_same_everywhere(name, servers, param)


def test_booleans_read_true_and_false_on_virtuoso_too(servers):
    for url in servers.values():
        answer = csv_answer("sources", "--endpoint", url)
        assert ",true," in answer and ",false," in answer and ",1," not in answer


def test_the_tests_virtuoso_has_the_sparql_settings_the_readme_gives(tmp_path):
    from ftzkg.virtuoso_server import VirtuosoServer

    server = VirtuosoServer(tmp_path)
    server.write_ini()
    sparql = server.ini.read_text().split("[SPARQL]", 1)[1]
    for setting in (
        "ResultSetMaxRows = 10000000",
        "MaxQueryExecutionTime = 600",
        "MaxQueryCostEstimationTime = 600",
    ):
        assert f"\n{setting}\n" in sparql
        assert f"`{setting}`" in README


DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@pytest.mark.skipif(not DEBIAN_INI.exists(), reason="Debian's virtuoso-opensource is not installed")
def test_debian_ships_a_result_set_max_rows_of_ten_thousand():
    settings = re.findall(r"^ResultSetMaxRows\s*=\s*(\d+)", DEBIAN_INI.read_text(), re.M)
    assert settings == ["10000"]
    assert "(Debian ships `10000`)" in README
