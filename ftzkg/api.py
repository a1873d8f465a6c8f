"""The Python front door: open a project's knowledge graph, ask it questions, validate, build.

Everything it needs is passed in (or defaults when called, never at import):

>>> import ftzkg
>>> with ftzkg.open() as kg:  # the shipped Kashgar project, its persistent store kept current
...     answer = kg.query("SELECT (COUNT(?firm) AS ?n) WHERE { ?firm a ftz:Enterprise }")
...     int(answer.rows[0]["n"].value) > 0
True

A catalogue query by name, with parameters written as on the command line:

>>> with ftzkg.open() as kg:
...     answer = kg.query("firms-reaching-region", region="region:143")
...     answer.variables[:2]
['firm', 'market']

Validation of the whole graph, and of a contribution given as Turtle text:

>>> with ftzkg.open() as kg:
...     kg.validate().conforms
...     report = kg.validate_contribution('''
...         @prefix ftz: <https://w3id.org/ftzkg/ontology#> .
...         <https://w3id.org/ftzkg/id/source/doc-example> a ftz:Source .
...         <https://w3id.org/ftzkg/id/firm/doc-example> a ftz:Enterprise .
...     ''')
...     report.conforms, report.files
True
(False, ['<text>'])

``ftzkg.open(path)`` opens another project folder (one made by ``ftzkg init``);
``persistent=False`` parses the sources into memory and writes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .input_limits import DEFAULT_LIMITS, Limits
from .knowledge_graph import KnowledgeGraph, Stats
from .parsing import RdfInputError
from .project import Project
from .project_store import OpenStore, ProjectStore, UpdateReport
from .validation.engine_names import CONTRIBUTION_ENGINE, WHOLE_GRAPH_ENGINE

if TYPE_CHECKING:
    from .release import Release
    from .site import SiteSummary
    from .validation.report import ValidationReport
    from .validation.source_locator import Locations

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: What :meth:`ProjectGraph.validate_contribution` takes: file paths, RDF text, or quads/triples.
Contribution = Path | str | Sequence[Path | str] | Iterable[ox.Quad | ox.Triple]


@dataclass
class Answer:
    """What a query returned. SELECT: ``variables`` and ``rows`` (one dict per solution, unbound
    variables as ``None``); ASK: ``boolean``; CONSTRUCT and DESCRIBE: ``triples``."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    def column(self, name: str) -> list[str | None]:
        """The plain values (IRI, literal text) of one variable, row by row."""
        return [
            None if row.get(name) is None else getattr(row[name], "value", str(row[name]))
            for row in self.rows
        ]


