"""CLI end to end: each command timed as a user runs it, a whole process, beside native Oxigraph.

    python benchmarks/cli_end_to_end.py --firms 12000          # about 1 million triples
    python benchmarks/cli_end_to_end.py --synthetic FILE.trig  # a graph made before (linked, not copied)

It copies the project into a work folder, adds ``ftzkg synth --firms N --format trig``
(or links ``--synthetic``) under ``data/synthetic`` (inside ``data/``, where every command,
the contribution check included, meets it), and then times, each as its own process with its peak
memory (maxrss): the native ``oxigraph load`` of the same files and ``oxigraph
query`` of a one-entity question on that store; ``ftzkg build`` from nothing
(persistent store and release); the one-entity question, a contribution check and
``stats`` on the built store; the store update and ``ftzkg build`` after one small
file changed; and whole-graph ``ftzkg validate`` (the default sparql engine, then
``--engine turbo``, ``hybrid`` and, up to ``--pyshacl-up-to`` triples, ``pyshacl``).
It prints a Markdown table and writes it to benchmarks/results/cli-end-to-end.md. Timings are medians of
``--repeat`` runs where a command does not change anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from ftzkg.project import Project  # noqa: E402
from ftzkg.server import oxigraph_executable  # noqa: E402

FTZKG = [sys.executable, "-m", "ftzkg"]
FIRM = "https://w3id.org/ftzkg/id/synthetic/firm/f000042"
NATIVE_QUESTION = f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ <{FIRM}> ?p ?o }} }}"
CONTRIBUTION = ROOT / "data" / "contributions" / "examples" / "valid-example-firm.ttl"


def _quads(path: Path):
    import pyoxigraph as ox

    return ox.parse(path=str(path), format=ox.RdfFormat.TRIG)


def run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds and peak memory (bytes) of one process; fails loudly if it fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    _, err = process.communicate()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1: validation found problems, still a full run
        raise RuntimeError(f"{' '.join(command)} exited {code}: {err.decode()[-500:]}")
    return seconds, usage.ru_maxrss * 1024


def median(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, int]:
    runs = [run(command, env) for _ in range(repeat)]
    return statistics.median(s for s, _ in runs), max(m for _, m in runs)


class Rows(list):
    """The table's rows, each printed as soon as it is measured (a long run shows progress)."""

    def append(self, row: tuple[str, str, float, int, str]) -> None:
        super().append(row)
        kind, what, seconds, memory, note = row
        print(f"{kind}: {what}: {seconds:.2f} s, {memory / 2**20:,.0f} MB {note}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=12000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "cli-bench")
    parser.add_argument("--synthetic", type=Path, help="a synthetic TriG file made before (not --firms)")
    parser.add_argument(
        "--pyshacl-up-to", type=int, default=200_000, help="run plain pySHACL only up to this many triples"
    )
    args = parser.parse_args()

    shipped = Project.shipped()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    project = work / "project"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(shipped.root / part, project / part)
    # Python keeps the compiled modules, as an installed package does: where the environment
    # forbids it (PYTHONDONTWRITEBYTECODE) every command would compile every module again.
    env = {**os.environ, "FTZKG_PROJECT": str(project), "PYTHONPYCACHEPREFIX": str(work / "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ftzkg")], env=env, check=True)
    load_before = os.getloadavg()[0]
    synthetic = project / "data" / "synthetic"
    if args.synthetic:
        synthetic.mkdir(parents=True)
        (synthetic / "synthetic.trig").symlink_to(args.synthetic.resolve())
        triples = sum(1 for _ in _quads(args.synthetic))
        label = f"`{args.synthetic.name}`"
    else:
        synth = subprocess.run(
            [*FTZKG, "synth", "--firms", str(args.firms), "--format", "trig", "--out", str(synthetic)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        print(synth.stdout.strip())
        triples = int(synth.stdout.split(": ", 1)[1].split()[0])
        label = f"`--firms {args.firms}`"
    files = Project.at(project).all_files()

    rows = Rows()
    oxigraph = oxigraph_executable()
    native_store = work / "oxigraph-store"
    load_seconds, load_memory = 0.0, 0
    for source in files:  # the same files, each into its graph, as ftzkg builds them
        command = [oxigraph, "load", "--location", str(native_store), "--file", str(source.path)]
        if source.graph:
            command += ["--graph", source.graph]
        seconds, memory = run(command, env)
        load_seconds, load_memory = load_seconds + seconds, max(load_memory, memory)
    rows.append(("native", "`oxigraph load` of the same files", load_seconds, load_memory, ""))
    native_q = [
        oxigraph,
        "query",
        "--location",
        str(native_store),
        "--query",
        NATIVE_QUESTION,
        "--results-format",
        "csv",
    ]
    native_q_seconds, native_q_memory = median(native_q, env, args.repeat)
    rows.append(("native", "`oxigraph query`, one entity's triples", native_q_seconds, native_q_memory, ""))

    build_seconds, build_memory = run([*FTZKG, "build", "--out", str(work / "dist")], env)
    rows.append(
        (
            "ftzkg",
            "`ftzkg build` from nothing (store + release)",
            build_seconds,
            build_memory,
            f"{build_seconds / load_seconds:.2f}x oxigraph load (target <= 1.5x)",
        )
    )
    question = [*FTZKG, "query", "entity-profile", "--param", f"entity=<{FIRM}>", "--format", "csv"]
    seconds, memory = median(question, env, args.repeat)
    rows.append(("ftzkg", "`ftzkg query entity-profile` (one entity)", seconds, memory, "target < 0.3 s"))
    sparql = [*FTZKG, "query", "--sparql", NATIVE_QUESTION, "--format", "csv"]
    seconds, memory = median(sparql, env, args.repeat)
    rows.append(("ftzkg", "`ftzkg query --sparql`, the native question", seconds, memory, ""))
    seconds, memory = median([*FTZKG, "validate", str(CONTRIBUTION)], env, args.repeat)
    rows.append(("ftzkg", "`ftzkg validate FILE` (a contribution)", seconds, memory, "target < 0.5 s"))
    seconds, memory = run([*FTZKG, "stats"], env)
    rows.append(("ftzkg", "`ftzkg stats`, first after a change (computes)", seconds, memory, ""))
    seconds, memory = median([*FTZKG, "stats"], env, args.repeat)
    rows.append(("ftzkg", "`ftzkg stats` (cached with the store)", seconds, memory, "target < 0.5 s"))

    # one statement of a small source edited (its graph, the derived graph and the release change)
    small = project / "data" / "reference" / "regions.trig"
    text = small.read_text(encoding="utf-8")
    assert '"Central Asia"@en' in text, "the benchmark edits a label of regions.trig"
    small.write_text(text.replace('"Central Asia"@en', '"Middle Asia"@en'), encoding="utf-8")
    seconds, memory = run([*FTZKG, "query", "--sparql", "ASK { ?s ?p ?o }"], env)
    rows.append(
        ("ftzkg", "store update after one small file changed (+ a query)", seconds, memory, "target < 2 s")
    )
    small.write_text(text, encoding="utf-8")
    seconds, memory = run([*FTZKG, "build", "--out", str(work / "dist")], env)
    rows.append(
        (
            "ftzkg",
            "`ftzkg build` after one small file changed (store update + release)",
            seconds,
            memory,
            f"{seconds / build_seconds:.2f}x the build from nothing",
        )
    )

    seconds, memory = run([*FTZKG, "validate"], env)
    rows.append(
        ("ftzkg", "`ftzkg validate` (whole graph, sparql engine)", seconds, memory, "target peak < 1.5 GB")
    )
    # the same validation on the other engines: the data handed to them as N-Triples text
    for engine in ("turbo", "hybrid") + (("pyshacl",) if triples <= args.pyshacl_up_to else ()):
        other_seconds, other_memory = run([*FTZKG, "validate", "--engine", engine], env)
        note = (
            f"sparql engine: {seconds / other_seconds:.2f}x the time, {memory / other_memory:.2f}x the memory"
        )
        rows.append(
            ("ftzkg", f"`ftzkg validate --engine {engine}` (whole graph)", other_seconds, other_memory, note)
        )

    lines = [
        f"CLI end to end, {triples:,} synthetic triples ({label}) plus the project's data; "
        f"{os.cpu_count()} cores, load average {load_before:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end; medians of {args.repeat} where repeated.",
        "",
        "| | command | seconds | peak memory | note |",
        "|---|---|---:|---:|---|",
    ]
    for kind, what, seconds, memory, note in rows:
        lines.append(f"| {kind} | {what} | {seconds:.2f} | {memory / 2**20:,.0f} MB | {note} |")
    table = "\n".join(lines)
    print(table)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "cli-end-to-end.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
