"""HTML building blocks: the page frame, escaped text, links to entities and terms, tables.

Everything taken from the data goes through :func:`esc` (or a function that calls it).
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from string import Template

import pyoxigraph as ox

from ..namespaces import FTZ, ID, shorten
from . import paths
from .site_data import SiteData, Term

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
XSD = "http://www.w3.org/2001/XMLSchema#"
_PLAIN_TYPES = {XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


@cache
def _template(name: str) -> str:
    return (TEMPLATE_DIR / name).read_text(encoding="utf-8")


def stylesheet() -> str:
    """The site's stylesheet."""
    return _template("style.css")


def page(path: str, title: str, body: str, head: str = "") -> str:
    """A whole HTML page at ``path`` (relative to the site root)."""
    return Template(_template("page.html")).substitute(
        title=esc(title), root=paths.root_prefix(path), body=body, head=head
    )


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], css_class: str = "") -> str:
    """A table; ``headers`` are plain text, cells are HTML already."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return f"<table{cls}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


class Renderer:
    """Renders terms of the graph as HTML on one page of the site."""

    def __init__(self, data: SiteData, ontology_terms: set[str]):
        self.data = data
        self.ontology_terms = ontology_terms

    def iri_href(self, iri: str, page: str) -> str | None:
        """Where a link to ``iri`` goes from ``page``: its entity page, its ontology entry, or the IRI."""
        if self.data.has_page(iri):
            return paths.href(page, paths.entity_path(iri))
        if iri in self.ontology_terms:
            return paths.href(page, paths.ONTOLOGY, paths.term_anchor(iri))
        if iri.startswith((ID, FTZ)):
            return None  # an IRI of the project that has no page: shown, not linked
        if urllib.parse.urlsplit(iri).scheme.lower() not in ("http", "https"):
            return None  # javascript:, data:, file: ... from the data never become links
        return iri

    def link(self, iri: str, page: str, text: str | None = None) -> str:
        """A link to an IRI labelled with its label (or ``text``), with the full IRI as its title."""
        label = esc(text if text is not None else self.data.label(iri))
        target = self.iri_href(iri, page)
        if target is None:
            return f'<span title="{esc(iri)}">{label}</span>'
        external = "" if target != iri else ' class="external" rel="noopener"'
        return f'<a href="{esc(target)}" title="{esc(iri)}"{external}>{label}</a>'

    def term(self, term: Term | None, page: str) -> str:
        """Any RDF term: IRIs as links, literals as escaped text with their language or datatype."""
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.link(term.value, page)
        if isinstance(term, ox.BlankNode):
            return '<span class="empty">[blank node]</span>'
        text = esc(term.value)
        if term.language and term.language != "en":
            return f'{text} <span class="source-ref">@{esc(term.language)}</span>'
        if term.datatype.value not in _PLAIN_TYPES:
            return f'{text} <span class="source-ref">{esc(shorten(term.datatype.value))}</span>'
        return text

    def sources(self, iris: Iterable[str], page: str) -> str:
        """Links to the sources (named graphs or prov:wasDerivedFrom targets), comma-separated."""
        return ", ".join(self.link(iri, page) for iri in sorted(set(iris)))
