"""What an atomic load costs Virtuoso itself, with no client at all, against its bulk loader.

`ftzkg load` replaces each named graph atomically: the data goes to a staging graph,
then one transaction copies it into the target, then the staging graph is dropped.
This benchmark does the server's share of that on its own, through `isql`, as fast
as Virtuoso allows, and times it beside the bulk loader (`ld_dir` +
`rdf_loader_run()` + `checkpoint`), each on a fresh server, on the same data:

1. stage: the bulk loader itself writes every graph into a staging graph (the same
   work as the bulk loader: no transaction, no log);
2. checkpoint: the staged data, and the IRIs it named, made durable before a logged
   transaction refers to them (without it, a crash before the next checkpoint would
   replay the copy with IRI IDs the database no longer knows);
3. copy: one SQL `INSERT ... SELECT` per graph, one logged transaction each (what
   `ftzkg load` does for a graph the store lacks);
4. drop: one SQL `DELETE` per staging graph;
5. checkpoint.

The sum is a floor for any atomic load through staging graphs, whatever the client
does (it parses nothing, sends nothing, checks nothing). When the floor is already
more than twice the bulk loader's time, no client reaches half its throughput with
atomic replacement kept. The other atomic route, Virtuoso's loader in one logged
transaction per request (`TTLP_MT(..., transactional => 1)`), is timed too; and the staging
done as a client that does not share the server's disk must, by Graph Store POSTs, whose
rows Virtuoso logs (so the floor over HTTP needs no checkpoint before the copy).

    .venv/bin/python benchmarks/virtuoso_floor.py --sizes 100k,1m --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import pyoxigraph as ox  # noqa: E402
from load_throughput import dataset, parse_size, virtuoso, virtuoso_native  # noqa: E402

from ftzkg.virtuoso_server import VirtuosoServer, virtuoso_available  # noqa: E402

STAGING = "?ftzkg-staging=floor"


def sql_iri(iri: str) -> str:
    return "iri_to_id('" + iri.replace("'", "''") + "')"


def staged_copy(data: Path) -> tuple[Path, list[str]]:
    """``data`` with every graph renamed to its staging graph (a file beside it); the graphs."""
    quads = list(ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    renamed = (
        ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(q.graph_name.value + STAGING)) for q in quads
    )
    path = data.parent / "staging" / "staged.nq"
    path.parent.mkdir(exist_ok=True)
    ox.serialize(renamed, output=str(path), format=ox.RdfFormat.N_QUADS)
    return path, graphs


def timed_isql(server: VirtuosoServer, script: str) -> float:
    started = time.perf_counter()
    server.isql(script, timeout=3600)
    return time.perf_counter() - started


def atomic_floor(staged: Path, graphs: list[str], work: Path) -> dict[str, float]:
    """The server's share of an atomic load through staging graphs, step by step, on a fresh server."""
    server = virtuoso(work, staged.parent).start()
    try:
        steps = {
            "stage": timed_isql(
                server,
                f"ld_dir ('{staged.parent}', '{staged.name}', 'urn:ftzkg:bench:default');\n"
                "rdf_loader_run ();\n",
            ),
            "checkpoint before the copy": timed_isql(server, "checkpoint;\n"),
            "copy": timed_isql(
                server,
                "".join(
                    f"INSERT INTO DB.DBA.RDF_QUAD (G, S, P, O) SELECT {sql_iri(g)}, S, P, O "
                    f"FROM DB.DBA.RDF_QUAD WHERE G = {sql_iri(g + STAGING)};\n"
                    for g in graphs
                ),
            ),
            "drop": timed_isql(
                server,
                "".join(f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = {sql_iri(g + STAGING)};\n" for g in graphs),
            ),
            "checkpoint": timed_isql(server, "checkpoint;\n"),
        }
        return steps
    finally:
        server.stop()
        shutil.rmtree(server.location, ignore_errors=True)


def http_stage(data: Path, work: Path, chunk: int = 50_000) -> float:
    """Every graph POSTed to its staging graph through Virtuoso's Graph Store endpoint as the DBA,
    in chunks of ``chunk`` triples as `ftzkg load` sends them; the bodies are written before the clock
    starts, so this is the transfer and the server's work only."""
    import urllib.parse

    from ftzkg.http_client import Credentials, HttpClient

    by_graph: dict[str, list[bytes]] = {}
    for q in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS):
        line = ox.serialize([q.triple], format=ox.RdfFormat.N_TRIPLES)
        by_graph.setdefault(q.graph_name.value, []).append(line)
    requests = [
        (graph + STAGING, b"".join(lines[start : start + chunk]))
        for graph, lines in by_graph.items()
        for start in range(0, len(lines), chunk)
    ]
    server = virtuoso(work, data).start()
    try:
        url = server.url + "/sparql-graph-crud-auth"
        client = HttpClient(
            Credentials("Basic", "dba", server.password), [url], timeout=3600, retries=0, auth="digest"
        )
        started = time.perf_counter()
        for graph, body in requests:
            target = f"{url}?graph={urllib.parse.quote(graph, safe='')}"
            client.request("POST", target, body, content_type="application/n-triples", idempotent=True)
        return time.perf_counter() - started
    finally:
        server.stop()
        shutil.rmtree(server.location, ignore_errors=True)


