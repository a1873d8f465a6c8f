"""Fuzzing contributions, bounded: generated and mutated files (from the example contributions and
the W3C conformance files) go to the contribution parser and the validator. Each must end within its
time budget as a report (exit 0 or 1) or an RdfInputError (exit 2, one line) — never another
exception, which would be a traceback for the user.

``make test`` runs a few hundred examples, derandomized; ``make fuzz`` runs many more
(``FTZKG_FUZZ_EXAMPLES``) with fresh randomness.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftzkg import KnowledgeGraph
from ftzkg.input_limits import Limits
from ftzkg.parsing import FORMATS, RdfInputError, parse_untrusted
from ftzkg.validation import format_text
from ftzkg.validation.contribution import validate_contribution

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("FTZKG_FUZZ_EXAMPLES", "0"))
FRESH = EXAMPLES > 0  # make fuzz: new random inputs every run
PARSER_EXAMPLES = EXAMPLES or 300
VALIDATOR_EXAMPLES = max(EXAMPLES // 10, 40)

#: Seconds one example may take: parsing is bounded by the limits, validation by the file's size.
PARSE_BUDGET = 10.0
VALIDATE_BUDGET = 60.0
#: Small limits, so that the fuzzer reaches them with small inputs.
LIMITS = Limits(max_bytes=200_000, max_depth=20, max_triples=2_000, max_literal_bytes=5_000)


def _seeds() -> list[Path]:
    examples = sorted((ROOT / "data" / "contributions" / "examples").glob("*.ttl"))
    conformance = sorted(
        p
        for p in (ROOT / "tests" / "conformance").rglob("*")
        if p.suffix in FORMATS and p.is_file() and p.stat().st_size < 4_000 and "manifest" not in p.name
    )
    return examples + conformance[::7]


SEEDS = _seeds()

# Bytes that matter to RDF parsers: brackets, quotes, escapes, separators, control characters.
INTERESTING = [
    b"(", b")", b"[", b"]", b"{", b"}", b"<<", b">>", b"<", b">", b'"', b"'", b'"""', b"\\", b"\\u",
    b"@", b"^^", b":", b".", b";", b",", b"#", b"_:", b"\n", b"\r", b"\x00", b"\x1b[31m", b"\xc2\x9b",
    b"\xff", b"\xef\xbb\xbf", b"\xe2\x80\xae", b"@prefix", b"@base <x> .", b'"@id"', b'"@context"',
    b"<!DOCTYPE x>", b"rdf:ID", b"xsd:date", b"xsd:byte", b'"2025-02-30"^^xsd:date', b"9" * 30,
    b"owl:imports", b"sh:sparql", b"<https://w3id.org/ftzkg/id/firm/x>",
]  # fmt: skip

_mutation = st.one_of(
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(INTERESTING) | st.binary(max_size=8)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 64)),
    st.tuples(st.just("repeat"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.floats(0, 1), st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple[str, float, object]]) -> bytes:
    for kind, where, arg in mutations:
        at = int(where * len(data))
        if kind == "insert":
            data = data[:at] + arg + data[at:]  # type: ignore[operator]
        elif kind == "delete":
            data = data[:at] + data[at + arg :]  # type: ignore[operator]
        elif kind == "repeat":  # a slice written many times over: nesting, long tokens, many triples
            piece = data[at : at + 12]
            data = data[:at] + piece * arg + data[at:]  # type: ignore[operator]
        elif kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([arg]) + data[at + 1 :]  # type: ignore[list-item]
        elif kind == "truncate":
            data = data[:at]
    return data


# Small contributions written from scratch: terms of the project and of XSD, literals of any text.
_TERMS = st.sampled_from(
    [
        "firm:xinjiang-withyoung-health-food",
        "firm:new",
        "<https://example.org/x>",
        "ftz:exportsTo",
        "ftz:launchDate",
        "rdfs:label",
        "rdfs:seeAlso",
        "a",
        "ftz:Enterprise",
        "country:KZ",
        "owl:imports",
        "_:b",
        "[]",
    ]
)
_DATATYPES = st.sampled_from(
    ["xsd:date", "xsd:int", "xsd:byte", "xsd:duration", "xsd:time", "xsd:gYear", "xsd:boolean", "xsd:decimal"]
)
_LITERAL = st.builds(
    lambda text, tail: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"' + tail,
    st.text(max_size=20),
    st.one_of(st.just(""), st.just("@en"), _DATATYPES.map(lambda d: "^^" + d)),
)
PREFIXES = (
    "@prefix ftz: <https://w3id.org/ftzkg/ontology#> .\n@prefix firm: <https://w3id.org/ftzkg/id/firm/> .\n"
    "@prefix country: <https://w3id.org/ftzkg/id/country/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
generated_turtle = st.lists(
    st.tuples(_TERMS, _TERMS, st.one_of(_TERMS, _LITERAL)), min_size=1, max_size=12
).map(lambda triples: PREFIXES + "".join(f"{s} {p} {o} .\n" for s, p, o in triples))


def _parse(data: bytes, suffix: str) -> int:
    """The exit code the command would give for parsing ``data``; raises on anything unexpected."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            parse_untrusted(path, limits=LIMITS)
        except RdfInputError as exc:
            assert "\n" not in str(exc) and "\x1b" not in str(exc)
            return 2
    return 0


@settings(
    max_examples=PARSER_EXAMPLES,
    deadline=None,
    derandomize=not FRESH,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(SEEDS), st.lists(_mutation, max_size=6))
def test_mutated_files_parse_or_are_refused_in_one_line(seed, mutations):
    data = mutate(seed.read_bytes(), mutations)
    started = time.monotonic()
    assert _parse(data, seed.suffix) in (0, 2)
    assert time.monotonic() - started < PARSE_BUDGET


@pytest.fixture(scope="module")
def kg() -> KnowledgeGraph:
    return KnowledgeGraph.load()


def _validate(kg: KnowledgeGraph, data: bytes, suffix: str) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            report = validate_contribution([path], kg, limits=LIMITS)
        except RdfInputError as exc:
            assert "\n" not in str(exc)
            return 2
        text = format_text(report, contribution=True)
        assert "\x1b" not in text and "\x9b" not in text
        report.to_json()
        report.to_turtle()
        return 0 if report.conforms else 1


@settings(
    max_examples=VALIDATOR_EXAMPLES,
    deadline=None,
    derandomize=not FRESH,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.one_of(
        generated_turtle.map(lambda text: (text.encode("utf-8"), ".ttl")),
        st.tuples(st.sampled_from(SEEDS[:9]), st.lists(_mutation, max_size=3)).map(
            lambda s: (mutate(s[0].read_bytes(), s[1]), s[0].suffix)
        ),
    )
)
def test_generated_and_mutated_contributions_are_validated_or_refused(kg, case):
    data, suffix = case
    started = time.monotonic()
    assert _validate(kg, data, suffix) in (0, 1, 2)
    assert time.monotonic() - started < VALIDATE_BUDGET
