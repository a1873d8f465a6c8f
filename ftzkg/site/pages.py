"""One page per entity, like an item page of a public knowledge graph, with its data beside it.

For each entity ``id/<kind>/<slug>.html`` shows its label and types, its statements
grouped by property (each value with the source that states it), the sourced facts
about it (value, qualifier, unit, period, quote, source), what refers to it, and
its sources; ``.ttl`` and ``.jsonld`` next to the page hold its statements.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..knowledge_graph import KnowledgeGraph
from ..namespaces import FTZ, PREFIXES
from . import paths
from .markup import Renderer, esc, page
from .quantities import quantity_text
from .site_data import Fact, SiteData, Statement, Term
from .site_queries import construct

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
DCTERMS_DESCRIPTION = "http://purl.org/dc/terms/description"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_FIRST = [RDF_TYPE, RDFS_LABEL, "http://www.w3.org/2004/02/skos/core#prefLabel"]
# Shown in a fact's value line or header, not again in its list of properties.
_VALUE_PROPERTIES = {
    FTZ + p
    for p in ("numericValue", "minValue", "maxValue", "qualifier", "unit", "sourcePhrase", "period", "quote")
} | {RDF_TYPE, RDFS_LABEL, PROV_DERIVED, FTZ + "reportedBy", FTZ + "isDerived", FTZ + "derivation"}


def _property_order(data: SiteData, prop: str) -> tuple[int, str, str]:
    rank = _FIRST.index(prop) if prop in _FIRST else len(_FIRST)
    return (rank, data.label(prop).lower(), prop)


class EntityPages:
    """Builds the page and data files of every entity of a :class:`SiteData`."""

    def __init__(self, kg: KnowledgeGraph, data: SiteData, renderer: Renderer):
        self.kg = kg
        self.data = data
        self.r = renderer

    # ------------------------------------------------------------ values

    def quantity(self, iri: str, page_path: str) -> str:
        """``more than 3,100 · unit: number · period: 2025 · “over 5,100”`` for a node with a number."""
        q = self.data.quantities.get(iri)
        if q is None:
            return ""
        parts = [f"<strong>{esc(quantity_text(q))}</strong>"]
        if q.unit:
            parts.append(f"unit: {self.r.link(q.unit, page_path)}")
        if q.period:
            parts.append(f"period: {self.r.link(q.period, page_path)}")
        qualifier = f'<span class="badge">{self.r.link(q.qualifier, page_path)}</span>'
        phrase = f" · source says “{esc(q.phrase)}”" if q.phrase else ""
        return f'<span class="quantity">{" · ".join(parts)} {qualifier}{phrase}</span>'

    def value(self, term: Term, page_path: str) -> str:
        """A statement's value, with the qualified number it carries where it is a value node."""
        html = self.r.term(term, page_path)
        if isinstance(term, ox.NamedNode) and term.value in self.data.quantities:
            html += " — " + self.quantity(term.value, page_path)
        return html

    # ------------------------------------------------------------ sections

    def statements_section(self, iri: str, page_path: str) -> str:
        grouped: dict[str, list[Statement]] = defaultdict(list)
        for st in self.data.statements.get(iri, []):
            grouped[st.property].append(st)
        rows = []
        for prop in sorted(grouped, key=lambda p: _property_order(self.data, p)):
            values = "".join(
                f'<div class="statement-value">{self.value(st.value, page_path)} '
                f'<span class="source-ref">— source: {self.r.sources(st.graphs, page_path)}</span></div>'
                for st in grouped[prop]
            )
            rows.append(f'<tr><th scope="row">{self.r.link(prop, page_path)}</th><td>{values}</td></tr>')
        return (
            '<h2 id="statements">Statements</h2>\n'
            '<table class="statements"><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
        )

    def fact_card(self, fact: Fact, page_path: str, role: str | None, about: str) -> str:
        """A sourced fact: its label, type, value, other properties, quote, source and reporter."""
        status = [v.value for v in self.data.values(fact.iri, FTZ + "status") if isinstance(v, ox.NamedNode)]
        planned = " planned" if FTZ + "Planned" in status else ""
        types = " ".join(
            f'<span class="badge">{self.r.link(t, page_path)}</span>' for t in sorted(fact.types)
        )
        derived = (
            ' <span class="badge warning">derived, not stated by the source</span>' if fact.derived else ""
        )
        rows = []
        if fact.iri in self.data.quantities:
            rows.append(("value", self.quantity(fact.iri, page_path)))
        grouped: dict[str, list[Term]] = defaultdict(list)
        for st in self.data.statements.get(fact.iri, []):
            if st.property in _VALUE_PROPERTIES:
                continue
            if st.property == role and isinstance(st.value, ox.NamedNode) and st.value.value == about:
                continue
            grouped[st.property].append(st.value)
        for prop in sorted(grouped, key=lambda p: _property_order(self.data, p)):
            rows.append(
                (self.r.link(prop, page_path), ", ".join(self.value(v, page_path) for v in grouped[prop]))
            )
        if fact.derivation:
            rows.append(("derivation", esc(fact.derivation)))
        if fact.reported_by:
            rows.append(("reported by", self.r.sources(fact.reported_by, page_path)))
        sources = (
            self.r.sources(fact.sources, page_path) if fact.sources else '<span class="empty">none</span>'
        )
        rows.append(("derived from" if fact.derived else "source", sources))
        if fact.corroboration:
            rows.append(("corroboration", self.corroboration(fact, page_path)))
        dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        quotes = "".join(f"<blockquote>{esc(q)}</blockquote>" for q in sorted(fact.quotes))
        status = ""
        if fact.corroboration:
            name = fact.corroboration.removeprefix(FTZ).lower()
            status = (
                f' <span class="badge corroboration {name}">{esc(self.data.label(fact.corroboration))}</span>'
            )
        heading = f"{self.r.link(fact.iri, page_path)} {types}{derived}{status}"
        return f'<article class="fact{planned}">\n<h4>{heading}</h4>\n<dl>{dl}</dl>\n{quotes}\n</article>'

    def corroboration(self, fact: Fact, page_path: str) -> str:
        """The status of a fact of an AI-assisted source and the other sources' facts behind it."""
        parts = [self.r.link(fact.corroboration, page_path)]
        for agreement, evidence, source in sorted(fact.evidence):
            verb = "corroborated by" if agreement == "agrees" else "contradicted by"
            cited = f" ({self.r.link(source, page_path)})" if source else ""
            parts.append(f"{verb} {self.r.link(evidence, page_path)}{cited}")
        if not fact.evidence:
            parts.append("no independent source that is not AI-assisted states it")
        return "; ".join(parts)

    def facts_section(self, iri: str, page_path: str) -> str:
        by_role: dict[str, list[str]] = defaultdict(list)
        for subject, prop in self.data.incoming.get(iri, []):
            if subject in self.data.facts:
                by_role[prop].append(subject)
        if not by_role:
            return ""
        parts = ['<h2 id="facts">Sourced facts about it</h2>']
        for role in sorted(by_role, key=lambda p: _property_order(self.data, p)):
            parts.append(f"<h3>as {self.r.link(role, page_path)}</h3>")
            for fact_iri in sorted(set(by_role[role])):
                parts.append(self.fact_card(self.data.facts[fact_iri], page_path, role, iri))
        return "\n".join(parts)

    def referenced_by_section(self, iri: str, page_path: str) -> str:
        by_prop: dict[str, list[str]] = defaultdict(list)
        for subject, prop in self.data.incoming.get(iri, []):
            if subject not in self.data.facts:
                by_prop[prop].append(subject)
        if not by_prop:
            return ""
        rows = [
            f'<tr><th scope="row">{self.r.link(prop, page_path)}</th><td>'
            + ", ".join(self.r.link(s, page_path) for s in sorted(set(by_prop[prop]), key=self.data.label))
            + "</td></tr>"
            for prop in sorted(by_prop, key=lambda p: _property_order(self.data, p))
        ]
        return (
            '<h2 id="referenced-by">What links here</h2>\n'
            '<table class="statements"><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"
        )

    def own_fact_section(self, iri: str, page_path: str) -> str:
        """For a fact's own page: the value, quote and provenance up front."""
        fact = self.data.facts.get(iri)
        if fact is None:
            return ""
        return '<h2 id="fact">The fact</h2>\n' + self.fact_card(fact, page_path, None, iri)

    def sources_of(self, iri: str) -> set[str]:
        """Every source the page cites: graphs of its statements, sources of its facts and of itself."""
        found = {g for st in self.data.statements.get(iri, []) for g in st.graphs}
        if iri in self.data.facts:
            found |= self.data.facts[iri].sources
        for subject, _ in self.data.incoming.get(iri, []):
            if subject in self.data.facts:
                found |= self.data.facts[subject].sources
        return found

    def sources_section(self, iri: str, page_path: str) -> str:
        items = "".join(
            f'<li>{self.r.link(s, page_path)} <code class="iri">{esc(s)}</code></li>'
            for s in sorted(self.sources_of(iri))
        )
        return (
            f'<h2 id="sources">Sources</h2>\n<p class="lead">Where the statements and facts on this page '
            f"come from (each data file is one named graph whose IRI is its source).</p>\n"
            f'<ul class="sources">{items}</ul>'
        )

    # ------------------------------------------------------------ page

    def html(self, iri: str) -> str:
        path = paths.entity_path(iri)
        label = self.data.label(iri)
        stem = path.rsplit("/", 1)[-1][: -len(".html")]
        types = " ".join(
            f'<span class="badge">{self.r.link(t, path)}</span>' for t in self.data.entities.get(iri, [])
        )
        descriptions = [
            self.r.term(v, path)
            for prop in (SKOS_DEFINITION, DCTERMS_DESCRIPTION, RDFS_COMMENT)
            for v in self.data.values(iri, prop)
        ]
        lead = "".join(f'<p class="lead">{d}</p>' for d in descriptions)
        value = ""
        if iri in self.data.quantities and iri not in self.data.facts:
            value = f"<p>{self.quantity(iri, path)}</p>"
        body = "\n".join(
            part
            for part in (
                f"<h1>{esc(label)}</h1>",
                f'<p class="types">{types}</p>' if types else "",
                lead,
                f'<p class="identifiers">IRI <code class="iri">{esc(iri)}</code> · data: '
                f'<a href="{esc(stem)}.ttl" type="text/turtle">Turtle</a> · '
                f'<a href="{esc(stem)}.jsonld" type="application/ld+json">JSON-LD</a></p>',
                value,
                self.own_fact_section(iri, path),
                self.statements_section(iri, path),
                self.facts_section(iri, path),
                self.referenced_by_section(iri, path),
                self.sources_section(iri, path),
            )
            if part
        )
        head = (
            f'<link rel="alternate" type="text/turtle" href="{esc(stem)}.ttl">\n'
            f'<link rel="alternate" type="application/ld+json" href="{esc(stem)}.jsonld">'
        )
        return page(path, label, body, head)

    def data_files(self, iri: str) -> dict[str, bytes]:
        """``<page>.ttl`` and ``<page>.jsonld``: the entity's statements, from a CONSTRUCT query."""
        triples = construct(self.kg, "entity-description", entity=ox.NamedNode(iri))
        used = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)} | {
            triple.object.datatype.value for triple in triples if isinstance(triple.object, ox.Literal)
        }
        prefixes = {p: ns for p, ns in PREFIXES.items() if any(u.startswith(ns) for u in used)}
        stem = paths.entity_path(iri)[: -len(".html")]
        return {
            f"{stem}.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes),
            f"{stem}.jsonld": ox.serialize(triples, format=ox.RdfFormat.JSON_LD, prefixes=prefixes),
        }

    def files(self) -> dict[str, bytes]:
        """Every entity's page and data files, by path relative to the site root."""
        out: dict[str, bytes] = {}
        for iri in self.data.entities:
            out[paths.entity_path(iri)] = self.html(iri).encode("utf-8")
            out.update(self.data_files(iri))
        return out
