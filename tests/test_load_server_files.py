"""``ftzkg load --server-dir``: Virtuoso loads the graphs it lacks from files in a folder it reads.

Each file (whole graphs, about ``ServerFiles.piece`` triples) is one logged transaction
of Virtuoso's own loader, so a reader, a refused line and a ``kill -9`` all see none of a
file's graphs or all of them; the files are deleted; graphs the store holds still go
through staging graphs. Against real Virtuoso servers: the session's (whose ``DirsAllowed``
lists its own folder) and, for crashes, a private one per test.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fault_proxy import Fault, FaultProxy
from store_queries import credentials_env, graph_counts, graph_lines, loader, select, update, write_nquads

from ftzkg.bulk_loading import graph_bodies
from ftzkg.cli import main
from ftzkg.http_client import ConfigurationError, StoreError
from ftzkg.server_files import ServerFiles, release_bodies
from ftzkg.store_loading import StoreLoader
from ftzkg.virtuoso_server import VirtuosoServer

EX = "http://example.org/files/"


def quads(graph: str, n: int, tag: str = "v", lang: str | None = None) -> list[ox.Quad]:
    p, g = ox.NamedNode(EX + "p"), ox.NamedNode(EX + graph)
    return [
        ox.Quad(ox.NamedNode(f"{EX}{graph}/s{i}"), p, ox.Literal(f"{tag}-{i} \u6587", language=lang), g)
        for i in range(n)
    ]


def server_folder(server: VirtuosoServer) -> Path:
    """A fresh folder under the server's own, which its DirsAllowed lists."""
    folder = server.location / f"files-{random.randrange(1 << 30):08x}"
    folder.mkdir()
    return folder


def files_loader(
    server: VirtuosoServer, url: str | None = None, piece: int = 1_000, **options
) -> StoreLoader:
    """ftzkg's loader for ``server`` with the files route into a fresh allowed folder."""
    ready = loader(server, url, **options)
    files = ServerFiles(ready, server_folder(server))
    files.piece = piece
    ready.server_files = files
    return ready


def release_file(tmp_path: Path, data: list[ox.Quad]) -> tuple[Path, bytes]:
    path = tmp_path / "release.nq"
    write_nquads(path, data)
    return path, path.read_bytes()


def load_release_lines(server: VirtuosoServer, path: Path, data: bytes, piece: int = 1_000):
    """What ``ftzkg load --release path --server-dir`` does with a release split by its lines."""
    split = release_bodies(data)
    assert split is not None
    bodies, kept = split
    ready = loader(server)
    ready.server_files = ServerFiles(ready, server_folder(server), release=(path, data), quads=kept)
    ready.server_files.piece = piece
    return ready, ready.load_bodies(bodies)


# ---------------------------------------------------------------- the way in


def test_graphs_the_store_lacks_go_in_from_files_one_request_each_and_the_files_are_deleted(virtuoso_clean):
    data = quads("a", 1_500) + quads("b", 700) + quads("c", 300)
    with FaultProxy(virtuoso_clean.url) as proxy:
        ready = files_loader(virtuoso_clean, proxy.url, piece=1_000)
        report = ready.load_dataset(data)
    assert report.verified
    assert graph_counts(virtuoso_clean) == {EX + "a": 1_500, EX + "b": 700, EX + "c": 300}
    assert graph_lines(virtuoso_clean, EX + "b") == {
        f"{q.subject.value} {q.predicate.value} {q.object.value}" for q in quads("b", 700)
    }
    loads = [r for r in proxy.requests if b"TTLP_MT" in r.body]
    assert len(loads) == 2  # "a" alone (1,500 >= 1,000), then "b" and "c" together
    assert not ready.staging_seen, "no graph went through a staging graph"
    assert not list(ready.server_files.folder.iterdir()), "the files were left behind"


def test_a_graph_the_store_holds_is_replaced_through_a_staging_graph_beside_new_ones_from_files(
    virtuoso_clean,
):
    assert loader(virtuoso_clean).load_dataset(quads("held", 200, "old")).verified
    ready = files_loader(virtuoso_clean)
    report = ready.load_dataset(quads("held", 250, "new") + quads("new", 400))
    assert report.verified
    assert graph_counts(virtuoso_clean) == {EX + "held": 250, EX + "new": 400}
    assert all("new-" in line for line in graph_lines(virtuoso_clean, EX + "held"))
    assert len(ready.staging_seen) == 1  # only the graph the store held


