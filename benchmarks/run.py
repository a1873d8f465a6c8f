"""The ftzkg benchmark: build, validation, contribution, queries and loading at several sizes.

    python benchmarks/run.py --sizes 10k,100k,1m --repeat 3

For each size it writes a synthetic graph (``ftzkg synth``, 1 % of firms with a
deliberate violation) beside the project's data, then measures every step in a
child process (benchmarks/steps.py), each against its reference measured in the
same run, with the peak memory (maxrss) of each process. It prints a table
(median of the runs, min and max) and writes benchmarks/results/latest.json.
A step that cannot run (a missing module, an engine that fails, a time limit)
is reported as not measured, with the reason.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from ftzkg import project  # noqa: E402
from ftzkg.knowledge_graph import KnowledgeGraph  # noqa: E402
from ftzkg.server import OxigraphServer, oxigraph_executable  # noqa: E402
from ftzkg.synth import firms_for_triples, generate  # noqa: E402

PYSHACL_LIMIT = 200_000  # pySHACL takes over 20 minutes at a million triples: skipped above this


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1_000}k"


# ---------------------------------------------------------------- child processes


def run_process(cmd: list[str], timeout: float) -> tuple[float, float, int, str]:
    """Run a command; return (wall seconds, peak memory MB, exit code, stderr tail)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return time.perf_counter() - start, usage.ru_maxrss / 1024, -9, "time limit"
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
    return wall, usage.ru_maxrss / 1024, proc.returncode, " | ".join(tail)


def run_step(
    name: str, synthetic: Path, repeat: int, work: Path, timeout: float, extra: list[str] | None = None
) -> dict:
    """One benchmarks/steps.py step in its own process."""
    out = work / f"{name}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(HERE / "steps.py"), name, "--synthetic", str(synthetic)]
    cmd += ["--repeat", str(repeat), "--out", str(out), *(extra or [])]
    _, peak, code, err = run_process(cmd, timeout)
    if code != 0 or not out.is_file():
        return {"error": err or f"exit code {code}", "peak_mb": peak}
    result = json.loads(out.read_text())
    result["peak_mb"] = peak
    return result


def run_repeated(cmd_for_run, repeat: int, timeout: float) -> dict:
    """A command (a fresh one per run) timed from outside: times and the largest peak memory."""
    times, peaks = [], []
    for i in range(repeat):
        cmd = cmd_for_run(i)
        wall, peak, code, err = run_process(cmd, timeout)
        if code != 0:
            return {"error": err or f"exit code {code}", "peak_mb": peak}
        times.append(wall)
        peaks.append(peak)
    return {"times": times, "peak_mb": max(peaks)}


# ---------------------------------------------------------------- one size


def combined_file(synthetic: Path, work: Path) -> Path:
    """The project's graph and the synthetic graph as one N-Quads file (what `ftzkg load` sends)."""
    import pyoxigraph as ox

    kg = KnowledgeGraph.load([*project.all_files(), project.SourceFile(synthetic, None)])
    path = work / "combined.nq"
    kg.store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


def native_load(combined: Path, work: Path, repeat: int, timeout: float) -> dict:
    def cmd(i: int) -> list[str]:
        location = work / f"native-{i}"
        shutil.rmtree(location, ignore_errors=True)
        return [oxigraph_executable(), "load", "--location", str(location), "--file", str(combined)]

    result = run_repeated(cmd, repeat, timeout)
    for i in range(repeat):
        shutil.rmtree(work / f"native-{i}", ignore_errors=True)
    return result


def ftzkg_load(combined: Path, work: Path, repeat: int, timeout: float) -> dict:
    """`ftzkg load` (the CLI, as users run it) into a fresh local `oxigraph serve`, once per run."""
    ftzkg = Path(sys.executable).parent / "ftzkg"
    times, peaks = [], []
    for i in range(repeat):
        location = work / f"server-{i}"
        shutil.rmtree(location, ignore_errors=True)
        with OxigraphServer(location) as server:
            cmd = [str(ftzkg), "load", "--release", str(combined), "--endpoint", server.url]
            wall, peak, code, err = run_process(cmd, timeout)
        shutil.rmtree(location, ignore_errors=True)
        if code != 0:
            return {"error": err or f"exit code {code}", "peak_mb": peak}
        times.append(wall)
        peaks.append(peak)
    return {"times": times, "peak_mb": max(peaks)}


