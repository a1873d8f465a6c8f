"""The release, file by file: each source's quads serialised once, as they are parsed, and reused.

``ftzkg build`` used to read the whole graph back from the store, sort it in
Python and serialise it four times; at a million triples that cost four times
the load itself (reading a store back decodes every term, about 20 µs a quad).
Instead, when the persistent store parses a changed source
(:mod:`ftzkg.project_store`), the same parse streams through
:func:`stream_file`, which checks its typed literals (:mod:`ftzkg.xsd_literals`),
counts its quads per named graph and writes its *parts*: the quads as TriG and
N-Quads, the triples as Turtle and JSON-LD, each without a header. A release
is these parts concatenated in project order (:mod:`ftzkg.release`), so a
build after one file changed serialises that file only.

Blank nodes get labels derived from the file's content and name
(:func:`ftzkg.blank_nodes.relabel`), in the store as in the parts, so every
build of the same files writes the same bytes, and two files never share a label.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import operator
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .blank_nodes import relabel
from .namespaces import PREFIXES
from .parsing import RdfInputError, literal_position
from .xsd_literals import XSD, literal_problem

#: The data files of a release, by the ending of their parts, and the format each part is written in.
PART_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}
#: Parts that hold triples (the union of the graphs), not quads.
UNION_PARTS = ("ttl", "jsonld")
#: Quads serialised at a time: large enough for the serialiser, small enough to stream.
BATCH = 20_000
#: Bumped when the parts' layout changes, so that older parts are written again.
PARTS_VERSION = "1"

_XSD_STRING = XSD + "string"
#: Bytes that any blank node of a Turtle, TriG, N-Triples or N-Quads text is written with.
_BLANK_MARKS = (b"_:", b"[", b"(")


def header(fmt: ox.RdfFormat) -> bytes:
    """The ``@prefix`` lines a TriG or Turtle release starts with, sorted (the serialiser keeps no order)."""
    one = ox.Triple(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), ox.NamedNode("urn:x"))
    lines = (ox.serialize([one], format=fmt, prefixes=PREFIXES) or b"").splitlines(keepends=True)
    return b"".join(sorted(line for line in lines if line.startswith(b"@prefix ")))


def _body(data: bytes, ext: str) -> bytes:
    """A batch's serialisation without what a whole document adds: ``@prefix`` lines, JSON-LD's ``[ ]``."""
    if ext == "jsonld":
        data = data.strip()
        return data[1:-1] if data.startswith(b"[") else data
    if ext in ("trig", "ttl"):
        at = 0
        while data.startswith(b"@prefix ", at):
            at = data.index(b"\n", at) + 1
        return data[at:]
    return data


@dataclass
class Parts:
    """The four parts of one unit of a release (a file, or a group of files written from the store)."""

    folder: Path
    key: str

    def path(self, ext: str) -> Path:
        return self.folder / f"{self.key}.{ext}"

    def exist(self) -> bool:
        return all(self.path(ext).is_file() for ext in PART_FORMATS)

    def remove(self) -> None:
        for ext in PART_FORMATS:
            with contextlib.suppress(FileNotFoundError):
                self.path(ext).unlink()

    def write(self, batches: Iterable[list[ox.Quad]]) -> Iterator[list[ox.Quad]]:
        """Pass batches of quads through, writing them; the parts appear only once complete."""
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = {ext: self.folder / f".{self.key}.{ext}.{os.getpid()}" for ext in PART_FORMATS}
        handles = {ext: path.open("wb") for ext, path in temporary.items()}
        done = False
        try:
            first = True
            for batch in batches:
                _write_batch(handles, batch, first)
                first = False
                yield batch
            done = True
        finally:
            for handle in handles.values():
                handle.close()
            for ext, path in temporary.items():
                if done:
                    path.replace(self.path(ext))
                else:
                    with contextlib.suppress(FileNotFoundError):
                        path.unlink()


_TRIPLE = operator.attrgetter("triple")
_OBJECT = operator.attrgetter("object")
_GRAPH = operator.attrgetter("graph_name")


def _write_batch(handles: dict, batch: list[ox.Quad], first: bool) -> None:
    triples = list(map(_TRIPLE, batch))
    for ext, fmt in PART_FORMATS.items():
        data = batch if ext not in UNION_PARTS else triples
        prefixes = PREFIXES if ext in ("trig", "ttl") else None
        body = _body(ox.serialize(data, format=fmt, prefixes=prefixes) or b"", ext)
        if ext == "jsonld" and body and not first:
            body = b"," + body
        handles[ext].write(body)


def parts_key(name: str, sha256: str) -> str:
    """The name of a file's parts: its place in the project and its content."""
    return hashlib.sha256(f"{PARTS_VERSION}\0{name}\0{sha256}".encode()).hexdigest()[:40]


