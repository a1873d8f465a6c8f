"""What the complete reference data costs: the project's graph with every ISO 3166-1 country,
UN M49 region, HS 2022 code, unit and currency, against the same graph with the generated code
lists cut to the entries the other graphs use (and what contains them), measured in one run.

    .venv/bin/python benchmarks/reference_data.py --repeat 3

Steps: build (KnowledgeGraph.load of the project's files), whole-graph validation, a
contribution (data/contributions/examples/valid-example-firm.ttl), every catalogue query
(total), the static site (site_files, nothing written) and `ftzkg build`'s release. Prints a
markdown table: median (min-max) of each, and the ratio full / trimmed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import pyoxigraph as ox  # noqa: E402

from ftzkg import project  # noqa: E402
from ftzkg.catalogue import catalogue  # noqa: E402
from ftzkg.knowledge_graph import KnowledgeGraph  # noqa: E402
from ftzkg.querying import EmbeddedBackend, execute  # noqa: E402
from ftzkg.release import build_release  # noqa: E402
from ftzkg.site import site_files  # noqa: E402
from ftzkg.site.site_queries import select as site_select  # noqa: E402
from ftzkg.validation import validate_knowledge_graph  # noqa: E402
from ftzkg.validation.contribution import validate_contribution  # noqa: E402

PROVENANCE = ox.NamedNode("http://purl.org/dc/terms/provenance")


def trimmed_copy(source: project.Project, out: Path) -> project.Project:
    """A copy of the project whose generated code lists hold only the entries the site pages."""
    shutil.copytree(source.ontology_dir, out / "ontology")
    shutil.copytree(source.queries_dir, out / "queries")
    shutil.copytree(source.data_dir, out / "data")
    kg = KnowledgeGraph.load(project_=source)
    keep = {ox.NamedNode(r["entity"].value) for r in site_select(kg, "entities")}
    unit = ox.NamedNode("https://w3id.org/ftzkg/ontology#unit")
    keep |= {q.object for q in kg.store.quads_for_pattern(None, unit, None, None)}
    for path in sorted((out / "data" / "reference").glob("*.trig")):
        quads = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))
        graphs = {q.graph_name for q in quads}
        if not any(q.predicate == PROVENANCE for q in quads):
            continue  # not generated (the product scheme)
        kept = [q for q in quads if q.subject in keep or q.subject in graphs or "/scheme/" in str(q.subject)]
        path.write_bytes(ox.serialize(kept, format=ox.RdfFormat.TRIG))
    return project.Project.at(out)


def timed(repeat: int, run: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def measure(proj: project.Project, repeat: int, scratch: Path) -> tuple[dict[str, list[float]], int]:
    kg = KnowledgeGraph.load(project_=proj)
    queries = catalogue(proj.queries_dir)
    example = project.Project.default().data_dir / "contributions" / "examples" / "valid-example-firm.ttl"

    def all_queries() -> None:
        backend = EmbeddedBackend(kg.store)
        for q in queries:
            execute(backend, q.text, query=q, params={})

    steps = {
        "build (KnowledgeGraph.load)": lambda: KnowledgeGraph.load(project_=proj),
        "whole-graph validation": lambda: validate_knowledge_graph(kg, project_=proj),
        "contribution (valid-example-firm.ttl)": lambda: validate_contribution([example], kg, project_=proj),
        f"all {len(queries)} catalogue queries": all_queries,
        "site (site_files)": lambda: site_files(kg),
        "release (build_release)": lambda: build_release(scratch / "dist", kg),
    }
    return {name: timed(repeat, run) for name, run in steps.items()}, len(kg)


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    full_project = project.Project.default()
    with tempfile.TemporaryDirectory() as tmp:
        trimmed_project = trimmed_copy(full_project, Path(tmp) / "trimmed")
        full, full_size = measure(full_project, args.repeat, Path(tmp) / "full-out")
        trimmed, trimmed_size = measure(trimmed_project, args.repeat, Path(tmp) / "trimmed-out")
    kg = KnowledgeGraph.load(project_=full_project)
    counts = {
        name: len(
            list(kg.store.query(f"SELECT DISTINCT ?x {{ ?x a <{iri}> }}", use_default_graph_as_union=True))
        )
        for name, iri in [
            ("HS codes", "https://w3id.org/ftzkg/ontology#HSCode"),
            ("countries", "https://w3id.org/ftzkg/ontology#Country"),
            ("regions", "https://w3id.org/ftzkg/ontology#Region"),
            ("units and currencies", "http://qudt.org/schema/qudt/Unit"),
        ]
    }
    print(
        f"full: {full_size:,} triples ({', '.join(f'{n:,} {k}' for k, n in counts.items())}); "
        f"trimmed code lists: {trimmed_size:,} triples; median of {args.repeat} runs, min-max"
    )
    print()
    print("| step | full reference data | code lists trimmed to what is used | full / trimmed |")
    print("|---|---|---|---|")
    for name in full:
        ratio = statistics.median(full[name]) / max(statistics.median(trimmed[name]), 1e-9)
        print(f"| {name} | {spread(full[name])} | {spread(trimmed[name])} | {ratio:.2f}x |")


if __name__ == "__main__":
    main()
