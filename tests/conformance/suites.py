"""The W3C conformance suites kept in this folder: their test cases, read from their manifests, and how
the project does on each (``None``: as the suite expects; else why not).

Runs in-process: the contribution parser (:func:`ftzkg.parsing.parse_untrusted`) for the RDF 1.1
syntax suites and JSON-LD toRdf, the default SHACL engine for the SHACL suite.
"""

from __future__ import annotations

import json
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ftzkg.parsing import RdfInputError, parse_untrusted

HERE = Path(__file__).resolve().parent
KNOWN_FAILURES_FILE = HERE / "known-failures.toml"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
RDFT = "http://www.w3.org/ns/rdftest#"


@dataclass(frozen=True)
class Case:
    """One test of a suite: ``kind`` is positive, negative or eval."""

    suite: str
    name: str
    kind: str
    action: Path
    result: Path | None = None
    base: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"


def known_failures() -> dict[str, dict[str, str]]:
    """``{suite family: {case id: reason}}`` from known-failures.toml."""
    return tomllib.loads(KNOWN_FAILURES_FILE.read_text(encoding="utf-8"))


def _path(iri: str) -> Path:
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(iri).path))


# ---------------------------------------------------------------- RDF 1.1 syntax suites

RDF11_SUITES = ("rdf-n-triples", "rdf-n-quads", "rdf-turtle", "rdf-trig", "rdf-xml")
_KINDS = {
    "PositiveSyntax": "positive",
    "NegativeSyntax": "negative",
    "NegativeEval": "negative",
    "Eval": "eval",
}


def rdf11_cases() -> list[Case]:
    cases: list[Case] = []
    for suite in RDF11_SUITES:
        manifest = HERE / "rdf11" / suite / "manifest.ttl"
        store = ox.Store()
        store.bulk_extend(ox.parse(path=manifest, format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri()))
        base = f"https://w3c.github.io/rdf-tests/rdf/rdf11/{suite}/"
        rows = store.query(
            "SELECT ?type ?name ?action ?result WHERE { ?t a ?type ; <"
            + MF
            + "name> ?name ; <"
            + MF
            + "action> ?action . OPTIONAL { ?t <"
            + MF
            + "result> ?result } "
            "FILTER(STRSTARTS(STR(?type), '" + RDFT + "Test')) }"
        )
        for row in rows:
            local = row["type"].value.removeprefix(RDFT + "Test")
            kind = next(k for suffix, k in _KINDS.items() if local.endswith(suffix))
            action = _path(row["action"].value)
            result = _path(row["result"].value) if row["result"] is not None else None
            relative = action.relative_to(manifest.parent).as_posix()
            cases.append(Case(suite, row["name"].value, kind, action, result, base + relative))
    return sorted(cases, key=lambda c: c.id)


def canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads with blank nodes relabelled canonically: equal sets mean isomorphic datasets."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def rdf11_outcome(case: Case) -> str | None:
    """None if the contribution parser does what the test expects, else why not."""
    try:
        quads = parse_untrusted(case.action, base_iri=case.base)
    except RdfInputError as exc:
        if case.kind != "negative":
            return f"refused: {exc.message}"
        if exc.line is None:
            return f"refused without a line: {exc.message}"
        return None
    if case.kind == "negative":
        return "accepted"
    if case.kind == "eval":
        assert case.result is not None
        fmt = ox.RdfFormat.N_QUADS if case.result.suffix == ".nq" else ox.RdfFormat.N_TRIPLES
        expected = list(ox.parse(path=case.result, format=fmt))
        if canonical(quads) != canonical(expected):
            return "parsed to a different graph than expected"
    return None


# ---------------------------------------------------------------- JSON-LD toRdf

JSONLD_BASE = "https://w3c.github.io/json-ld-api/tests/"


def jsonld_cases() -> list[Case]:
    manifest = json.loads((HERE / "json-ld" / "toRdf-manifest.jsonld").read_text(encoding="utf-8"))
    cases = []
    for test in manifest["sequence"]:
        types = test["@type"] if isinstance(test["@type"], list) else [test["@type"]]
        kind = "negative" if "jld:NegativeEvaluationTest" in types else "eval"
        if "jld:PositiveSyntaxTest" in types:
            kind = "positive"
        action = HERE / "json-ld" / test["input"]
        result = HERE / "json-ld" / test["expect"] if "expect" in test else None
        options = tuple(sorted((k, json.dumps(v)) for k, v in test.get("option", {}).items()))
        base = test.get("option", {}).get("base", JSONLD_BASE + test["input"])
        cases.append(Case("json-ld/toRdf", test["@id"].lstrip("#"), kind, action, result, base, options))
    return cases


