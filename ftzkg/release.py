"""``ftzkg build``: the knowledge graph as a release folder, byte for byte reproducible.

A release holds the whole dataset as TriG (one named graph per source, plus the
ontology and shapes graphs) and N-Quads, the union of all graphs as Turtle and
JSON-LD, a VoID + DCAT description (``void.ttl``) and ``SHA256SUMS``.

Reproducible: quads are sorted, blank nodes get content-derived labels
(:mod:`ftzkg.blank_nodes`) and the modification date comes from the inputs
(``SOURCE_DATE_EPOCH`` when set, else the latest ``dcterms:modified`` of the
ontology or of a source), never from the clock. Atomic: everything is written
into a temporary folder beside the target, which replaces the previous release
only once complete.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import __version__
from .blank_nodes import relabel, sort_key
from .knowledge_graph import KnowledgeGraph
from .namespaces import ID, ONTOLOGY, PREFIXES, shorten
from .release_parts import FileParts, assemble

DATASET_IRI = ID + "dataset/ftzkg"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"

TRIG = "ftzkg.trig"
NQUADS = "ftzkg.nq"
TURTLE = "ftzkg.ttl"
JSONLD = "ftzkg.jsonld"
DESCRIPTION = "void.ttl"
CHECKSUMS = "SHA256SUMS"

#: The data files of a release: format, whether it keeps the named graphs, what it holds.
DATA_FILES: dict[str, tuple[ox.RdfFormat, bool, str]] = {
    TRIG: (ox.RdfFormat.TRIG, True, "The whole dataset, one named graph per source, as TriG"),
    NQUADS: (ox.RdfFormat.N_QUADS, True, "The whole dataset, one named graph per source, as N-Quads"),
    TURTLE: (ox.RdfFormat.TURTLE, False, "The union of all named graphs as Turtle"),
    JSONLD: (ox.RdfFormat.JSON_LD, False, "The union of all named graphs as JSON-LD"),
}

#: The release file each kind of part (:data:`ftzkg.release_parts.PART_FORMATS`) is put together into.
PART_NAMES = {"trig": TRIG, "nq": NQUADS, "ttl": TURTLE, "jsonld": JSONLD}

RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]
DCTERMS = PREFIXES["dcterms"]
DCAT = PREFIXES["dcat"]
VOID = PREFIXES["void"]
OWL = PREFIXES["owl"]
SD = "http://www.w3.org/ns/sparql-service-description#"
SPDX = "http://spdx.org/rdf/terms#"
DESCRIPTION_PREFIXES = {**PREFIXES, "sd": SD, "spdx": SPDX}
IANA = "https://www.iana.org/assignments/media-types/"


class ReleaseError(Exception):
    """The release cannot be written (the reason is the message)."""


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release."""

    name: str
    byte_size: int
    sha256: str


@dataclass
class Release:
    """What ``build_release`` wrote."""

    path: Path
    triples: int
    graphs: dict[str, int]
    modified: str | None
    files: list[ReleaseFile] = field(default_factory=list)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str | int, datatype: str | None = None, language: str | None = None) -> ox.Literal:
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=_n(XSD + (datatype or "integer")))
    if language:
        return ox.Literal(value, language=language)
    return ox.Literal(value, datatype=_n(XSD + datatype)) if datatype else ox.Literal(value)


