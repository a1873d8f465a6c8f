"""SHACL-SPARQL constraints run on an Oxigraph store by pySHACL's rules, without rdflib.

The one implementation of what a ``sh:sparql`` SELECT constraint reports, used by the
``hybrid`` and ``sparql`` engines (:func:`.sparql_shapes.evaluate`, which turns the results
into a SHACL report) and by a contribution check's compiled plan
(:meth:`.check_plan.CheckPlan.run`, which turns them into findings; it loads no RDF library,
so neither does this module).

The rules are pySHACL's (``_validate_sparql_query`` and ``_evaluate_sparql_constraint``):

- the focus nodes are the target queries' ``?this``, each once, in the order first found;
- the constraint runs once per focus node with ``$this`` pre-bound (Oxigraph's substitution,
  SEP-0007, the pre-binding SHACL-SPARQL asks for);
- a row binding ``?failure`` is a failure result (one per focus node at most): its value is
  the focus node and its messages take every other variable of the row;
- any other row is a result once per distinct ``(?this, ?path, ?value, the other variables)``;
  its value is ``?value``, else the focus node; its messages take the other variables, then
  ``this`` (when bound), ``path`` (when bound) and ``value``;
- ``{?var}`` and ``{$var}`` in a message are replaced as pySHACL's
  ``_format_sparql_based_result_message`` does (:func:`format_message`).

Two things depend on who reads the results, and are parameters: which terms count as the
same (``same``; pySHACL compares rdflib terms, which spell some literals alike that Oxigraph
keeps apart, such as ``"AB"`` and ``"ab"`` as ``xsd:hexBinary``) and how a term is written
into a message (``text``; rdflib writes ``"1"^^xsd:double`` as ``1.0``). Both default to the
terms as Oxigraph gives them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_THIS = ox.Variable("this")


def lexical(term: Term) -> str:
    """A term as a message writes it: an IRI, a blank node's label, a literal's lexical form."""
    return str(term) if isinstance(term, ox.Triple) else term.value


def _itself(term: Term) -> Hashable:
    return term


@dataclass
class SparqlResult:
    """One result of a SHACL-SPARQL constraint on one focus node."""

    #: the focus node the constraint ran on (``$this``)
    focus: Term
    #: the row's ``?this``; ``None`` when it binds none, and for a failure
    this: Term | None
    #: the row's ``?path``; ``None`` when it binds none, and for a failure
    path: Term | None
    #: the row's ``?value``, else the focus node
    value: Term
    #: the variables the messages were formatted with
    bound: dict[str, Term]
    #: the messages given, formatted with ``bound``
    messages: list[str]
    #: whether the row bound ``?failure``
    failure: bool = False


def focus_nodes(
    store: ox.Store,
    queries: Iterable[str],
    same: Callable[[Term], Hashable] = _itself,
    **options: Any,
) -> list[Term]:
    """The ``?this`` of the target queries, each once (by ``same``), in the order first found.

    ``options`` go to every query (for instance ``default_graph``).
    """
    focus: dict[Hashable, Term] = {}
    for query in queries:
        for solution in _select(store, query, None, options):
            this = solution["this"]
            if this is not None:
                focus.setdefault(same(this), this)
    return list(focus.values())


def constraint_results(
    store: ox.Store,
    query: str,
    focus: Iterable[Term],
    messages: Sequence[str],
    *,
    same: Callable[[Term], Hashable] = _itself,
    text: Callable[[Term], str] = lexical,
    **options: Any,
) -> Iterator[SparqlResult]:
    """The results of a constraint's SELECT on each focus node, with ``messages`` formatted.

    Rows are told apart by ``same`` and variables written into messages by ``text``;
    ``options`` go to every query (for instance ``default_graph``).
    """
    for node in focus:
        answer = _select(store, query, {_THIS: node}, options)
        names = [v.value for v in answer.variables]
        seen: list[tuple[Any, ...]] = []
        for solution in answer:
            rest = {n: term for n in names if (term := solution[n]) is not None}
            if rest.pop("failure", None) is not None:
                if any(key[0] is True for key in seen):
                    continue
                seen.append((True,))
                this, path, value, bound, failure = None, None, node, dict(rest), True
            else:
                this, path = rest.pop("this", None), rest.pop("path", None)
                row_value = rest.pop("value", None)
                key = (
                    None if this is None else same(this),
                    None if path is None else same(path),
                    None if row_value is None else same(row_value),
                    {n: same(t) for n, t in rest.items()},
                )
                if key in seen:
                    continue
                seen.append(key)
                value = node if row_value is None else row_value
                bound = dict(rest)
                if this is not None:
                    bound["this"] = this
                if path is not None:
                    bound["path"] = path
                bound["value"] = value
                failure = False
            texts = {name: text(term) for name, term in bound.items()}
            yield SparqlResult(
                focus=node,
                this=this,
                path=path,
                value=value,
                bound=bound,
                messages=[format_message(m, texts) for m in messages],
                failure=failure,
            )


def format_message(message: str, bound: dict[str, str]) -> str:
    """pySHACL's _format_sparql_based_result_message: ``{?var}`` and ``{$var}`` replaced in turn,
    each value as written (pySHACL's ``re.sub`` reads a backslash in it as an escape: a contributed
    literal ``99\\1`` crashed it; see :func:`.rdflib_patch.literal_message_values`)."""
    for var, val in bound.items():
        message = re.sub("{{[?$]{}}}".format(var), val.replace("\\", "\\\\"), message)  # noqa: UP032 (pySHACL's own code)
    return message


def _select(
    store: ox.Store, query: str, substitutions: dict[ox.Variable, Term] | None, options: dict[str, Any]
) -> ox.QuerySolutions:
    answer = store.query(query, substitutions=substitutions, **options)
    if not isinstance(answer, ox.QuerySolutions):  # sh:select and SPARQL targets are SELECT queries
        raise ValueError(f"a SHACL-SPARQL query did not select: {query[:80]}")
    return answer
