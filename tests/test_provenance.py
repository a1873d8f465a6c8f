"""No fact lacks a source, and the words of the source back every value."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from kg_queries import select

from ftzkg import project


def test_no_triple_sits_in_the_default_graph(kg):
    """Provenance is by named graph, so a triple outside one would have no source."""
    assert list(kg.store.quads_for_pattern(None, None, None, ox.DefaultGraph())) == []


def test_every_data_graph_is_a_described_source(kg):
    """Each named graph of data is the IRI of a ftz:Source that says where its triples come from."""
    data_graphs = set(kg.source_graph_names())  # the derived graphs are computed, not sources
    described = {
        r["g"]
        for r in select(
            kg,
            # a title, or where the copy of the page shows none, a label that says so
            """SELECT ?g WHERE { GRAPH ?g { ?g a ?t ; dcterms:title|rdfs:label ?name }
                                 ?t rdfs:subClassOf* ftz:Source }""",
        )
    }
    assert data_graphs and data_graphs <= described, data_graphs - described


def test_every_sourced_fact_reaches_a_source(kg):
    unsourced = select(
        kg,
        """SELECT ?fact WHERE {
             ?fact a ?type . ?type rdfs:subClassOf* ftz:SourcedFact .
             FILTER NOT EXISTS { ?fact prov:wasDerivedFrom+ ?s . ?s a ftz:Source }
           }""",
    )
    assert unsourced == []
    assert len(select(kg, "SELECT ?f WHERE { ?f a ftz:Observation }")) >= 14


def test_every_stated_fact_quotes_its_source_and_derived_ones_say_how(kg):
    rows = select(
        kg,
        """SELECT ?fact ?quote ?derived ?how WHERE {
             ?fact a ?type . ?type rdfs:subClassOf* ftz:SourcedFact .
             OPTIONAL { ?fact ftz:quote ?quote } OPTIONAL { ?fact ftz:isDerived ?derived }
             OPTIONAL { ?fact ftz:derivation ?how } }""",
    )
    for row in rows:
        if row.get("derived") == "true":
            assert "how" in row and "quote" not in row, row["fact"]
        else:
            assert row.get("quote"), f"{row['fact']} has no quote"


NUMBER_WORDS = {"one": "1", "three": "3", "five": "5", "nine": "9"}


def test_every_source_phrase_stands_in_its_quote(kg):
    rows = select(
        kg,
        """SELECT ?holder ?phrase ?quote WHERE {
             ?holder ftz:sourcePhrase ?phrase .
             { ?holder ftz:quote ?quote }
             UNION { ?effect (ftz:before|ftz:after|ftz:reduction) ?holder ; ftz:quote ?quote }
           }""",
    )
    assert len(rows) >= 15
    for row in rows:
        assert row["phrase"] in row["quote"], row["holder"]


QUALIFIER_WORDS = {
    "MoreThan": r"\b(more than|over)\b",
    "Approximately": r"\b(around|about|approximately|roughly|nearly|almost)\b",
    "Range": r"\b\w+ to \w+\b|\d\s*[\u2013-]\s*\d",  # "one to three", "1-3" with a hyphen or an en dash
    "BestCase": r"\bas little as\b",
    "UpTo": r"\bup to\b",
    "AtMost": r"\b(at most|no more than)\b",
    "LessThan": r"\b(less than|under)\b",
    "Unspecified": r"\bsome\b|\beven\b",
}


def test_qualifiers_follow_the_words_of_the_source(kg):
    """ "more than 3,100" is a lower bound, "around nine" approximate, "one to three" or "1-3" a range.

    A value flattened to an exact number would fail here.
    """
    rows = select(
        kg, "SELECT ?holder ?phrase ?q WHERE { ?holder ftz:sourcePhrase ?phrase ; ftz:qualifier ?q }"
    )
    for row in rows:
        qualifier = row["q"].split("#")[1]
        pattern = QUALIFIER_WORDS.get(qualifier)
        if pattern is None:
            assert qualifier == "Exact"
            assert not re.search("|".join(QUALIFIER_WORDS.values()), row["phrase"]), row["holder"]
        else:
            assert re.search(pattern, row["phrase"]), (row["holder"], qualifier, row["phrase"])


def test_article_source_declares_ai_assisted_content(kg):
    rows = select(
        kg,
        """SELECT ?title ?declaration ?ai WHERE {
             source:kashgar-ftz-2025-article dcterms:title ?title ;
                 ftz:contentDeclaration ?declaration ; ftz:aiAssisted ?ai }""",
    )
    assert rows == [
        {
            "title": "FTZ Momentum Turns Kashgar into a Regional Trade Gateway",
            "declaration": "This article contains AI assisted creative content",
            "ai": "true",
        }
    ]


@pytest.mark.parametrize("path", [f.path for f in project.data_files()], ids=lambda p: p.name)
def test_each_data_file_is_one_named_graph(path):
    from ftzkg.parsing import parse_file

    graphs = {q.graph_name for q in parse_file(path)}
    assert len(graphs) == 1
    assert isinstance(next(iter(graphs)), ox.NamedNode)