def modification_date(kg: KnowledgeGraph) -> str | None:
    """``SOURCE_DATE_EPOCH`` as a UTC date, else the latest ``dcterms:modified`` of the ontology or a source.

    Never the clock: building twice from the same inputs gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date().isoformat()
        except ValueError:
            raise ReleaseError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    subjects = {ONTOLOGY, *kg.graph_names()}
    dates = [
        q.object.value[:10]
        for q in kg.store.quads_for_pattern(None, _n(DCTERMS + "modified"), None, None)
        if isinstance(q.subject, ox.NamedNode)
        and q.subject.value in subjects
        and isinstance(q.object, ox.Literal)
    ]
    return max(dates) if dates else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _partition_iris(kind: str, iris: list[str]) -> dict[str, ox.NamedNode]:
    """Readable, unique IRIs for the partitions of a kind: ``.../class/ftz-Enterprise``."""
    out: dict[str, ox.NamedNode] = {}
    taken: set[str] = set()
    for iri in sorted(iris):
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", shorten(iri).strip("<>")).strip("-") or "x"
        candidate, n = slug, 1
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        taken.add(candidate)
        out[iri] = _n(f"{DATASET_IRI}/{kind}/{candidate}")
    return out


@dataclass
class Counts:
    """What ``void.ttl`` counts: quads per named graph and per property, entities per class."""

    graphs: dict[str, int]
    properties: dict[str, int]
    classes: dict[str, int]

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())


def count(kg: KnowledgeGraph, by_graph: Iterable[tuple[str, str, int]] | None = None) -> Counts:
    """The counts of ``kg`` by aggregate queries (no quad is decoded); ``by_graph``, when the quads
    per named graph and property are known already (the persistent store records them)."""
    graphs: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    if by_graph is None:
        rows = kg.select(
            "SELECT ?g ?p (COUNT(*) AS ?n) "
            "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } GROUP BY ?g ?p"
        )
        by_graph = (
            (getattr(row["g"], "value", ""), row["p"].value, int(row["n"].value))  # type: ignore[union-attr]
            for row in rows
        )
    for graph, prop, n in by_graph:
        graphs[graph] += n
        properties[prop] += n
    classes = {
        row["c"].value: int(row["n"].value)
        for row in kg.select(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { { ?s a ?c } UNION { GRAPH ?g { ?s a ?c } } "
            "FILTER(isIRI(?c)) } GROUP BY ?c"
        )
    }
    return Counts(dict(graphs), dict(properties), classes)


def describe(counts: Counts, files: list[ReleaseFile], modified: str | None, version: str) -> list[ox.Triple]:
    """The VoID + DCAT description of a release: counts, partitions, subsets, distributions."""
    ds = _n(DATASET_IRI)
    a = _n(RDF + "type")
    out: list[ox.Triple] = [
        ox.Triple(ds, a, _n(VOID + "Dataset")),
        ox.Triple(ds, a, _n(DCAT + "Dataset")),
        ox.Triple(ds, _n(DCTERMS + "title"), _lit("Free Trade Zone Knowledge Graph (ftzkg)", language="en")),
        ox.Triple(
            ds,
            _n(DCTERMS + "description"),
            _lit(
                "An open knowledge graph of the entities of free trade zones,"
                " every fact traced to its source.",
                language="en",
            ),
        ),
        ox.Triple(ds, _n(DCTERMS + "license"), _n(LICENSE)),
        ox.Triple(ds, _n(OWL + "versionInfo"), _lit(version)),
        ox.Triple(ds, _n(DCAT + "version"), _lit(version)),
        ox.Triple(ds, _n(VOID + "triples"), _lit(counts.quads)),
        ox.Triple(ds, _n(VOID + "uriSpace"), _lit(ID)),
        ox.Triple(ds, _n(VOID + "vocabulary"), _n(PREFIXES["ftz"])),
        ox.Triple(ds, _n(DCTERMS + "conformsTo"), _n(ONTOLOGY)),
    ]
    if modified:
        out.append(ox.Triple(ds, _n(DCTERMS + "modified"), _lit(modified, "date")))

    class_parts = _partition_iris("class", list(counts.classes))
    property_parts = _partition_iris("property", list(counts.properties))
    subsets = _partition_iris("graph", [g for g in counts.graphs if g])
    for cls, members in sorted(counts.classes.items()):
        part = class_parts[cls]
        out += [
            ox.Triple(ds, _n(VOID + "classPartition"), part),
            ox.Triple(part, _n(VOID + "class"), _n(cls)),
            ox.Triple(part, _n(VOID + "entities"), _lit(members)),
        ]
    for prop, n in sorted(counts.properties.items()):
        part = property_parts[prop]
        out += [
            ox.Triple(ds, _n(VOID + "propertyPartition"), part),
            ox.Triple(part, _n(VOID + "property"), _n(prop)),
            ox.Triple(part, _n(VOID + "triples"), _lit(n)),
        ]
    for graph, n in sorted(counts.graphs.items()):
        if not graph:
            continue
        subset = subsets[graph]
        out += [
            ox.Triple(ds, _n(VOID + "subset"), subset),
            ox.Triple(subset, a, _n(VOID + "Dataset")),
            ox.Triple(subset, a, _n(SD + "NamedGraph")),
            ox.Triple(subset, _n(SD + "name"), _n(graph)),
            ox.Triple(subset, _n(VOID + "triples"), _lit(n)),
        ]
    for f in files:
        fmt, _, title = DATA_FILES[f.name]
        dist = _n(f"{DATASET_IRI}/{version}/{f.name}")
        checksum = _n(f"{DATASET_IRI}/{version}/{f.name}#sha256")
        out += [
            ox.Triple(ds, _n(DCAT + "distribution"), dist),
            ox.Triple(ds, _n(VOID + "dataDump"), dist),
            ox.Triple(dist, a, _n(DCAT + "Distribution")),
            ox.Triple(dist, _n(DCTERMS + "title"), _lit(f.name)),
            ox.Triple(dist, _n(DCTERMS + "description"), _lit(title, language="en")),
            ox.Triple(dist, _n(DCTERMS + "license"), _n(LICENSE)),
            ox.Triple(dist, _n(DCAT + "mediaType"), _n(IANA + fmt.media_type)),
            ox.Triple(dist, _n(DCAT + "byteSize"), _lit(str(f.byte_size), "nonNegativeInteger")),
            ox.Triple(dist, _n(SPDX + "checksum"), checksum),
            ox.Triple(checksum, a, _n(SPDX + "Checksum")),
            ox.Triple(checksum, _n(SPDX + "algorithm"), _n(SPDX + "checksumAlgorithm_sha256")),
            ox.Triple(checksum, _n(SPDX + "checksumValue"), _lit(f.sha256, "hexBinary")),
        ]
    return out


def _serialize(data: list, fmt: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """Serialize sorted data; the ``@prefix`` header is sorted too (the serializer promises no order)."""
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD):
        return ox.serialize(data, format=fmt)
    lines = ox.serialize(data, format=fmt, prefixes=prefixes).split(b"\n")
    header = 0
    while header < len(lines) and lines[header].startswith(b"@prefix "):
        header += 1
    return b"\n".join(sorted(lines[:header]) + lines[header:])


def _describe_files(
    counts: Counts, files: list[ReleaseFile], modified: str | None, version: str
) -> dict[str, bytes]:
    """``void.ttl`` and ``SHA256SUMS`` for data files already written."""
    described = relabel(_as_quads(describe(counts, files, modified, version)))
    description = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in described), key=sort_key)
    body = _serialize(description, ox.RdfFormat.TURTLE, DESCRIPTION_PREFIXES)
    sums = {f.name: f.sha256 for f in files} | {DESCRIPTION: _sha256(body)}
    return {
        DESCRIPTION: body,
        CHECKSUMS: "".join(f"{digest}  {name}\n" for name, digest in sorted(sums.items())).encode(),
    }


def render(kg: KnowledgeGraph, modified: str | None, version: str) -> tuple[dict[str, bytes], int, dict]:
    """Every file of the release of a graph handed in without its files, as bytes, with the quad
    count and the per-graph counts: quads sorted by graph, subject, predicate and object."""
    quads = sorted(relabel(kg.quads()), key=sort_key)
    union = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=sort_key)
    contents: dict[str, bytes] = {}
    for name, (fmt, keeps_graphs, _) in DATA_FILES.items():
        contents[name] = _serialize(quads if keeps_graphs else union, fmt, PREFIXES)
    files = [ReleaseFile(name, len(body), _sha256(body)) for name, body in contents.items()]
    counts = count(kg)
    contents.update(_describe_files(counts, files, modified, version))
    return contents, counts.quads, {g: n for g, n in sorted(counts.graphs.items()) if g}


def _as_quads(triples: list[ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]


def _is_release(path: Path) -> bool:
    """True for an empty folder or one a previous build wrote (safe to replace)."""
    if not path.is_dir():
        return False
    entries = {p.name for p in path.iterdir()}
    return not entries or {DESCRIPTION, CHECKSUMS} <= entries


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` that replaces it once the block completes (removed if it fails)."""
    if out.exists() and not _is_release(out):
        raise ReleaseError(
            f"{out} exists and is not an ftzkg release (no {DESCRIPTION} and {CHECKSUMS}); not replacing it"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        yield staging
        for path in staging.iterdir():
            os.chmod(path, 0o644)
        os.chmod(staging, 0o755)
        if out.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            previous.rmdir()
            out.rename(previous)
            staging.rename(out)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build_release(
    out: Path,
    kg: KnowledgeGraph | None = None,
    version: str = __version__,
    parts: list[FileParts] | None = None,
    parts_dir: Path | None = None,
    by_graph: Iterable[tuple[str, str, int]] | None = None,
) -> Release:
    """Write the release of ``kg`` (default: the project's knowledge graph) into the folder ``out``.

    With ``parts`` (each source file's release parts, :mod:`ftzkg.release_parts`, in
    project order) the data files are those parts put together, without reading the
    quads back from ``kg``; without them, ``kg``'s quads are read and sorted.
    ``out`` is replaced only when the new release is complete; a folder that
    does not look like a previous release is never replaced.
    """
    out = Path(out)
    if out.exists() and not _is_release(out):
        raise ReleaseError(
            f"{out} exists and is not an ftzkg release (no {DESCRIPTION} and {CHECKSUMS}); not replacing it"
        )
    kg = kg if kg is not None else KnowledgeGraph.load()
    modified = modification_date(kg)
    with _staging(out) as staging:
        if parts is None:
            contents, triples, graphs = render(kg, modified, version)
            for name, body in contents.items():
                (staging / name).write_bytes(body)
            files = [ReleaseFile(name, len(body), _sha256(body)) for name, body in contents.items()]
        else:
            counts = count(kg, by_graph)
            written = assemble(staging, kg.store, parts, counts.graphs, parts_dir or staging / ".parts")
            shutil.rmtree(staging / ".parts", ignore_errors=True)
            files = []
            for ext, (size, digest) in written.items():
                (staging / f"ftzkg.{ext}").rename(staging / PART_NAMES[ext])
                files.append(ReleaseFile(PART_NAMES[ext], size, digest))
            contents = _describe_files(counts, files, modified, version)
            for name, body in contents.items():
                (staging / name).write_bytes(body)
            files += [ReleaseFile(name, len(body), _sha256(body)) for name, body in contents.items()]
            triples, graphs = counts.quads, {g: n for g, n in sorted(counts.graphs.items()) if g}
    return Release(path=out, triples=triples, graphs=graphs, modified=modified, files=files)


def release_file(folder: Path, name: str = NQUADS) -> Path:
    """A file of a built release, checked against the release's ``SHA256SUMS``."""
    folder = Path(folder)
    path = folder / name
    if not path.is_file():
        raise ReleaseError(f"{folder} has no {name}: run ftzkg build first")
    sums = folder / CHECKSUMS
    if sums.is_file():
        lines = (line.split(maxsplit=1) for line in sums.read_text().splitlines() if line.strip())
        expected = {file.strip(): digest for digest, file in lines}
        if name in expected and expected[name] != hashlib.sha256(path.read_bytes()).hexdigest():
            raise ReleaseError(f"{path} does not match its checksum in {sums}: rebuild the release")
    return path


def newer_sources(folder: Path, sources: Iterable[Path], name: str = NQUADS) -> list[Path]:
    """The source files changed after the release in ``folder`` was built (newest first)."""
    built = (Path(folder) / name).stat().st_mtime_ns
    changed = [(p.stat().st_mtime_ns, p) for p in sources if p.is_file() and p.stat().st_mtime_ns > built]
    return [p for _, p in sorted(changed, key=lambda item: (-item[0], str(item[1])))]
