"""The project's persistent store: an on-disk Oxigraph store kept current with the source files.

It lives in the project's state folder (:attr:`ftzkg.project.Project.state_dir`,
``.ftzkg/`` beside ``dist/``, git-ignored):

- ``store/``: the Oxigraph (RocksDB) store, one named graph per source;
- ``index.sqlite``: per source file its content hash, size, modification time and
  the named graphs it filled; per IRI the file and line it is written in
  (:mod:`ftzkg.source_index`); cached statistics;
- ``lock``: an advisory lock, shared by readers, exclusive for the one that updates.

:meth:`ProjectStore.update` brings the store up to date: a file whose size and
modification time are unchanged is not read; one whose content hash is unchanged
is not parsed; a changed file's graphs are emptied and it is parsed again (with
any other file filling the same graphs); a removed file's graphs are dropped.
Every command calls :meth:`ProjectStore.open`, which updates a store that is
older than the sources before reading it, so a command never answers from stale
data. A source that does not parse stops the command (exit 2) and leaves the
file marked unloaded, so the next command tries again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import itertools
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .data_graphs import outside_named_graphs
from .knowledge_graph import KnowledgeGraph, Stats
from .namespaces import DERIVED_GRAPHS
from .parsing import RdfInputError, format_for
from .project import Project, SourceFile
from .release_parts import (
    PARTS_VERSION,
    FileParts,
    FileStream,
    Parts,
    may_hold_blank_nodes,
    parts_key,
    syntax_error,
)
from .source_index import index_text

#: Bumped when the layout of the state folder changes; an older one is rebuilt.
SCHEMA = f"3.{PARTS_VERSION}"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, target TEXT, sha256 TEXT, size INTEGER, mtime_ns INTEGER, graphs TEXT,
    parts TEXT, counts TEXT
);
CREATE TABLE IF NOT EXISTS locations (iri TEXT, path TEXT, line INTEGER, PRIMARY KEY (iri, path));
CREATE TABLE IF NOT EXISTS graph_properties (graph TEXT, property TEXT, quads INTEGER);
CREATE INDEX IF NOT EXISTS graph_properties_graph ON graph_properties (graph);
"""


class StoreBusyError(Exception):
    """Another process holds the store's lock for longer than we wait."""


@dataclass
class UpdateReport:
    """What :meth:`ProjectStore.update` did."""

    parsed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.parsed or self.removed)


@dataclass(frozen=True)
class _Row:
    target: str | None
    sha256: str
    size: int
    mtime_ns: int
    graphs: tuple[str, ...]
    parts: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class StoreIndex:
    """The locations recorded with the store: IRI to (file, line), files in project order."""

    def __init__(self, db: sqlite3.Connection, order: list[str]):
        self.db = db
        self.rank = {name: i for i, name in enumerate(order)}

    def locate(self, iri: str) -> tuple[str | None, int | None]:
        rows = self.db.execute("SELECT path, line FROM locations WHERE iri = ?", (iri,)).fetchall()
        if not rows:
            return None, None
        path, line = min(rows, key=lambda r: (self.rank.get(r[0], len(self.rank)), r[1]))
        return path, line


