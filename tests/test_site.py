"""The static site: every page generated from the graph, every link resolving, data escaped, output stable.

These tests read the generated HTML with the standard library's parser; the
browser tests (test_site_browser.py) open the same site in headless Chromium.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ftzkg import KnowledgeGraph, project
from ftzkg.cli import main
from ftzkg.namespaces import FTZ, ID, ONTOLOGY_GRAPH
from ftzkg.site import SiteError, site_files
from ftzkg.site.output import write_tree
from ftzkg.site.paths import entity_path, term_anchor

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS = "http://www.w3.org/2004/02/skos/core#"


class PageParser(HTMLParser):
    """Collects the links, resource references, ids, scripts and text of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.resources: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[dict[str, str | None]] = []
        self.h1 = ""
        self.text = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "link" and a.get("href"):
            self.resources.append((tag, a["href"]))
        if tag in ("img", "script", "iframe", "source") and a.get("src"):
            self.resources.append((tag, a["src"]))
        if tag == "script":
            self.scripts.append(a)
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._in_h1:
            self.h1 += data


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def files(kg) -> dict[str, bytes]:
    return site_files(kg)[0]


@pytest.fixture(scope="module")
def site(files, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    write_tree(files, out)
    return out


@pytest.fixture(scope="module")
def pages(site) -> dict[str, PageParser]:
    return {
        p.relative_to(site).as_posix(): parse(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")
    }


def entity_iris(kg: KnowledgeGraph) -> list[str]:
    """The IRIs that get a page, worked out in Python (not with the site's query).

    Every IRI a graph describes, except entries of the generated code lists (graphs whose
    standard states dcterms:provenance) that no other graph uses: an entry gets a page when
    another graph refers to it, or when it contains or groups an entry that is used.
    """
    provenance = ox.NamedNode("http://purl.org/dc/terms/provenance")
    generated = {
        g for g in kg.store.named_graphs() if any(kg.store.quads_for_pattern(g, provenance, None, g))
    }
    pages: set[str] = set()
    used: list[ox.NamedNode] = []
    for quad in kg.store.quads_for_pattern(None, None, None, None):
        if quad.graph_name in generated:
            continue
        if isinstance(quad.subject, ox.NamedNode):
            pages.add(quad.subject.value)
        if isinstance(quad.object, ox.NamedNode):
            used.append(quad.object)
    up = [ox.NamedNode(SKOS + "broader"), ox.NamedNode(FTZ + "withinRegion")]
    member = ox.NamedNode(SKOS + "member")
    seen: set[ox.NamedNode] = set()
    while used:
        node = used.pop()
        if node in seen:
            continue
        seen.add(node)
        pages.add(node.value)
        pages.update(q.subject.value for q in kg.store.quads_for_pattern(None, member, node, None))
        for prop in up:
            used.extend(q.object for q in kg.store.quads_for_pattern(node, prop, None, None))
    standards = kg.store.query(
        "SELECT ?s WHERE { { ?s a <https://w3id.org/ftzkg/ontology#ReferenceStandard> } UNION "
        "{ ?s a <http://www.w3.org/2004/02/skos/core#ConceptScheme> } }",
        use_default_graph_as_union=True,
    )
    pages.update(r["s"].value for r in standards)
    described = {q.subject.value for q in kg.store.quads_for_pattern(None, None, None, None)}
    return sorted(i for i in pages if i.startswith(ID) and i in described)


def test_every_internal_link_and_anchor_resolves(site, pages):
    broken = []
    for path, parser in pages.items():
        for link in parser.links + [href for _, href in parser.resources]:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # an external IRI, shown as a link to itself
            target = (
                posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(parts.path)))
                if parts.path
                else path
            )
            if not (site / target).is_file():
                broken.append(f"{path}: {link} (no file)")
            elif parts.fragment and target.endswith(".html") and parts.fragment not in pages[target].ids:
                broken.append(f"{path}: {link} (no anchor)")
    assert broken == []


