"""The W3C suites as tests: RDF 1.1 syntax (N-Triples, N-Quads, Turtle, TriG, RDF/XML), JSON-LD
toRdf and SHACL core + SPARQL.

Each case must do what its suite expects (a negative syntax test refused with a line, a positive
one parsed, an evaluation test giving the expected graph up to blank-node renaming, a SHACL test
giving the expected report), unless known-failures.toml lists it with a reason; a listed case
that starts passing fails too, so the list stays true. The README's pass-rate table is checked
against the same outcomes.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from . import suites

KNOWN = suites.known_failures()
RDF11 = suites.rdf11_cases()
JSONLD = suites.jsonld_cases()
SHACL = suites.shacl_cases()
README = Path(__file__).resolve().parents[2] / "README.md"


def check(case: suites.Case, outcome: str | None, family: str) -> None:
    reason = KNOWN[family].get(case.id)
    if reason is None:
        assert outcome is None, f"{case.id}: {outcome}"
    else:
        assert outcome is not None, f"{case.id} now passes: remove it from known-failures.toml"


@pytest.mark.parametrize("case", RDF11, ids=lambda c: c.id)
def test_rdf11_syntax_suite(case):
    check(case, suites.rdf11_outcome(case), "rdf11")


@pytest.mark.parametrize("case", JSONLD, ids=lambda c: c.id)
def test_jsonld_to_rdf_suite(case):
    check(case, suites.jsonld_outcome(case), "jsonld")


@pytest.fixture(autouse=True)
def _quiet_rdflib():
    """Ill-typed literals in the SHACL suite's data are on purpose: no rdflib tracebacks in the log."""
    logger = logging.getLogger("rdflib.term")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(before)


@pytest.mark.parametrize("case", SHACL, ids=lambda c: c.id)
def test_shacl_suite_with_the_default_engine(case):
    check(case, suites.shacl_outcome(case), "shacl")


@pytest.mark.parametrize("case", SHACL, ids=lambda c: c.id)
def test_shacl_suite_with_the_sparql_engine(case):
    """The whole-graph default: shapes compiled to SPARQL (what it cannot compile runs on hybrid)."""
    check(case, suites.shacl_outcome(case, "sparql"), "shacl-sparql-engine")


@pytest.mark.parametrize("case", SHACL, ids=lambda c: c.id)
def test_shacl_suite_the_check_plan_gives_the_sparql_engine_s_findings(case):
    """The compiled check plan (a contribution's default) finds what the engine it is compiled
    from finds, and is made for exactly the shapes that engine compiles without falling back."""
    import pyoxigraph as ox
    import rdflib

    from ftzkg.validation.check_plan import compile_plan
    from ftzkg.validation.engines import ntriples_of, run_shacl
    from ftzkg.validation.report import findings_from_report
    from ftzkg.validation.store_engine import compile_shapes
    from ftzkg.xsd_literals import literal_problem

    data_file, shapes_file, failure = suites.shacl_files(case)
    if failure:  # ill-formed shapes: nothing to compare (the suite tests refuse them)
        return
    data = ox.Store()
    data.load(path=str(data_file), format=ox.RdfFormat.TURTLE, base_iri=data_file.as_uri())
    quads = [ox.Quad(q.subject, q.predicate, q.object) for q in data]  # as a store holds them
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    plan = compile_plan(shapes, quads, "test")
    _, fallback = compile_shapes(shapes, data, {})
    assert (plan is None) == bool(fallback)
    if plan is None:
        return
    assert plan.fits(data)
    _, report = run_shacl(ntriples_of(quads), shapes, None, "sparql")

    # rdflib rewrites an ill-typed literal when it reads the engine's report ("none"^^xsd:boolean
    # becomes false); the plan gives it as written. A contribution never holds one (refused first).
    ill_typed = {
        q.object.value
        for q in quads
        if isinstance(q.object, ox.Literal) and literal_problem(q.object.value, q.object.datatype.value)
    }

    def results(findings, with_values: bool):  # type: ignore[no-untyped-def]
        return sorted(
            (f.severity, f.focus, f.shape, f.message, f.path or "", (f.value or "") if with_values else "")
            for f in findings
        )

    engine, mine = findings_from_report(report), plan.run(data)
    assert results(mine, False) == results(engine, False)
    if not any(f.value in ill_typed for f in mine):
        assert results(mine, True) == results(engine, True)


def test_every_listed_failure_is_a_case_of_its_suite():
    shacl = {c.id for c in SHACL}
    ids = {"rdf11": {c.id for c in RDF11}, "jsonld": {c.id for c in JSONLD}, "shacl": shacl}
    ids["shacl-sparql-engine"] = shacl
    for family, listed in KNOWN.items():
        assert set(listed) <= ids[family], set(listed) - ids[family]
        assert all(reason.strip() for reason in listed.values())


def test_the_suites_are_all_there():
    """No manifest entry is lost on the way (counts of the copied W3C manifests)."""
    kinds = {(c.suite, c.kind) for c in RDF11}
    assert len(RDF11) == 992 and len(kinds) == 12
    assert len(JSONLD) == 467 and len(SHACL) == 120


def _row(suite: str, total: int, failing: int) -> str:
    rate = 100 * (total - failing) / total
    return rf"\| {re.escape(suite)} \| {total} \| {total - failing} \| {rate:.1f} % \|"


def test_the_readme_pass_rates_are_these_outcomes():
    text = README.read_text(encoding="utf-8")
    for name in suites.RDF11_SUITES:
        cases = [c for c in RDF11 if c.suite == name]
        failing = sum(1 for c in cases if c.id in KNOWN["rdf11"])
        assert re.search(_row(f"RDF 1.1 {name}", len(cases), failing), text), name
    assert re.search(_row("JSON-LD 1.1 toRdf", len(JSONLD), len(KNOWN["jsonld"])), text)
    for part in ("core", "sparql"):
        cases = [c for c in SHACL if c.suite.startswith(f"shacl/{part}")]
        failing = sum(1 for c in cases if c.id in KNOWN["shacl"])
        assert re.search(_row(f"SHACL {part}", len(cases), failing), text), part
    for case_id in KNOWN["shacl"]:  # the README lists every SHACL test the engine fails
        assert case_id.removeprefix("shacl/") in text, case_id
    for part in ("core", "sparql"):
        cases = [c for c in SHACL if c.suite.startswith(f"shacl/{part}")]
        failing = sum(1 for c in cases if c.id in KNOWN["shacl-sparql-engine"])
        assert re.search(_row(f"SHACL {part}, sparql engine", len(cases), failing), text), part
    for case_id in KNOWN["shacl-sparql-engine"]:
        assert case_id.removeprefix("shacl/") in text, case_id


# ---------------------------------------------------------------- through the real command (a sample)


def _negative_sample() -> list[suites.Case]:
    chosen = []
    for name in suites.RDF11_SUITES:
        negatives = [c for c in RDF11 if c.suite == name and c.kind == "negative"]
        chosen += negatives[:: max(1, len(negatives) // 2)][:2]
    return chosen


@pytest.mark.parametrize("case", _negative_sample(), ids=lambda c: c.id)
def test_a_negative_syntax_test_exits_2_with_a_line_through_the_command(case):
    run = subprocess.run(
        [sys.executable, "-m", "ftzkg", "--in-memory", "validate", str(case.action)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert re.fullmatch(rf"error: \S*{re.escape(case.action.name)}:\d+(:\d+)?: .+\n", run.stderr), run.stderr