class ProjectStore:
    """The persistent store of one project."""

    def __init__(self, project: Project, state_dir: Path | None = None, lock_timeout: float = 120.0):
        self.project = project
        self.dir = state_dir if state_dir is not None else project.state_dir
        self.store_path = self.dir / "store"
        self.db_path = self.dir / "index.sqlite"
        self.parts_dir = self.dir / "release"
        self.lock_timeout = lock_timeout

    # ------------------------------------------------------------ locking

    @contextlib.contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / "lock").open("a+") as handle:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            deadline = time.monotonic() + self.lock_timeout
            while True:
                try:
                    fcntl.flock(handle, mode | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() > deadline:
                        raise StoreBusyError(
                            f"{self.dir}: the store is in use by another ftzkg process "
                            f"(waited {self.lock_timeout:.0f} s)"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=self.lock_timeout)
        db.executescript(_TABLES)
        return db

    # ------------------------------------------------------------ freshness

    def _rows(self, db: sqlite3.Connection) -> dict[str, _Row]:
        return {
            path: _Row(target, sha, size, mtime, tuple(json.loads(graphs)), parts or "")
            for path, target, sha, size, mtime, graphs, parts in db.execute(
                "SELECT path, target, sha256, size, mtime_ns, graphs, parts FROM files"
            )
        }

    def _schema_ok(self, db: sqlite3.Connection) -> bool:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        return row is not None and row[0] == str(SCHEMA) and self.store_path.is_dir()

    def stale(self) -> list[str]:
        """The source files (relative names) that changed, appeared or vanished since the last update.

        Looks at sizes and modification times only; a file touched without a change in
        content is listed here and then found unchanged by its hash in :meth:`update`.
        """
        if not self.db_path.is_file():
            return ["(no store yet)"]
        db = self._db()
        try:
            if not self._schema_ok(db):
                return ["(store from another version)"]
            rows = self._rows(db)
        finally:
            db.close()
        changed = []
        seen = set()
        for source in self.project.all_files():
            name = self.project.display(source.path)
            seen.add(name)
            row = rows.get(name)
            try:
                st = source.path.stat()
            except OSError:
                changed.append(name)
                continue
            if (
                row is None
                or not row.sha256  # left unloaded by an update that failed
                or (row.size, row.mtime_ns, row.target) != (st.st_size, st.st_mtime_ns, source.graph)
            ):
                changed.append(name)
        changed += sorted(set(rows) - seen)
        return changed

    # ------------------------------------------------------------ updating

    def update(self) -> UpdateReport:
        """Bring the store up to date with the project's files (exclusive lock held meanwhile)."""
        with self._lock(exclusive=True):
            return self._update()

    def _update(self) -> UpdateReport:
        db = self._db()
        try:
            if not self._schema_ok(db):
                self._reset(db)
            rows = self._rows(db)
            store = ox.Store(str(self.store_path))
            failure: RdfInputError | None = None
            try:
                return self._apply(db, store, rows)
            except RdfInputError as exc:
                failure = exc
            finally:
                store.flush()
                del store
        finally:
            db.close()
        # Raised without the frames that still hold the store, so it closes (RocksDB's lock) now.
        failure.__context__ = None
        raise failure.with_traceback(None)

    def _reset(self, db: sqlite3.Connection) -> None:
        import shutil

        shutil.rmtree(self.store_path, ignore_errors=True)
        shutil.rmtree(self.parts_dir, ignore_errors=True)
        db.executescript(
            "DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS locations; "
            "DROP TABLE IF EXISTS graph_properties; DELETE FROM meta;"
        )
        db.executescript(_TABLES)
        db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
        db.commit()

    def _apply(self, db: sqlite3.Connection, store: ox.Store, rows: dict[str, _Row]) -> UpdateReport:
        report = UpdateReport()
        sources = {self.project.display(s.path): s for s in self.project.all_files()}
        changed: dict[str, SourceFile] = {}
        for name, source in sources.items():
            row = rows.get(name)
            try:
                st = source.path.stat()
            except OSError as exc:
                raise RdfInputError(source.path, exc.strerror or str(exc)) from None
            if row is not None and row.sha256 and row.target == source.graph:
                if (row.size, row.mtime_ns) == (st.st_size, st.st_mtime_ns):
                    report.unchanged += 1
                    continue
                if row.sha256 and row.sha256 == _sha256(source.path):
                    db.execute(
                        "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?",
                        (st.st_size, st.st_mtime_ns, name),
                    )
                    report.unchanged += 1
                    continue
            changed[name] = source
        removed = sorted(set(rows) - set(sources))
        if not changed and not removed:
            db.commit()
            return report
        # Graphs to empty: those the changed and removed files filled; every file that
        # also fills one of them is parsed again (the ontology files share one graph).
        emptied = {g for name in [*changed, *removed] if name in rows for g in rows[name].graphs}
        emptied.update(s.graph for s in changed.values() if s.graph)
        for name, row in rows.items():
            if name in sources and name not in changed and emptied.intersection(row.graphs):
                changed[name] = sources[name]
        # Mark them unloaded first: a crash from here on leaves them to be parsed again.
        for name in [*changed, *removed]:
            db.execute("UPDATE files SET sha256 = '' WHERE path = ?", (name,))
            if name in rows:
                Parts(self.parts_dir, rows[name].parts).remove()
        db.commit()
        for graph in sorted(emptied):
            store.remove_graph(ox.NamedNode(graph))
        self._count(db, store, emptied)
        for name in removed:
            db.execute("DELETE FROM files WHERE path = ?", (name,))
            db.execute("DELETE FROM locations WHERE path = ?", (name,))
        db.commit()
        report.removed = removed
        order = list(sources)
        for name in sorted(changed, key=order.index):
            source = changed[name]
            st = source.path.stat()
            try:
                data = source.path.read_bytes()
            except OSError as exc:
                raise RdfInputError(source.path, exc.strerror or str(exc)) from None
            sha = hashlib.sha256(data).hexdigest()
            key = parts_key(name, sha)
            blank_nodes = may_hold_blank_nodes(data, format_for(source.path))
            del data  # a large file is read again as it is parsed, not held twice
            try:
                counts, lines = self._load_file(store, source, name, blank_nodes, key)
            except RdfInputError as exc:
                # the graphs it had begun to fill are gone: so are the other files' quads in them
                failed = set(getattr(exc, "graphs", ()))
                for other, row in rows.items():
                    if other != name and failed.intersection(row.graphs):
                        db.execute("UPDATE files SET sha256 = '' WHERE path = ?", (other,))
                db.commit()
                raise
            db.execute("DELETE FROM locations WHERE path = ?", (name,))
            located = sorted(lines.items())  # in key order: appends to the index, not scattered inserts
            db.executemany("INSERT INTO locations VALUES (?, ?, ?)", ((i, name, n) for i, n in located))
            graphs = sorted(g for g in counts if g)
            self._count(db, store, set(graphs))
            db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    source.graph,
                    sha,
                    st.st_size,
                    st.st_mtime_ns,
                    json.dumps(graphs),
                    key,
                    json.dumps(dict(sorted(counts.items()))),
                ),
            )
            db.commit()
            report.parsed.append(name)
        KnowledgeGraph(store).derive()
        self._count(db, store, set(DERIVED_GRAPHS))
        db.execute("DELETE FROM meta WHERE key = 'stats'")
        db.commit()
        return report

    @staticmethod
    def _count(db: sqlite3.Connection, store: ox.Store, graphs: set[str]) -> None:
        """Record the quads per property of ``graphs`` (what the release's ``void.ttl`` counts)."""
        db.executemany("DELETE FROM graph_properties WHERE graph = ?", ((g,) for g in graphs))
        if not graphs:
            return
        values = " ".join(f"<{g}>" for g in sorted(graphs))
        rows = store.query(
            f"SELECT ?g ?p (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
            "GROUP BY ?g ?p"
        )
        db.executemany(
            "INSERT INTO graph_properties VALUES (?, ?, ?)",
            ((row["g"].value, row["p"].value, int(row["n"].value)) for row in rows),  # type: ignore[union-attr]
        )

    def _load_file(
        self, store: ox.Store, source: SourceFile, name: str, blank_nodes: bool, key: str
    ) -> tuple[Counter[str], dict[str, int]]:
        """Load one file into the store, checking its typed literals, writing its release parts
        (:mod:`ftzkg.release_parts`) and finding its subjects' lines (:mod:`ftzkg.source_index`);
        returns its quads per named graph and the lines.

        A file that may hold blank nodes is parsed once, in Python, and its quads (with
        their content-derived labels) go both to the store and to the parts. Any other is
        loaded by Oxigraph's own loader straight from the file (it lets go of Python's
        lock) while a second thread parses it for the checks, the parts and the lines:
        with two cores the Python work adds little to the time.

        A file that does not parse, or holds an ill-typed literal, leaves none of its graphs
        behind (the error's ``graphs`` names them)."""
        fmt = format_for(source.path)
        stream = FileStream(source.path, name, fmt, source.graph, blank_nodes)
        parts = Parts(self.parts_dir, key)
        before = set(store.named_graphs())

        def side_work() -> dict[str, int]:
            for _ in parts.write(stream.batches()):
                pass
            return index_text(source.path.read_text(encoding="utf-8", errors="replace"))

        try:
            try:
                if blank_nodes:
                    store.bulk_extend(itertools.chain.from_iterable(parts.write(stream.batches())))
                    lines = index_text(source.path.read_text(encoding="utf-8", errors="replace"))
                else:
                    import concurrent.futures  # only when a file is loaded: not at every start-up

                    with concurrent.futures.ThreadPoolExecutor(1) as pool:
                        job = pool.submit(side_work)
                        target = ox.NamedNode(source.graph) if source.graph else None
                        try:
                            store.bulk_load(path=str(source.path), format=fmt, to_graph=target)
                        finally:
                            failure = job.exception()
                        if failure is not None:
                            raise failure
                        lines = job.result()
            except SyntaxError as exc:
                raise syntax_error(source.path, exc) from None
            except OSError as exc:
                raise RdfInputError(source.path, exc.strerror or str(exc)) from None
            loose = stream.counts.get("", 0)
            if loose:  # a data file naming its own graphs left triples without a source
                store.clear_graph(ox.DefaultGraph())
                outside_named_graphs(source.path, loose)  # raises
        except RdfInputError as exc:
            graphs = (set(store.named_graphs()) - before) | {ox.NamedNode(g) for g in stream.counts if g}
            for graph in graphs:
                store.remove_graph(graph)  # nothing half-loaded stays behind
            parts.remove()
            exc.graphs = sorted(g.value for g in graphs)  # type: ignore[attr-defined]
            raise
        counts = Counter({g: n for g, n in stream.counts.items() if g})
        if source.graph is not None:
            counts.setdefault(source.graph, 0)
        return counts, lines

    def file_parts(self, db: sqlite3.Connection) -> list[FileParts]:
        """Every source file's release parts and quads per graph, in project order."""
        rows = {
            path: (parts, json.loads(counts))
            for path, parts, counts in db.execute("SELECT path, parts, counts FROM files WHERE sha256 != ''")
        }
        out = []
        for source in self.project.all_files():
            name = self.project.display(source.path)
            if name in rows:
                key, counts = rows[name]
                out.append(FileParts(name, source.path, source.graph, Parts(self.parts_dir, key), counts))
        return out

    # ------------------------------------------------------------ reading

    @contextlib.contextmanager
    def open(self, update: bool = True) -> Iterator[OpenStore]:
        """The store, read-only, brought up to date first (unless ``update`` is false).

        The shared lock is held until the ``with`` block ends: no update runs meanwhile.
        """
        if update and self.stale():
            self.update()
        with self._lock(exclusive=False):
            if not self.db_path.is_file() or not self.store_path.is_dir():
                raise StoreBusyError(f"{self.dir}: no store yet; run ftzkg build")
            db = self._db()
            try:
                store = ox.Store.read_only(str(self.store_path))
                order = [self.project.display(s.path) for s in self.project.all_files()]
                yield OpenStore(KnowledgeGraph(store), StoreIndex(db, order), db, self.file_parts(db))
            finally:
                db.close()