SLOW_QUERY_S = 20.0  # a query this slow at one size is skipped at the next (ten times larger) one


def slow_queries(previous: dict | None) -> set[str]:
    if not previous:
        return set()
    queries = previous["steps"].get("queries", {})
    slow = {n for n, q in queries.get("queries", {}).items() if statistics.median(q["times"]) > SLOW_QUERY_S}
    return slow | set(queries.get("skipped", {}))


def measure_size(size: int, args, work: Path, previous: dict | None = None) -> dict:
    base = len(KnowledgeGraph.load())
    firms = firms_for_triples(max(size - base, 1_000), seed=args.seed)
    synth_dir = work / "synthetic"
    synthetic = generate(firms, args.seed, synth_dir, violations=args.violations)
    triples = base + synthetic.quads
    print(f"\n== {label(size)}: {firms} synthetic firms, {triples} triples", flush=True)
    r = args.repeat
    t = args.timeout
    results: dict = {"size": size, "label": label(size), "firms": firms, "triples": triples}
    steps: dict = {}

    def note(name: str, result: dict) -> None:
        steps[name] = result
        if "times" in result:
            print(f"  {name:<16} {statistics.median(result['times']):9.3f} s  {result['peak_mb']:7.0f} MB")
        else:
            print(f"  {name:<16} not measured: {result.get('error') or result.get('skipped')}")

    note("build", run_step("build", synthetic.path, r, work, t))
    note("build-raw", run_step("build-raw", synthetic.path, r, work, t))
    combined = combined_file(synthetic.path, work)
    note("native-load", native_load(combined, work, r, t))
    note("ftzkg-load", ftzkg_load(combined, work, r, t))
    skip = slow_queries(previous) | set(args.skip_queries.split(",")) - {""}
    note("queries", run_step("queries", synthetic.path, r, work, t, ["--skip", ",".join(sorted(skip))]))
    shapes = project.SHAPES_FILE.is_file()
    for name in ("contribution", "validate", "shacl-turbo", "shacl-rudof", "shacl-pyshacl"):
        if not shapes:
            note(name, {"skipped": "no ontology/shapes.ttl"})
            continue
        if name == "shacl-pyshacl" and size > PYSHACL_LIMIT:
            note(name, {"skipped": f"pySHACL skipped above {PYSHACL_LIMIT} triples (over 20 minutes)"})
            continue
        if name == "shacl-turbo" and size > args.validate_limit:
            note(name, {"skipped": f"skipped above {args.validate_limit} triples (--validate-limit)"})
            continue
        repeat = r if name in ("contribution", "shacl-rudof") or size <= 20_000 else 1
        note(name, run_step(name, synthetic.path, repeat, work, t))
    combined.unlink(missing_ok=True)
    results["steps"] = steps
    results["injected_violations"] = len(synthetic.violations)
    return results


# ---------------------------------------------------------------- the table


def med(result: dict | None) -> float | None:
    if not result or "times" not in result:
        return None
    return statistics.median(result["times"])


def spread(result: dict) -> str:
    if "times" not in result:
        reason = result.get("skipped") or result.get("error") or "not measured"
        return f"not measured ({reason[:60]})"
    times = result["times"]
    return f"{statistics.median(times):.3f} s ({min(times):.3f}-{max(times):.3f}, n={len(times)})"


