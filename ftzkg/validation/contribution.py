"""Validating a contribution: new RDF files checked in the context of the existing graph.

The files are parsed as untrusted input (:func:`ftzkg.parsing.parse_untrusted`).
Then, without copying the existing graph:

1. vocabulary conformance, attempts to redefine ontology terms, embedded
   shapes (ignored as shapes and reported) and conflicts with single-valued
   properties already set in the graph are checked on the contribution's triples;
2. the nodes the contribution touches (subjects of its triples) and the existing
   nodes whose neighbourhood it reaches are the focus nodes; their
   :data:`~ftzkg.validation.NEIGHBOURHOOD_HOPS`-hop neighbourhood is extracted
   from the existing graph plus the contribution and validated with the
   project's shapes; the same neighbourhood without the contribution is
   validated too, so a problem of an existing node is reported only when the
   contribution introduces it;
3. what the contribution adds is counted: new entities by class, new statements.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import project
from ..data_graphs import check_loadable, graph_descriptions, source_classes_of
from ..input_limits import DEFAULT_LIMITS, Limits
from ..knowledge_graph import KnowledgeGraph
from ..missing_reference import explain_missing
from ..namespaces import FTZ, ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES, SHAPES, SHAPES_GRAPH, SHAPES_NS, shorten
from ..parsing import RdfInputError, parse_untrusted
from ..source_contradictions import contribution_contradictions
from ..source_index import MemoryIndex
from .check_plan import CheckPlan, plan_for
from .engine_names import CONTRIBUTION_ENGINE
from .graph_walks import (
    INVERSE_PROPERTIES,
    Node,
    StoreView,
    dependents,
    neighbourhood,
)
from .neighbourhood_shapes import neighbourhood_findings
from .report import (
    CONFLICT_CHECK,
    EMBEDDED_SHAPES_CHECK,
    IMPORTS_CHECK,
    ONTOLOGY_PROTECTION_CHECK,
    Additions,
    Finding,
    ValidationReport,
    sort_findings,
)
from .source_locator import (
    Locations,
    SourceLocator,
    display_path,
)
from .vocabulary import RDF_TYPE, Vocabulary

if TYPE_CHECKING:
    import rdflib
from .whole_graph import vocabulary_findings

SH_NS = PREFIXES["sh"]
XSD = PREFIXES["xsd"]
#: Numeric datatypes, compared by value ("207" and "207.0" are the same number).
NUMERIC_TYPES = frozenset(
    XSD + name
    for name in [
        "decimal",
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)
OWL_FUNCTIONAL = PREFIXES["owl"] + "FunctionalProperty"
OWL_IMPORTS = PREFIXES["owl"] + "imports"
MAX_COUNT_COMPONENT = SH_NS + "MaxCountConstraintComponent"


def _is_protected(node: ox.NamedNode | ox.BlankNode | ox.Triple) -> bool:
    """Ontology and shapes terms, and the ontology and shapes documents themselves."""
    if not isinstance(node, ox.NamedNode):
        return False
    iri = node.value
    return iri.startswith((FTZ, SHAPES_NS)) or iri in (ONTOLOGY, SHAPES) or iri.startswith(ONTOLOGY + "/")


def _is_shacl(quad: ox.Quad) -> bool:
    if quad.predicate.value.startswith(SH_NS):
        return True
    obj = quad.object
    return quad.predicate.value == RDF_TYPE and isinstance(obj, ox.NamedNode) and obj.value.startswith(SH_NS)


def single_valued_properties(ontology: Iterable[ox.Quad], capped: Iterable[str]) -> set[str]:
    """owl:FunctionalProperty terms of the ontology and every plain path a shape caps at sh:maxCount 1
    (``capped``: :attr:`.check_plan.CheckPlan.single_valued`)."""
    single = {
        q.subject.value
        for q in ontology
        if q.predicate.value == RDF_TYPE
        and isinstance(q.object, ox.NamedNode)
        and q.object.value == OWL_FUNCTIONAL
        and isinstance(q.subject, ox.NamedNode)
    }
    return single | set(capped)


def _text(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(node, ox.NamedNode):
        return node.value
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    if isinstance(node, ox.Literal):
        return node.value
    return str(node)


def _short(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(node, ox.NamedNode):
        short = shorten(node.value)
        return short
    if isinstance(node, ox.Literal):
        return f'"{node.value}"'
    return _text(node)


def validate_contribution(
    paths: Sequence[Path],
    kg: KnowledgeGraph | None = None,
    engine: str = CONTRIBUTION_ENGINE,
    limits: Limits = DEFAULT_LIMITS,
    project_: project.Project | None = None,
    index: Locations | None = None,
    plan_dir: Path | None = None,
) -> ValidationReport:
    """Validate RDF files as a contribution to the knowledge graph ``kg`` of ``project_``.

    ``project_`` (default: :meth:`ftzkg.project.Project.default`) gives the shapes;
    ``kg`` defaults to its files loaded in memory. Existing nodes are placed in files
    by ``index`` (the persistent store's), else by an index of the data files made here.
    Raises :class:`~ftzkg.parsing.RdfInputError` for a file that cannot be used at all,
    that the build would refuse as a data file (a triples-only file that does not describe
    exactly one source, a triple outside the named graphs of a TriG or N-Quads file), or
    when the files hold more than ``limits.max_triples`` triples together. The shapes'
    compiled check plan is kept in ``plan_dir`` (the persistent store's folder), else made here.
    """
    project_ = project_ or project.Project.default()
    parsed = []
    total = 0
    for path in paths:
        try:
            quads = parse_untrusted(path, limits=limits)
        except RdfInputError as exc:  # name the file as the report does
            raise RdfInputError(display_path(path, project_), exc.message, exc.line, exc.column) from None
        total += len(quads)
        if total > limits.max_triples:
            raise RdfInputError(
                display_path(path, project_),
                f"the contribution's files hold more than {limits.max_triples} triples together, "
                "the limit (--max-triples)",
            )
        parsed.append((path, quads))
    kg = kg if kg is not None else KnowledgeGraph.load(project_=project_)
    ontology = kg.quads([ONTOLOGY_GRAPH])
    classes = source_classes_of(ontology)
    for path, quads in parsed:  # what the build would refuse as a data file is refused here too
        check_loadable(display_path(path, project_), path, quads, classes)
    shapes = _Shapes(project_)
    plan = plan_for(project_.shapes_file, [s.path for s in project_.ontology_files()], ontology, plan_dir)
    vocabulary = Vocabulary.from_quads(ontology)
    names = {path: display_path(path, project_) for path, _ in parsed}
    locator = SourceLocator([p for p, _ in parsed], names)
    for _, quads in parsed:
        for quad in quads:
            if isinstance(quad.subject, ox.BlankNode) and isinstance(quad.object, ox.Literal):
                literals = locator.blank_node_literals.setdefault(_text(quad.subject), [])
                literals.append(quad.object.value)
    data_locator = index or MemoryIndex((project_.display(s.path), s.path) for s in project_.data_files())

    findings: list[Finding] = []
    triples: dict[ox.Triple, str] = {}  # triple -> file it comes from (first)
    home: dict[str, str] = {}  # subject -> file that first states something about it
    for path, quads in parsed:
        name = names[path]
        protected: dict[str, list[str]] = {}
        shacl: set[str] = set()
        kept: list[ox.Quad] = []
        for quad in quads:
            subject = _text(quad.subject)
            if _is_shacl(quad):
                shacl.add(subject)
                continue
            if _is_protected(quad.subject):
                protected.setdefault(subject, []).append(_short(quad.predicate))
                continue
            kept.append(quad)
            triples.setdefault(quad.triple, name)
            home.setdefault(subject, name)
        file_findings = vocabulary_findings(vocabulary, kept)
        file_findings.extend(_imports(kept))
        for subject, predicates in protected.items():
            file_findings.append(
                Finding(
                    "Violation",
                    subject,
                    ONTOLOGY_PROTECTION_CHECK,
                    f"A contribution cannot define, redefine or annotate ontology terms: {len(predicates)} "
                    f"statement(s) about {shorten(subject)} ({', '.join(sorted(set(predicates)))}). "
                    "Propose ontology changes in ontology/ftz.ttl instead.",
                )
            )
        for subject in sorted(shacl):
            file_findings.append(
                Finding(
                    "Violation",
                    subject,
                    EMBEDDED_SHAPES_CHECK,
                    "SHACL statements (shapes, sh:deactivated, SPARQL constraints) in a contribution are "
                    "ignored: shapes come only from ontology/shapes.ttl. Remove them from the data.",
                )
            )
        for finding in file_findings:
            if finding.shape == EMBEDDED_SHAPES_CHECK or finding.shape == ONTOLOGY_PROTECTION_CHECK:
                file, line = locator.locate(finding.focus, name)
            elif finding.value:
                file, line = locator.first_mention(finding.value, name)
            else:
                file, line = locator.locate(finding.focus, name)
            findings.append(Finding(**{**finding.__dict__, "file": file or name, "line": line}))

    # A file whose graph is already in the knowledge graph (a source being re-checked or
    # corrected) replaces that graph: it is compared with the rest of the graph, not with itself.
    replaced = _graphs_of(parsed, ontology)
    existing = StoreView(kg.store, excluded_graphs=(ONTOLOGY_GRAPH, SHAPES_GRAPH, *replaced))
    contribution_store = ox.Store()
    contribution_store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    added = StoreView(contribution_store, excluded_graphs=())

    conflicts = _conflicts(triples, existing, single_valued_properties(ontology, shapes.capped(plan)))
    subjects = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode)}
    for warning in contribution_contradictions(contribution_store, kg.store, subjects):
        file, line = locator.locate(warning.focus, home.get(warning.focus))
        findings.append(
            Finding(**{**warning.__dict__, "file": file or home.get(warning.focus), "line": line})
        )
    for conflict in conflicts:
        conflict_file = triples_file(conflict, triples)
        file, line = locator.locate(conflict.focus, conflict_file)
        findings.append(Finding(**{**conflict.__dict__, "file": file or conflict_file, "line": line}))

    skip = frozenset(q.subject for q in ontology if isinstance(q.subject, ox.NamedNode | ox.BlankNode))
    touched: set[Node] = {t.subject for t in triples if isinstance(t.subject, ox.NamedNode | ox.BlankNode)}
    anchors = set(touched)
    anchors.update(
        t.object
        for t in triples
        if t.predicate.value in INVERSE_PROPERTIES and isinstance(t.object, ox.NamedNode | ox.BlankNode)
    )
    focus = (touched | dependents([existing, added], anchors, skip=skip)) - skip
    # The named graphs the files fill, as nodes for ftzsh:DataGraphShape (graph IRI = its source's IRI)
    graph_nodes = graph_descriptions([q for _, quads in parsed for q in quads], source_classes_of(ontology))
    focus_text = {_text(n) for n in focus} | {t.subject.value for t in graph_nodes}
    touched_text = {_text(n) for n in touched} | {t.subject.value for t in graph_nodes}

    after = neighbourhood_findings(
        neighbourhood([existing, added], focus, skip=skip) | set(graph_nodes), ontology, shapes, engine, plan
    )
    before_keys: set[tuple] = set()
    if focus - touched:
        before = neighbourhood_findings(
            neighbourhood([existing], focus - touched, skip=skip), ontology, shapes, engine, plan
        )
        before_keys = {f.key() for f in before}
    conflict_keys = {(f.focus, f.path) for f in conflicts}
    for finding in after:
        if finding.focus not in focus_text:
            continue
        if finding.focus not in touched_text and finding.key() in before_keys:
            continue
        if finding.path and (finding.focus, finding.path) in conflict_keys:
            continue  # the conflict check already explains a second value
        written_in = home.get(finding.focus)
        if written_in:
            file, line = locator.locate(finding.focus, written_in)
        elif finding.shape == SHAPES_NS + "DataGraphShape":  # a graph name, written in a contribution file
            file, line = locator.locate(finding.focus)
        else:
            file, line = data_locator.locate(finding.focus)
        findings.append(Finding(**{**finding.__dict__, "file": file or written_in, "line": line}))

    def described(iri: str) -> bool:
        node = ox.NamedNode(iri)
        return any(True for _ in kg.store.quads_for_pattern(node, None, None, None)) or any(
            True for _ in contribution_store.quads_for_pattern(node, None, None, None)
        )

    return ValidationReport(
        findings=sort_findings(explain_missing(findings, described)),
        files=list(names.values()),
        additions=_additions(triples, StoreView(kg.store)),
        focus_nodes=len(focus),
    )


class _Shapes:
    """The project's shapes as an rdflib graph, read only when something asks for them."""

    def __init__(self, project_: project.Project):
        self.project = project_
        self.graph: rdflib.Graph | None = None

    def __call__(self) -> rdflib.Graph:
        if self.graph is None:
            from .shape_runs import load_shapes

            self.graph = load_shapes(self.project)
        return self.graph

    def capped(self, plan: CheckPlan | None) -> list[str]:
        """The plain paths the shapes cap at ``sh:maxCount 1``."""
        if plan is not None:
            return plan.single_valued
        import rdflib
        from rdflib.namespace import SH

        shapes = self()
        return [
            str(path)
            for shape in shapes.subjects(SH.maxCount, rdflib.Literal(1))
            if isinstance(path := shapes.value(shape, SH.path), rdflib.URIRef)
        ]


def _imports(quads: Iterable[ox.Quad]) -> list[Finding]:
    """A warning for each owl:imports: what it points to is never fetched, read or validated."""
    return [
        Finding(
            "Warning",
            _text(q.subject),
            IMPORTS_CHECK,
            f"owl:imports {_short(q.object)} is never followed: only the statements in the contribution's "
            "own files are validated and added. Include the imported statements you need in the files.",
            value=_text(q.object),
        )
        for q in quads
        if q.predicate.value == OWL_IMPORTS
    ]


def triples_file(finding: Finding, triples: dict[ox.Triple, str]) -> str | None:
    """The contribution file holding the conflicting statement of a finding."""
    for triple, name in triples.items():
        if _text(triple.subject) == finding.focus and triple.predicate.value == finding.path:
            return name
    return None


def _graphs_of(parsed: list[tuple[Path, list[ox.Quad]]], ontology: list[ox.Quad]) -> set[str]:
    """The named graphs the contribution's files fill: the graphs a TriG or N-Quads file names,
    and for a triples-only file the one source it describes (as the build puts it)."""
    classes = source_classes_of(ontology)
    graphs: set[str] = set()
    for _path, quads in parsed:
        named = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        if named:
            graphs |= named
            continue
        sources = {
            q.subject.value
            for q in quads
            if q.predicate.value == RDF_TYPE
            and isinstance(q.object, ox.NamedNode)
            and q.object.value in classes
            and isinstance(q.subject, ox.NamedNode)
        }
        if len(sources) == 1:
            graphs |= sources
    return graphs


def same_value(a: ox.Term, b: ox.Term) -> bool:
    """Whether two RDF terms denote the same value: "207"^^xsd:integer is "207.0"^^xsd:decimal."""
    if a == b:
        return True
    if not (isinstance(a, ox.Literal) and isinstance(b, ox.Literal)):
        return False
    if a.datatype.value in NUMERIC_TYPES and b.datatype.value in NUMERIC_TYPES:
        try:
            return Decimal(a.value) == Decimal(b.value)
        except InvalidOperation:
            return False
    if a.datatype == b.datatype and a.datatype.value == XSD + "boolean":
        return (a.value.strip() in ("true", "1") and b.value.strip() in ("true", "1")) or (
            a.value.strip() in ("false", "0") and b.value.strip() in ("false", "0")
        )
    return a.datatype == b.datatype and a.language == b.language and a.value.strip() == b.value.strip()


def _conflicts(triples: dict[ox.Triple, str], existing: StoreView, single: set[str]) -> list[Finding]:
    """A second value for a single-valued property the existing graph already sets.

    Values are compared, not spellings; a value the graph already holds is never a
    conflict (re-checking a file already in the graph reports nothing against itself).
    """
    found: list[Finding] = []
    for triple in triples:
        if triple.predicate.value not in single or not isinstance(triple.subject, ox.NamedNode):
            continue
        present = [
            q
            for q in existing.store.quads_for_pattern(triple.subject, triple.predicate, None, None)
            if existing._keep(q)
        ]
        if any(same_value(q.object, triple.object) for q in present):
            continue
        for quad in present:
            graph = _short(quad.graph_name) if isinstance(quad.graph_name, ox.NamedNode) else "default graph"
            found.append(
                Finding(
                    "Violation",
                    triple.subject.value,
                    CONFLICT_CHECK,
                    f"Conflicts with existing data: {_short(triple.subject)} already has "
                    f"{_short(triple.predicate)} {_short(quad.object)} (graph {graph}) and this property "
                    f"takes one value; the contribution gives {_short(triple.object)}. Correct the existing "
                    "statement in its own file instead.",
                    path=triple.predicate.value,
                    value=_text(triple.object),
                )
            )
    return found


def _additions(triples: dict[ox.Triple, str], existing: StoreView) -> Additions:
    """New entities by class (typed subjects the graph does not know yet) and new statements."""
    entities: Counter[str] = Counter()
    new_statements = 0
    for triple in triples:
        present = any(
            existing._keep(q)
            for q in existing.store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
        )
        if present:
            continue
        new_statements += 1
        if (
            triple.predicate.value == RDF_TYPE
            and isinstance(triple.object, ox.NamedNode)
            and isinstance(triple.subject, ox.NamedNode | ox.BlankNode)
            and not existing.has_subject(triple.subject)
        ):
            entities[triple.object.value] += 1
    return Additions(
        entities=dict(sorted(entities.items())),
        statements=new_statements,
        already_present=len(triples) - new_statements,
    )