def test_a_release_split_by_its_lines_gives_the_bodies_the_parser_gives(release: Path):
    from ftzkg.release import release_file as dataset_of

    path = dataset_of(release)
    split = release_bodies(path.read_bytes())
    assert split is not None, "ftzkg's own release is split without a parse"
    bodies, kept = split
    parsed = graph_bodies(path)
    assert bodies.keys() == parsed.keys()
    for graph, body in parsed.items():
        assert set(bodies[graph].split(b"\n")) == set(body.split(b"\n")), graph
    assert "https://w3id.org/ftzkg/shapes" not in kept, "a graph with blank nodes is parsed and skolemized"


def test_a_release_split_by_its_lines_keeps_graphs_that_are_not_in_one_run(tmp_path: Path):
    lines = ox.serialize(quads("a", 50) + quads("b", 50), format=ox.RdfFormat.N_QUADS).split(b"\n")[:-1]
    random.Random(7).shuffle(lines)
    split = release_bodies(b"\n".join(lines) + b"\n")
    assert split is not None
    bodies, _ = split
    assert {g: b.count(b"\n") for g, b in bodies.items()} == {EX + "a": 50, EX + "b": 50}


@pytest.mark.parametrize(
    "line",
    [
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .",  # outside named graphs
        b'<http://example.org/s> <http://example.org/p> "x"^^<http://example.org/t> .',
        b"# a comment",
        b"",
        b"<http://example.org/s> <http://example.org/p> <http://example.org/o> <http://example.org/g> .\r",
    ],
    ids=["triple with an IRI object", "triple with a typed literal", "comment", "empty line", "CR"],
)
def test_a_release_line_that_is_not_a_plain_quad_sends_the_file_to_the_careful_parser(line: bytes):
    good = ox.serialize(quads("a", 3), format=ox.RdfFormat.N_QUADS)
    assert release_bodies(good) is not None
    assert release_bodies(good + line + b"\n") is None


# ---------------------------------------------------------------- failures


def test_a_line_virtuoso_refuses_rolls_back_its_whole_file_and_names_the_release_line(
    virtuoso_clean, tmp_path: Path
):
    first = quads("first", 1_200)
    path, data = release_file(tmp_path, first + quads("b", 300) + quads("c", 300))
    bad = f'<{EX}c/bad> <{EX}p> "\\q" <{EX}c> .\n'.encode()
    data += bad  # an escape N-Triples does not have, in graph c (loaded in the second file, with b)
    path.write_bytes(data)
    with pytest.raises(StoreError) as failure:
        load_release_lines(virtuoso_clean, path, data)
    message, last = str(failure.value), data.count(b"\n")
    assert f"{path}:{last}: Virtuoso refused this line" in message, message
    assert graph_counts(virtuoso_clean) == {EX + "first": 1_200}, "b and c are absent, first whole"


def test_a_folder_virtuoso_may_not_read_is_refused_before_anything_is_loaded(virtuoso_clean):
    # not in the server's DirsAllowed (nor under /tmp, which Virtuoso 7 reads whatever its DirsAllowed)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:
        ready = loader(virtuoso_clean)
        ready.server_files = ServerFiles(ready, Path(folder))
        with pytest.raises(StoreError, match="add the folder to DirsAllowed"):
            ready.load_dataset(quads("a", 10))
        assert not list(Path(folder).iterdir()), "the probe file was left behind"
    assert graph_counts(virtuoso_clean) == {}


def test_a_file_whose_answer_is_lost_after_virtuoso_loaded_it_is_found_whole(virtuoso_clean):
    fault = Fault(is_file_load, "drop_after")  # Virtuoso loads the file; its answer never arrives
    with FaultProxy(virtuoso_clean.url, [fault]) as proxy:
        report = files_loader(virtuoso_clean, proxy.url, retries=0).load_dataset(quads("a", 300))
    assert report.verified
    assert graph_counts(virtuoso_clean) == {EX + "a": 300}


def test_a_file_whose_request_gets_no_answer_is_never_called_absent(virtuoso_clean):
    # no answer before the timeout: Virtuoso may have read the file and still be loading it, so ftzkg
    # names the graphs to check rather than saying nothing was loaded
    fault = Fault(is_file_load, "stall")
    with FaultProxy(virtuoso_clean.url, [fault]) as proxy:
        ready = files_loader(virtuoso_clean, proxy.url, retries=0)
        ready.client.timeout = 1.0
        with pytest.raises(StoreError) as failure:
            ready.load_dataset(quads("a", 300))
    assert "could not tell whether <http://example.org/files/a> were written whole; check them" in str(
        failure.value
    )
    assert "nothing of the file was loaded" not in str(failure.value)


