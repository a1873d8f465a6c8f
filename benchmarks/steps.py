"""One measured benchmark step, run in its own process so that its peak memory is its own.

    python benchmarks/steps.py STEP --synthetic FILE --repeat N --out RESULT.json

Writes {"times": [seconds, ...], ...} to RESULT.json. Only the work itself is
timed (not Python's start-up or the untimed set-up, such as loading the graph
before validating it). benchmarks/run.py starts these and reads their peak memory.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from ftzkg import project
from ftzkg.knowledge_graph import KnowledgeGraph
from ftzkg.namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPH

STEPS: dict = {}


def step(name: str):
    def register(function):
        STEPS[name] = function
        return function

    return register


def files(synthetic: Path) -> list[project.SourceFile]:
    return [*project.all_files(), project.SourceFile(synthetic, None)]


def load(synthetic: Path) -> KnowledgeGraph:
    return KnowledgeGraph.load(files(synthetic))


def timed(repeat: int, function) -> list[float]:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def data_quads(kg: KnowledgeGraph) -> list[ox.Quad]:
    return kg.quads([g for g in kg.graph_names() if g not in (ONTOLOGY_GRAPH, SHAPES_GRAPH)])


def keys_to_json(keys: set) -> list[list[str | None]]:
    return sorted([[None if t is None else t.n3() for t in key] for key in keys], key=str)


# ---------------------------------------------------------------- build


@step("build")
def build(args) -> dict:
    """KnowledgeGraph loading of the project's files and the synthetic file."""
    sizes = []

    def run():
        kg = load(args.synthetic)
        sizes.append(len(kg))
        del kg

    return {"times": timed(args.repeat, run), "triples": sizes[-1]}


@step("build-raw")
def build_raw(args) -> dict:
    """The same files straight into a pyoxigraph Store with its bulk loader."""
    from ftzkg.parsing import format_for

    def run():
        store = ox.Store()
        for source in files(args.synthetic):
            graph = ox.NamedNode(source.graph) if source.graph else None
            store.bulk_load(path=str(source.path), format=format_for(source.path), to_graph=graph)
        del store

    return {"times": timed(args.repeat, run)}


# ---------------------------------------------------------------- whole-graph validation


@step("validate")
def validate(args) -> dict:
    """ftzkg's whole-graph validation (validation.validate_knowledge_graph) with the default engine."""
    from ftzkg.validation import validate_knowledge_graph
    from ftzkg.validation.engines import DEFAULT_ENGINE, result_keys

    kg = load(args.synthetic)
    reports = []
    times = timed(args.repeat, lambda: reports.append(validate_knowledge_graph(kg, engine=DEFAULT_ENGINE)))
    report = reports[-1]
    return {
        "times": times,
        "engine": DEFAULT_ENGINE,
        "violations": report.count("Violation"),
        "keys": keys_to_json(result_keys(report.report_graph)),
    }


def _engine_inputs(args):
    from ftzkg.validation import load_shapes, to_rdflib

    kg = load(args.synthetic)
    ontology = kg.quads([ONTOLOGY_GRAPH])
    # as validation.shacl_findings does: the ontology's triples join the data
    return kg, data_quads(kg) + ontology, to_rdflib(ontology), load_shapes()


@step("shacl-turbo")
def shacl_turbo(args) -> dict:
    """pyshacl-turbo (Rust) on the same data, handed over as N-Triples text."""
    from ftzkg.validation.engines import ntriples_of, result_keys, run_shacl

    _, quads, ontology, shapes = _engine_inputs(args)
    reports = []
    times = timed(
        args.repeat, lambda: reports.append(run_shacl(ntriples_of(quads), shapes, ontology, "turbo")[1])
    )
    return {"times": times, "keys": keys_to_json(result_keys(reports[-1]))}


@step("shacl-rudof")
def shacl_rudof(args) -> dict:
    """pyrudof's native SHACL engine on the same data (N-Triples text)."""
    import pyrudof

    _, quads, _, _ = _engine_inputs(args)
    text = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES).decode()
    shapes_text = project.SHAPES_FILE.read_text(encoding="utf-8")
    counts = []

    def run():
        rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        rudof.read_data(text, format=pyrudof.RDFFormat.NTriples)
        rudof.read_shacl(shapes_text, format=pyrudof.ShaclFormat.Turtle)
        report = rudof.validate_shacl()
        counts.append(len(report))

    return {"times": timed(args.repeat, run), "results": counts[-1]}


@step("shacl-pyshacl")
def shacl_pyshacl(args) -> dict:
    """Plain pySHACL on an in-memory rdflib graph (the graph built before timing)."""
    from ftzkg.validation import to_rdflib
    from ftzkg.validation.engines import result_keys, run_shacl

    _, quads, ontology, shapes = _engine_inputs(args)
    graph = to_rdflib(quads)
    reports = []
    times = timed(args.repeat, lambda: reports.append(run_shacl(graph, shapes, ontology, "pyshacl")[1]))
    return {"times": times, "keys": keys_to_json(result_keys(reports[-1]))}


# ---------------------------------------------------------------- contribution