def jsonld_outcome(case: Case) -> str | None:
    """None if the contribution parser gives the expected N-Quads (or refuses a negative test)."""
    options = dict(case.options)
    if json.loads(options.get("specVersion", '"json-ld-1.1"')) == "json-ld-1.0":
        return "a JSON-LD 1.0-only test (the parser implements JSON-LD 1.1)"
    try:
        quads = parse_untrusted(case.action, base_iri=case.base)
    except RdfInputError as exc:
        return None if case.kind == "negative" else f"refused: {exc.message}"
    if case.kind == "negative":
        return "accepted"
    if case.result is None:
        return None
    try:
        expected = list(ox.parse(path=case.result, format=ox.RdfFormat.N_QUADS))
    except SyntaxError as exc:
        return f"the expected output is not RDF 1.1 N-Quads ({exc.msg})"
    if canonical(quads) != canonical(expected):
        return "parsed to a different dataset than expected"
    return None


# ---------------------------------------------------------------- SHACL core and SPARQL

SHT = "http://www.w3.org/ns/shacl-test#"


def shacl_cases() -> list[Case]:
    """Every sht:Validate test reachable from the core and SPARQL manifests (through mf:include)."""
    import rdflib

    cases: list[Case] = []
    pending = [HERE / "shacl" / "tests" / part / "manifest.ttl" for part in ("core", "sparql")]
    seen: set[Path] = set()
    while pending:
        manifest = pending.pop()
        if manifest in seen:
            continue
        seen.add(manifest)
        graph = rdflib.Graph().parse(manifest, format="turtle")
        pending.extend(_path(str(i)) for i in graph.objects(None, rdflib.URIRef(MF + "include")))
        for test in graph.subjects(rdflib.RDF.type, rdflib.URIRef(SHT + "Validate")):
            suite = "shacl/" + manifest.parent.relative_to(HERE / "shacl" / "tests").as_posix()
            cases.append(Case(suite, str(test).rsplit("/", 1)[-1], "eval", manifest))
    return sorted(cases, key=lambda c: c.id)


def _keys(report, results):  # type: ignore[no-untyped-def]
    """Result keys with blank-node focus nodes and values made comparable (labels differ)."""
    import rdflib

    from ftzkg.validation.engines import result_keys

    def plain(node):  # type: ignore[no-untyped-def]
        return rdflib.Literal("[blank node]") if isinstance(node, rdflib.BNode) else node

    keys = set()
    for focus, path, component, value, severity, shape in result_keys(report):
        if results is not None and focus is None:
            continue
        keys.add((plain(focus), path, component, plain(value), severity, shape))
    return keys


def _shacl_test(case: Case):  # type: ignore[no-untyped-def]
    """The manifest graph, the expected result node, and the data and shapes files of a SHACL case."""
    import rdflib

    tests = rdflib.Graph().parse(case.action, format="turtle")
    test = next(
        t
        for t in tests.subjects(rdflib.RDF.type, rdflib.URIRef(SHT + "Validate"))
        if str(t).endswith("/" + case.name)
    )
    action = tests.value(test, rdflib.URIRef(MF + "action"))
    expected = tests.value(test, rdflib.URIRef(MF + "result"))
    data_file = _path(str(tests.value(action, rdflib.URIRef(SHT + "dataGraph"))))
    shapes_file = _path(str(tests.value(action, rdflib.URIRef(SHT + "shapesGraph"))))
    return tests, expected, data_file, shapes_file


def shacl_files(case: Case) -> tuple[Path, Path, bool]:
    """The data and shapes files of a SHACL case, and whether the case expects the engine to fail."""
    _, expected, data_file, shapes_file = _shacl_test(case)
    return data_file, shapes_file, str(expected) == SHT + "Failure"


def shacl_outcome(case: Case, engine: str | None = None) -> str | None:
    """None if the engine's report (default engine if None) has the expected conformance and results."""
    import rdflib
    from rdflib.namespace import SH

    from ftzkg.validation.engines import DEFAULT_ENGINE, run_shacl

    tests, expected, data_file, shapes_file = _shacl_test(case)
    data = rdflib.Graph().parse(data_file, format="turtle")
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    try:
        conforms, report = run_shacl(data, shapes, None, engine=engine or DEFAULT_ENGINE)
    except Exception as exc:  # the engine's own failure is the outcome under test
        if expected == rdflib.URIRef(SHT + "Failure"):
            return None
        return f"the engine failed: {type(exc).__name__}: {str(exc)[:120]}"
    if expected == rdflib.URIRef(SHT + "Failure"):
        return "the shapes are ill-formed; the engine validated instead of failing"
    if not isinstance(report, rdflib.Graph):
        return f"the engine failed: {getattr(report, 'message', report)}"
    expected_conforms = tests.value(expected, SH.conforms).toPython()
    if bool(conforms) != expected_conforms:
        return f"conforms {bool(conforms)}, expected {expected_conforms}"
    wanted = _keys(_subgraph(tests, expected), None)
    got = _keys(report, None)
    if got != wanted:
        return f"{len(got - wanted)} unexpected and {len(wanted - got)} missing results"
    return None


def _subgraph(graph, node):  # type: ignore[no-untyped-def]
    """The triples reachable from ``node`` (the expected report inside a test file)."""
    import rdflib

    out = rdflib.Graph()
    stack, seen = [node], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for p, o in graph.predicate_objects(current):
            out.add((current, p, o))
            if isinstance(o, rdflib.BNode | rdflib.URIRef) and p != rdflib.RDF.type:
                stack.append(o)
    return out
