"""The Python front door: the README's examples and the API's docstring examples run as written."""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import ftzkg
import ftzkg.api
from ftzkg.parsing import RdfInputError
from ftzkg.project import Project

SHIPPED = Project.shipped()
README = (SHIPPED.root / "README.md").read_text(encoding="utf-8")
NEW_FIRM = "https://w3id.org/ftzkg/id/firm/api-test-firm"
NEW_SOURCE = "https://w3id.org/ftzkg/id/source/api-test-report"


def python_blocks(section: str) -> list[str]:
    body = README.split(f"<!-- section: {section} -->", 1)[1].split(f"<!-- end: {section} -->", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, re.S)


def test_the_readme_python_examples_run(tmp_path, monkeypatch, capsys):
    blocks = python_blocks("python-api")
    assert blocks
    monkeypatch.chdir(tmp_path)  # kg.build("dist") writes here
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert (tmp_path / "dist" / "ftzkg.nq").is_file()
    assert "firms" in capsys.readouterr().out


def test_the_api_docstring_examples_run():
    failed, attempted = doctest.testmod(ftzkg.api, optionflags=doctest.ELLIPSIS)
    assert attempted >= 4 and failed == 0


def test_package_ships_type_information():
    assert (Path(ftzkg.__file__).parent / "py.typed").is_file()


@pytest.fixture(scope="module")
def kg(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-project")
    for part in ("ontology", "data", "queries"):
        shutil.copytree(SHIPPED.root / part, root / part)
    with ftzkg.open(root) as graph:
        yield graph


def test_a_contribution_as_quads_as_text_and_as_a_file_gives_one_report(kg, tmp_path):
    turtle = f"""@prefix ftz: <https://w3id.org/ftzkg/ontology#> .
<{NEW_SOURCE}> a ftz:Source .
<{NEW_FIRM}> a ftz:Enterprise ."""
    path = tmp_path / "firm.ttl"
    path.write_text(turtle, encoding="utf-8")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = [
        ox.Quad(ox.NamedNode(NEW_SOURCE), a, ox.NamedNode("https://w3id.org/ftzkg/ontology#Source")),
        ox.Quad(ox.NamedNode(NEW_FIRM), a, ox.NamedNode("https://w3id.org/ftzkg/ontology#Enterprise")),
    ]
    reports = [kg.validate_contribution(c) for c in (turtle, quads, path, [str(path)])]
    keys = [sorted((f.focus, f.shape, f.message) for f in r.findings) for r in reports]
    assert keys[0] and all(k == keys[0] for k in keys)
    assert [r.files for r in reports[:2]] == [["<text>"], ["<quads>"]]


def test_bad_input_raises_the_library_errors(kg):
    with pytest.raises(RdfInputError, match="<text>"):
        kg.validate_contribution("this is not turtle")
    with pytest.raises(ValueError, match="unknown RDF format"):
        kg.validate_contribution("<a> <b> <c> .", format="yaml")
    from ftzkg.catalogue import CatalogueError
    from ftzkg.querying import QueryError

    with pytest.raises(CatalogueError):
        kg.query("no-such-question")
    with pytest.raises(QueryError):
        kg.query("firms-reaching-region", region="not a region")


def test_ask_and_construct_answers(kg):
    assert kg.query("ASK { ?s a ftz:Enterprise }").boolean is True
    triples = kg.query("CONSTRUCT { ?s a ftz:Enterprise } WHERE { ?s a ftz:Enterprise }").triples
    assert triples and all(isinstance(t, ox.Triple) for t in triples)


def test_in_memory_and_persistent_give_the_same_statistics(kg):
    with ftzkg.open(kg.project.root, persistent=False) as memory:
        assert memory.stats() == kg.stats()


def test_refresh_picks_up_an_edited_source(kg):
    regions = kg.project.data_dir / "reference" / "regions.trig"
    regions.write_text(regions.read_text(encoding="utf-8").replace('"Central Asia"@en', '"Middle Asia"@en'))
    ask = 'ASK { ?r rdfs:label "Middle Asia"@en }'
    assert kg.query(ask).boolean is False  # the open graph does not change under its reader
    report = kg.refresh()
    assert report is not None and report.parsed == ["data/reference/regions.trig"]
    assert kg.query(ask).boolean is True
