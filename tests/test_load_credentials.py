"""Credentials for ``ftzkg load``: from the environment or netrc, sent only to the store, never shown."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from fault_proxy import FaultProxy, Redirector, is_copy, is_swap
from store_queries import graph_counts, update, write_nquads

from ftzkg import KnowledgeGraph
from ftzkg.cli import main
from ftzkg.http_client import Credentials, HttpClient
from ftzkg.store_loading import Endpoints, StoreLoader

ARTICLE = "https://w3id.org/ftzkg/id/source/kashgar-ftz-2025-article"
USER, PASSWORD = "loader", "pa55-Secret-9f3e"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


@pytest.fixture
def data(tmp_path: Path, kg: KnowledgeGraph) -> Path:
    path = tmp_path / "article.nq"
    write_nquads(path, kg.quads([ARTICLE]))
    return path


def assert_secret_hidden(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text
        assert BASIC.split()[1] not in text


def test_basic_credentials_from_the_environment_reach_the_store_and_nowhere_else(
    oxigraph_server, data, kg, caplog
):
    caplog.set_level(logging.DEBUG, logger="ftzkg")
    with FaultProxy(oxigraph_server.url, require_auth=BASIC) as proxy:
        result = CliRunner().invoke(
            main,
            ["load", "--endpoint", proxy.url, "--release", str(data)],
            env={"FTZKG_USER": USER, "FTZKG_PASSWORD": PASSWORD},
        )
    assert result.exit_code == 0, result.output
    probe, *work = proxy.requests  # the store type is read from a plain GET of / first, sent without them
    assert probe.path == "/" and probe.authorization is None
    assert work and all(r.authorization == BASIC for r in work)
    assert graph_counts(oxigraph_server.url) == {ARTICLE: len(kg.quads([ARTICLE]))}
    assert_secret_hidden(result.output, caplog.text)


def test_a_wrong_password_gives_401_and_exit_3_without_showing_it(oxigraph_server, data, caplog):
    caplog.set_level(logging.DEBUG, logger="ftzkg")
    with FaultProxy(oxigraph_server.url, require_auth=BASIC) as proxy:
        result = CliRunner().invoke(
            main,
            ["load", "--endpoint", proxy.url, "--release", str(data)],
            env={"FTZKG_USER": USER, "FTZKG_PASSWORD": "wrong-" + PASSWORD},
        )
    assert result.exit_code == 3
    assert "HTTP 401 Unauthorized" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert graph_counts(oxigraph_server.url) == {}
    assert_secret_hidden(result.output, caplog.text)


def test_a_bearer_token_from_the_environment_is_used(oxigraph_server, data):
    token = "tok-3e1c9a77"
    with FaultProxy(oxigraph_server.url, require_auth=f"Bearer {token}") as proxy:
        result = CliRunner().invoke(
            main, ["load", "--endpoint", proxy.url, "--release", str(data)], env={"FTZKG_TOKEN": token}
        )
    assert result.exit_code == 0, result.output
    assert token not in result.output


def test_credentials_from_a_netrc_file(oxigraph_server, data, tmp_path: Path):
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
    netrc.chmod(0o600)
    with FaultProxy(oxigraph_server.url, require_auth=BASIC) as proxy:
        result = CliRunner().invoke(
            main, ["load", "--endpoint", proxy.url, "--release", str(data), "--netrc", str(netrc)]
        )
    assert result.exit_code == 0, result.output
    assert_secret_hidden(result.output)


def test_only_the_user_without_a_password_is_an_unusable_setting(data):
    result = CliRunner().invoke(
        main, ["load", "--endpoint", "http://127.0.0.1:1", "--release", str(data)], env={"FTZKG_USER": USER}
    )
    assert result.exit_code == 2
    assert "FTZKG_PASSWORD" in result.output


def test_credentials_are_not_forwarded_to_another_port_after_a_redirect(oxigraph_server):
    with FaultProxy(oxigraph_server.url) as elsewhere, Redirector(elsewhere.url) as store:
        endpoints = Endpoints.resolve(store.url)
        client = HttpClient(Credentials("Basic", USER, PASSWORD), endpoints.urls())
        assert StoreLoader(endpoints, client).count(ARTICLE) == 0  # the redirect was followed
    assert store.authorizations == [BASIC]  # the store named by the user got them
    assert [r.authorization for r in elsewhere.requests] == [None]  # the other origin did not


def test_credentials_never_show_in_their_repr():
    credentials = Credentials("Basic", USER, PASSWORD)
    assert PASSWORD not in repr(credentials) and PASSWORD not in str(credentials)


def test_a_virtuoso_user_other_than_the_dba_loads_through_the_sparql_swap_not_the_sql_copy(
    virtuoso_clean, data, kg
):
    """The SQL copy would write DB.DBA.RDF_QUAD past graph-level security (a user with Virtuoso's
    SPARQL_UPDATE role may run it): only the DBA's loads use it; any other user's go by the swap."""
    store = virtuoso_clean
    user, password = "ftzkg_writer", "Writer-pw-7c1"
    store.isql(
        f"DB.DBA.USER_CREATE ('{user}', '{password}');\n"
        f'GRANT SPARQL_UPDATE TO "{user}";\n'
        f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{user}', 15);\n"
    )
    try:
        for name, secret, copies, swaps in ((user, password, 0, 1), ("dba", store.password, 1, 0)):
            update(store, f"DROP SILENT GRAPH <{ARTICLE}>")
            with FaultProxy(store.url) as proxy:
                args = ["load", "--endpoint", proxy.url, "--release", str(data), "--store-type", "virtuoso"]
                result = CliRunner().invoke(main, args, env={"FTZKG_USER": name, "FTZKG_PASSWORD": secret})
            assert result.exit_code == 0, result.output
            assert sum(is_copy(r) for r in proxy.requests) == copies, name
            assert sum(is_swap(r) and not is_copy(r) for r in proxy.requests) == swaps, name
            assert graph_counts(store)[ARTICLE] == len(kg.quads([ARTICLE]))
    finally:
        store.isql(f"DB.DBA.USER_DROP ('{user}', 1);\n")