def rows_for(size: dict) -> list[dict]:
    s = size["steps"]
    rows = []

    def row(step, figure, reference_name, reference, target, ok, memory):
        rows.append(
            {
                "size": size["label"],
                "triples": size["triples"],
                "step": step,
                "figure": figure,
                "reference": reference_name,
                "reference_figure": reference,
                "target": target,
                "met": ok,
                "peak_mb": memory,
            }
        )

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    build, native, raw = med(s.get("build")), med(s.get("native-load")), med(s.get("build-raw"))
    r = ratio(build, native)
    row(
        "build (KnowledgeGraph.load)",
        spread(s["build"]),
        "native `oxigraph load`",
        spread(s["native-load"]),
        "<= 1.5x native",
        None if r is None else r <= 1.5,
        s["build"].get("peak_mb"),
    )
    rows[-1]["ratio"] = r
    raw_ratio = ratio(build, raw)
    rows[-1]["extra"] = f"raw pyoxigraph bulk_load in memory: {spread(s['build-raw'])}" + (
        "" if raw_ratio is None else f"; build / raw = {raw_ratio:.2f}x"
    )

    validate = s.get("validate", {})
    # An engine is a reference only where it reports what pySHACL reports: pyrudof does not
    # run SHACL-SPARQL targets (sh:SPARQLTarget), so it misses those shapes' results.
    pyshacl_keys = s.get("shacl-pyshacl", {}).get("keys")
    complete = {
        "shacl-turbo": pyshacl_keys is None or s.get("shacl-turbo", {}).get("keys") == pyshacl_keys,
        "shacl-rudof": pyshacl_keys is not None
        and s.get("shacl-rudof", {}).get("results") == len(pyshacl_keys),
    }
    engines = {k: med(s.get(k)) for k in complete if complete[k] and med(s.get(k)) is not None}
    fastest = min(engines, key=engines.get) if engines else None
    r = ratio(med(validate), engines.get(fastest)) if fastest else None
    agree = None
    if "keys" in validate and "keys" in s.get("shacl-pyshacl", {}):
        agree = validate["keys"] == s["shacl-pyshacl"]["keys"]
    row(
        "whole-graph validation",
        spread(validate),
        f"fastest engine ({fastest or 'none measured'})",
        spread(s.get(fastest, {})) if fastest else "not measured",
        "<= 2x fastest; same violations as pySHACL",
        None if r is None else (r <= 2 and agree is not False),
        validate.get("peak_mb"),
    )
    rows[-1]["ratio"] = r
    rows[-1]["agrees_with_pyshacl"] = agree
    turbo_agree = None
    if "keys" in s.get("shacl-turbo", {}) and "keys" in s.get("shacl-pyshacl", {}):
        turbo_agree = s["shacl-turbo"]["keys"] == s["shacl-pyshacl"]["keys"]
    rows[-1]["extra"] = (
        f"pySHACL baseline: {spread(s.get('shacl-pyshacl', {}))}; "
        f"turbo: {spread(s.get('shacl-turbo', {}))} (same results as pySHACL: {turbo_agree}); "
        f"rudof: {spread(s.get('shacl-rudof', {}))}"
    )
    pyshacl_count = len(s.get("shacl-pyshacl", {}).get("keys", [])) or None
    rudof_count = s.get("shacl-rudof", {}).get("results")
    if rudof_count is not None:
        rows[-1]["extra"] += (
            f" ({rudof_count} results; pySHACL: {pyshacl_count}; rudof skips SHACL-SPARQL targets)"
        )
    for name in ("shacl-turbo", "shacl-rudof", "shacl-pyshacl"):
        if name in s and "peak_mb" in s[name]:
            rows[-1]["extra"] += f"; {name} peak {s[name]['peak_mb']:.0f} MB"

    contribution = s.get("contribution", {})
    row(
        "contribution (50 triples)",
        spread(contribution),
        "",
        "",
        "< 1 s, <= 1.5x its 10k time",
        None if med(contribution) is None else med(contribution) < 1.0,
        contribution.get("peak_mb"),
    )

    for name, q in s.get("queries", {}).get("queries", {}).items():
        qr = ratio(statistics.median(q["times"]), statistics.median(q["raw"]))
        single = name in ("entity-profile", "firms-reaching-region")
        ok = qr is not None and qr <= 1.3 and (not single or statistics.median(q["times"]) < 0.05)
        row(
            f"query {name}",
            spread(q),
            "raw pyoxigraph",
            spread({"times": q["raw"]}),
            "<= 1.3x raw" + ("; < 50 ms" if single else ""),
            ok,
            s["queries"].get("peak_mb"),
        )
        rows[-1]["ratio"] = qr
        rows[-1]["rows"] = q["rows"]
    for name, reason in s.get("queries", {}).get("skipped", {}).items():
        row(f"query {name}", f"not measured ({reason})", "raw pyoxigraph", "", "<= 1.3x raw", None, None)
    if "queries" in s and "queries" not in s["queries"]:
        row("queries", spread(s["queries"]), "raw pyoxigraph", "", "", None, s["queries"].get("peak_mb"))

    load, native = s.get("ftzkg-load", {}), s.get("native-load", {})
    tps = size["triples"] / med(load) if med(load) else None
    ntps = size["triples"] / med(native) if med(native) else None
    row(
        "`ftzkg load` into oxigraph serve",
        spread(load) + (f", {tps:,.0f} triples/s" if tps else ""),
        "native `oxigraph load`",
        spread(native) + (f", {ntps:,.0f} triples/s" if ntps else ""),
        ">= 0.5x native triples/s",
        None if tps is None or ntps is None else tps >= 0.5 * ntps,
        load.get("peak_mb"),
    )
    rows[-1]["ratio"] = ratio(tps, ntps)
    return rows