@dataclass
class OpenStore:
    """A read-only view of the persistent store with its source index and cached statistics."""

    kg: KnowledgeGraph
    index: StoreIndex
    db: sqlite3.Connection
    #: every source file's release parts (:mod:`ftzkg.release_parts`), in project order
    parts: list[FileParts] = field(default_factory=list)

    def graph_properties(self) -> list[tuple[str, str, int]]:
        """(named graph, property, quads) for every property used in every named graph."""
        return self.db.execute("SELECT graph, property, quads FROM graph_properties").fetchall()

    def stats(self) -> Stats:
        """The graph's statistics, computed once per store update and cached."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'stats'").fetchone()
        if row is not None:
            cached = json.loads(row[0])
            return Stats(cached["triples"], cached["graphs"], cached["classes"])
        stats = self.kg.stats()
        payload = json.dumps({"triples": stats.triples, "graphs": stats.graphs, "classes": stats.classes})
        with contextlib.suppress(sqlite3.OperationalError):  # another reader wrote it first
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('stats', ?)", (payload,))
            self.db.commit()
        return stats


def remove_state(project: Project) -> None:
    """Delete the project's persistent store (it is rebuilt by the next command)."""
    import shutil

    shutil.rmtree(project.state_dir, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.rmdir(project.state_dir)