def transactional(data: Path, work: Path, piece: int = 100_000) -> float:
    """Virtuoso's loader into the targets, one logged transaction per file of ``piece`` quads."""
    folder = data.parent / "pieces"
    folder.mkdir(exist_ok=True)
    lines = data.read_bytes().splitlines(keepends=True)
    files = []
    for start in range(0, len(lines), piece):
        path = folder / f"piece-{start // piece:04d}.nq"
        path.write_bytes(b"".join(lines[start : start + piece]))
        files.append(path)
    server = virtuoso(work, folder).start()
    try:
        script = "".join(
            f"DB.DBA.TTLP_MT (file_to_string_output ('{f}'), '', 'urn:ftzkg:bench:default', 512, 1, 2, 1);\n"
            for f in files
        )
        return timed_isql(server, script + "checkpoint;\n")
    finally:
        server.stop()
        shutil.rmtree(server.location, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not virtuoso_available():
        print("virtuoso-t is not installed", file=sys.stderr)
        return 1
    rows = [
        "| size | bulk loader | stage | checkpoint | copy | drop | checkpoint | atomic floor "
        "| bulk loader / floor | one transaction per 100k | bulk loader / it | stage over HTTP "
        "| floor over HTTP | bulk loader / it |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory(prefix="ftzkg-virtuoso-floor-") as tmp:
        work = Path(tmp)
        for size_text in args.sizes.split(","):
            data, triples = dataset(parse_size(size_text), work)
            staged, graphs = staged_copy(data)
            print(f"== {size_text}: {triples:,} triples in {len(graphs)} graphs", file=sys.stderr, flush=True)
            native, floors, single, http = [], [], [], []
            for _ in range(args.repeat):  # interleaved, so that a busy moment hurts each alike
                native.append(virtuoso_native(data, work))
                floors.append(atomic_floor(staged, graphs, work))
                single.append(transactional(data, work))
                http.append(http_stage(data, work))
            step = {k: statistics.median(f[k] for f in floors) for k in floors[0]}
            floor = statistics.median(sum(f.values()) for f in floors)
            n, t, h = statistics.median(native), statistics.median(single), statistics.median(http)
            # staged over HTTP, the rows are in Virtuoso's log already: no checkpoint before the copy
            http_floor = floor - step["stage"] - step["checkpoint before the copy"] + h
            cells = " | ".join(f"{v:.2f} s" for v in step.values())
            rows.append(
                f"| {size_text} ({triples:,}) | {n:.2f} s | {cells} | {floor:.2f} s | {n / floor:.2f}x "
                f"| {t:.2f} s | {n / t:.2f}x | {h:.2f} s | {http_floor:.2f} s | {n / http_floor:.2f}x |"
            )
            print(rows[-1], file=sys.stderr, flush=True)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
