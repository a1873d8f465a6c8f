"""The SHACL engines validation can run on, behind one function.

Every engine returns pySHACL's contract: whether the data conforms and the
SHACL validation report as an rdflib graph.

- ``pyshacl``: plain pySHACL on an in-memory rdflib graph, the reference.
- ``turbo``: pyshacl-turbo, the same pySHACL API over a Rust engine. Its
  reports are tested to hold exactly the results pySHACL's hold
  (tests/test_shacl_engines.py: project data, synthetic data with injected
  violations, the tests/shapes examples). It is NOT the default: it is faster
  on small graphs, but its SPARQL engine runs the project's SHACL-SPARQL shapes
  (sh:SPARQLTarget) in rdflib's SPARQL engine, per focus node.
- ``hybrid`` (the default): the SHACL-SPARQL shapes (SPARQL targets and
  sh:sparql constraints) on an Oxigraph store, the core shapes on
  pyshacl-turbo (pySHACL when it is not installed); see
  :mod:`ftzkg.sparql_shapes`. Tested like ``turbo`` to report exactly what
  pySHACL reports; falls back to the core engine alone wherever the split
  could change a result.

The data may be an rdflib graph or :class:`NTriples` text (for instance from
:func:`ntriples_of`): the latter skips building an rdflib graph of a large
store, which at a million triples costs more than validating it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from .engine_names import DEFAULT_ENGINE, ENGINES

__all__ = ["DEFAULT_ENGINE", "ENGINES", "NTriples", "ntriples_of", "result_keys", "run_shacl"]


@dataclass(frozen=True)
class NTriples:
    """Data already serialized as N-Triples (plain strings written plain, as N-Triples does)."""

    text: str

    def graph(self) -> rdflib.Graph:
        """The same triples as an rdflib graph."""
        return rdflib.Graph().parse(data=self.text, format="nt")


def ntriples_of(quads: Iterable[ox.Quad]) -> NTriples:
    """The union of the quads' triples as N-Triples text.

    Going through text matters: Oxigraph hands a plain literal back as
    "x"^^xsd:string, which rdflib-based engines then fail against ``sh:in ("x")``;
    N-Triples writes it plain again.
    """
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    return NTriples(data.decode("utf-8"))


def available_engines() -> list[str]:
    """The engines whose package is installed here."""
    found = ["pyshacl"]
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return found
    return [*found, "turbo"]


def run_shacl(
    data: rdflib.Graph | NTriples,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph | None = None,
    engine: str = DEFAULT_ENGINE,
) -> tuple[bool, rdflib.Graph]:
    """Validate ``data`` against ``shapes`` (with ``ontology`` for class hierarchy).

    Never reads shapes from ``data``.
    """
    options = {"inference": "none", "advanced": True, "allow_warnings": True}
    if engine == "pyshacl":
        import pyshacl

        from .rdflib_patch import literal_message_values

        graph = data.graph() if isinstance(data, NTriples) else data
        with literal_message_values():
            conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=ontology, **options)
        return bool(conforms), report
    if engine == "turbo":
        try:
            import pyshacl_turbo
        except ImportError:
            raise ValueError(
                "the turbo SHACL engine needs pyshacl-turbo: pip install pyshacl-turbo"
            ) from None
        if isinstance(data, NTriples):
            from pyshacl_turbo.rdf import Input

            # An Input keeps the data in the native engine: given plain text and an ontology,
            # pyshacl-turbo would decode the mixed graph back into rdflib first.
            source = Input(data.text, "nt", None, {}, {})
            conforms, report, _ = pyshacl_turbo.validate(
                source, shacl_graph=shapes, ont_graph=ontology, **options
            )
        else:
            conforms, report, _ = pyshacl_turbo.validate(
                data, shacl_graph=shapes, ont_graph=ontology, **options
            )
        if not isinstance(report, rdflib.Graph):
            raise RuntimeError(f"pyshacl-turbo could not validate: {report}")
        return bool(conforms), report
    if engine == "hybrid":
        return _run_hybrid(data, shapes, ontology, options)
    if engine == "sparql":
        return _run_sparql(data, shapes, ontology)
    raise ValueError(f"unknown SHACL engine {engine!r}; expected one of {', '.join(ENGINES)}")


def _run_sparql(
    data: rdflib.Graph | NTriples, shapes: rdflib.Graph, ontology: rdflib.Graph | None
) -> tuple[bool, rdflib.Graph]:
    """The shapes compiled to SPARQL (:mod:`.store_engine`) on an in-memory Oxigraph store of the data.

    Literals come back as the data spell them (Oxigraph keeps ``"08"^^xsd:integer`` as ``"8"``).
    """
    from .sparql_shapes import to_rdflib_term as sparql_shapes_term
    from .store_engine import fallback_shapes, merge_fallback, validate_store

    text = data.text if isinstance(data, NTriples) else data.serialize(format="nt")
    inputs = [text.encode("utf-8")]
    if ontology is not None:
        inputs.append(ontology.serialize(format="nt", encoding="utf-8"))
    store = _store_keeping_labels(inputs)
    spelling: dict[ox.Literal, rdflib.Literal] = {}
    stored = {q.object for q in store if isinstance(q.object, ox.Literal)}
    probe = ox.Store()
    anchor = ox.NamedNode("urn:x-ftzkg:probe")
    for block in inputs:
        for triple in ox.parse(block, format=ox.RdfFormat.N_TRIPLES):
            if isinstance(triple.object, ox.Literal) and triple.object not in stored:
                probe.add(ox.Quad(anchor, anchor, triple.object))
                spelling[next(iter(probe)).object] = sparql_shapes_term(triple.object)
                probe.clear()
    outcome = validate_store(store, shapes, spelling=spelling)
    del store
    if outcome.fallback:
        fallback = fallback_shapes(shapes, outcome.fallback)
        return merge_fallback(outcome, run_shacl(data, fallback, ontology, "hybrid"))
    return outcome.conforms, outcome.report


def _store_keeping_labels(blocks: Iterable[bytes]) -> ox.Store:
    """An in-memory store of N-Triples blocks whose blank nodes keep the labels of the text.

    ``Store.load`` and ``bulk_load`` give every blank node a fresh label: the focus nodes the
    SPARQL shapes report would then name nodes the data and the core engine's report do not
    hold, and a violation on a blank node would be lost when the two reports are joined.
    """
    store = ox.Store()
    for block in blocks:
        store.bulk_extend(ox.parse(block, format=ox.RdfFormat.N_QUADS))
    return store


def _core_engine() -> str:
    return "turbo" if "turbo" in available_engines() else "pyshacl"


def _run_hybrid(
    data: rdflib.Graph | NTriples, shapes: rdflib.Graph, ontology: rdflib.Graph | None, options: dict
) -> tuple[bool, rdflib.Graph]:
    """SHACL-SPARQL shapes on Oxigraph (:mod:`ftzkg.sparql_shapes`), the rest on the core engine.

    Falls back to the core engine alone where the split could change a result:
    data that Oxigraph would store in another form than rdflib reads it (see
    :func:`ftzkg.sparql_shapes.is_canonical`) or blank-node focus nodes of a shape
    that also has core constraints.
    """
    from . import sparql_shapes

    core_engine = _core_engine()
    evaluated = sparql_shapes.sparql_shapes(shapes)
    if not evaluated:
        return run_shacl(data, shapes, ontology, core_engine)
    text = data.text if isinstance(data, NTriples) else data.serialize(format="nt")
    # Loaded and compared by Oxigraph's parser straight from the bytes: no Python object per triple.
    inputs = [text.encode("utf-8")]
    if ontology is not None:
        inputs.append(ontology.serialize(format="nt", encoding="utf-8"))
    store = _store_keeping_labels(inputs)
    parsed = itertools.chain.from_iterable(ox.parse(b, format=ox.RdfFormat.N_TRIPLES) for b in inputs)
    if not sparql_shapes.is_canonical(parsed, store):
        return run_shacl(data, shapes, ontology, core_engine)
    del inputs, parsed
    evaluation = sparql_shapes.evaluate(store, evaluated)
    del store
    if any(
        isinstance(node, rdflib.BNode)
        for shape in evaluated
        if shape.has_core
        for node in evaluation.targets[shape.node]
    ):
        return run_shacl(data, shapes, ontology, core_engine)
    core = sparql_shapes.core_shapes(shapes, evaluated, evaluation)
    core_data = NTriples(text) if core_engine == "turbo" else data
    conforms, report = run_shacl(core_data, core, ontology, core_engine)
    if not isinstance(report, rdflib.Graph):
        return conforms, report
    no_violation = sparql_shapes.add_results(report, shapes, evaluation)
    if options.get("allow_warnings"):
        conforms = conforms and no_violation
    else:
        conforms = conforms and not evaluation.results
    report_node = report.value(None, RDF.type, SH.ValidationReport, any=True)
    report.set((report_node, SH.conforms, rdflib.Literal(conforms)))
    return conforms, report


#: One validation result, engine-independent: focus node, path, constraint component,
#: value, severity and source shape (``None`` for a path or shape that is a blank node).
ResultKey = tuple[
    rdflib.term.Node | None,
    rdflib.term.Node | None,
    rdflib.term.Node | None,
    rdflib.term.Node | None,
    rdflib.term.Node | None,
    rdflib.term.Node | None,
]


def result_keys(report: rdflib.Graph) -> set[ResultKey]:
    """The results of a validation report, comparable between engines.

    Blank-node paths and shapes are identified by what they say (the path's
    list, the shape's sh:path) since their labels differ between engines.
    """
    keys: set[ResultKey] = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        shape = report.value(result, SH.sourceShape)
        keys.add(
            (
                report.value(result, SH.focusNode),
                _describe(report, path),
                report.value(result, SH.sourceConstraintComponent),
                report.value(result, SH.value),
                report.value(result, SH.resultSeverity),
                shape if isinstance(shape, rdflib.URIRef) else None,
            )
        )
    return keys


def _describe(graph: rdflib.Graph, node: rdflib.term.Node | None) -> rdflib.term.Node | None:
    """An IRI as is; a blank-node path as a literal of its triples (sorted), so engines compare."""
    if not isinstance(node, rdflib.BNode):
        return node
    parts = sorted(f"{p.n3()} {_describe(graph, o)}" for p, o in graph.predicate_objects(node))
    return rdflib.Literal("[" + "; ".join(parts) + "]")
