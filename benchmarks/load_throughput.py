"""Load throughput: `ftzkg load` against each store's own bulk loader, at several sizes.

For each size, the project's graph plus a synthetic zone-scale graph (`ftzkg synth`) is
written once as N-Quads, then loaded, each run into a fresh store:

* Oxigraph: `oxigraph load` into a closed store, against `ftzkg load` into `oxigraph serve`;
* Virtuoso: `ld_dir` + `rdf_loader_run()` + `checkpoint` (its bulk loader, through isql),
  against `ftzkg load --store-type virtuoso` as the DBA (staging, swap, checkpoint, check);
* virtuoso-files: the same bulk loader, against `ftzkg load --server-dir` (Virtuoso reads the
  new graphs from files in a folder its DirsAllowed lists, one logged transaction a file).

Only the load is timed (not starting the server). Prints a Markdown table with the
medians, triples per second and the ratio to the native loader (target: >= 0.5).

    .venv/bin/python benchmarks/load_throughput.py --sizes 100k --repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from ftzkg import project  # noqa: E402
from ftzkg.knowledge_graph import KnowledgeGraph  # noqa: E402
from ftzkg.server import OxigraphServer, oxigraph_executable  # noqa: E402
from ftzkg.synth import firms_for_triples, generate  # noqa: E402
from ftzkg.virtuoso_server import VirtuosoServer, virtuoso_available  # noqa: E402

FTZKG = str(Path(sys.executable).parent / "ftzkg")


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def dataset(size: int, work: Path) -> tuple[Path, int]:
    """The project's graph and a synthetic graph, as one N-Quads file; its path and triple count."""
    import pyoxigraph as ox

    base = len(KnowledgeGraph.load())
    synthetic = generate(firms_for_triples(max(size - base, 1_000), seed=1), 1, work / "synthetic")
    kg = KnowledgeGraph.load([*project.all_files(), project.SourceFile(synthetic.path, None)])
    folder = work / "data"
    folder.mkdir(exist_ok=True)
    path = folder / "combined.nq"
    kg.store.dump(output=str(path), format=ox.RdfFormat.N_QUADS)
    return path, len(kg)


def timed(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} failed: {(done.stderr or done.stdout)[-500:]}")
    return elapsed


def oxigraph_native(data: Path, work: Path) -> float:
    location = work / "oxigraph-native"
    shutil.rmtree(location, ignore_errors=True)
    try:
        return timed([oxigraph_executable(), "load", "--location", str(location), "--file", str(data)])
    finally:
        shutil.rmtree(location, ignore_errors=True)


def oxigraph_ftzkg(data: Path, work: Path) -> float:
    location = work / "oxigraph-server"
    shutil.rmtree(location, ignore_errors=True)
    try:
        with OxigraphServer(location) as server:
            cmd = [FTZKG, "load", "--release", str(data), "--endpoint", server.url, "--timeout", "3600"]
            return timed(cmd)
    finally:
        shutil.rmtree(location, ignore_errors=True)


def virtuoso(work: Path, data: Path) -> VirtuosoServer:
    location = work / "virtuoso"
    shutil.rmtree(location, ignore_errors=True)
    # 2 GB of buffers, as Virtuoso's guide sizes them for a few million triples
    return VirtuosoServer(location, buffers=250_000, dirs_allowed=(data.parent,))


def virtuoso_native(data: Path, work: Path) -> float:
    server = virtuoso(work, data).start()
    try:
        started = time.perf_counter()
        server.isql(
            f"ld_dir ('{data.parent}', '{data.name}', 'urn:ftzkg:bench:default');\n"
            "rdf_loader_run ();\ncheckpoint;\n",
            timeout=3600,
        )
        return time.perf_counter() - started
    finally:
        server.stop()
        shutil.rmtree(server.location, ignore_errors=True)


def virtuoso_ftzkg(data: Path, work: Path, *extra: str) -> float:
    server = virtuoso(work, data).start()
    try:
        cmd = [FTZKG, "load", "--release", str(data), "--endpoint", server.url, "--store-type", "virtuoso"]
        env = {"FTZKG_USER": "dba", "FTZKG_PASSWORD": server.password}
        return timed([*cmd, *extra, "--timeout", "3600"], env)
    finally:
        server.stop()
        shutil.rmtree(server.location, ignore_errors=True)


def virtuoso_files_ftzkg(data: Path, work: Path) -> float:
    """``ftzkg load --server-dir``: the new graphs go through files the server reads itself."""
    folder = data.parent / "server-files"  # under a folder the server's DirsAllowed lists
    folder.mkdir(exist_ok=True)
    return virtuoso_ftzkg(data, work, "--server-dir", str(folder))


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f}, n={len(times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stores", default="oxigraph,virtuoso,virtuoso-files")
    args = parser.parse_args(argv)
    stores = {
        "oxigraph": ("`oxigraph load`", oxigraph_native, oxigraph_ftzkg),
        "virtuoso": ("`ld_dir` + `rdf_loader_run()` + `checkpoint`", virtuoso_native, virtuoso_ftzkg),
        "virtuoso-files": (
            "`ld_dir` + `rdf_loader_run()` + `checkpoint`",
            virtuoso_native,
            virtuoso_files_ftzkg,
        ),
    }
    wanted = [s for s in args.stores.split(",") if s]
    if not virtuoso_available():
        print("virtuoso-t is not installed: Virtuoso not measured", file=sys.stderr)
        wanted = [s for s in wanted if not s.startswith("virtuoso")]
    rows = [
        "| size | store | `ftzkg load`: median (min-max) | triples/s | native loader "
        "| native: median (min-max) | triples/s | ratio | >= 0.5 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(prefix="ftzkg-load-bench-") as tmp:
        work = Path(tmp)
        for size_text in args.sizes.split(","):
            data, triples = dataset(parse_size(size_text), work)
            print(f"== {size_text}: {triples:,} triples", file=sys.stderr, flush=True)
            for store in wanted:
                name, native, ours = stores[store]
                native_times = [native(data, work) for _ in range(args.repeat)]
                ours_times = [ours(data, work) for _ in range(args.repeat)]
                n_tps = triples / statistics.median(native_times)
                o_tps = triples / statistics.median(ours_times)
                ratio = o_tps / n_tps
                met = "yes" if ratio >= 0.5 else "**no**"
                rows.append(
                    f"| {size_text} ({triples:,}) | {store} | {spread(ours_times)} | {o_tps:,.0f} | {name} "
                    f"| {spread(native_times)} | {n_tps:,.0f} | {ratio:.2f}x | {met} |"
                )
                print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
