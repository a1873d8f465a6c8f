"""Adding a valid source never turns the build red: a copy of the project gets a new source and
every check runs on it — build, validate, every catalogue query, the site and the invariants.

The copy is a temporary folder with the repository's ontology/, data/ and queries/;
``ftzkg --project`` points at it, in a subprocess as a user would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import invariants
import pytest

from ftzkg import KnowledgeGraph, project
from ftzkg.catalogue import catalogue

NEW_SOURCE = """@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
@prefix source: <https://w3id.org/ftzkg/id/source/> .
@prefix obs: <https://w3id.org/ftzkg/id/observation/> .
@prefix link: <https://w3id.org/ftzkg/id/link/> .
@prefix firm: <https://w3id.org/ftzkg/id/firm/> .
@prefix zone: <https://w3id.org/ftzkg/id/zone/> .
@prefix country: <https://w3id.org/ftzkg/id/country/> .
@prefix product: <https://w3id.org/ftzkg/id/product/> .
@prefix period: <https://w3id.org/ftzkg/id/period/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

source:example-registry-bulletin {

source:example-registry-bulletin a ftz:Source ;
    rdfs:label "EXAMPLE registry bulletin"@en ;
    dcterms:title "EXAMPLE registry bulletin"@en ;
    ftz:aiAssisted false .

obs:example-registered-businesses a ftz:Observation ;
    rdfs:label "EXAMPLE registered businesses in the Kashgar Area"@en ;
    ftz:hasMeasure ftz:RegisteredBusinesses ;
    ftz:refArea zone:kashgar-area ;
    ftz:refPeriod period:as-of-kashgar-ftz-2025-article ;
    ftz:numericValue 5173.0 ;
    ftz:qualifier ftz:Exact ;
    ftz:unit unit:NUM ;
    ftz:sourcePhrase "5,173" ;
    prov:wasDerivedFrom source:example-registry-bulletin ;
    ftz:quote "EXAMPLE: the area had 5,173 registered businesses." .

firm:kashgar-kangyi-intelligent-technology ftz:exportsTo country:KZ .

link:example-kangyi-exports-kazakhstan a ftz:TradeLink ;
    rdfs:label "EXAMPLE Kangyi exports to Kazakhstan"@en ;
    ftz:exporter firm:kashgar-kangyi-intelligent-technology ;
    ftz:destinationMarket country:KZ ;
    ftz:hasProduct product:small-appliances ;
    ftz:evidence ftz:ExportsReaching ;
    ftz:status ftz:Reported ;
    prov:wasDerivedFrom source:example-registry-bulletin ;
    ftz:quote "EXAMPLE: Kangyi's small appliances reach Kazakhstan." .
}
"""

REPO = project.ROOT


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "data", "queries"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "data" / "example").mkdir()
    (root / "data" / "example" / "example-registry-bulletin.trig").write_text(NEW_SOURCE, encoding="utf-8")
    return root


def ftzkg(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTZKG_PROJECT")}
    return subprocess.run(
        [sys.executable, "-m", "ftzkg", "--project", str(copy), *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_copy_with_a_new_source_builds_validates_and_answers(copy):
    built = ftzkg(copy, "build", "--out", str(copy / "dist"))
    assert built.returncode == 0, built.stderr
    assert "example-registry-bulletin" in (copy / "dist" / "ftzkg.nq").read_text(encoding="utf-8")
    validated = ftzkg(copy, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert f"{len(project.data_files()) + 1} data files" in validated.stdout
    for query in catalogue():
        answered = ftzkg(copy, "query", query.name, "--format", "csv")
        assert answered.returncode == 0, (query.name, answered.stderr)
    links = ftzkg(copy, "query", "trade-links", "--format", "csv").stdout
    assert "example-kangyi-exports-kazakhstan" in links
    site = ftzkg(copy, "site", "--out", str(copy / "site"))
    assert site.returncode == 0, site.stderr
    assert (copy / "site" / "id" / "link" / "example-kangyi-exports-kazakhstan.html").is_file()


def test_the_copy_keeps_the_invariants_and_the_new_source_corroborates(copy):
    files = [
        project.SourceFile(copy / f.path.resolve().relative_to(REPO), f.graph) for f in project.all_files()
    ] + [project.SourceFile(copy / "data" / "example" / "example-registry-bulletin.trig", None)]
    kg = KnowledgeGraph.load(files, derive=True)
    for check in invariants.ALL:
        assert check(kg) == [], check.__name__
    corroborated = ftzkg(copy, "query", "ai-assisted-corroboration", "--format", "csv").stdout
    rows = [line for line in corroborated.splitlines() if "/kashgar-area-registered-businesses," in line]
    assert any("Corroborated" in row and "example-registry-bulletin" in row for row in rows), rows