def print_table(sizes: list[dict]) -> str:
    lines = [
        "| size | step | ftzkg: median (min-max) | reference | reference: median (min-max) | ratio "
        "| target | met | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    ten_k = None
    for size in sizes:
        for row in rows_for(size):
            if row["step"].startswith("contribution"):
                if size["label"] == "10k":
                    ten_k = row
                elif ten_k is not None:
                    a = float(row["figure"].split()[0]) if row["figure"][0].isdigit() else None
                    b = float(ten_k["figure"].split()[0]) if ten_k["figure"][0].isdigit() else None
                    if a is not None and b:
                        row["ratio"] = a / b
                        row["met"] = bool(row["met"]) and a / b <= 1.5
            ratio = row.get("ratio")
            met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
            peak = f"{row['peak_mb']:.0f}" if row.get("peak_mb") else "-"
            lines.append(
                f"| {row['size']} ({row['triples']:,}) | {row['step']} | {row['figure']} "
                f"| {row['reference']} | {row['reference_figure']} "
                f"| {'' if ratio is None else f'{ratio:.2f}x'} | {row['target']} | {met} | {peak} |"
            )
            if row.get("extra"):
                lines.append(f"|  | ↳ | {row['extra']} |  |  |  |  |  |  |")
            if "agrees_with_pyshacl" in row:
                lines.append(
                    f"|  | ↳ | same set of results as plain pySHACL: {row['agrees_with_pyshacl']} "
                    "(None: pySHACL not run) |  |  |  |  |  |  |"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ftzkg benchmark")
    parser.add_argument("--sizes", default="10k,100k,1m", help="graph sizes in triples, e.g. 10k,100k,1m")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median, min, max)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--violations", type=float, default=0.01, help="fraction of firms with a violation")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a step is abandoned")
    parser.add_argument(
        "--validate-limit",
        type=parse_size,
        default=parse_size("2m"),
        help="largest size at which pyshacl-turbo is run on the whole graph (its SPARQL part is rdflib's)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--skip-queries", default="", help="catalogue queries not to run (comma-separated)")
    parser.add_argument(
        "--table", type=Path, nargs="+", default=None, help="only print the table of results files"
    )
    args = parser.parse_args(argv)
    if args.table is not None:
        print(print_table([size for path in args.table for size in json.loads(path.read_text())["sizes"]]))
        return 0

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="ftzkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    measured = []
    try:
        for size in sizes:
            measured.append(measure_size(size, args, work, measured[-1] if measured else None))
            write(args, measured)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(print_table(measured))
    print(f"\nwritten to {args.out}")
    return 0


def write(args, measured: list[dict]) -> None:
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "repeat": args.repeat,
        "seed": args.seed,
        "violations": args.violations,
        "sizes": measured,
        "table": print_table(measured),
    }
    tmp = args.out.with_suffix(".part")
    tmp.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    tmp.replace(args.out)


if __name__ == "__main__":
    sys.exit(main())
