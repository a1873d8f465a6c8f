"""Validating the knowledge graph: SHACL shapes, vocabulary conformance, readable findings.

Shapes come only from the project's ``ontology/shapes.ttl``, never from the data.
Data are handed to the SHACL engine as rdflib graphs built through N-Triples
(flat, so deep blank-node nesting cannot exhaust Python's recursion limit).
Every problem becomes a :class:`Finding` (severity, focus node, shape, message,
and where the node is written down); a :class:`ValidationReport` gathers them
with the SHACL report graph.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF as RDFNS
from rdflib.namespace import SH

from . import project
from .knowledge_graph import KnowledgeGraph
from .namespaces import DERIVED_GRAPHS, FTZ, ONTOLOGY_GRAPH, SHAPES_GRAPH, SHAPES_NS, shorten
from .parsing import parse_file
from .printable import json_safe, printable, turtle_safe
from .shacl_engines import DEFAULT_ENGINE, NTriples, ntriples_of, run_shacl
from .source_index import MemoryIndex
from .vocabulary import Vocabulary

#: How far (in hops) any shape looks from its focus node; see the header of ontology/shapes.ttl.
NEIGHBOURHOOD_HOPS = 3

#: Properties shapes follow backwards (object to subject). Every property is followed forwards.
INVERSE_PROPERTIES: frozenset[str] = frozenset(
    FTZ + name for name in ("refArea", "refEnterprise", "refProgramme", "exporter", "producer", "buyer")
)

SEVERITIES = ("Violation", "Warning", "Info")

#: IRIs naming the checks done in Python rather than by a shape.
VOCABULARY_CHECK = SHAPES_NS + "VocabularyCheck"
ONTOLOGY_PROTECTION_CHECK = SHAPES_NS + "OntologyProtectionCheck"
EMBEDDED_SHAPES_CHECK = SHAPES_NS + "EmbeddedShapesCheck"
CONFLICT_CHECK = SHAPES_NS + "ConflictCheck"
IMPORTS_CHECK = SHAPES_NS + "ImportsCheck"

Node = ox.NamedNode | ox.BlankNode


class Locations(Protocol):
    """Where IRIs are written: :class:`ftzkg.source_index.MemoryIndex` or the persistent store's."""

    def locate(self, iri: str) -> tuple[str | None, int | None]: ...


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, which node, which rule, what is wrong in plain words, and where."""

    severity: str
    focus: str
    shape: str
    message: str
    path: str | None = None
    value: str | None = None
    file: str | None = None
    line: int | None = None

    def key(self) -> tuple[str, str, str, str | None, str | None]:
        """What identifies the problem regardless of where it is reported."""
        return (self.focus, self.shape, self.message, self.path, self.value)

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focus": shorten_term(self.focus),
            "shape": shorten_term(self.shape),
            "message": self.message,
            "path": shorten_term(self.path) if self.path else None,
            "value": shorten_term(self.value) if self.value else None,
            "file": self.file,
            "line": self.line,
        }


@dataclass
class Additions:
    """What a contribution adds: new entities by class and new statements."""

    entities: dict[str, int] = field(default_factory=dict)
    statements: int = 0
    already_present: int = 0


@dataclass
class ValidationReport:
    """The outcome of a validation: findings, SHACL report graph, and (for contributions) additions."""

    findings: list[Finding]
    report_graph: rdflib.Graph
    files: list[str] = field(default_factory=list)
    additions: Additions | None = None
    focus_nodes: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0

    def to_json(self) -> str:
        payload: dict[str, object] = {
            "conforms": self.conforms,
            "files": self.files,
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "infos": self.count("Info"),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.additions is not None:
            payload["additions"] = {
                "entities": {shorten_term(k): v for k, v in self.additions.entities.items()},
                "new_statements": self.additions.statements,
                "already_present": self.additions.already_present,
            }
        return json_safe(json.dumps(payload, indent=2, ensure_ascii=False))

    def to_turtle(self) -> str:
        """The SHACL validation report, with the Python checks' findings added as results."""
        graph = rdflib.Graph()
        for prefix in ("sh", "ftz", "ftzsh"):
            graph.bind(prefix, {"sh": str(SH), "ftz": FTZ, "ftzsh": SHAPES_NS}[prefix])
        report = rdflib.BNode()
        graph.add((report, RDFNS.type, SH.ValidationReport))
        graph.add((report, SH.conforms, rdflib.Literal(self.conforms)))
        for finding in self.findings:
            result = rdflib.BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDFNS.type, SH.ValidationResult))
            graph.add((result, SH.focusNode, _rdflib_term(finding.focus)))
            graph.add((result, SH.sourceShape, rdflib.URIRef(finding.shape)))
            graph.add((result, SH.resultSeverity, SH[finding.severity]))
            graph.add((result, SH.resultMessage, rdflib.Literal(finding.message, lang="en")))
            if finding.path:
                graph.add((result, SH.resultPath, rdflib.URIRef(finding.path)))
            if finding.value:
                graph.add((result, SH.value, _rdflib_term(finding.value)))
        return turtle_safe(graph.serialize(format="turtle"))


