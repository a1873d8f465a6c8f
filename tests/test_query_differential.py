"""Differential, property-based: no query the safety check accepts reaches a canary on 127.0.0.1.

Hypothesis writes queries from pieces chosen to make parsers disagree: comments, every
kind of line ending, string quotes and escapes (``\\u``, ``\\U``, ``\\\\``, ``\\"``), IRIs,
Unicode, nesting, and the words that reach out (``SERVICE``, ``LOAD``, ``FROM``) aimed at
the canary. Each text goes through the whole check; whatever it accepts is run on Oxigraph
(updates allowed, federation not) and its results read to the end. The canary must hear
nothing. ``make fuzz-queries`` runs many more examples (``FTZKG_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os
import time

import pyoxigraph as ox
import pytest
from connection_canary import ConnectionCanary
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftzkg.querying import BackendError, EmbeddedBackend, QueryError, execute
from ftzkg.sparql_text import canonical

EXAMPLES = int(os.environ.get("FTZKG_FUZZ_EXAMPLES", "300"))

LINE_ENDINGS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1e"]
ESCAPES = ["\\u0022", "\\u0027", "\\u005C", "\\U0000005C", "\\u000A", "\\u000D", "\\u0023", "\\u003E"]
ESCAPES += ["\\\\", '\\"', "\\'", "\\n", "\\r", "\\", "\\u00220041", "\\u2028"]
QUOTES = ['"', "'", '"""', "'''"]
UNICODE = ["é", "\u4e2d", "\U0001f600", "\u200d", "\ufeff", "\u00a0", "\u3000", "ǅ"]
PUNCT = ["{", "}", "(", ")", "[", "]", "<", ">", ".", ";", ",", "#", "?", "$", ":", "@", "^^", "|", "&&"]


def reaching(url: str) -> list[str]:
    return [
        f"SERVICE SILENT <{url}> {{ ?s ?p ?o }}",
        f"SERVICE <{url}> {{ }}",
        f"FROM <{url}>",
        f"FROM NAMED <{url}>",
        f"LOAD SILENT <{url}>",
        f"; LOAD SILENT <{url}> INTO GRAPH <urn:g>",
        f"BIND(<{url}> AS ?u) SERVICE SILENT ?u {{ ?s ?p ?o }}",
        f"ServIce sileNT <{url}> {{ ?s ?p ?o }}",
    ]


OPENERS = ["#", '#"', "#'", "#<", '"', "'", '"""']
JUNK = ["", "", " x", '"', "'", "\\", "é", "\U0001f600", "\\u0022", "{", "<"]
CLOSERS = ["\n", "\r\n", "\n#", " \n", "\u2028\n", ""]


def pieces() -> st.SearchStrategy[str]:
    """A free hole: a line ending, an escape, a quote, a comment mark, Unicode, or a few of them."""
    special = st.sampled_from([*LINE_ENDINGS, *ESCAPES, *QUOTES, *UNICODE, *PUNCT, *OPENERS, " "])
    return st.one_of(
        special,
        st.lists(special, max_size=4).map("".join),
        st.text(alphabet="\"'#\\<>{}()\r\n\x85\u2028 uU0123456789abcdefABCDEF", max_size=5),
    )


def queries(url: str) -> st.SearchStrategy[str]:
    """Texts in shapes that hide a reaching part behind a comment, a string or an escape."""
    in_pattern = [r for r in reaching(url) if r.startswith(("SERVICE", "ServIce", "BIND"))]

    @st.composite
    def text(draw: st.DrawFn) -> str:
        def hider() -> str:
            opener = draw(st.sampled_from(OPENERS))
            junk = draw(st.one_of(st.sampled_from(JUNK), pieces()))
            return opener + junk + draw(st.sampled_from(LINE_ENDINGS))

        closer = draw(st.sampled_from(CLOSERS))
        shape = draw(st.integers(0, 4))
        if shape == 0:
            reach = draw(st.sampled_from(in_pattern))
            return f"SELECT ?x WHERE {{ BIND(1 AS ?x) {hider()}{reach}{closer} }}"
        if shape == 1:
            escape = draw(st.sampled_from(ESCAPES))
            reach = draw(st.sampled_from(in_pattern))
            return f'SELECT ?y WHERE {{ BIND("x{escape}" AS ?y) {reach} }} #" AS ?y) }}'
        if shape == 2:
            return f"SELECT * {hider()}FROM <{url}>{closer}WHERE {{ ?s ?p ?o }}"
        if shape == 3:
            return f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} {hider()}; LOAD SILENT <{url}>{closer}"
        holes = draw(st.lists(st.one_of(pieces(), st.sampled_from(reaching(url))), max_size=8))
        return "SELECT ?x WHERE { BIND(1 AS ?x) " + "".join(holes) + "\n}"

    return text()


@pytest.fixture(scope="module")
def canary():
    with ConnectionCanary() as server:
        yield server


def accepted_and_run(text: str) -> bool:
    """True when the check accepted ``text`` (it then ran to the end on an empty store)."""
    try:
        result = execute(EmbeddedBackend(ox.Store()), text, allow_update=True)
        if result.solutions is not None:
            for _ in result.solutions:
                pass
    except (QueryError, BackendError):
        return False
    except (SyntaxError, OSError, RuntimeError):
        return True  # accepted, then failed in the engine: what matters is whether it reached out
    return True


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize="FTZKG_FUZZ_EXAMPLES" not in os.environ,
)
@given(data=st.data())
def test_no_query_the_check_accepts_reaches_the_canary(canary, data):
    text = data.draw(queries(canary.url))
    before = canary.connections
    accepted_and_run(text)
    if canary.connections != before:
        time.sleep(0.05)
    assert canary.connections == before, f"reached the canary: {text!r}"


@settings(max_examples=EXAMPLES, deadline=None, derandomize="FTZKG_FUZZ_EXAMPLES" not in os.environ)
@given(text=queries("http://127.0.0.1:9/sparql"))
def test_the_canonical_text_is_its_own_canonical_text(text):
    """Writing a text canonically twice changes nothing: the text that runs is stable."""
    try:
        once = canonical(text).text
    except ValueError:
        return
    assert canonical(once).text == once
    assert "\r" not in once
