"""The private Virtuoso the store tests run against: isolated, password set, system graphs hidden."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from store_queries import graph_counts, select, update

from ftzkg.virtuoso_server import SYSTEM_GRAPHS

EX = "http://example.org/"


def test_the_fixture_binds_to_loopback_and_refuses_the_default_password(virtuoso_clean):
    server = virtuoso_clean
    assert server.url.startswith("http://127.0.0.1:")
    assert str(server.location) in server.ini.read_text()
    with pytest.raises(RuntimeError, match="Bad login"):
        server.isql("select 1;", password="dba")


def test_anonymous_readers_see_the_data_graphs_but_not_virtuosos_own(virtuoso_clean):
    update(virtuoso_clean, f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 'o' }} }}")
    assert graph_counts(virtuoso_clean) == {EX + "g": 1}
    rows = select(virtuoso_clean, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert rows == [{"n": "1"}]  # the default graph holds the data only
    as_dba = virtuoso_clean.isql("SPARQL SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } };")
    assert all(g in as_dba for g in SYSTEM_GRAPHS)  # they exist; they are only hidden


def test_anonymous_users_cannot_write(virtuoso_clean):
    insert = f"INSERT DATA {{ GRAPH <{EX}x> {{ <{EX}s> <{EX}p> 1 }} }}"
    body = urllib.parse.urlencode({"update": insert}).encode()
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(urllib.request.Request(virtuoso_clean.query_url, data=body), timeout=30)
    assert graph_counts(virtuoso_clean) == {}
