"""Virtuoso: graphs the store does not hold yet go in from files on the server's own disk.

Over HTTP an atomic load costs Virtuoso itself more than three times what its bulk
loader costs (``benchmarks/virtuoso_floor.py``). When the client may write into a
folder the server reads (``DirsAllowed`` in its ``virtuoso.ini``: a server on the same
host, or a shared volume), ``ftzkg load --server-dir`` writes the new graphs there as
N-Quads files of about ``piece`` triples, each graph whole in one file, and has
Virtuoso's own parser load each file in **one logged transaction**
(``DB.DBA.TTLP_MT(..., transactional => 1)``, run by ``bif:exec`` as the DBA). So:

- a line Virtuoso refuses rolls the whole file back (none of its graphs is written);
- a crash (``kill -9``) before the commit leaves none of them, and after it the log
  replays all of them: each graph is absent or whole after a restart;
- a reader sees none of a file's graphs or all of them before the request that loads it
  and after its answer; during it, a reader at Virtuoso's default isolation can count
  part of them (as during the SQL copy of the HTTP route).

Two files are loaded at once (two transactions, each on two of the server's threads).
Each file is checked as soon as it is in, as the Oxigraph bulk route checks a request
(:class:`~ftzkg.bulk_loading.BulkLoad`: counts and a random sample in one query each),
then deleted. Graphs the store already holds, and graphs larger than ``largest``
triples (one transaction that large exceeds Virtuoso's log image limit), go through
staging graphs over HTTP as without ``--server-dir``.

An N-Quads release (``ftzkg build``'s ``ftzkg.nq``) is split into graphs by its lines
(:func:`release_bodies`) without being parsed by the client, since Virtuoso parses
every line it loads; a file in another format, or one whose lines are not all plain
``s <p> o <g> .`` quads, is parsed first (:func:`~ftzkg.bulk_loading.graph_bodies`).
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .bulk_loading import BulkLoad, canonical, line_set, nquads, sample_lines
from .http_client import ConfigurationError, StoreError

if TYPE_CHECKING:
    from .store_loading import GraphResult, StoreLoader

log = logging.getLogger(__name__)

#: Errors of a transaction Virtuoso rolled back because another one ran beside it: two files with
#: the same new language tag or datatype (SR197 on RDF_LANGUAGE or RDF_DATATYPE), or a deadlock.
_CONFLICT = re.compile(r"SR197|SR172|40001")

#: Where Virtuoso's refusal names a line of the file it was loading.
_LINE = re.compile(r"line (\d+)")


def release_bodies(data: bytes) -> tuple[dict[str, bytes], dict[str, bytes]] | None:
    """The N-Triples body of each named graph of an N-Quads release, split by its lines, and the
    release's own N-Quads lines of each graph without blank nodes; None when a line is not a plain
    ``s <p> o <g> .`` quad (a comment, a triple outside named graphs, ...) or a graph with blank
    nodes does not parse: the careful parser must read the file.

    A graph without blank nodes is not parsed here: the server parses every line it loads,
    and refuses the file it is in when a line is not N-Quads. A graph with blank nodes is
    parsed, and they are skolemized as :func:`~ftzkg.bulk_loading.graph_bodies` does.
    Every step runs over all lines at once (``map``): a million lines take about a second.
    """
    from .store_loading import ntriples_bodies

    if b"\r" in data:
        return None
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        return {}, {}
    try:
        # where each line's graph starts: its last " <" (an IRI holds no space)
        starts = list(map(bytes.rindex, lines, repeat(b" <")))
    except ValueError:
        return None
    # a quad ends with its graph IRI and " ." (a literal object ends in '"' or a language tag, and
    # a datatype IRI follows "^^", not a space); before its graph it has at least two spaces
    # (a subject and a predicate hold none; a triple "<s> <p> <o> ." outside named graphs has one)
    if not all(map(bytes.endswith, lines, repeat(b"> ."))):
        return None
    if min(map(bytes.count, lines, repeat(b" "), repeat(0), starts)) < 2:
        return None
    quads: dict[bytes, list[bytes]] = defaultdict(list)
    for graph, body in _runs(lines, starts):
        quads[graph].append(body)
    out: dict[str, bytes] = {}
    kept: dict[str, bytes] = {}
    blank = ox.Store()
    for graph, parts in quads.items():
        body = b"".join(parts)
        if b"_:" in body:  # maybe a blank node (or "_:" in a literal): parsed, skolemized
            try:
                blank.load(body, format=ox.RdfFormat.N_QUADS)
            except (SyntaxError, ValueError):
                return None
            continue
        try:
            name = ox.NamedNode(graph[1:-1].decode())
        except (UnicodeDecodeError, ValueError):
            return None
        kept[name.value] = body
        # every line ends with its graph: cut it off, leaving " .\n" (line breaks inside literals are escaped)
        out[name.value] = body.replace(b" " + graph + b" .\n", b" .\n")
    out.update(ntriples_bodies(blank))
    return dict(sorted(out.items())), kept


def _runs(lines: list[bytes], starts: list[int]) -> Iterator[tuple[bytes, bytes]]:
    """Runs of consecutive lines in one graph: (graph, their lines joined). A release written by
    ``ftzkg build`` holds each graph in one run, found by bisection and checked in one count."""
    i, n = 0, len(lines)
    while i < n:
        suffix = lines[i][starts[i] :]  # " <g> ."
        last, ahead, step = i, i + 1, 1  # gallop: lines[last] is in the run, lines[ahead] maybe not
        while ahead < n and lines[ahead].endswith(suffix):
            last, step = ahead, step * 2
            ahead = i + step
        low, high = last + 1, min(ahead, n)  # bisect: the first line after the run
        while low < high:
            mid = (low + high) // 2
            if lines[mid].endswith(suffix):
                low = mid + 1
            else:
                high = mid
        body = b"\n".join(lines[i:low]) + b"\n"
        if body.count(suffix + b"\n") != low - i:  # another graph's line inside: go line by line
            low = i + 1
            body = lines[i] + b"\n"
        yield suffix[1:-2], body
        i = low


def line_number(data: bytes, line: bytes) -> int | None:
    """The 1-based number of the first line of ``data`` that is exactly ``line``, or None."""
    if data.startswith(line + b"\n"):
        return 1
    at = data.find(b"\n" + line + b"\n")
    return None if at < 0 else data.count(b"\n", 0, at + 1) + 1


def _sql_string(text: str) -> str:
    """A SQL string literal, inside a SPARQL string literal (the statement ``bif:exec`` runs)."""
    return ("'" + text.replace("'", "''") + "'").replace("\\", "\\\\").replace('"', '\\"')


class ServerFiles(BulkLoad):
    """New graphs into Virtuoso from files in a folder it reads, one logged transaction per file."""

    #: Triples per file. Virtuoso loads several small transactions faster than one large one: on the
    #: 2-core machine a million triples went in in 11-12 s as files of 25,000, 14 s as files of
    #: 100,000 and 20 s as files of 250,000 (each file one transaction, two at once).
    piece = 25_000
    #: Files loaded at once.
    writers = 2
    #: The largest graph loaded from a file: one transaction of a million triples exceeded
    #: Virtuoso's log image limit (SR325); 250,000 went in.
    largest = 250_000
    #: Lines of a file checked among their subjects' triples read back (at least ``min_sample`` a graph).
    sample = 100
    #: What loading a graph from a file promises, as ``ftzkg load`` prints it.
    promise = (
        "read by Virtuoso from files in --server-dir, one logged transaction per file: atomic after a "
        "crash, and durable; a reader may count part of a file's graphs while Virtuoso loads it"
    )
    #: Loads of a file Virtuoso rolled back for a conflict with another file's transaction.
    attempts = 4

    def __init__(
        self,
        loader: StoreLoader,
        folder: Path,
        server_folder: str | None = None,
        release: tuple[Path, bytes] | None = None,
        quads: dict[str, bytes] | None = None,
        full: bool = False,
    ):
        super().__init__(loader, full)
        self.folder = Path(folder)
        self.server_folder = server_folder or str(self.folder.resolve())
        if any(ord(c) < 32 for c in self.server_folder):
            raise ConfigurationError("the server's path of --server-dir has a control character")
        self.release = release  # the release file and its bytes, to name the line Virtuoso refuses
        self.quads = quads or {}  # a graph's N-Quads lines as the release gives them (release_bodies)
        self.token = secrets.token_hex(6)
        self.loaded = 0  # graphs loaded from files and verified
        self._names = itertools.count(1)  # file numbers, drawn by two writer threads

    def server_path(self, name: str) -> str:
        return str(PurePosixPath(self.server_folder) / name)

    def probe(self) -> None:
        """Check, before anything is loaded, that the server reads what ftzkg writes into the folder."""
        name = f"ftzkg-load-{self.token}-probe.txt"
        path = self.folder / name
        try:
            path.write_text(self.token)
        except OSError as exc:
            raise ConfigurationError(f"cannot write in --server-dir {self.folder}: {exc.strerror}") from exc
        try:
            quoted = self.server_path(name).replace("\\", "\\\\").replace('"', '\\"')
            query = f'SELECT (bif:file_to_string("{quoted}") AS ?text) WHERE {{ }}'
            rows = self.loader.select(query)
        except StoreError as exc:
            raise StoreError(self._explain(str(exc), self.server_path(name)), exc.status) from None
        finally:
            path.unlink(missing_ok=True)
        if not rows or rows[0].get("text") != self.token:
            raise StoreError(
                f"Virtuoso reads another file at {self.server_path(name)} than the one ftzkg wrote into "
                f"{self.folder}: give --server-path as the server sees that folder"
            )

    def _explain(self, message: str, path: str) -> str:
        """A refusal to read a file, said with what to do about it."""
        folder = str(PurePosixPath(path).parent)
        if "FA003" in message:
            return (
                f"Virtuoso may not read files in {folder}: add the folder to DirsAllowed in the "
                "[Parameters] section of its virtuoso.ini and restart it"
            )
        if "FA005" in message or "FA006" in message:
            return (
                f"Virtuoso cannot open {path}: the server does not see --server-dir at {folder}; "
                "give --server-path as the server sees that folder"
            )
        if "SP031" in message or "security" in message:
            return f"{message}: loading from files needs the DBA's credentials"
        return message

    def new_graphs(
        self, bodies: dict[str, bytes], sizes: dict[str, int], wanted: list[str]
    ) -> tuple[dict[str, GraphResult], list[tuple[str, StoreError]]]:
        """Check that the server reads the folder, then load the wanted graphs it lacks from files."""
        self.probe()
        done, failures = super().new_graphs(bodies, sizes, wanted)
        self.loaded += len(done)
        return done, failures

    def check(self, batch: list[str], bodies: dict[str, bytes], sizes: dict[str, int]) -> list[GraphResult]:
        """What the store holds of ``batch``'s graphs after their file was loaded.

        Each graph must hold as many triples as were sent (one ``COUNT`` query per graph), and
        randomly chosen lines (``sample`` in all, at least ``min_sample`` a graph) must all be
        among the triples of their subjects read back (one ``CONSTRUCT``). A graph
        that fails either is read back whole and compared. (Not the Oxigraph check, one ``ASK``
        with the sampled triples in ``VALUES``: Virtuoso 7 was seen to answer it as if no
        triple were missing when one of about 300 was, and rightly at other times.)
        """
        from .store_loading import GraphResult

        if self.full:
            return [self.compare(g, bodies[g]) for g in batch]
        share = self.sample / max(sum(sizes[g] for g in batch), 1)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ftzkg-count") as counter:
            # one COUNT per graph: Virtuoso answers it about five times faster than one COUNT of several
            # graphs grouped by ?g (0.01 s against 0.05 s for two graphs of 15,000 triples)
            counting = counter.submit(lambda: {g: self.loader.count(g) for g in batch})
            sampled = {
                g: self._sample_holds(g, bodies[g], max(self.min_sample, round(share * sizes[g])))
                for g in batch
            }
            counts = counting.result()
        return [
            GraphResult(g, sizes[g], counts[g], counts[g])
            if counts[g] == sizes[g] and sampled[g]
            else self.compare(g, bodies[g])
            for g in batch
        ]

    def _sample_holds(self, graph: str, body: bytes, k: int) -> bool:
        """Whether the store holds about ``k`` randomly chosen lines of ``graph`` (read back by their
        subjects, one ``CONSTRUCT``, and compared in canonical form)."""
        lines = sample_lines(body, k)
        if not lines:
            return False
        subjects = sorted({line.split(b" ", 1)[0] for line in lines})
        return canonical(lines) <= canonical(self.loader.read_graph(graph, subjects))

    def compare(self, graph: str, body: bytes) -> GraphResult:
        """:func:`~ftzkg.bulk_loading.compare`, with Virtuoso's lines put in canonical form too (it
        writes tabs between terms, and its own spelling of some values)."""
        from .store_loading import GraphResult

        stored = canonical(self.loader.read_graph(graph))
        sent = canonical(line_set(body))
        return GraphResult(graph, len(sent), len(stored), len(stored & sent))

    def _limit(self) -> int:
        return self.largest

    def _batches(self, graphs: list[str], sizes: dict[str, int]) -> list[list[str]]:
        """Whole graphs in files of about ``piece`` triples, the largest graphs first."""
        out: list[list[str]] = []
        size = 0
        for graph in sorted(graphs, key=lambda g: -sizes[g]):
            if not out or size >= self.piece:
                out.append([])
                size = 0
            out[-1].append(graph)
            size += sizes[graph]
        return out

    def _post(
        self, batch: list[str], bodies: dict[str, bytes]
    ) -> tuple[list[str], list[tuple[str, StoreError]]]:
        """One file with ``batch``'s graphs, loaded by the server in one transaction, then deleted."""
        loader = self.loader
        quads = [self.quads.get(g) or nquads(g, bodies[g]) for g in batch]
        name = f"ftzkg-load-{self.token}-{next(self._names):05d}.nq"
        path = self.folder / name
        names = ", ".join(f"<{g}>" for g in batch)
        log.info("loading %d new graphs from %s: %s", len(batch), name, names)
        try:
            path.write_bytes(b"".join(quads))
        except OSError as exc:
            error = StoreError(f"cannot write {path}: {exc.strerror}; nothing was loaded from it")
            return [], [(g, error) for g in batch]
        statement = (
            f"DB.DBA.TTLP_MT (file_to_string_output ({_sql_string(self.server_path(name))}), "
            "'', 'urn:ftzkg:load:outside-named-graphs', 512, 1, 2, 1)"
        )
        try:
            self._load_file(f'SELECT (bif:exec("{statement}") AS ?done) WHERE {{ }}')
        except StoreError as exc:
            outcome = self._after_lost_answer(batch, bodies)
            if outcome == "absent" and exc.status is None:
                # no answer (timeout, lost connection): Virtuoso read the file and may still commit it
                outcome = "unknown"
            if outcome == "absent":
                problem = self._refusal(str(exc), quads, self.server_path(name))
                return [], [(g, StoreError(f"{problem}; nothing of the file was loaded")) for g in batch]
            if outcome == "unknown":
                loader.left.extend(batch)
                error = StoreError(f"{exc}; could not tell whether {names} were written whole; check them")
                return [], [(g, error) for g in batch]
            log.warning("%s, but the store did load %s whole", exc, names)
        finally:
            path.unlink(missing_ok=True)
        return batch, []

    def _load_file(self, query: str) -> None:
        """Run the load of one file; again when Virtuoso rolled it back only because another file's
        transaction wrote the same new language tag or datatype, or deadlocked with it."""
        for attempt in range(self.attempts):
            try:
                self.loader.query_post(query)
                return
            except StoreError as exc:
                if exc.status is None or not _CONFLICT.search(str(exc)) or attempt == self.attempts - 1:
                    raise
                log.info("%s: loading the file again", exc)

    def _refusal(self, message: str, quads: list[bytes], path: str) -> str:
        """Virtuoso's refusal of the file at ``path`` (as the server sees it), naming the release's line
        it refused when it can."""
        message = self._explain(message.split("\n\nSPARQL query:")[0].strip(), path)
        found = _LINE.search(message)
        if not found or self.release is None:
            return message
        lines = b"".join(quads).split(b"\n")
        n = int(found.group(1))
        if not 0 < n <= len(lines):
            return message
        release, data = self.release
        at = line_number(data, lines[n - 1])
        if at is None:
            return message
        problem = message.split(": ", 1)[-1] if ": " in message else message
        return f"{release}:{at}: Virtuoso refused this line: {problem}"

    def locate(self, graph: str, body: bytes, exc: Exception) -> str | None:
        """``file:line`` of the release line of ``graph`` that the parser's error ``exc`` about its
        N-Triples ``body`` names (the release line is the body's line with the graph given back)."""
        found = _LINE.search(str(exc))
        if not found or self.release is None:
            return None
        lines = body.split(b"\n")
        n = int(found.group(1))
        if not 0 < n <= len(lines) or not lines[n - 1].endswith(b" ."):
            return None
        path, data = self.release
        at = line_number(data, lines[n - 1][:-1] + str(ox.NamedNode(graph)).encode() + b" .")
        return None if at is None else f"{path}:{at}"
