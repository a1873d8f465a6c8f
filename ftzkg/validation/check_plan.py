"""The shapes compiled once into SPARQL queries, kept as JSON and run on a small store without rdflib.

A contribution check runs the project's shapes on a neighbourhood of a few hundred triples.
Reading the shapes into rdflib, compiling them (:mod:`.shacl_sparql`) and building a report
graph costs far more than running the queries (225 of them take about 20 ms there). A
:class:`CheckPlan` holds what the compilation yields: per check its query and what a result
says (shape, severity, constraint component, path, messages), per SHACL-SPARQL constraint its
focus query and SELECT, and the paths the shapes cap at one value. :func:`plan_for` reads it
from the persistent store's folder when its key still matches (shapes, ontology, compiler
code), else compiles it and writes it there. :meth:`CheckPlan.run` gives the findings the
``sparql`` engine's report would give (:func:`ftzkg.validation.report.findings_from_report`);
tests hold the two to the same results.

The plan is compiled with the ontology's class hierarchy (``sh:targetClass`` takes
subclasses): :meth:`CheckPlan.fits` says whether data keeps to that hierarchy (a
contribution that adds ``rdfs:subClassOf`` statements is checked by the engine instead).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .report import Finding, message_text
from .sparql_results import constraint_results, focus_nodes

if TYPE_CHECKING:
    import rdflib

#: Bumped when the plan's layout or meaning changes.
PLAN_FORMAT = 1
PLAN_FILE = "check-plan.json"
SH = "http://www.w3.org/ns/shacl#"
_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
#: The modules whose code decides what a plan holds: a change to them makes a new plan.
_COMPILER_MODULES = (
    "check_plan.py",
    "shacl_sparql.py",
    "sparql_terms.py",
    "sparql_shapes.py",
    "store_engine.py",
)


@dataclass
class PlannedCheck:
    """One query whose rows are results of one shape (see :class:`.shacl_sparql.Check`)."""

    query: str
    shape: str
    severity: str
    component: str
    components: list[str] = field(default_factory=list)
    #: the result path when the shapes give an IRI; ``path_from_row``: the query's ``?path`` gives it
    path: str | None = None
    path_from_row: bool = False
    messages: list[str] = field(default_factory=list)


@dataclass
class PlannedConstraint:
    """A SHACL-SPARQL constraint: its SELECT, run once per focus node with ``$this`` bound."""

    query: str
    #: the constraint's messages not among the shape's, then the shape's (as pySHACL lists them)
    messages: list[str] = field(default_factory=list)


@dataclass
class PlannedSparqlShape:
    shape: str
    severity: str
    focus_query: str
    constraints: list[PlannedConstraint] = field(default_factory=list)


@dataclass
class CheckPlan:
    """The compiled shapes: what a neighbourhood is checked with, and the key they were made for."""

    key: str
    checks: list[PlannedCheck] = field(default_factory=list)
    sparql: list[PlannedSparqlShape] = field(default_factory=list)
    #: plain paths some shape caps at ``sh:maxCount 1``
    single_valued: list[str] = field(default_factory=list)
    #: the ``rdfs:subClassOf`` statements the plan was compiled with, as N-Triples lines
    subclass_axioms: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"format": PLAN_FORMAT, **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CheckPlan:
        """The plan written by :meth:`to_json`; ``ValueError`` for anything else."""
        try:
            data = json.loads(text)
            if data.pop("format") != PLAN_FORMAT:
                raise ValueError("another plan format")
            return cls(
                key=data["key"],
                checks=[PlannedCheck(**c) for c in data["checks"]],
                sparql=[
                    PlannedSparqlShape(
                        **{**s, "constraints": [PlannedConstraint(**c) for c in s["constraints"]]}
                    )
                    for s in data["sparql"]
                ],
                single_valued=list(data["single_valued"]),
                subclass_axioms=list(data["subclass_axioms"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a check plan: {exc}") from None

    def fits(self, store: ox.Store) -> bool:
        """Whether the store's class hierarchy is the one the plan was compiled with."""
        subclass = ox.NamedNode(_SUBCLASS_OF)
        found = {
            _nt(ox.Triple(q.subject, q.predicate, q.object))
            for q in store.quads_for_pattern(None, subclass, None)
        }
        return found == set(self.subclass_axioms)

    def run(self, store: ox.Store) -> list[Finding]:
        """The findings of every check on the store's default graph."""
        findings: list[Finding] = []
        for check in self.checks:
            for row in _select(store, check.query):
                component = check.components[int(row["k"].value)] if check.components else check.component
                value = row["value"]
                path = check.path
                if check.path_from_row and isinstance(row["path"], ox.NamedNode):
                    path = row["path"].value
                findings.append(
                    Finding(
                        severity=check.severity,
                        focus=_text(row["focus"]),
                        shape=check.shape,
                        message=message_text(check.messages or [generic_message(component)]),
                        path=path,
                        value=None if value is None else _text(value),
                    )
                )
        for shape in self.sparql:
            findings.extend(_sparql_findings(store, shape))
        return findings


