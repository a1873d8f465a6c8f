"""What the query safety work costs: whole ``ftzkg query`` processes against a bare reference.

    python benchmarks/query_overhead.py --repeat 10

Measured in one run, each figure the median of ``--repeat`` runs (after one warm-up):

* ``ftzkg query`` as a whole process (check, child process with its limits, formatting),
  for a catalogue query and a ``--sparql`` text, against a reference process that opens the
  same persistent store and runs the same text, prepared beforehand, with pyoxigraph alone
  (no check, no child process), writing CSV;
* inside one process, per query: writing the text canonically
  (:func:`ftzkg.sparql_text.canonical`), the whole check (:func:`ftzkg.querying.prepare`),
  and running it in a child process (:func:`ftzkg.query_limits.run_bounded`) against
  running it in the process itself.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

REFERENCE = """
import sys
import pyoxigraph as ox
import ftzkg
text = sys.argv[1]  # already prepared: prefixes and parameters, checked
with ftzkg.open() as kg:
    result = kg.kg.store.query(text, use_default_graph_as_union=True)
    sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.CSV))
"""


def median_ms(runs: list[float]) -> float:
    return statistics.median(runs) * 1000


def process_times(cmd: list[str], repeat: int) -> list[float]:
    times = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[:300]}")
        if i:
            times.append(elapsed)
    return times


def in_process(repeat: int) -> list[tuple[str, float]]:
    import io

    import ftzkg
    from ftzkg.catalogue import catalogue
    from ftzkg.namespaces import sparql_prologue
    from ftzkg.query_limits import Limits, run_bounded
    from ftzkg.querying import EmbeddedBackend, execute, prepare
    from ftzkg.results import write
    from ftzkg.sparql_text import canonical

    queries = catalogue()
    texts = [sparql_prologue() + q.text for q in queries]

    def timed(work) -> float:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            runs.append(time.perf_counter() - started)
        return median_ms(runs) / len(queries)

    rows = [("canonical text, per catalogue query", timed(lambda: [canonical(t) for t in texts]))]
    from ftzkg import querying

    def full_check() -> None:
        querying._inspect_cached.cache_clear()
        querying.catalogue_screen.cache_clear()
        for q in queries:
            prepare(q.text, where=q.name)  # as a user's file: the full rdflib check, uncached

    rows.append(("full check (canonical + rdflib parse), per query", timed(full_check)))
    with ftzkg.open() as kg:
        backend = EmbeddedBackend(kg.kg.store)

        def run(q, out) -> None:
            write(execute(backend, q.text, query=q), out, "csv")

        rows.append(
            ("run + CSV in the process, per query", timed(lambda: [run(q, io.BytesIO()) for q in queries]))
        )
        limits = Limits()
        rows.append(
            (
                "run + CSV in a child with limits, per query",
                timed(lambda: [run_bounded(lambda out, q=q: run(q, out), limits) for q in queries]),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    ftzkg_cmd = [str(Path(sys.executable).parent / "ftzkg")]
    sparql = "SELECT ?firm ?label WHERE { ?firm a ftz:Enterprise ; rdfs:label ?label } ORDER BY ?firm"
    from ftzkg.catalogue import find_query
    from ftzkg.querying import prepare

    trade_links = find_query("trade-links").text
    cases = [
        ("trade-links (catalogue)", [*ftzkg_cmd, "query", "trade-links", "--format", "csv"], trade_links),
        ("--sparql text", [*ftzkg_cmd, "query", "--sparql", sparql, "--format", "csv"], sparql),
    ]
    print(f"{'whole process':<52}{'ftzkg ms':>10}{'reference ms':>14}{'ratio':>8}")
    for label, cmd, text in cases:
        ours = median_ms(process_times(cmd, args.repeat))
        prepared = prepare(text).text
        reference = median_ms(process_times([sys.executable, "-c", REFERENCE, prepared], args.repeat))
        print(f"{label:<52}{ours:>10.0f}{reference:>14.0f}{ours / reference:>8.2f}")
    print(f"\n{'inside one process':<52}{'ms':>10}")
    for label, ms in in_process(args.repeat):
        print(f"{label:<52}{ms:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