def _rdflib_term(text: str) -> rdflib.term.Identifier:
    if text.startswith("_:"):
        return rdflib.BNode(text[2:])
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        return rdflib.URIRef(text)
    return rdflib.Literal(text)


def shorten_term(text: str) -> str:
    """A prefixed name for an IRI, the text itself for blank nodes and literals."""
    if text.startswith("_:") or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        return text
    short = shorten(text)
    return short[1:-1] if short.startswith("<") else short


# ---------------------------------------------------------------- graphs for the SHACL engine


@contextlib.contextmanager
def quiet_literal_conversion() -> Iterator[None]:
    """Keep rdflib from printing a traceback for a literal Python cannot hold.

    Ill-typed literals are refused before (with file, line and column); what is
    left are valid XSD values outside Python's types (year 0 or 10000, hour 24),
    which rdflib keeps as plain lexical forms, as SHACL needs.
    """
    logger = logging.getLogger("rdflib.term")
    before = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(before)


def to_rdflib(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """An rdflib graph of the triples, copied through N-Triples (flat, never recursive)."""
    flat = [ox.Triple(t.subject, t.predicate, t.object) for t in triples]
    graph = rdflib.Graph()
    if flat:
        with quiet_literal_conversion():
            graph.parse(data=ox.serialize(flat, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def load_shapes(project_: project.Project | None = None) -> rdflib.Graph:
    """The project's shapes (``ontology/shapes.ttl``; default project if None) and nothing else."""
    return to_rdflib(parse_file((project_ or project.Project.default()).shapes_file))


def ontology_quads(project_: project.Project | None = None) -> list[ox.Quad]:
    """The ontology graph (classes, properties, code lists) parsed from the project's files."""
    quads: list[ox.Quad] = []
    for source in (project_ or project.Project.default()).ontology_files():
        quads.extend(parse_file(source.path, source.graph))
    return quads


def shacl_findings(
    data: rdflib.Graph | NTriples, ontology: rdflib.Graph, shapes: rdflib.Graph, engine: str = DEFAULT_ENGINE
) -> tuple[list[Finding], rdflib.Graph]:
    """Run the shapes on the data (with the ontology) and turn the report into findings.

    The ontology's triples join the data graph: sh:class and sh:in need the code
    lists' instances (``ftz:Exact a ftz:ValueQualifier``), not only the class axioms.
    Data given as :class:`NTriples` must hold them already (no rdflib copy is made).
    """
    if isinstance(data, NTriples):
        combined: rdflib.Graph | NTriples = data
    else:
        combined = rdflib.Graph()
        for triple in data:
            combined.add(triple)
        for triple in ontology:
            combined.add(triple)
    with translated_sparql_cache(), quiet_literal_conversion():
        _, report = run_shacl(combined, shapes, ontology, engine=engine)
    if not isinstance(report, rdflib.Graph):  # pySHACL's ValidationFailure: a broken shape, not bad data
        raise RuntimeError(f"the SHACL engine could not run the shapes: {getattr(report, 'message', report)}")
    return findings_from_report(report), report


_TRANSLATED: dict[tuple, object] = {}


class _QueryText(str):
    """SPARQL text whose parsing is deferred to the cached translation."""


@contextlib.contextmanager
def translated_sparql_cache() -> Iterator[None]:
    """Parse each distinct SPARQL text once while the engine runs.

    rdflib parses the text of every query anew (pyparsing, tens of milliseconds);
    the shapes' SPARQL targets and constraints are fixed texts run over and over,
    so their translated algebra is kept, keyed by text, base and prefixes.
    Translated queries are reusable (that is what rdflib's prepareQuery is for).
    """
    from rdflib.plugins.sparql import processor

    parse, translate = processor.parseQuery, processor.translateQuery

    def cached_translate(parsed, base=None, init_ns=None):  # type: ignore[no-untyped-def]
        if not isinstance(parsed, _QueryText):
            return translate(parsed, base, init_ns)
        key = (str(parsed), base, tuple(sorted((k, str(v)) for k, v in (init_ns or {}).items())))
        if key not in _TRANSLATED:
            _TRANSLATED[key] = translate(parse(str(parsed)), base, init_ns)
        return _TRANSLATED[key]

    # _QueryText stands in for the parser: the cached translation parses only texts it has not seen.
    processor.parseQuery, processor.translateQuery = _QueryText, cached_translate  # type: ignore[assignment]
    try:
        yield
    finally:
        processor.parseQuery, processor.translateQuery = parse, translate


def findings_from_report(report: rdflib.Graph) -> list[Finding]:
    """One finding per sh:ValidationResult of a SHACL report graph."""
    findings = []
    for result in report.subjects(RDFNS.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        findings.append(
            Finding(
                severity=str(severity).removeprefix(str(SH)) if severity else "Violation",
                focus=_term_text(report.value(result, SH.focusNode)),
                shape=_term_text(report.value(result, SH.sourceShape)),
                message=_IRI_IN_TEXT.sub(lambda m: shorten_term(m.group(0)), messages[0]) if messages else "",
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                value=_term_text(value) if value is not None else None,
            )
        )
    return findings


_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"{}|\\^`,;()]*[^\s<>\"{}|\\^`,;().]")


def _term_text(term: rdflib.term.Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a stable order: file, line, focus node, severity, shape, message."""
    unique = {(f.key(), f.severity, f.file, f.line): f for f in findings}
    return sorted(
        unique.values(),
        key=lambda f: (
            f.file or "~",
            f.line or 0,
            f.focus,
            SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
            f.shape,
            f.message,
            f.value or "",
        ),
    )


# ---------------------------------------------------------------- neighbourhoods


class StoreView:
    """The data graphs of an Oxigraph store, seen as one graph (ontology and shapes graphs left out)."""

    def __init__(
        self,
        store: ox.Store,
        excluded_graphs: Iterable[str] = (ONTOLOGY_GRAPH, SHAPES_GRAPH, *DERIVED_GRAPHS),
    ):
        self.store = store
        self.excluded = {ox.NamedNode(g) for g in excluded_graphs}

    def _keep(self, quad: ox.Quad) -> bool:
        return quad.graph_name not in self.excluded

    def outgoing(self, node: Node) -> Iterable[ox.Quad]:
        return (q for q in self.store.quads_for_pattern(node, None, None, None) if self._keep(q))

    def incoming(self, node: Node, predicate: ox.NamedNode | None = None) -> Iterable[ox.Quad]:
        return (q for q in self.store.quads_for_pattern(None, predicate, node, None) if self._keep(q))

    def has_subject(self, node: Node) -> bool:
        return any(True for _ in self.outgoing(node))


_INVERSE_NODES = [ox.NamedNode(p) for p in sorted(INVERSE_PROPERTIES)]


def neighbourhood(
    views: Sequence[StoreView],
    seeds: Iterable[Node],
    hops: int = NEIGHBOURHOOD_HOPS,
    skip: frozenset[Node] = frozenset(),
) -> set[ox.Triple]:
    """Every triple a shape may read when validating the seeds.

    The out-going triples of each node within ``hops - 1`` hops of a seed, plus its
    in-coming triples through :data:`INVERSE_PROPERTIES`; a hop follows any
    property forwards or one of those backwards. Nodes in ``skip`` (ontology
    terms, present in full anyway) are not expanded.
    """
    seen: set[Node] = set()
    frontier: list[Node] = []
    for seed in seeds:
        if seed not in seen:
            seen.add(seed)
            frontier.append(seed)
    triples: set[ox.Triple] = set()
    for _ in range(hops):
        following: list[Node] = []
        for node in frontier:
            if node in skip:
                continue
            for view in views:
                for quad in view.outgoing(node):
                    triples.add(quad.triple)
                    obj = quad.object
                    if isinstance(obj, ox.NamedNode | ox.BlankNode) and obj not in seen:
                        seen.add(obj)
                        following.append(obj)
                for predicate in _INVERSE_NODES:
                    for quad in view.incoming(node, predicate):
                        triples.add(quad.triple)
                        if isinstance(quad.subject, ox.NamedNode | ox.BlankNode) and quad.subject not in seen:
                            seen.add(quad.subject)
                            following.append(quad.subject)
        frontier = following
    return triples


def dependents(
    views: Sequence[StoreView],
    anchors: Iterable[Node],
    hops: int = NEIGHBOURHOOD_HOPS - 1,
    skip: frozenset[Node] = frozenset(),
) -> set[Node]:
    """The nodes whose neighbourhood reaches one of the anchors (the reverse of :func:`neighbourhood`)."""
    seen: set[Node] = set(anchors)
    frontier = list(seen)
    for _ in range(hops):
        following: list[Node] = []
        for node in frontier:
            if node in skip:
                continue
            for view in views:
                for quad in view.incoming(node):
                    if isinstance(quad.subject, ox.NamedNode | ox.BlankNode) and quad.subject not in seen:
                        seen.add(quad.subject)
                        following.append(quad.subject)
                for predicate in _INVERSE_NODES:
                    for quad in view.store.quads_for_pattern(node, predicate, None, None):
                        obj = quad.object
                        if (
                            view._keep(quad)
                            and isinstance(obj, ox.NamedNode | ox.BlankNode)
                            and obj not in seen
                        ):
                            seen.add(obj)
                            following.append(obj)
        frontier = following
    return seen


# ---------------------------------------------------------------- where a node is written down


_PREFIX_DECL = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_NAME_CHAR = re.compile(r"[\w.:%-]")


class SourceLocator:
    """Finds the file and line where an IRI is first written as a subject (else first mentioned)."""

    def __init__(self, paths: Iterable[Path], display: dict[Path, str] | None = None):
        self.files: list[tuple[str, list[str], dict[str, str]]] = []
        for path in paths:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            name = (display or {}).get(path) or display_path(path)
            self.files.append((name, text.splitlines(), _prefixes(text)))

    def spellings(self, iri: str, prefixes: dict[str, str]) -> list[str]:
        forms = [f"<{iri}>", f'"{iri}"']
        for prefix, namespace in prefixes.items():
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                forms.append(f"{prefix}:{iri[len(namespace) :]}")
        return forms

    def locate(self, iri: str, only: str | None = None) -> tuple[str | None, int | None]:
        """(file, line) where ``iri`` is defined, preferring a line that starts with it."""
        if iri.startswith("_:"):
            return None, None
        fallback: tuple[str | None, int | None] = (None, None)
        for name, lines, prefixes in self.files:
            if only is not None and name != only:
                continue
            forms = self.spellings(iri, prefixes)
            for number, line in enumerate(lines, start=1):
                stripped = line.lstrip()
                if stripped.startswith("#"):
                    continue
                for form in forms:
                    at = line.find(form)
                    if at < 0 or not _bounded(line, at, form):
                        continue
                    if stripped.startswith(form) or re.search(
                        r'"@id"\s*:\s*' + re.escape(form.strip('"')), line
                    ):
                        return name, number
                    if fallback == (None, None):
                        fallback = (name, number)
        return fallback

    def first_mention(self, iri: str, only: str | None = None) -> tuple[str | None, int | None]:
        """(file, line) of the first line that mentions ``iri`` at all."""
        for name, lines, prefixes in self.files:
            if only is not None and name != only:
                continue
            forms = self.spellings(iri, prefixes)
            for number, line in enumerate(lines, start=1):
                if line.lstrip().startswith("#"):
                    continue
                if any((at := line.find(form)) >= 0 and _bounded(line, at, form) for form in forms):
                    return name, number
        return None, None


def _bounded(line: str, at: int, form: str) -> bool:
    end = at + len(form)
    before_ok = at == 0 or not _NAME_CHAR.match(line[at - 1]) or form[0] in '<"'
    after_ok = end >= len(line) or not _NAME_CHAR.match(line[end]) or form[-1] in '>"'
    if end < len(line) and line[end] == "." and (end + 1 >= len(line) or line[end + 1].isspace()):
        after_ok = True
    return before_ok and after_ok


def _prefixes(text: str) -> dict[str, str]:
    found = {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(text)}
    if text.lstrip().startswith(("{", "[")):
        with contextlib.suppress(ValueError, RecursionError):
            found.update(_jsonld_prefixes(json.loads(text)))
    return found


def _jsonld_prefixes(document: object) -> dict[str, str]:
    found: dict[str, str] = {}
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            context = item.get("@context")
            for ctx in context if isinstance(context, list) else [context]:
                if isinstance(ctx, dict):
                    found.update(
                        {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}
                    )
            stack.extend(v for k, v in item.items() if k != "@context")
    return found


def display_path(path: Path, project_: project.Project | None = None) -> str:
    """A path relative to the project folder (default project if None) when inside it, else as given."""
    return (project_ or project.Project.default()).display(path)


# ---------------------------------------------------------------- the whole knowledge graph


def vocabulary_findings(vocabulary: Vocabulary, quads: Iterable[ox.Quad]) -> list[Finding]:
    """Unknown or misspelt terms as violations."""
    return [
        Finding(
            "Violation", problem.subject.strip("<>"), VOCABULARY_CHECK, problem.message, value=problem.term
        )
        for problem in vocabulary.check(quads)
    ]


def validate_knowledge_graph(
    kg: KnowledgeGraph | None = None,
    engine: str = DEFAULT_ENGINE,
    project_: project.Project | None = None,
    index: Locations | None = None,
) -> ValidationReport:
    """Validate every data graph with the project's shapes and ontology, plus vocabulary conformance.

    ``project_`` (default: :meth:`ftzkg.project.Project.default`) gives the shapes and
    names the data files; ``kg`` defaults to its files loaded in memory. Findings are
    placed in files by ``index`` (the persistent store's), else by an index of the data
    files made here. The data (with the ontology's triples) go to the engine as
    N-Triples text: the default engine never needs an rdflib copy of the whole graph.
    """
    project_ = project_ or project.Project.default()
    kg = kg if kg is not None else KnowledgeGraph.load(project_=project_)
    data_graphs = [ox.NamedNode(g) for g in kg.source_graph_names()]

    def data_quads() -> Iterator[ox.Quad]:
        # streamed from the store at each pass: the data are never held as Python objects at once
        for graph in data_graphs:
            yield from kg.store.quads_for_pattern(None, None, None, graph)

    ontology = kg.quads([ONTOLOGY_GRAPH]) or ontology_quads(project_)
    from .data_graphs import graph_descriptions, source_classes_of  # imports parsing, like this module

    described = [
        ox.Quad(t.subject, t.predicate, t.object)
        for t in graph_descriptions(data_quads(), source_classes_of(ontology))
    ]
    findings, report = shacl_findings(
        ntriples_of(itertools.chain(data_quads(), ontology, described)),
        to_rdflib(ontology),
        load_shapes(project_),
        engine,
    )
    findings += vocabulary_findings(Vocabulary.from_quads(ontology), data_quads())
    from .source_contradictions import graph_contradictions  # imports this module

    findings += graph_contradictions(kg.store)
    from .missing_reference import explain_missing  # imports this module

    findings = explain_missing(
        findings,
        lambda iri: any(True for _ in kg.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)),
    )
    files = [s.path for s in project_.data_files()]
    if index is None:
        index = MemoryIndex((project_.display(p), p) for p in files)
    located = [_with_index(f, index, project_) for f in findings]
    return ValidationReport(
        findings=sort_findings(located),
        report_graph=report,
        files=[project_.display(p) for p in files],
        focus_nodes=len({q.subject for q in data_quads()}),
    )


def _with_index(finding: Finding, index: Locations, project_: project.Project) -> Finding:
    """The finding placed at its focus node's line; an unknown term at its first mention in that file."""
    if finding.file is not None:
        return finding
    name, line = index.locate(finding.focus)
    if name is not None and finding.shape == VOCABULARY_CHECK and finding.value:
        mention = SourceLocator([project_.root / name], {project_.root / name: name}).first_mention(
            finding.value
        )
        name, line = mention if mention[0] else (name, line)
    return Finding(**{**finding.__dict__, "file": name, "line": line})


def _with_location(finding: Finding, locator: SourceLocator, only: str | None = None) -> Finding:
    if finding.file is not None:
        return finding
    if finding.shape == VOCABULARY_CHECK and finding.value:
        name, line = locator.first_mention(finding.value, only)
    else:
        name, line = locator.locate(finding.focus, only)
    return Finding(**{**finding.__dict__, "file": name, "line": line})


# ---------------------------------------------------------------- readable report


def format_text(report: ValidationReport, contribution: bool = False) -> str:
    """The report as text: findings grouped by file, then focus node, then the summary."""
    lines: list[str] = []
    if contribution:
        lines.append("Contribution: " + ", ".join(report.files))
    else:
        lines.append(f"Knowledge graph: {len(report.files)} data files, shapes from ontology/shapes.ttl")
    current_file: str | None = ""
    current_focus: str | None = None
    for finding in report.findings:
        if finding.file != current_file:
            current_file = finding.file
            current_focus = None
            lines.append("")
            lines.append(finding.file or "(not located in a file)")
        if finding.focus != current_focus:
            current_focus = finding.focus
            where = f"line {finding.line}" if finding.line else "line ?"
            lines.append(f"  {shorten_term(finding.focus)}  ({where})")
        detail = f"    {finding.severity.upper():<9} {shorten_term(finding.shape)}"
        if finding.path:
            detail += f"  path {shorten_term(finding.path)}"
        if finding.value:
            detail += f"  value {shorten_term(finding.value)}"
        lines.append(detail)
        lines.append(f"      {finding.message}")
    lines.append("")
    if report.additions is not None:
        entities = report.additions.entities
        total = sum(entities.values())
        listed = ", ".join(f"{shorten_term(cls)} {n}" for cls, n in entities.items())
        lines.append(
            f"Adds {_plural(total, 'new entity', 'new entities')}"
            + (f" ({listed})" if listed else "")
            + f" and {_plural(report.additions.statements, 'new statement')}"
            + (
                f" ({report.additions.already_present} already in the graph)"
                if report.additions.already_present
                else ""
            )
            + "."
        )
    counts = ", ".join(_plural(report.count(s), s.lower()) for s in SEVERITIES)
    verdict = "VALID" if report.conforms else "NOT VALID"
    lines.append(f"Result: {verdict}: {counts}.")
    return "\n".join(printable(line) for line in lines)  # names and literals from the data, escaped


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