def test_pages_load_nothing_from_the_network(site, pages):
    for path, parser in pages.items():
        for tag, ref in parser.resources:
            assert not urlsplit(ref).scheme, f"{path}: <{tag}> loads {ref}"
        assert all(s.get("src") is None for s in parser.scripts), path
    css = (site / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css


def test_each_entity_page_shows_its_label_and_links_its_sources(kg, pages):
    for iri in entity_iris(kg):
        parser = pages[entity_path(iri)]
        labels = [
            r["l"].value
            for r in kg.store.query(
                f"SELECT ?l WHERE {{ <{iri}> <{RDFS_LABEL}> ?l }}", use_default_graph_as_union=True
            )
        ]
        if labels:
            assert parser.h1 in labels, iri
        graphs = {
            r["g"].value
            for r in kg.store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
        }
        linked = {
            posixpath.normpath(posixpath.join(posixpath.dirname(entity_path(iri)), h)) for h in parser.links
        }
        for graph in graphs:
            assert entity_path(graph) in linked, f"{iri} does not link its source {graph}"


def test_entity_data_files_hold_the_entitys_statements(kg, site):
    iri = ID + "firm/xinjiang-withyoung-health-food"
    page = site / entity_path(iri)
    expected = {q.triple for q in kg.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)}
    turtle = {q.triple for q in ox.parse(page.with_suffix(".ttl").read_bytes(), format=ox.RdfFormat.TURTLE)}
    jsonld = {
        q.triple for q in ox.parse(page.with_suffix(".jsonld").read_bytes(), format=ox.RdfFormat.JSON_LD)
    }
    assert len(expected) > 5
    assert turtle == expected
    assert jsonld == expected


def test_ontology_reference_has_an_entry_for_every_class_and_property(kg, pages):
    reference = pages["ontology.html"]
    rows = kg.store.query(
        "SELECT ?t WHERE { GRAPH ?g { ?t a ?k } "
        "FILTER(?k IN (<http://www.w3.org/2002/07/owl#Class>, "
        "<http://www.w3.org/2002/07/owl#ObjectProperty>, "
        "<http://www.w3.org/2002/07/owl#DatatypeProperty>)) }",
        named_graphs=[ox.NamedNode(ONTOLOGY_GRAPH)],
    )
    terms = {r["t"].value for r in rows if r["t"].value.startswith(FTZ)}
    assert len(terms) > 80
    assert {term_anchor(t) for t in terms} <= reference.ids


def test_ontology_reference_shows_alignments_domains_ranges_and_examples(site):
    html = (site / "ontology.html").read_text(encoding="utf-8")
    enterprise = html.split('id="Enterprise"', 1)[1].split("</section>", 1)[0]
    assert "aligned with (subclass of)" in enterprise
    assert "prov:Agent" in enterprise and "org:FormalOrganization" in enterprise
    assert "Kashgar Kangyi Intelligent Technology" in enterprise  # an example from the data
    exporter = html.split('id="exporter"', 1)[1].split("</section>", 1)[0]
    assert "<dt>domain</dt>" in exporter and "<dt>range</dt>" in exporter and "functional" in exporter
    uses = re.search(r"(\d+) uses", exporter)
    assert uses and int(uses.group(1)) >= 3  # the article's three trade links, and any other source's


def test_values_keep_their_qualifier_unit_period_and_quote(site):
    html = (site / entity_path(ID + "zone/kashgar-area")).read_text(encoding="utf-8")
    assert "more than 3,100" in html
    assert "93,160,000,000" in html
    assert "Yuan Renminbi" in html  # the ISO 4217 name of cur:CNY
    assert "from the zone&#x27;s launch in November 2023" in html
    assert "according to local authorities" in html  # the supporting quote
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "derived" in index and "approximately 99.03" in index