def test_a_malformed_line_of_a_graph_the_store_holds_is_named_and_the_graph_kept(
    virtuoso_clean, tmp_path: Path
):
    assert loader(virtuoso_clean).load_dataset(quads("held", 50, "old")).verified
    before = graph_lines(virtuoso_clean, EX + "held")
    path, data = release_file(tmp_path, quads("held", 60, "new"))
    data += f'<{EX}held/bad> <{EX}p> "\\q" <{EX}held> .\n'.encode()  # split unparsed, then parsed for staging
    path.write_bytes(data)
    with pytest.raises(StoreError) as failure:
        load_release_lines(virtuoso_clean, path, data)
    assert f"{path}:61:" in str(failure.value), str(failure.value)
    assert graph_lines(virtuoso_clean, EX + "held") == before


def test_virtuoso_7_reads_files_under_tmp_whatever_its_dirs_allowed(virtuoso_clean):
    # what the README warns of: a folder under /tmp that DirsAllowed does not list is read all the same
    with tempfile.TemporaryDirectory(dir="/tmp", prefix="ftzkg-not-allowed-") as folder:
        assert not folder.startswith(str(virtuoso_clean.location))
        ServerFiles(loader(virtuoso_clean), Path(folder)).probe()  # raises when Virtuoso may not read it


def test_a_server_path_where_the_server_sees_other_files_is_refused(virtuoso_clean):
    ready = loader(virtuoso_clean)
    other = server_folder(virtuoso_clean)
    (other / "unrelated.txt").write_text("x")
    ready.server_files = ServerFiles(ready, server_folder(virtuoso_clean), server_folder=str(other))
    with pytest.raises(StoreError, match="give --server-path as the server sees that folder"):
        ready.load_dataset(quads("a", 10))
    assert graph_counts(virtuoso_clean) == {}


def is_file_load(seen) -> bool:
    return seen.method == "POST" and "DB.DBA.TTLP_MT" in seen.text


def test_a_file_virtuoso_rolled_back_for_a_conflict_with_another_file_is_loaded_again(virtuoso_clean):
    # two files loading at once that both hold a language tag new to the store: Virtuoso rolled one back
    # (SR197, seen loading the 100,000-triple benchmark release into a fresh store); nothing of it was
    # written, so ftzkg loads it again
    conflict = "Virtuoso 23000 Error SR197: Non unique primary key on DB.DBA.RDF_LANGUAGE."
    fault = Fault(is_file_load, "status", status=500, message=conflict)
    with FaultProxy(virtuoso_clean.url, [fault]) as proxy:
        assert files_loader(virtuoso_clean, proxy.url, retries=0).load_dataset(quads("a", 300)).verified
    assert sum(is_file_load(r) for r in proxy.requests) == 2
    assert graph_counts(virtuoso_clean) == {EX + "a": 300}


def test_a_file_virtuoso_refused_for_anything_else_is_not_sent_again(virtuoso_clean):
    refused = "Virtuoso 37000 Error SP029: NQuads RDF loader, line 1: syntax error"
    fault = Fault(is_file_load, "status", status=500, message=refused)
    with FaultProxy(virtuoso_clean.url, [fault]) as proxy, pytest.raises(StoreError, match="SP029"):
        files_loader(virtuoso_clean, proxy.url, retries=0).load_dataset(quads("a", 300))
    assert sum(is_file_load(r) for r in proxy.requests) == 1
    assert graph_counts(virtuoso_clean) == {}


# ---------------------------------------------------------------- crashes and readers


def test_a_kill_during_a_load_from_files_leaves_each_graph_absent_or_whole(tmp_path: Path):
    server = VirtuosoServer(tmp_path / "virtuoso").start()
    n = 20_000
    try:
        started = time.monotonic()
        assert files_loader(server, piece=n).load_dataset(quads("first", n)).verified
        duration = max(time.monotonic() - started, 0.5)
        for i, fraction in enumerate((0.3, 0.9, 1.6, 2.5)):
            names = [f"k{i}-{k}" for k in range(3)]
            killer = threading.Timer(duration * fraction, server.kill)
            killer.start()
            reported = False
            with contextlib.suppress(StoreError):
                data = [q for name in names for q in quads(name, n)]
                reported = files_loader(server, piece=n, retries=0).load_dataset(data).verified
            killer.join()
            server.start()
            held = graph_counts(server)
            for name in names:
                assert held.get(EX + name, 0) in (0, n), (fraction, name, held.get(EX + name))
                if reported:
                    assert held.get(EX + name) == n
        assert graph_counts(server)[EX + "first"] == n, "what was loaded before survived every crash"
    finally:
        server.stop()


