"""The ontology reference page, generated from the ontology graph through SPARQL.

Every class and property with its label, definition, alignments to standard
vocabularies (super-classes and super-properties outside ``ftz:``, see-also
links), domain and range, and examples of use taken from the data; then the
code lists (SKOS concept schemes) with their concepts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..knowledge_graph import KnowledgeGraph
from ..namespaces import FTZ, ONTOLOGY, shorten
from . import paths
from .markup import Renderer, esc, page
from .site_queries import select

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EXAMPLES = 3
KIND_NAMES = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
}
CHARACTERISTICS = {OWL + "FunctionalProperty": "functional", OWL + "TransitiveProperty": "transitive"}


@dataclass
class Term:
    """A class or property of the ontology and what the reference says about it."""

    iri: str
    kinds: set[str] = field(default_factory=set)
    definition: str | None = None
    relations: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass
class OntologyModel:
    terms: dict[str, Term]
    schemes: dict[str, list[tuple[str, str | None, str | None]]]
    metadata: dict[str, list[ox.NamedNode | ox.Literal]]
    class_examples: dict[str, list[str]]
    property_examples: dict[str, list[tuple[str, ox.NamedNode | ox.Literal]]]

    def anchored(self) -> set[str]:
        """The IRIs that have an entry (and an anchor) on the reference page."""
        anchored = set(self.terms) | set(self.schemes)
        anchored |= {concept for members in self.schemes.values() for concept, _, _ in members}
        return {iri for iri in anchored if iri.startswith(FTZ)}


def collect_ontology(kg: KnowledgeGraph) -> OntologyModel:
    """Read the ontology graph and the examples of use from ``kg``."""
    terms: dict[str, Term] = {}
    for row in select(kg, "ontology-terms"):
        term = terms.setdefault(row["term"].value, Term(row["term"].value))
        term.kinds.add(row["kind"].value)
        if row["definition"] is not None and term.definition is None:
            term.definition = row["definition"].value
    for row in select(kg, "ontology-relations"):
        if row["term"].value in terms:
            terms[row["term"].value].relations[row["relation"].value].add(row["target"].value)

    schemes: dict[str, set[tuple[str, str | None, str | None]]] = defaultdict(set)
    for row in select(kg, "code-lists"):
        schemes[row["scheme"].value].add(
            (
                row["concept"].value,
                row["definition"].value if row["definition"] is not None else None,
                row["broader"].value if row["broader"] is not None else None,
            )
        )
    metadata: dict[str, list] = defaultdict(list)
    for row in select(kg, "ontology-metadata"):
        metadata[row["property"].value].append(row["value"])

    class_examples: dict[str, set[str]] = defaultdict(set)
    for row in select(kg, "class-examples"):
        if isinstance(row["instance"], ox.NamedNode):
            class_examples[row["class"].value].add(row["instance"].value)
    property_examples: dict[str, set[tuple[str, ox.NamedNode | ox.Literal]]] = defaultdict(set)
    for row in select(kg, "property-examples"):
        if isinstance(row["subject"], ox.NamedNode):
            property_examples[row["property"].value].add((row["subject"].value, row["value"]))

    return OntologyModel(
        terms=dict(sorted(terms.items())),
        schemes={s: sorted(m) for s, m in sorted(schemes.items())},
        metadata={p: sorted(v, key=str) for p, v in sorted(metadata.items())},
        class_examples={c: sorted(v) for c, v in class_examples.items()},
        property_examples={
            p: sorted(v, key=lambda e: (e[0], str(e[1]))) for p, v in property_examples.items()
        },
    )


class OntologyReference:
    """Renders :data:`paths.ONTOLOGY` from an :class:`OntologyModel`."""

    def __init__(self, model: OntologyModel, renderer: Renderer):
        self.m = model
        self.r = renderer
        self.path = paths.ONTOLOGY

    def links(self, iris: set[str] | list[str]) -> str:
        return ", ".join(self.r.link(i, self.path) + f" <code>{esc(shorten(i))}</code>" for i in sorted(iris))

    def inverse(self, relation: str, target: str) -> set[str]:
        return {t.iri for t in self.m.terms.values() if target in t.relations.get(relation, set())}

    def entry(self, term: Term) -> str:
        rel = term.relations
        rows: list[tuple[str, str]] = [("IRI", f'<code class="iri">{esc(term.iri)}</code>')]
        kinds = [KIND_NAMES[k] for k in sorted(term.kinds) if k in KIND_NAMES]
        kinds += [CHARACTERISTICS[t] for t in sorted(rel.get(RDF_TYPE, set())) if t in CHARACTERISTICS]
        rows.append(("kind", esc(", ".join(kinds))))
        rows.append(
            ("definition", esc(term.definition) if term.definition else '<span class="empty">none</span>')
        )
        for relation, name in (
            (RDFS + "subClassOf", "subclass of"),
            (RDFS + "subPropertyOf", "subproperty of"),
        ):
            supers = rel.get(relation, set())
            internal = {s for s in supers if s.startswith(FTZ)}
            external = supers - internal
            if internal:
                rows.append((name, self.links(internal)))
            if external:
                rows.append((f"aligned with ({name})", self.links(external)))
        if rel.get(RDFS + "seeAlso"):
            rows.append(("see also", self.links(rel[RDFS + "seeAlso"])))
        for relation, name in ((RDFS + "domain", "domain"), (RDFS + "range", "range")):
            if rel.get(relation):
                rows.append((name, self.links(rel[relation])))
        if OWL + "Class" in term.kinds:
            for relation, name in (
                (RDFS + "subClassOf", "subclasses"),
                (RDFS + "domain", "in the domain of"),
                (RDFS + "range", "in the range of"),
            ):
                inverse = self.inverse(relation, term.iri)
                if inverse:
                    rows.append((name, self.links(inverse)))
            instances = self.m.class_examples.get(term.iri, [])
            rows.append(("examples in the data", self.class_examples(instances)))
        else:
            inverse = self.inverse(RDFS + "subPropertyOf", term.iri)
            if inverse:
                rows.append(("subproperties", self.links(inverse)))
            rows.append(("examples in the data", self.property_examples(term.iri)))
        dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
        anchor = paths.term_anchor(term.iri)
        return (
            f'<section class="term" id="{esc(anchor)}">\n<h3>{esc(self.r.data.label(term.iri))} '
            f"<code>{esc(shorten(term.iri))}</code></h3>\n<dl>{dl}</dl>\n</section>"
        )

    def class_examples(self, instances: list[str]) -> str:
        if not instances:
            return '<span class="empty">no instance in the data yet</span>'
        shown = ", ".join(self.r.link(i, self.path) for i in instances[:EXAMPLES])
        more = f" and {len(instances) - EXAMPLES} more" if len(instances) > EXAMPLES else ""
        return f"{len(instances)} instance{'s' if len(instances) != 1 else ''}: {shown}{more}"

    def property_examples(self, prop: str) -> str:
        uses = self.m.property_examples.get(prop, [])
        if not uses:
            return '<span class="empty">not used in the data yet</span>'
        shown = "".join(
            f"<li>{self.r.link(s, self.path)} → {self.r.term(v, self.path)}</li>" for s, v in uses[:EXAMPLES]
        )
        return f"{len(uses)} use{'s' if len(uses) != 1 else ''}<ul>{shown}</ul>"

    def code_lists(self) -> str:
        parts = ['<h2 id="code-lists">Code lists</h2>']
        for scheme, members in self.m.schemes.items():
            rows = "".join(
                f'<tr id="{esc(paths.term_anchor(c))}"><td>{esc(self.r.data.label(c))}</td>'
                f"<td><code>{esc(shorten(c))}</code></td><td>{esc(d or '')}</td>"
                f"<td>{self.r.link(b, self.path) if b else ''}</td></tr>"
                for c, d, b in members
            )
            anchor = f' id="{esc(paths.term_anchor(scheme))}"' if scheme.startswith(FTZ) else ""
            parts.append(
                f"<h3{anchor}>{esc(self.r.data.label(scheme))} <code>{esc(shorten(scheme))}</code></h3>\n"
                "<table><thead><tr><th>concept</th><th>IRI</th><th>definition</th><th>broader</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
            )
        return "\n".join(parts)

    def section(self, title: str, anchor: str, kinds: set[str]) -> str:
        terms = [t for t in self.m.terms.values() if t.kinds & kinds]
        terms.sort(key=lambda t: self.r.data.label(t.iri).lower())
        return f'<h2 id="{anchor}">{esc(title)} ({len(terms)})</h2>\n' + "\n".join(
            self.entry(t) for t in terms
        )

    def toc(self, kinds: set[str]) -> str:
        terms = sorted(
            (t for t in self.m.terms.values() if t.kinds & kinds),
            key=lambda t: self.r.data.label(t.iri).lower(),
        )
        return (
            '<ul class="toc">'
            + "".join(
                f'<li><a href="#{esc(paths.term_anchor(t.iri))}">{esc(self.r.data.label(t.iri))}</a></li>'
                for t in terms
            )
            + "</ul>"
        )

    def html(self) -> str:
        meta = self.m.metadata
        title = next((v.value for v in meta.get("http://purl.org/dc/terms/title", [])), "Ontology")
        description = "".join(
            f'<p class="lead">{esc(v.value)}</p>'
            for v in meta.get("http://purl.org/dc/terms/description", [])
        )
        meta_rows = "".join(
            f'<tr><th scope="row">{self.r.link(p, self.path)}</th><td>'
            + ", ".join(self.r.term(v, self.path) for v in values)
            + "</td></tr>"
            for p, values in meta.items()
            if p not in {"http://purl.org/dc/terms/title", "http://purl.org/dc/terms/description"}
        )
        classes = {OWL + "Class"}
        object_props = {OWL + "ObjectProperty"}
        data_props = {OWL + "DatatypeProperty", OWL + "AnnotationProperty"}
        body = "\n".join(
            [
                f"<h1>{esc(title)}</h1>",
                description,
                f'<p class="identifiers">IRI <code class="iri">{esc(ONTOLOGY)}</code> · prefix '
                f'<code>ftz:</code> = <code class="iri">{esc(FTZ)}</code> · data: '
                '<a href="ontology.ttl" type="text/turtle">Turtle</a></p>',
                f'<table class="statements"><tbody>{meta_rows}</tbody></table>',
                "<p>Generated by <code>ftzkg site</code> from the ontology graph through SPARQL; the "
                "examples "
                "of use come from the data graphs, so they follow the data.</p>",
                '<h2 id="contents">Contents</h2>',
                '<h3><a href="#classes">Classes</a></h3>',
                self.toc(classes),
                '<h3><a href="#object-properties">Object properties</a></h3>',
                self.toc(object_props),
                '<h3><a href="#datatype-properties">Datatype properties</a></h3>',
                self.toc(data_props),
                '<h3><a href="#code-lists">Code lists</a></h3>',
                self.section("Classes", "classes", classes),
                self.section("Object properties", "object-properties", object_props),
                self.section("Datatype properties", "datatype-properties", data_props),
                self.code_lists(),
            ]
        )
        return page(self.path, "Ontology reference", body)
