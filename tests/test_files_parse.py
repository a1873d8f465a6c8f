"""Every file of the knowledge graph parses strictly, and rdflib reads the same triples as Oxigraph."""

from __future__ import annotations

import pytest
import rdflib

from ftzkg import project
from ftzkg.namespaces import DERIVED_GRAPHS
from ftzkg.parsing import parse_file

FILES = project.all_files()


@pytest.mark.parametrize("source", FILES, ids=[f.path.name for f in FILES])
def test_file_parses_strictly_and_rdflib_agrees(source):
    quads = parse_file(source.path, source.graph)
    assert quads, f"{source.path} is empty"
    fmt = "trig" if source.path.suffix == ".trig" else "turtle"
    dataset = rdflib.Dataset()
    dataset.parse(source.path, format=fmt)
    assert len(list(dataset.quads((None, None, None, None)))) == len(
        {(q.subject, q.predicate, q.object, q.graph_name) for q in quads}
    )


def test_every_file_is_assembled_into_the_graph(kg):
    expected = sum(len(parse_file(f.path, f.graph)) for f in FILES)
    derived = kg.quads(DERIVED_GRAPHS)  # computed from the files when the graph is assembled
    assert derived and len(kg) - len(derived) == expected
