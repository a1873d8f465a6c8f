"""The index page: what the graph is, the trade network, zone indicators, sources,
entities by class, the catalogue of questions with their current answers, and how to query."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..knowledge_graph import KnowledgeGraph
from ..namespaces import FTZ, ID, shorten
from . import paths
from .catalogue_answers import Answer
from .markup import Renderer, esc, page, table
from .quantities import quantity_text
from .site_queries import select

PATH = paths.INDEX
ANSWER_ROWS = 50  # rows of a catalogue answer shown on the index; the rest are counted


def _kind(iri: str) -> str:
    return iri[len(ID) :].split("/", 1)[0]


class IndexPage:
    def __init__(self, kg: KnowledgeGraph, renderer: Renderer, svg: str, answers: list[Answer]):
        self.kg = kg
        self.r = renderer
        self.svg = svg
        self.answers = answers

    def corroboration(self, fact) -> str:
        """The status of a fact of an AI-assisted source, with the sources behind it (empty otherwise)."""
        if not fact.corroboration:
            return ""
        name = fact.corroboration.removeprefix(FTZ).lower()
        badge = (
            f'<span class="badge corroboration {name}">{esc(self.r.data.label(fact.corroboration))}</span>'
        )
        sources = {source for _, _, source in fact.evidence if source}
        return badge + (" " + self.r.sources(sources, PATH) if sources else "")

    def indicators(self) -> str:
        by_zone: dict[str, list[str]] = defaultdict(list)
        for row in select(self.kg, "zone-indicators"):
            by_zone[row["zone"].value].append(row["observation"].value)
        data = self.r.data
        parts = []
        for zone in sorted(by_zone, key=data.label):
            rows = []
            for obs in sorted(set(by_zone[zone]), key=lambda o: (data.label(o), o)):
                q = data.quantities.get(obs)
                fact = data.facts.get(obs)
                if q is None or fact is None:
                    continue
                note = '<span class="badge warning">derived</span>' if fact.derived else ""
                rows.append(
                    [
                        self.r.link(obs, PATH) + " " + note,
                        self.r.link(q.measure, PATH) if q.measure else "",
                        f'<span class="number">{esc(quantity_text(q))}</span>',
                        self.r.link(q.qualifier, PATH),
                        self.r.link(q.unit, PATH) if q.unit else "",
                        self.r.link(q.period, PATH) if q.period else "",
                        self.r.sources(fact.reported_by, PATH),
                        ("derived from " if fact.derived else "") + self.r.sources(fact.sources, PATH),
                        self.corroboration(fact),
                    ]
                )
            parts.append(
                f"<h3>Indicators of {self.r.link(zone, PATH)}</h3>\n"
                + table(
                    [
                        "indicator",
                        "measure",
                        "value",
                        "qualifier",
                        "unit",
                        "period",
                        "reported by",
                        "source",
                        "corroboration",
                    ],
                    rows,
                    "indicators",
                )
            )
        return '<h2 id="indicators">Zone indicators</h2>\n' + (
            "\n".join(parts) or '<p class="empty">No zone indicator in the graph.</p>'
        )

    def sources(self) -> str:
        rows = []
        for row in sorted(select(self.kg, "sources"), key=lambda r: r["graph"].value):
            graph = row["graph"].value
            ai = self.r.data.values(graph, FTZ + "aiAssisted")
            flag = (
                '<span class="badge warning">declares AI-assisted content</span>'
                if any(isinstance(v, ox.Literal) and v.value == "true" for v in ai)
                else ""
            )
            rows.append(
                [
                    self.r.link(graph, PATH) + " " + flag,
                    f"<code>{esc(shorten(graph))}</code>",
                    esc(row["triples"].value),
                ]
            )
        return (
            '<h2 id="sources">Sources</h2>\n<p>Each data file is one named graph whose IRI is its '
            "source.</p>\n" + table(["source", "named graph", "statements"], rows, "sources")
        )

    def classes(self) -> str:
        counts = sorted(
            ((row["class"].value, int(row["count"].value)) for row in select(self.kg, "class-counts")),
            key=lambda c: (not c[0].startswith(FTZ), self.r.data.label(c[0]).lower()),
        )
        rows = [[self.r.link(c, PATH) + f" <code>{esc(shorten(c))}</code>", esc(n)] for c, n in counts]
        by_kind: dict[str, list[str]] = defaultdict(list)
        for iri in self.r.data.entities:
            by_kind[_kind(iri)].append(iri)
        lists = "\n".join(
            f"<details><summary>{esc(kind)} ({len(iris)})</summary><p>"
            + ", ".join(
                self.r.link(i, PATH) for i in sorted(iris, key=lambda i: (self.r.data.label(i).lower(), i))
            )
            + "</p></details>"
            for kind, iris in sorted(by_kind.items())
        )
        return (
            '<h2 id="classes">Entities by class</h2>\n'
            + table(["class", "instances"], rows, "counts")
            + '\n<h3 id="entities">Every entity page, by kind of IRI</h3>\n'
            + lists
        )

    def answer(self, a: Answer) -> str:
        q = a.query
        anchor = f"q-{paths.term_anchor(q.name)}"
        params = " ".join(f"--param {p.name}={p.default}" for p in q.parameters)
        head = (
            f'<section class="question" id="{esc(anchor)}">\n<h3>{esc(q.title or q.name)}</h3>\n'
            f"<p>{esc(q.question)}</p>\n"
            f'<p class="identifiers"><code>ftzkg query '
            f"{esc(q.name)}{' ' + esc(params) if params else ''}</code>"
            + (" (default parameters)" if params else "")
            + "</p>\n"
        )
        if a.error is not None:
            result = f'<p class="empty">Could not run: {esc(a.error)}</p>'
        elif a.boolean is not None:
            result = f"<p>Answer: <strong>{'yes' if a.boolean else 'no'}</strong></p>"
        elif not a.rows:
            result = '<p class="empty">No answer in the graph yet.</p>'
        else:
            shown = a.rows[:ANSWER_ROWS]
            cells = [[self.r.term(c, PATH) for c in row] for row in shown]
            result = f'<div class="table-scroll">{table(a.columns, cells, "answer")}</div>'
            if len(a.rows) > ANSWER_ROWS:
                result += f"<p>… and {len(a.rows) - ANSWER_ROWS} more rows.</p>"
        sparql = f"<details><summary>SPARQL</summary><pre>{esc(q.text)}</pre></details>"
        return head + result + "\n" + sparql + "\n</section>"

    def catalogue(self) -> str:
        items = "".join(
            f"<li><a "
            f'href="#q-{esc(paths.term_anchor(a.query.name))}">{esc(a.query.title or a.query.name)}</a></li>'
            for a in self.answers
        )
        return (
            '<h2 id="catalogue">Questions the graph answers</h2>\n'
            "<p>The query catalogue (<code>queries/*.rq</code>), each run now on the graph with its default "
            "parameters. <code>ftzkg queries</code> lists them; <code>ftzkg query NAME</code> runs one.</p>\n"
            f'<ul class="toc">{items}</ul>\n' + "\n".join(self.answer(a) for a in self.answers)
        )

    def querying(self) -> str:
        return (
            '<h2 id="querying">How to query it</h2>\n'
            "<p>Everything on these pages comes from SPARQL queries over the graph, so the same answers are "
            "a query away:</p>\n<pre>"
            "ftzkg queries                     # the catalogue of questions\n"
            "ftzkg query trade-links           # answer one, on the embedded store\n"
            "ftzkg serve                       # a SPARQL endpoint (Oxigraph) on 127.0.0.1\n"
            "curl -H 'Accept: application/sparql-results+json' \\\n"
            "     --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 10' http://127.0.0.1:PORT/query"
            "</pre>\n"
            "<p>The endpoint's default graph is the union of the named graphs; <code>GRAPH ?source "
            "{ ... }</code> "
            "gives the source of each statement. Each entity page links its statements as Turtle and "
            "JSON-LD; "
            'the ontology is on the <a href="ontology.html">ontology reference</a> and in '
            '<a href="ontology.ttl">Turtle</a>.</p>'
        )

    def html(self) -> str:
        n_entities = len(self.r.data.entities)
        n_sources = len(select(self.kg, "sources"))
        body = "\n".join(
            [
                "<h1>ftzkg — the free trade zone knowledge graph</h1>",
                '<p class="lead">An open knowledge graph of free trade zones — zones, firms, '
                "products, markets, "
                "trade and supply links, support policies, logistics, reforms and indicators — "
                "starting with the "
                "Kashgar Area of the China (Xinjiang) Pilot Free Trade Zone. Every number keeps its "
                "qualifier "
                "(exact, more than, approximately, a range) and every fact names its source and the "
                "sentence it "
                "rests on.</p>",
                f"<p>{n_entities} entity pages · {n_sources} sources · "
                '<a href="ontology.html">ontology reference</a> · '
                '<a href="#catalogue">questions and answers</a></p>',
                '<h2 id="network">Trade network</h2>',
                "<p>Firms, what they make and where they sell, from the trade, production and supply links "
                "of the graph. Markets are grouped by UN M49 region. Click a box or a line for its page.</p>",
                f'<figure class="network-figure">{self.svg}</figure>',
                self.indicators(),
                self.sources(),
                self.classes(),
                self.catalogue(),
                self.querying(),
            ]
        )
        return page(PATH, "The free trade zone knowledge graph", body)