class ProjectGraph:
    """A project's knowledge graph, opened for reading (see :func:`open`).

    With ``persistent`` (the default) it reads the project's persistent store
    (:mod:`ftzkg.project_store`), brought up to date when opened, and holds the
    store's shared lock until :meth:`close` (or the end of a ``with`` block): the
    graph it answers from does not change under it. :meth:`refresh` picks up
    edits made since.
    """

    def __init__(self, project: Project, persistent: bool = True, state_dir: Path | None = None):
        self.project = project
        self.persistent = persistent
        self.store = ProjectStore(project, state_dir) if persistent else None
        self._opened: OpenStore | None = None
        self._memory: KnowledgeGraph | None = None
        self._stack = contextlib.ExitStack()
        #: What the last update of the persistent store did (``None`` in memory).
        self.last_update: UpdateReport | None = None

    # ------------------------------------------------------------ opening

    def _open(self) -> None:
        if self._opened is not None or self._memory is not None:
            return
        if self.store is None:
            self._memory = KnowledgeGraph.load(project_=self.project)
            return
        self.last_update = self.store.update() if self.store.stale() else UpdateReport()
        self._opened = self._stack.enter_context(self.store.open(update=False))

    @property
    def kg(self) -> KnowledgeGraph:
        """The underlying :class:`~ftzkg.knowledge_graph.KnowledgeGraph` (Oxigraph store)."""
        self._open()
        if self._opened is not None:
            return self._opened.kg
        assert self._memory is not None
        return self._memory

    @property
    def _index(self) -> Locations | None:
        self._open()
        return self._opened.index if self._opened is not None else None

    def close(self) -> None:
        """Let go of the store (and its lock)."""
        self._stack.close()
        self._stack = contextlib.ExitStack()
        self._opened = None
        self._memory = None

    def refresh(self) -> UpdateReport | None:
        """Reopen, bringing the store up to date with the files; returns what was updated."""
        self.close()
        self._open()
        return self.last_update

    def __enter__(self) -> ProjectGraph:
        self._open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------ asking

    def query(self, name_or_text: str, *, allow_federation: bool = False, **params: str) -> Answer:
        """Run a catalogue query (by name, e.g. ``"trade-links"``) or SPARQL text.

        ``params`` bind the query's parameters, written as on the command line
        (``region="region:143"``); they are bound as typed RDF terms, never pasted.
        The default graph is the union of all named graphs. Raises
        :class:`ftzkg.catalogue.CatalogueError` for an unknown name and
        :class:`ftzkg.querying.QueryError` for a bad query or parameter.
        """
        from .catalogue import find_query, parse_query_text
        from .querying import EmbeddedBackend, execute

        if any(c.isspace() for c in name_or_text.strip()):
            entry = parse_query_text(name_or_text, "query")
        else:
            entry = find_query(name_or_text, self.project.queries_dir, trusted=self.project.queries_dir)
        result = execute(
            EmbeddedBackend(self.kg.store),
            entry.text,
            query=entry,
            params=params,
            allow_federation=allow_federation,
            where=str(entry.path) if entry.path else entry.name,
        )
        if result.solutions is not None:
            variables = [v.value for v in result.solutions.variables]
            rows = [{name: solution[name] for name in variables} for solution in result.solutions]
            return Answer(result.form, variables, rows)
        return Answer(result.form, boolean=result.boolean, triples=result.triples)

    def stats(self) -> Stats:
        """Triples in all and per named graph, instances per class (cached with the store)."""
        self._open()
        return self._opened.stats() if self._opened is not None else self.kg.stats()

    # ------------------------------------------------------------ validating

    def validate(self, engine: str = WHOLE_GRAPH_ENGINE) -> ValidationReport:
        """Validate every data graph with the project's shapes and for vocabulary conformance.

        The default engine runs the shapes as SPARQL queries on the graph's store
        (:mod:`ftzkg.validation.store_engine`); ``pyshacl``, ``turbo`` and ``hybrid`` remain."""
        from .validation.whole_graph import validate_knowledge_graph

        return validate_knowledge_graph(self.kg, engine=engine, project_=self.project, index=self._index)

    def validate_contribution(
        self,
        contribution: Contribution,
        *,
        format: str = "turtle",
        engine: str = CONTRIBUTION_ENGINE,
        limits: Limits = DEFAULT_LIMITS,
    ) -> ValidationReport:
        """Check new data in the context of the graph: only problems it introduces or touches.

        ``contribution`` is a file path or a list of them, RDF text (a ``str`` that is
        not the path of a file; ``format`` says which: turtle, trig, nt, nq, jsonld,
        xml), or an iterable of pyoxigraph quads or triples. ``limits`` bounds what is
        read (:class:`ftzkg.input_limits.Limits`). Raises :class:`ftzkg.parsing.RdfInputError`
        for input that cannot be used at all or is above a limit.
        """
        from .validation.contribution import validate_contribution

        def check(paths: list[Path]) -> ValidationReport:
            plan_dir = (
                self.store.dir if self.store is not None else None
            )  # the compiled shapes are kept there
            return validate_contribution(
                paths,
                self.kg,
                engine=engine,
                limits=limits,
                project_=self.project,
                index=self._index,
                plan_dir=plan_dir,
            )

        if isinstance(contribution, Path) or (isinstance(contribution, str) and _is_file(contribution)):
            return check([Path(contribution)])
        if isinstance(contribution, str):
            return self._check_written(check, contribution.encode("utf-8"), _suffix(format), "<text>")
        items = list(contribution)
        if all(isinstance(i, Path | str) for i in items):
            return check([Path(i) for i in items])  # type: ignore[arg-type]  # checked just above
        quads = [ox.Quad(i.subject, i.predicate, i.object) if isinstance(i, ox.Triple) else i for i in items]
        data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)  # type: ignore[arg-type]  # quads only now
        # no named graph: triples only, checked as a Turtle file is (it describes its one source)
        triples_only = all(isinstance(q, ox.Quad) and q.graph_name == ox.DefaultGraph() for q in quads)
        return self._check_written(check, data or b"", ".nt" if triples_only else ".nq", "<quads>")

    @staticmethod
    def _check_written(check: object, data: bytes, suffix: str, label: str) -> ValidationReport:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="ftzkg-contribution-") as folder:
            path = Path(folder) / f"contribution{suffix}"
            path.write_bytes(data)
            try:
                report: ValidationReport = check([path])  # type: ignore[operator]  # a local function
            except RdfInputError as exc:  # named as the caller knows it
                raise RdfInputError(label, exc.message, exc.line, exc.column) from None
        name = str(path)
        report.files = [label if f == name else f for f in report.files]
        report.findings = [replace(f, file=label) if f.file == name else f for f in report.findings]
        return report

    # ------------------------------------------------------------ writing

    def build(self, out: Path | str) -> Release:
        """Write the release (TriG, N-Quads, Turtle, JSON-LD, VoID, SHA256SUMS) into ``out``;
        returns the :class:`ftzkg.release.Release`."""
        import tempfile

        from .release import build_release
        from .release_parts import write_file_parts

        kg = self.kg
        if self._opened is not None and self.store is not None:  # the parts the store wrote
            self._compile_check_plan()
            return build_release(
                Path(out),
                kg,
                parts=self._opened.parts,
                parts_dir=self.store.parts_dir,
                by_graph=self._opened.graph_properties(),
            )
        with tempfile.TemporaryDirectory() as folder:  # in memory: the parts written for this build
            parts = [
                write_file_parts(s.path, self.project.display(s.path), s.graph, Path(folder))
                for s in self.project.all_files()
            ]
            return build_release(Path(out), kg, parts=parts, parts_dir=Path(folder))

    def _compile_check_plan(self) -> None:
        """Compile the shapes for contribution checks now, unless the store's plan is current:
        the first check after a build then starts as fast as the next ones."""
        from .namespaces import ONTOLOGY_GRAPH
        from .validation.check_plan import plan_for

        if self.store is None:
            return
        ontology_files = [s.path for s in self.project.ontology_files()]
        plan_for(self.project.shapes_file, ontology_files, self.kg.quads([ONTOLOGY_GRAPH]), self.store.dir)

    def site(self, out: Path | str) -> SiteSummary:
        """Write the static website into ``out``; returns the :class:`ftzkg.site.build.SiteSummary`."""
        from .site import build_site

        return build_site(self.kg, out, queries_dir=self.project.queries_dir)


