"""``ftzkg build``: a reproducible, self-describing release, written atomically."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import ftzkg
from ftzkg import KnowledgeGraph, __version__, project
from ftzkg.cli import main
from ftzkg.release import DATASET_IRI, ReleaseError, build_release

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """The project's release, built in memory (the CLI builds from the persistent store)."""
    out = tmp_path_factory.mktemp("release") / "dist"
    with ftzkg.open(persistent=False) as graph:
        graph.build(out)
    return out


def description(release: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(release / "void.ttl"), format=ox.RdfFormat.TURTLE)
    return store


def one(store: ox.Store, query: str) -> str:
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert len(rows) == 1, f"expected one row for {query}, got {len(rows)}"
    return rows[0][0].value


def test_building_twice_gives_byte_identical_files(release: Path, tmp_path: Path):
    # a separate process: another hash seed, fresh blank node identifiers from the parsers
    again = tmp_path / "again"
    done = subprocess.run(
        [sys.executable, "-m", "ftzkg", "build", "--out", str(again)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in release.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (release / name).read_bytes() == (again / name).read_bytes(), f"{name} differs between builds"


def test_release_holds_every_named_graph_with_its_triples(release: Path, kg: KnowledgeGraph):
    for name in ("ftzkg.trig", "ftzkg.nq"):
        store = ox.Store()
        store.load(path=str(release / name))
        for graph, count in kg.stats().graphs.items():
            assert len(list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))) == count, (
                f"{name}: graph {graph}"
            )
        assert len(store) == len(kg)


def test_turtle_and_jsonld_hold_the_union_of_all_graphs(release: Path, kg: KnowledgeGraph):
    union = {(str(q.subject), str(q.predicate), str(q.object)) for q in kg.quads()}
    blank = sum(1 for s, _, o in union if s.startswith("_:") or o.startswith("_:"))
    for name in ("ftzkg.ttl", "ftzkg.jsonld"):
        triples = list(ox.parse(path=str(release / name)))
        # graph by graph: a triple stated in two sources' graphs is written twice, read once
        assert len(triples) == len(kg), name
        store = ox.Store()  # literals are written as the sources write them ("5.0"): compare values
        store.extend(triples)
        named = {(str(t.subject), str(t.predicate), str(t.object)) for t in store}
        assert len(named) == len(union), name
        assert len(union - named) == blank  # only blank node labels differ
    assert isinstance(json.loads((release / "ftzkg.jsonld").read_bytes()), list)


def test_description_counts_triples_graphs_classes_and_properties(release: Path, kg: KnowledgeGraph):
    store = description(release)
    prologue = f"PREFIX void: <{VOID}> PREFIX sd: <{SD}> "
    stats = kg.stats()
    assert int(one(store, prologue + f"SELECT ?n {{ <{DATASET_IRI}> void:triples ?n }}")) == len(kg)
    for graph, count in stats.graphs.items():
        q = f"SELECT ?n {{ <{DATASET_IRI}> void:subset ?s . ?s sd:name <{graph}> ; void:triples ?n }}"
        assert int(one(store, prologue + q)) == count
    enterprise = "https://w3id.org/ftzkg/ontology#Enterprise"
    q = f"SELECT ?n {{ ?ds void:classPartition ?p . ?p void:class <{enterprise}> ; void:entities ?n }}"
    assert int(one(store, prologue + q)) == stats.classes[enterprise]
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    types = len(list(kg.store.quads_for_pattern(None, ox.NamedNode(rdf_type), None, None)))
    q = f"SELECT ?n {{ ?ds void:propertyPartition ?p . ?p void:property <{rdf_type}> ; void:triples ?n }}"
    assert int(one(store, prologue + q)) == types


