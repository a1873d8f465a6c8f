"""The same command on a real Oxigraph server gives the same answers as the embedded store."""

from __future__ import annotations

import csv
import io
import urllib.request

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ftzkg.catalogue import catalogue
from ftzkg.cli import main
from ftzkg.endpoint import EndpointBackend
from ftzkg.querying import BackendError, QueryRefused, execute


def load_into(server, kg) -> None:
    body = ox.serialize(kg.quads(), format=ox.RdfFormat.N_QUADS)
    request = urllib.request.Request(
        server.store_url, data=body, method="POST", headers={"Content-Type": "application/n-quads"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201, 204)


def csv_rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


def test_every_catalogue_query_gives_the_same_answer_on_an_endpoint(oxigraph_server, kg):
    load_into(oxigraph_server, kg)
    runner = CliRunner()
    for query in catalogue():
        embedded = runner.invoke(main, ["query", query.name, "--format", "csv"])
        remote = runner.invoke(
            main, ["query", query.name, "--format", "csv", "--endpoint", oxigraph_server.query_url]
        )
        assert embedded.exit_code == 0 and remote.exit_code == 0, remote.output
        assert csv_rows(remote.output)[0] == csv_rows(embedded.output)[0]
        assert sorted(csv_rows(remote.output)) == sorted(csv_rows(embedded.output)), query.name
        assert len(csv_rows(remote.output)) > 1, query.name
    # the table (with labels fetched from the endpoint) and parameters are the same too
    args = ["query", "firms-reaching-region", "--param", "region=region:142"]
    assert (
        runner.invoke(main, [*args, "--endpoint", oxigraph_server.query_url]).output
        == runner.invoke(main, args).output
    )


def test_the_endpoint_backend_keeps_the_same_safety_checks(oxigraph_server):
    backend = EndpointBackend(oxigraph_server.query_url)
    with pytest.raises(QueryRefused):
        execute(backend, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_an_unreachable_endpoint_exits_3():
    from ftzkg.server import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(BackendError):
        EndpointBackend(url, timeout_s=5).run(
            __import__("ftzkg.querying").querying.prepare("SELECT * WHERE { ?s ?p ?o }")
        )
    assert CliRunner().invoke(main, ["query", "trade-links", "--endpoint", url]).exit_code == 3