_SUFFIXES = {"turtle": ".ttl", "ttl": ".ttl", "trig": ".trig", "nt": ".nt", "ntriples": ".nt", "nq": ".nq"}
_SUFFIXES.update(
    {"nquads": ".nq", "jsonld": ".jsonld", "json-ld": ".jsonld", "xml": ".rdf", "rdfxml": ".rdf"}
)


def _suffix(fmt: str) -> str:
    try:
        return _SUFFIXES[fmt.lower()]
    except KeyError:
        raise ValueError(
            f"unknown RDF format {fmt!r}; expected one of {', '.join(sorted(_SUFFIXES))}"
        ) from None


def _is_file(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    try:
        return Path(text).is_file()
    except OSError:
        return False


def open(
    path: Path | str | None = None, *, persistent: bool = True, state_dir: Path | str | None = None
) -> ProjectGraph:
    """Open the knowledge graph of the project folder ``path``.

    Without ``path``: the folder named by ``FTZKG_PROJECT``, else the Kashgar project
    shipped with the package. ``persistent=False`` parses the sources into memory
    (nothing written); ``state_dir`` puts the persistent store elsewhere than the
    project's ``.ftzkg/``. Raises :class:`ftzkg.project.ProjectError` for a folder
    that is not a project.
    """
    project = Project.default() if path is None else Project.at(path)
    return ProjectGraph(project, persistent, Path(state_dir) if state_dir is not None else None)
