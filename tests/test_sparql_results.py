"""SHACL-SPARQL constraint results by pySHACL's rules (ftzkg.validation.sparql_results).

The one loop behind the engines' report (sparql_shapes) and the check plan's findings;
those are held to pySHACL and to each other by tests/test_shacl_engines.py,
tests/test_check_plan.py and tests/conformance. Here: the rules themselves, on a real store.
"""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox

from ftzkg.validation.sparql_results import constraint_results, focus_nodes, format_message

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
DATA = f"""
@prefix ex: <{EX}> . @prefix xsd: <{XSD}> .
ex:a a ex:T ; ex:v "AB"^^xsd:hexBinary, "ab"^^xsd:hexBinary .
ex:b a ex:T ; ex:v 1, 2 .
ex:c a ex:U .
"""
TARGET = f"SELECT ?this WHERE {{ ?this a <{EX}T> }}"


def _store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    return store


def test_focus_nodes_are_each_target_node_once_in_the_order_found():
    store = _store()
    again = f"SELECT ?this WHERE {{ VALUES ?this {{ <{EX}c> <{EX}a> }} }}"
    focus = focus_nodes(store, [TARGET, again])
    assert sorted(str(n) for n in focus[:2]) == [f"<{EX}a>", f"<{EX}b>"]
    assert focus[2:] == [ox.NamedNode(EX + "c")]


def test_rows_are_results_once_each_with_this_bound_and_value_defaulting_to_the_focus():
    store = _store()
    b = ox.NamedNode(EX + "b")
    query = f"SELECT $this ?path ?v WHERE {{ $this <{EX}v> ?v . $this <{EX}v> ?w BIND(<{EX}v> AS ?path) }}"
    found = list(constraint_results(store, query, [b], ["{?v} at {$path} of {?this}: {?value}"]))
    # four rows (?w is not projected), two distinct (?this, ?path, ?value, ?v)
    assert [r.bound["v"] for r in found] in ([ox.Literal(1), ox.Literal(2)], [ox.Literal(2), ox.Literal(1)])
    for result in found:
        assert (result.focus, result.this, result.value, result.failure) == (b, b, b, False)
        assert result.path == ox.NamedNode(EX + "v")
        assert list(result.bound) == ["v", "this", "path", "value"]
        assert result.messages == [f"{result.bound['v'].value} at {EX}v of {EX}b: {EX}b"]


def test_a_failure_is_one_result_per_focus_node_with_the_focus_as_value():
    store = _store()
    a, b = ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b")
    query = f"SELECT $this ?failure ?v WHERE {{ $this <{EX}v> ?v BIND(true AS ?failure) }}"
    found = list(constraint_results(store, query, [a, b], ["failed on {?v} ({?this})"]))
    assert [(r.focus, r.this, r.path, r.value, r.failure) for r in found] == [
        (a, None, None, a, True),
        (b, None, None, b, True),
    ]
    # the failure row's other variables, ?this among them, as the row binds them
    assert found[0].messages == [f"failed on {found[0].bound['v'].value} ({EX}a)"]


def test_which_terms_are_the_same_and_how_they_are_written_are_the_callers():
    store = _store()
    a = ox.NamedNode(EX + "a")
    query = f"SELECT $this ?value WHERE {{ $this <{EX}v> ?value }}"
    apart = list(constraint_results(store, query, [a], ["{?value}"]))
    assert sorted(m for r in apart for m in r.messages) == ["AB", "ab"]
    alike = list(
        constraint_results(
            store, query, [a], ["{?value}"], same=lambda t: str(t).lower(), text=lambda t: t.value.lower()
        )
    )
    assert [r.messages for r in alike] == [["ab"]]


def test_messages_are_formatted_as_pyshacl_formats_them():
    assert format_message("{?x} and {$x} but not {x} or {?xy}", {"x": "1"}) == "1 and 1 but not {x} or {?xy}"
    # in turn: a value holding another variable's placeholder is formatted by the later ones
    assert format_message("{?a}", {"a": "{?b}", "b": "2"}) == "2"


def test_the_module_loads_no_rdf_library():
    code = (
        "import sys, ftzkg.validation.sparql_results; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
