"""PATCH: the one place ftzkg changes rdflib (and pySHACL) while it runs.

:func:`translated_sparql_cache` swaps rdflib's SPARQL parse and translation
(``rdflib.plugins.sparql.processor.parseQuery`` / ``translateQuery``) for a cached
one while a SHACL engine runs, and puts rdflib's own back when its ``with`` block
ends; :func:`undo` puts them back by hand (after an interrupted run, or to be sure)
and empties the cache. :func:`quiet_literal_conversion` raises rdflib's
``rdflib.term`` logger to CRITICAL, likewise only inside its ``with`` block.
:func:`literal_message_values` makes pySHACL write a SHACL-SPARQL result's values into
its message as they are, inside its ``with`` block.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


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


@contextlib.contextmanager
def literal_message_values() -> Iterator[None]:
    """pySHACL writes the variables of a SHACL-SPARQL result into its ``sh:message`` with
    ``re.sub``, which reads a backslash in a value as an escape: a contributed literal such as
    ``99\\1`` stopped the validation with "invalid group reference", and ``\\g<0>`` rewrote the
    message. Inside this block each value goes in as written (as
    :func:`.sparql_results.format_message` does for ftzkg's own engines)."""
    from pyshacl.constraints.constraint_component import ConstraintComponent

    original = ConstraintComponent._format_sparql_based_result_message

    def as_written(self: object, msg: object, bound_vars: object) -> object:
        return original(self, msg, _escaped(bound_vars))  # type: ignore[arg-type]

    ConstraintComponent._format_sparql_based_result_message = as_written  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        ConstraintComponent._format_sparql_based_result_message = original  # type: ignore[method-assign]


class _Escaped:
    """A value pySHACL's ``re.sub`` template writes as it is: its text with backslashes doubled."""

    def __init__(self, value: object):
        self.value = value

    def __str__(self) -> str:
        return str(self.value).replace("\\", "\\\\")


def _escaped(bound_vars: object) -> object:
    """pySHACL's bound variables (a dict, or ``(this, path, value[, dict])``), each value escaped."""
    if isinstance(bound_vars, dict):
        return {name: _Escaped(value) for name, value in bound_vars.items()}
    if isinstance(bound_vars, tuple | list):
        return type(bound_vars)(
            _escaped(v) if isinstance(v, dict) else None if v is None else _Escaped(v) for v in bound_vars
        )
    return bound_vars


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

    _remember()
    parse, translate = processor.parseQuery, processor.translateQuery

    def cached_translate(parsed, base=None, init_ns=None):  # type: ignore[no-untyped-def]
        if not isinstance(parsed, _QueryText):
            return translate(parsed, base, init_ns)
        key = (str(parsed), base, tuple(sorted((k, str(v)) for k, v in (init_ns or {}).items())))
        if key not in _TRANSLATED:
            _TRANSLATED[key] = translate(parse(str(parsed)), base, init_ns)
        return _TRANSLATED[key]

    # _QueryText stands in for the parser: the cached translation parses only texts it has not seen.
    processor.parseQuery, processor.translateQuery = _QueryText, cached_translate  # type: ignore[assignment]  # PATCH
    try:
        yield
    finally:
        processor.parseQuery, processor.translateQuery = parse, translate


#: rdflib's own functions, kept when this module is imported (before any patch).
_ORIGINALS: dict[str, object] = {}


def _remember() -> None:
    from rdflib.plugins.sparql import processor

    _ORIGINALS.setdefault("parseQuery", processor.parseQuery)
    _ORIGINALS.setdefault("translateQuery", processor.translateQuery)


def undo() -> None:
    """Put rdflib's own SPARQL parse and translation back and forget the cached translations."""
    from rdflib.plugins.sparql import processor

    _remember()
    processor.parseQuery = _ORIGINALS["parseQuery"]  # type: ignore[assignment]
    processor.translateQuery = _ORIGINALS["translateQuery"]  # type: ignore[assignment]
    _TRANSLATED.clear()


def is_patched() -> bool:
    """Whether rdflib's SPARQL functions are the cached stand-ins now."""
    from rdflib.plugins.sparql import processor

    return processor.parseQuery is _QueryText