def test_trade_network_has_a_node_per_firm_and_market_and_dashes_planned_links(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    svg = html.split('<svg id="trade-network"', 1)[1].split("</svg>", 1)[0]
    for firm in ("firm/kashgar-kangyi-intelligent-technology", "firm/xinjiang-withyoung-health-food"):
        assert f'class="node firm" data-kind="firm" data-iri="{ID}{firm}"' in svg
    for market in ("region/143", "country/PK", "country/TR"):
        assert f'data-kind="market" data-iri="{ID}{market}"' in svg
    planned = svg.split('class="edge production planned"')[1:]
    assert len(planned) >= 2  # projectors and laptops, and what other sources plan
    assert all("stroke-dasharray" in p.split("</g>", 1)[0] for p in planned)
    reported = svg.split('class="edge trade reported"')[1:]
    assert reported and all("stroke-dasharray" not in p.split("</g>", 1)[0] for p in reported)
    assert 'data-region="' + ID + 'region/034"' in svg  # Pakistan drawn in Southern Asia


def test_index_answers_every_catalogue_question(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    names = sorted(p.stem for p in project.QUERIES_DIR.glob("*.rq"))
    assert names
    for name in names:
        section = html.split(f'id="q-{name}"', 1)[1].split("</section>", 1)[0]
        assert "Could not run" not in section, name
        assert "<table" in section or "No answer" in section, name


def _extra_data(tmp_path: Path, label: str) -> project.SourceFile:
    trig = tmp_path / "extra.trig"
    escaped = label.replace("\\", "\\\\").replace('"', '\\"')
    trig.write_text(
        f"""
@prefix ftz: <{FTZ}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{ID}source/test-note> {{
  <{ID}source/test-note> a ftz:Source ; rdfs:label "A test note" .
  <{ID}firm/test-firm> a ftz:Enterprise ; rdfs:label "{escaped}"@en ;
      ftz:exportsTo <{ID}country/KZ> .
  <{ID}link/test-firm-kz> a ftz:TradeLink ; ftz:exporter <{ID}firm/test-firm> ;
      ftz:destinationMarket <{ID}country/KZ> ; ftz:status ftz:Planned ;
      prov:wasDerivedFrom <{ID}source/test-note> ; ftz:quote "{escaped} plans to sell to Kazakhstan." .
}}
""",
        encoding="utf-8",
    )
    return project.SourceFile(trig, None)


def test_data_is_html_escaped_and_new_data_shows_up_without_code_changes(tmp_path):
    label = '<script>alert("x")</script> & Sons'
    kg = KnowledgeGraph.load([*project.all_files(), _extra_data(tmp_path, label)])
    files, _ = site_files(kg)
    page = files[entity_path(ID + "firm/test-firm")].decode("utf-8")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons" in page
    assert parse(page).h1 == label
    index = files["index.html"].decode("utf-8")
    assert "<script>" not in index
    assert f'data-kind="firm" data-iri="{ID}firm/test-firm"' in index
    assert f'data-kind="market" data-iri="{ID}country/KZ"' in index
    assert 'data-region="' + ID + 'region/143"' in index


def test_output_is_deterministic(files):
    # a fresh load: the parser names blank nodes afresh, the site must not show it
    first, second = files, site_files(KnowledgeGraph.load())[0]
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_an_earlier_site_is_replaced_whole_and_a_foreign_folder_is_refused(files, tmp_path):
    out = tmp_path / "site"
    write_tree(files, out)
    (out / "id" / "stale.html").write_text("old", encoding="utf-8")
    write_tree(files, out)
    assert not (out / "id" / "stale.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SiteError, match="refusing"):
        write_tree(files, foreign)
    assert (foreign / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_site_command_writes_the_site_and_reports_what_it_wrote(tmp_path):
    result = CliRunner().invoke(main, ["site", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "entity pages" in result.output
    assert (tmp_path / "out" / "index.html").is_file()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x", encoding="utf-8")
    refused = CliRunner().invoke(main, ["site", "--out", str(tmp_path / "taken")])
    assert refused.exit_code == 2


def test_each_fact_of_the_ai_assisted_article_shows_its_corroboration_status(tmp_path, pages):
    fact_page = pages[entity_path(ID + "observation/kashgar-area-registered-businesses")]
    # whatever other sources say of it, the page shows one of the three statuses
    assert any(status in fact_page.text for status in ("uncorroborated", "corroborated", "contradicted"))
    # a registry report that disagrees turns it into "contradicted", naming the other fact and its source
    trig = tmp_path / "registry.trig"
    trig.write_text(
        f"""@prefix ftz: <{FTZ}> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{ID}source/example-registry> {{
  <{ID}source/example-registry> a ftz:Source ; dcterms:title "EXAMPLE registry"@en ; ftz:aiAssisted false .
  <{ID}observation/example-registry-count> a ftz:Observation ; ftz:hasMeasure ftz:RegisteredBusinesses ;
      ftz:refArea <{ID}zone/kashgar-area> ; ftz:refPeriod <{ID}period/as-of-kashgar-ftz-2025-article> ;
      ftz:numericValue 4900.0 ; ftz:qualifier ftz:Exact ; ftz:unit <http://qudt.org/vocab/unit/NUM> ;
      prov:wasDerivedFrom <{ID}source/example-registry> ; ftz:quote "EXAMPLE: 4,900 businesses." .
}}
""",
        encoding="utf-8",
    )
    kg = KnowledgeGraph.load([*project.all_files(), project.SourceFile(trig, None)], derive=True)
    files, _ = site_files(kg)
    path = entity_path(ID + "observation/kashgar-area-registered-businesses")
    page = parse(files[path].decode("utf-8"))
    assert "contradicted" in page.text and "contradicted by" in page.text
    targets = {posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(h))) for h in page.links}
    assert entity_path(ID + "observation/example-registry-count") in targets
    assert entity_path(ID + "source/example-registry") in targets


def test_the_index_shows_the_corroboration_of_each_ai_assisted_indicator(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    indicators = html.split('id="indicators"', 1)[1].split("<h2", 1)[0]
    assert "corroboration</th>" in indicators
    rows = [r.split("</tr>", 1)[0] for r in indicators.split("<tr>") if r.startswith("<td>")]
    article_rows = [r for r in rows if "source/kashgar-ftz-2025-article" in r.split("</td>")[-3]]
    assert article_rows and all('class="badge corroboration' in r.split("</td>")[-2] for r in article_rows)