def _sparql_findings(store: ox.Store, shape: PlannedSparqlShape) -> Iterable[Finding]:
    """The findings of a SHACL-SPARQL shape (:mod:`.sparql_results`, as the engines report them)."""
    focus = focus_nodes(store, [shape.focus_query])
    for constraint in shape.constraints:
        for found in constraint_results(store, constraint.query, focus, constraint.messages):
            yield Finding(
                severity=shape.severity,
                focus=_text(found.focus if found.this is None else found.this),
                shape=shape.shape,
                message=message_text(found.messages),
                path=found.path.value if isinstance(found.path, ox.NamedNode) else None,
                value=_text(found.value),
            )


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    answer = store.query(query)
    if not isinstance(answer, ox.QuerySolutions):  # a plan holds SELECT queries only
        raise ValueError(f"a check query did not select: {query[:80]}")
    return answer


def generic_message(component: str) -> str:
    """pySHACL's message for a result of a shape that gives none."""
    name = component.removeprefix(SH).removesuffix("ConstraintComponent")
    return f"Value does not satisfy the sh:{name[0].lower() + name[1:]} constraint"


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _nt(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    return str(term)


# ---------------------------------------------------------------- making and keeping plans


def plan_key(shapes_file: Path, ontology_files: Iterable[Path]) -> str:
    """What a plan depends on: the shapes, the ontology and the code that compiles them."""
    digest = hashlib.sha256(f"check plan {PLAN_FORMAT}".encode())
    here = Path(__file__).parent
    for path in [shapes_file, *ontology_files]:
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    for path in (here / m for m in _COMPILER_MODULES):
        digest.update(path.name.encode("utf-8") + b"\0")
        with contextlib.suppress(OSError):  # an install without sources: the plan format alone
            digest.update(path.read_bytes())
    return digest.hexdigest()


def compile_plan(shapes: rdflib.Graph, ontology: Iterable[ox.Quad], key: str) -> CheckPlan | None:
    """The plan of ``shapes`` with the ontology's class hierarchy; ``None`` when a shape
    cannot be compiled to SPARQL (then only an engine can check it)."""
    import rdflib
    from rdflib.namespace import SH as SHNS

    from . import sparql_shapes
    from .store_engine import compile_shapes

    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in ontology)
    compiled, fallback = compile_shapes(shapes, store, {})
    if fallback:
        return None

    def messages_of(node: rdflib.term.Node) -> list[rdflib.Literal]:
        return [m for m in shapes.objects(node, SHNS.message) if isinstance(m, rdflib.Literal)]

    def severity_of(node: rdflib.term.Node) -> str:
        return str(shapes.value(node, SHNS.severity) or SHNS.Violation).removeprefix(SH)

    plan = CheckPlan(key=key)
    for shape in compiled:
        for check in shape.checks:
            plan.checks.append(
                PlannedCheck(
                    query=check.query,
                    shape=_rdflib_text(check.shape),
                    severity=severity_of(check.shape),
                    component=str(check.component),
                    components=[str(c) for c in check.components],
                    path=str(check.path) if isinstance(check.path, rdflib.URIRef) else None,
                    path_from_row=check.path is None,
                    messages=[str(m) for m in messages_of(check.shape)],
                )
            )
        constraints = []
        for node in shape.sparql:
            select = shapes.value(node, SHNS.select)
            if select is None or sparql_shapes._UNSUPPORTED_VARIABLES.search(str(select)):
                return None
            own = messages_of(shape.node)
            messages = [m for m in messages_of(node) if m not in own] + own
            constraints.append(
                PlannedConstraint(
                    query=sparql_shapes._prefixes(shapes, node) + str(select),
                    messages=[str(m) for m in messages],
                )
            )
        if constraints:
            plan.sparql.append(
                PlannedSparqlShape(
                    _rdflib_text(shape.node), severity_of(shape.node), shape.focus_query, constraints
                )
            )
    plan.single_valued = sorted(
        str(path)
        for shape in shapes.subjects(SHNS.maxCount, rdflib.Literal(1))
        if isinstance(path := shapes.value(shape, SHNS.path), rdflib.URIRef)
    )
    subclass = ox.NamedNode(_SUBCLASS_OF)
    plan.subclass_axioms = sorted(
        {
            _nt(ox.Triple(q.subject, q.predicate, q.object))
            for q in store.quads_for_pattern(None, subclass, None)
        }
    )
    return plan


def _rdflib_text(node: rdflib.term.Node) -> str:
    import rdflib

    return f"_:{node}" if isinstance(node, rdflib.BNode) else str(node)


def plan_for(
    shapes_file: Path,
    ontology_files: list[Path],
    ontology: list[ox.Quad],
    cache_dir: Path | None,
) -> CheckPlan | None:
    """The plan for these shapes and ontology: read from ``cache_dir`` when its key matches,
    else compiled (and written there, atomically; a folder that cannot be written is skipped)."""
    key = plan_key(shapes_file, ontology_files)
    cached = cache_dir / PLAN_FILE if cache_dir is not None else None
    if cached is not None:
        with contextlib.suppress(OSError, ValueError):
            plan = CheckPlan.from_json(cached.read_text(encoding="utf-8"))
            if plan.key == key:
                return plan
    from .shape_runs import load_shapes_file

    made = compile_plan(load_shapes_file(shapes_file), ontology, key)
    if made is not None and cached is not None and cached.parent.is_dir():
        partial = cached.with_name(f".{PLAN_FILE}.{os.getpid()}")
        with contextlib.suppress(OSError):
            partial.write_text(made.to_json(), encoding="utf-8")
            os.replace(partial, cached)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return made