def test_a_reader_sees_none_of_a_files_graphs_or_all_of_them_outside_its_load_request(virtuoso_clean):
    """As for the SQL copy (tests/test_load_crashes.py): Virtuoso releases the rows of the file's
    transaction as it writes them, and a reader at its default isolation can count part of them
    during the request that loads the file; before it and after its answer, none or all."""
    n = 15_000
    seen: list[tuple[float, float, int]] = []  # (asked, answered, triples)
    window: list[float] = []
    done = threading.Event()
    count = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (STRSTARTS(STR(?g), '{EX}r')) }}"
    )

    def read() -> None:
        while not done.is_set():
            asked = time.monotonic()
            triples = int(select(virtuoso_clean, count)[0]["n"])
            seen.append((asked, time.monotonic(), triples))

    writer = files_loader(virtuoso_clean, piece=3 * n)
    assert writer.server_files is not None
    load_file = writer.server_files._load_file

    def timed(query: str) -> None:
        window.append(time.monotonic())
        load_file(query)
        window.append(time.monotonic())

    writer.server_files._load_file = timed  # type: ignore[method-assign]
    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.3)
        assert writer.load_dataset(quads("r1", n) + quads("r2", n)).verified  # one file, both graphs
        time.sleep(0.3)
    finally:
        done.set()
        reader.join()
    assert len(window) == 2
    outside = {t for asked, answered, t in seen if answered < window[0] or asked > window[1]}
    assert outside == {0, 2 * n}, sorted(outside)


# ---------------------------------------------------------------- the command


def test_the_command_loads_a_release_through_files_as_it_does_over_http(virtuoso_clean, release: Path):
    runner = CliRunner()
    base = ["load", "--endpoint", virtuoso_clean.url, "--release", str(release)]
    folder = server_folder(virtuoso_clean)
    done = runner.invoke(main, [*base, "--server-dir", str(folder)], env=credentials_env(virtuoso_clean))
    assert done.exit_code == 0, done.output
    assert "new graph(s): read by Virtuoso from files in --server-dir, one logged transaction per file" in (
        done.output
    )
    through_files = graph_counts(virtuoso_clean)
    assert not list(folder.iterdir())
    for graph in through_files:
        update(virtuoso_clean, f"DROP SILENT GRAPH <{graph}>")
    again = runner.invoke(main, base, env=credentials_env(virtuoso_clean))
    assert again.exit_code == 0, again.output
    assert graph_counts(virtuoso_clean) == through_files


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        (["--server-path", "/srv"], True, "--server-path needs --server-dir"),
        (["--server-dir", "/nonexistent/ftzkg"], True, "no such folder"),
        (["--server-dir", "."], False, "needs the DBA's credentials"),
    ],
    ids=["server path alone", "missing folder", "no credentials"],
)
def test_files_route_settings_that_cannot_work_exit_2_with_one_line(
    virtuoso_clean, release, extra, env, message
):
    args = ["load", "--endpoint", virtuoso_clean.url, "--release", str(release), "--store-type", "virtuoso"]
    done = CliRunner().invoke(main, args + extra, env=credentials_env(virtuoso_clean) if env else {})
    assert done.exit_code == 2, done.output
    assert message in done.output
    assert len(done.output.strip().splitlines()) == 1
    assert graph_counts(virtuoso_clean) == {}


def test_files_route_on_oxigraph_exits_2(oxigraph_server, release: Path, tmp_path: Path):
    args = [
        "load",
        "--endpoint",
        oxigraph_server.url,
        "--release",
        str(release),
        "--server-dir",
        str(tmp_path),
    ]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 2, done.output
    assert "--server-dir is for Virtuoso" in done.output


def test_a_control_character_in_the_server_path_is_refused(virtuoso_clean):
    with pytest.raises(ConfigurationError, match="control character"):
        ServerFiles(loader(virtuoso_clean), virtuoso_clean.location, server_folder="/tmp/a\nb")


def test_the_readme_recipe_for_server_files_runs_as_written(virtuoso_clean, release: Path):
    import re
    import shlex

    from ftzkg import project

    readme = (project.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("##### Faster on Virtuoso", 1)[1]
    block = re.search(r"```console\n(.*?)```", section, re.S)
    assert block, "the section has no console block"
    command = next(line for line in block.group(1).splitlines() if " ftzkg load " in line)
    env_part, _, args = command.removeprefix("$ ").partition(" ftzkg ")
    argv = shlex.split(args)
    folder = server_folder(virtuoso_clean)
    ours = {"http://127.0.0.1:8890": virtuoso_clean.url, "/srv/ftzkg-load": str(folder), "dist": str(release)}
    argv = [ours.get(a, a) for a in argv]
    assert "--server-dir" in argv and "dba" in env_part
    done = CliRunner().invoke(main, argv, env=credentials_env(virtuoso_clean))
    assert done.exit_code == 0, done.output
    shown = [line for line in block.group(1).splitlines() if "new graph(s):" in line]
    printed = [line for line in done.output.splitlines() if "new graph(s):" in line]
    assert len(shown) == len(printed) == 1
    assert shown[0].split(" ", 1)[1] == printed[0].split(" ", 1)[1]  # the same words, whatever the count
