"""The site publishes whatever the graph holds: IRIs from the data become links only when they are
http(s), and any IRI, however long or deep, gets a page the file system can hold, at a stable path."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from ftzkg import KnowledgeGraph, project
from ftzkg.namespaces import FTZ, ID
from ftzkg.site import site_files
from ftzkg.site.output import write_tree
from ftzkg.site.paths import MAX_NAME, entity_path

FIRM = ID + "firm/xinjiang-withyoung-health-food"


class Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(v for k, v in attrs if k in ("href", "xlink:href", "src", "action") and v)


def graph_with(tmp_path: Path, turtle: str) -> KnowledgeGraph:
    extra = tmp_path / "hostile.trig"
    extra.write_text(
        f"@prefix ftz: <{FTZ}> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{ID}source/hostile> {{\n{turtle}\n}}\n",
        encoding="utf-8",
    )
    return KnowledgeGraph.load([*project.all_files(), project.SourceFile(extra, None)])


DANGEROUS = [
    "javascript:alert('X')",
    "JavaScript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
]


def test_only_http_iris_from_the_data_become_links(tmp_path):
    objects = ", ".join(f"<{iri}>" for iri in [*DANGEROUS, "https://example.org/fine"])
    kg = graph_with(tmp_path, f"<{FIRM}> rdfs:seeAlso {objects} .")
    page = site_files(kg)[0][entity_path(FIRM)].decode("utf-8")
    parser = Hrefs()
    parser.feed(page)
    assert "https://example.org/fine" in parser.hrefs  # an http(s) IRI is still a link
    for iri in DANGEROUS:
        scheme = iri.split(":", 1)[0].lower()
        assert not [h for h in parser.hrefs if h.lower().startswith(scheme + ":")], iri
        assert iri.replace("'", "&#x27;") in page  # shown as text, with its full form


def test_an_iri_with_a_300_character_segment_gets_a_bounded_stable_page(tmp_path):
    long_iri = ID + "firm/" + "a" * 300
    deep_iri = ID + "firm/" + "/".join(["deep"] * 400)
    odd_iri = ID + "firm/" + "%C3%A9" * 100
    kg = graph_with(
        tmp_path,
        "\n".join(
            f'<{iri}> a ftz:Enterprise ; rdfs:label "hostile"@en ; ftz:exportsTo <{ID}country/KZ> .'
            for iri in (long_iri, deep_iri, odd_iri)
        ),
    )
    files, _ = site_files(kg)
    out = tmp_path / "site"
    write_tree(files, out)  # failed with "File name too long" before names were bounded
    for iri in (long_iri, deep_iri, odd_iri):
        path = entity_path(iri)
        assert path in files
        assert (out / path).is_file()
        assert all(len(name) <= MAX_NAME + len(".jsonld") for name in path.split("/"))
        assert len(path) < 600
        assert entity_path(iri) == path  # the same page every time
    assert entity_path(long_iri) != entity_path(ID + "firm/" + "a" * 301)
    assert entity_path(ID + "firm/short-name") == "id/firm/short-name.html"  # short names unchanged