def may_hold_blank_nodes(data: bytes, fmt: ox.RdfFormat) -> bool:
    """False only when the text cannot hold a blank node (no ``_:``, ``[`` or ``(`` in Turtle and kin)."""
    if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):
        return True
    return any(mark in data for mark in _BLANK_MARKS)


@dataclass
class FileStream:
    """One source file's quads as they are parsed: checked, counted, relabelled, written as parts."""

    path: Path
    name: str
    fmt: ox.RdfFormat
    graph: str | None
    #: whether the file may hold blank nodes (:func:`may_hold_blank_nodes`)
    blank_nodes: bool
    #: quads per named graph ("" for the default graph), filled as the quads stream by
    counts: Counter[str] = field(default_factory=Counter)

    def batches(self) -> Iterator[list[ox.Quad]]:
        """The file's quads (triples of a triples-only file in ``graph``), a batch at a time; raises
        :class:`RdfInputError` for an ill-typed literal (file, line and column), SyntaxError as parsed."""
        parsed: Iterable[ox.Quad] = ox.parse(path=str(self.path), format=self.fmt)
        if self.graph is not None:
            target = ox.NamedNode(self.graph)
            parsed = (
                ox.Quad(q.subject, q.predicate, q.object, target)
                if isinstance(q.graph_name, ox.DefaultGraph)
                else q
                for q in parsed
            )
        if self.blank_nodes:  # labels depend on the whole file: read it first
            parsed = relabel(list(parsed), salt=self.name)
        graphs: Counter[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = Counter()
        parsed = iter(parsed)
        while batch := list(itertools.islice(parsed, BATCH)):
            graphs.update(map(_GRAPH, batch))
            for obj in map(_OBJECT, batch):
                if obj.__class__ is ox.Literal:
                    datatype = obj.datatype.value
                    if datatype != _XSD_STRING and datatype.startswith(XSD):
                        self._check(obj.value, datatype)
            yield batch
        for graph, n in graphs.items():
            self.counts[graph.value if isinstance(graph, ox.NamedNode | ox.BlankNode) else ""] += n

    def _check(self, lexical: str, datatype: str) -> None:
        problem = literal_problem(lexical, datatype)
        if problem is not None:
            text = self.path.read_text(encoding="utf-8", errors="replace")
            line, column = literal_position(text, lexical)
            shown = lexical if len(lexical) <= 80 else lexical[:80] + "..."
            raise RdfInputError(self.path, f'"{shown}" {problem}', line, column)


def syntax_error(path: Path, exc: SyntaxError) -> RdfInputError:
    """Oxigraph's syntax error as an :class:`RdfInputError` at its line and column."""
    message = exc.msg.split(": ", 1)[-1] if exc.msg.startswith("Parser error") else exc.msg
    message = re.sub(r" \([^()]*, line \d+\)$", "", message)
    return RdfInputError(path, message, exc.lineno, exc.offset)


@dataclass
class FileParts:
    """A source file's parts and its quads per named graph, as the store recorded them."""

    name: str
    path: Path
    graph: str | None
    parts: Parts
    counts: dict[str, int]


def write_file_parts(path: Path, name: str, graph: str | None, folder: Path) -> FileParts:
    """Parse one file only to write its parts (when no store update wrote them)."""
    from .parsing import format_for

    data = path.read_bytes()
    parts = Parts(folder, parts_key(name, hashlib.sha256(data).hexdigest()))
    fmt = format_for(path)
    stream = FileStream(path, name, fmt, graph, may_hold_blank_nodes(data, fmt))
    del data
    try:
        for _ in parts.write(stream.batches()):
            pass
    except SyntaxError as exc:
        raise syntax_error(path, exc) from None
    counts = {g: n for g, n in stream.counts.items() if g}
    if graph is not None:
        counts.setdefault(graph, 0)
    return FileParts(name, path, graph, parts, counts)


def write_parts(quads: Iterable[ox.Quad], parts: Parts) -> None:
    """Write ``quads`` (of a group of files, read back from a store) as ``parts``."""
    quads = iter(quads)
    for _ in parts.write(iter(lambda: list(itertools.islice(quads, BATCH)), [])):
        pass


def _groups(files: list[FileParts]) -> list[list[FileParts]]:
    """Files that share a named graph (the ontology's files) form one group; the rest are alone."""
    groups: list[list[FileParts]] = []
    owner: dict[str, int] = {}
    for file in files:
        joined = sorted({owner[g] for g in file.counts if g in owner})
        if not joined:
            groups.append([file])
            index = len(groups) - 1
        else:
            index = joined[0]
            groups[index].append(file)
            for other in joined[1:]:  # the file joins groups: merge them into the first
                groups[index] += groups[other]
                groups[other] = []
                owner.update({g: index for g, i in owner.items() if i == other})
        owner.update(dict.fromkeys(file.counts, index))
    position = {id(file): i for i, file in enumerate(files)}
    ordered = [sorted(group, key=lambda f: position[id(f)]) for group in groups if group]
    return sorted(ordered, key=lambda group: position[id(group[0])])


def _store_quads(kg_store: ox.Store, graphs: Iterable[str], salt: str) -> list[ox.Quad]:
    """The quads of some graphs read back from a store, relabelled and sorted (a small, rare case)."""
    from .blank_nodes import sort_key

    quads = [
        q
        for g in graphs
        for q in kg_store.quads_for_pattern(None, None, None, ox.NamedNode(g) if g else ox.DefaultGraph())
    ]
    return sorted(relabel(quads, salt=salt), key=sort_key)


def units(
    kg_store: ox.Store, files: list[FileParts], graph_counts: dict[str, int], folder: Path
) -> list[Parts]:
    """The parts a release is made of, in project order.

    A group of files whose parts hold exactly the quads the store holds for their graphs
    contributes those parts. One that does not (the same quad written twice, in one file or
    in two files of one graph, is one quad in the store) is written again from the store,
    once per content of the group."""
    out: list[Parts] = []
    for group in _groups(files):
        expected: Counter[str] = Counter()
        for file in group:
            expected.update(file.counts)
        if all(graph_counts.get(g, 0) == n for g, n in expected.items()):
            for file in group:
                if not file.parts.exist():  # removed by hand: parse the file again
                    file.parts = write_file_parts(file.path, file.name, file.graph, file.parts.folder).parts
                out.append(file.parts)
            continue
        key = hashlib.sha256("\0".join(["group", *(f.parts.key for f in group)]).encode()).hexdigest()[:40]
        parts = Parts(folder, key)
        if not parts.exist():
            write_parts(_store_quads(kg_store, sorted(expected), key), parts)
        out.append(parts)
    return out


def assemble(
    folder: Path, kg_store: ox.Store, files: list[FileParts], graph_counts: dict[str, int], parts_folder: Path
) -> dict[str, tuple[int, str]]:
    """Write the four data files of a release into ``folder`` (named by their parts' endings) from the
    files' parts, then the graphs no file fills (the derived ones); returns each one's size and SHA-256."""
    made = units(kg_store, files, graph_counts, parts_folder)
    kept = {parts.key for parts in made} | {file.parts.key for file in files}
    for stale in parts_folder.glob("*.*") if parts_folder.is_dir() else ():
        # parts of a group whose files have changed since (a file's own go when it is parsed again)
        if not stale.name.startswith(".") and stale.name.split(".", 1)[0] not in kept:
            stale.unlink(missing_ok=True)
    filled = {g for file in files for g in file.counts}
    derived = sorted(g for g, n in graph_counts.items() if n and g not in filled)
    extra = Parts(folder, ".derived")
    write_parts(_store_quads(kg_store, derived, "derived"), extra)
    written: dict[str, tuple[int, str]] = {}
    for ext, fmt in PART_FORMATS.items():
        with _HashingWriter(folder / f"ftzkg.{ext}") as out:
            if ext in ("trig", "ttl"):
                out.write(header(fmt))
            if ext == "jsonld":
                out.write(b"[")
            first = True
            for parts in [*made, extra]:
                with parts.path(ext).open("rb") as handle:
                    block = handle.read(1 << 20)
                    if block and ext == "jsonld" and not first:
                        out.write(b",")
                    first = first and not block
                    while block:
                        out.write(block)
                        block = handle.read(1 << 20)
            if ext == "jsonld":
                out.write(b"]\n")
        written[ext] = (out.size, out.digest.hexdigest())
    extra.remove()
    return written


class _HashingWriter:
    """A file written once, its size and SHA-256 taken as it is written."""

    def __init__(self, path: Path):
        self.handle = path.open("wb")
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.handle.write(data)
        self.size += len(data)

    def __enter__(self) -> _HashingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()