CONTRIBUTION = """\
@prefix ftz:   <https://w3id.org/ftzkg/ontology#> .
@prefix syn:   <https://w3id.org/ftzkg/id/synthetic/> .
@prefix prov:  <http://www.w3.org/ns/prov#> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix cur:   <http://qudt.org/vocab/currency/> .

<https://w3id.org/ftzkg/id/synthetic/source/benchmark-contribution> {
  <https://w3id.org/ftzkg/id/synthetic/source/benchmark-contribution> a ftz:Source ;
      rdfs:label "Synthetic data: benchmark contribution"@en ;
      <http://purl.org/dc/terms/title> "Synthetic data: benchmark contribution"@en ;
      ftz:aiAssisted false .
  <https://w3id.org/ftzkg/id/synthetic/firm/contributed> a ftz:Enterprise ;
      rdfs:label "Synthetic contributed firm"@en ;
      ftz:hasSector <https://w3id.org/ftzkg/id/sector/agri-processing> ;
      ftz:locatedInZone <https://w3id.org/ftzkg/id/synthetic/zone/ftz-01-area-1> ;
      ftz:sourcesMaterial <https://w3id.org/ftzkg/id/product/walnuts> ;
      ftz:exportsTo <https://w3id.org/ftzkg/id/country/KZ> .
  <https://w3id.org/ftzkg/id/synthetic/link/contributed-trade> a ftz:TradeLink ;
      rdfs:label "Synthetic contributed firm: walnuts to Kazakhstan"@en ;
      ftz:exporter <https://w3id.org/ftzkg/id/synthetic/firm/contributed> ;
      ftz:destinationMarket <https://w3id.org/ftzkg/id/country/KZ> ;
      ftz:hasProduct <https://w3id.org/ftzkg/id/product/walnuts> ;
      ftz:evidence ftz:CustomsRecord ;
      ftz:status ftz:Reported ;
      ftz:refPeriod <https://w3id.org/ftzkg/id/synthetic/period/2025> ;
      ftz:numericValue 2500000.0 ;
      ftz:qualifier ftz:Exact ;
      ftz:unit cur:CNY ;
      prov:wasDerivedFrom <https://w3id.org/ftzkg/id/synthetic/source/benchmark-contribution> ;
      ftz:quote "Synthetic data: the contributed firm exported walnuts to Kazakhstan." .
  <https://w3id.org/ftzkg/id/synthetic/link/contributed-sources-walnuts> a ftz:SupplyLink ;
      rdfs:label "Synthetic contributed firm sources walnuts locally"@en ;
      ftz:buyer <https://w3id.org/ftzkg/id/synthetic/firm/contributed> ;
      ftz:hasProduct <https://w3id.org/ftzkg/id/product/walnuts> ;
      ftz:hasSourcingScope ftz:LocalSourcing ;
      prov:wasDerivedFrom <https://w3id.org/ftzkg/id/synthetic/source/benchmark-contribution> ;
      ftz:quote "Synthetic data: the contributed firm sources walnuts locally." .
  <https://w3id.org/ftzkg/id/synthetic/observation/contributed-revenue-2025> a ftz:Observation ;
      rdfs:label "Synthetic contributed firm revenue, 2025"@en ;
      ftz:hasMeasure ftz:Revenue ;
      ftz:refEnterprise <https://w3id.org/ftzkg/id/synthetic/firm/contributed> ;
      ftz:refPeriod <https://w3id.org/ftzkg/id/synthetic/period/2025> ;
      ftz:numericValue 12000000.0 ;
      ftz:qualifier ftz:Exact ;
      ftz:unit cur:CNY ;
      ftz:sourcePhrase "12 million yuan" ;
      prov:wasDerivedFrom <https://w3id.org/ftzkg/id/synthetic/source/benchmark-contribution> ;
      ftz:quote "Synthetic data: the contributed firm reported revenue of 12 million yuan in 2025." .
}
"""


@step("contribution")
def contribution(args) -> dict:
    """contribution.validate_contribution of a 50-triple contribution against the large graph."""
    from ftzkg.validation.contribution import validate_contribution
    from ftzkg.validation.engines import DEFAULT_ENGINE

    kg = load(args.synthetic)
    path = args.out.with_suffix(".contribution.trig")
    path.write_text(CONTRIBUTION, encoding="utf-8")
    triples = len(list(ox.parse(path=str(path))))
    reports = []
    times = timed(
        args.repeat, lambda: reports.append(validate_contribution([path], kg=kg, engine=DEFAULT_ENGINE))
    )
    return {"times": times, "triples": triples, "violations": reports[-1].count("Violation")}


# ---------------------------------------------------------------- queries


@step("queries")
def queries(args) -> dict:
    """Every catalogue query through ftzkg's query path, and the same text on raw pyoxigraph."""
    from ftzkg.catalogue import catalogue
    from ftzkg.querying import EmbeddedBackend, execute, prepare

    kg = load(args.synthetic)
    backend = EmbeddedBackend(kg.store)
    out: dict = {"queries": {}, "skipped": {}}
    for query in catalogue():
        if query.name in args.skip:
            out["skipped"][query.name] = "too slow at the previous size (or --skip-queries)"
            continue
        text = query.text

        def project_run(text=text, query=query):
            result = execute(backend, text, query=query)
            rows = result.solutions if result.solutions is not None else result.triples
            return len(list(rows))

        prepared = prepare(text, query=query).text

        def raw_run(prepared=prepared):
            result = kg.store.query(prepared, use_default_graph_as_union=True)
            return len(list(result)) if not isinstance(result, ox.QueryBoolean) else 1

        project_run()  # warm-up: the first query of a store pays for its indexes
        raw_run()
        out["queries"][query.name] = {
            "times": timed(args.repeat, project_run),
            "raw": timed(args.repeat, raw_run),
            "rows": raw_run(),
        }
    out["times"] = [sum(q["times"][i] for q in out["queries"].values()) for i in range(args.repeat)]
    if not out["queries"]:
        out["times"] = [0.0] * args.repeat
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--synthetic", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--skip", type=lambda t: set(filter(None, t.split(","))), default=set())
    args = parser.parse_args(argv)
    result = STEPS[args.step](args)
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