def test_description_states_licence_version_date_and_distributions(release: Path):
    store = description(release)
    prologue = f"PREFIX dcat: <{DCAT}> PREFIX dcterms: <{DCTERMS}> PREFIX spdx: <{SPDX}> "
    ds = f"<{DATASET_IRI}>"
    assert one(store, prologue + f"SELECT ?l {{ {ds} dcterms:license ?l }}") == (
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert one(store, prologue + f"SELECT ?v {{ {ds} dcat:version ?v }}") == __version__
    assert one(store, f"SELECT ?v {{ {ds} <http://www.w3.org/2002/07/owl#versionInfo> ?v }}") == __version__
    ontology_modified = one(
        KnowledgeGraph.load(project.ontology_files()).store,
        f"SELECT ?d {{ <https://w3id.org/ftzkg/ontology> <{DCTERMS}modified> ?d }}",
    )
    assert one(store, prologue + f"SELECT ?d {{ {ds} dcterms:modified ?d }}") == ontology_modified
    rows = list(
        store.query(
            prologue
            + f"""SELECT ?title ?type ?size ?sum {{ {ds} dcat:distribution ?d .
                ?d dcterms:title ?title ; dcat:mediaType ?type ; dcat:byteSize ?size ;
                   spdx:checksum [ spdx:checksumValue ?sum ] }}"""
        )
    )
    assert sorted(r["title"].value for r in rows) == ["ftzkg.jsonld", "ftzkg.nq", "ftzkg.trig", "ftzkg.ttl"]
    for row in rows:
        data = (release / row["title"].value).read_bytes()
        assert int(row["size"].value) == len(data)
        assert row["sum"].value == hashlib.sha256(data).hexdigest()
        assert row["type"].value.startswith("https://www.iana.org/assignments/media-types/")


def test_checksums_file_covers_every_file(release: Path):
    lines = (release / "SHA256SUMS").read_text().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == {p.name for p in release.iterdir()} - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest


def test_source_date_epoch_sets_the_modification_date(tmp_path: Path, kg: KnowledgeGraph, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    result = build_release(tmp_path / "dist", kg)
    assert result.modified == "2026-01-01"
    assert '"2026-01-01"^^xsd:date' in (tmp_path / "dist" / "void.ttl").read_text()


def test_a_failed_build_leaves_the_previous_release_intact(tmp_path: Path):
    out = tmp_path / "dist"
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.trig"
    bad.write_text("<https://w3id.org/ftzkg/id/x> {\n  <https://w3id.org/ftzkg/id/a> <b> .\n}\n")
    with pytest.raises(Exception, match=r"bad\.trig:2"):
        build_release(out, KnowledgeGraph.load([project.SourceFile(bad, None)]))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.trig", "dist"]  # no temporary folder left


def test_build_refuses_to_replace_a_folder_that_is_not_a_release(tmp_path: Path, kg: KnowledgeGraph):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(ReleaseError, match="not an ftzkg release"):
        build_release(precious, kg)
    result = CliRunner().invoke(main, ["build", "--out", str(precious)])
    assert result.exit_code == 2
    assert "not an ftzkg release" in result.output
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_build_command_prints_files_and_triples(tmp_path: Path, kg: KnowledgeGraph):
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    assert f"{len(kg)} triples in {len(kg.graph_names())} named graphs" in result.output
    for name in ("ftzkg.trig", "ftzkg.nq", "ftzkg.ttl", "ftzkg.jsonld", "void.ttl", "SHA256SUMS"):
        assert name in result.output


def test_blank_node_labels_depend_on_content_not_on_the_parse():
    from ftzkg.blank_nodes import relabel

    text = b"""@prefix ex: <http://example.org/> .
    ex:a ex:list ( ex:x ex:y ex:z ) ; ex:b [ ex:c 1 ] , [ ex:c 2 ] ; ex:same [ ex:d 1 ] , [ ex:d 1 ] ."""
    first = relabel(list(ox.parse(text, format=ox.RdfFormat.TURTLE)))
    second = relabel(list(ox.parse(text, format=ox.RdfFormat.TURTLE)))
    assert sorted(map(str, first)) == sorted(map(str, second))
    labels = {str(t) for q in first for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert len(labels) == 3 + 2 + 2  # list cells, two [ ex:c ], two look-alike [ ex:d 1 ] stay apart
