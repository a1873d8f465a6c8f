"""Contributions are untrusted: validating one never reaches the network, never reads another
file, never runs SHACL or SPARQL that came with the data, and refuses hazardous input with one
clear line naming file, line and column (exit 2), writing nothing.

A canary HTTP server on 127.0.0.1 records every request; it must receive none.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftzkg.cli import main
from ftzkg.input_limits import Limits
from ftzkg.parsing import RdfInputError, parse_untrusted

XSD = b"http://www.w3.org/2001/XMLSchema#"
#: The one source a contribution file describes (a triples-only file without one is refused, as by the build).
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
S = "https://w3id.org/ftzkg/id/source/example-untrusted"
SOURCE = (
    f"<{S}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ftzkg/ontology#Source> .\n"
    f'<{S}> <http://purl.org/dc/terms/title> "EXAMPLE"@en .\n'
    f'<{S}> <https://w3id.org/ftzkg/ontology#aiAssisted> "false"^^<{BOOLEAN}> .\n'
)
SOURCE_NODE = {
    "@id": "https://w3id.org/ftzkg/id/source/example-untrusted",
    "@type": "https://w3id.org/ftzkg/ontology#Source",
    "http://purl.org/dc/terms/title": {"@value": "EXAMPLE", "@language": "en"},
    "https://w3id.org/ftzkg/ontology#aiAssisted": {"@value": "false", "@type": BOOLEAN},
}
PREFIXES = (
    "@prefix ftz: <https://w3id.org/ftzkg/ontology#> .\n"
    "@prefix firm: <https://w3id.org/ftzkg/id/firm/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


class Canary:
    """A tiny HTTP server that records the path of every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.requests.append(self.path)
                body = b'{"@context": {"name": "https://schema.org/name"}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    with Canary() as server:
        yield server


def validate(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_the_canary_does_record_requests(canary):
    """The canary works, so its silence in the other tests means something."""
    import urllib.request

    urllib.request.urlopen(canary.url + "/ping", timeout=5).read()
    assert canary.requests == ["/ping"]


def test_a_remote_jsonld_context_is_never_fetched(tmp_path, canary):
    doc = {"@context": canary.url + "/context.jsonld", "@id": "https://w3id.org/ftzkg/id/firm/x", "name": "x"}
    path = write(tmp_path, "remote-context.jsonld", json.dumps(doc))
    result = validate(str(path))
    assert result.exit_code == 2
    assert "remote JSON-LD @context is not loaded" in result.output
    assert canary.requests == []


def test_a_file_jsonld_context_is_never_read(tmp_path):
    secret = write(tmp_path, "context.jsonld", '{"@context": {"name": "https://schema.org/name"}}')
    doc = {"@context": secret.as_uri(), "@id": "https://w3id.org/ftzkg/id/firm/x", "name": "x"}
    result = validate(str(write(tmp_path, "file-context.jsonld", json.dumps(doc))))
    assert result.exit_code == 2
    assert "file-context.jsonld" in result.output and "@context is not loaded" in result.output


def test_an_inline_jsonld_context_is_fine(tmp_path):
    doc = {
        "@context": {"ftz": "https://w3id.org/ftzkg/ontology#", "firm": "https://w3id.org/ftzkg/id/firm/"},
        "@id": "firm:xinjiang-withyoung-health-food",
        "ftz:hasSector": {"@id": "https://w3id.org/ftzkg/id/sector/agri-processing"},
    }
    result = validate(str(write(tmp_path, "inline.jsonld", json.dumps([doc, SOURCE_NODE]))))
    assert result.exit_code == 0, result.output
    assert "1 new entity (ftz:Source 1) and 3 new statements (1 already in the graph)" in result.output


def test_sparql_and_shapes_embedded_in_a_contribution_never_run(tmp_path, canary):
    text = PREFIXES + (
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<https://example.org/evil> owl:imports <{canary.url}/imports> ;\n"
        f"    sh:shapesGraph <{canary.url}/shapes> .\n"
        "<https://example.org/evil-shape> a sh:NodeShape ;\n"
        "    sh:targetClass ftz:Enterprise ;\n"
        "    sh:target [ a sh:SPARQLTarget ; sh:select "
        f'"SELECT ?this WHERE {{ SERVICE <{canary.url}/target> {{ ?this ?p ?o }} }}" ] ;\n'
        '    sh:sparql [ a sh:SPARQLConstraint ; sh:message "evil" ;\n'
        f'        sh:select "SELECT $this WHERE {{ SERVICE <{canary.url}/sparql> {{ $this ?p ?o }} }}" ] .\n'
        "<https://w3id.org/ftzkg/shapes#SourcedFact-source> sh:deactivated true .\n" + SOURCE
    )
    result = validate(str(write(tmp_path, "evil.ttl", text)))
    assert canary.requests == []
    assert result.exit_code == 1
    # the shape, its target, its constraint and the two statements about shapes: each reported, none run
    assert result.output.count("ftzsh:EmbeddedShapesCheck") == 5
    assert "evil" not in result.output.replace("evil.ttl", "").replace("example.org/evil", "")


def test_rdfxml_with_a_doctype_is_refused_before_parsing(tmp_path):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="https://example.org/x"><rdf:value>&lol2;</rdf:value></rdf:Description>'
        "</rdf:RDF>\n"
    )
    result = validate(str(write(tmp_path, "bomb.rdf", bomb)))
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == "error: " + str(tmp_path / "bomb.rdf") + (
        ":2:1: RDF/XML with a DOCTYPE or entity declarations is refused"
    )


@pytest.mark.parametrize("depth", [400])
def test_deeply_nested_blank_nodes_and_lists_are_handled(tmp_path, depth):
    nested = "[ rdfs:comment " * depth + '"deep"' + " ]" * depth
    listed = "( " * depth + '"deep"' + " )" * depth
    text = PREFIXES + (
        f"firm:xinjiang-withyoung-health-food rdfs:seeAlso {nested} .\n"
        f"firm:xinjiang-withyoung-health-food rdfs:seeAlso {listed} .\n" + SOURCE
    )
    path = write(tmp_path, "deep.ttl", text)
    assert len(parse_untrusted(path, limits=Limits(max_depth=depth))) == depth + 1 + 2 * depth + 1 + 3
    result = validate(str(path), "--max-depth", str(depth))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert "Result:" in result.output


def test_deeply_nested_jsonld_is_handled(tmp_path):
    depth = 300
    doc = "{" + '"@id": "https://w3id.org/ftzkg/id/firm/xinjiang-withyoung-health-food", '
    doc += (
        '"http://www.w3.org/2000/01/rdf-schema#seeAlso": '
        + '{"http://www.w3.org/2000/01/rdf-schema#seeAlso": ' * depth
    )
    doc += '"deep"' + "}" * depth + "}"
    doc = "[" + doc + ", " + json.dumps(SOURCE_NODE) + "]"
    result = validate(str(write(tmp_path, "deep.jsonld", doc)), "--max-depth", str(depth + 2))
    assert result.exit_code in (0, 1), result.output
    assert "Result:" in result.output


@pytest.mark.parametrize(
    ("name", "content", "where", "complaint"),
    [
        ("bom.ttl", b"\xef\xbb\xbf" + PREFIXES.encode(), ":1:1:", "byte-order mark"),
        (
            "relative.ttl",
            PREFIXES + '<x> rdfs:label "x"@en .\n',
            ":5:1:",
            "No scheme found in an absolute IRI",
        ),
        (
            "bad-iri.ttl",
            PREFIXES + "firm:x rdfs:seeAlso <https://exa mple.org/> .\n",
            ":5:21:",
            "Invalid IRI",
        ),
        (
            "integer.ttl",
            PREFIXES + 'firm:x rdfs:comment "x"^^xsd:integer .\n',
            ":5:21:",
            "not a valid xsd:integer",
        ),
        (
            "year.ttl",
            PREFIXES + 'firm:x rdfs:comment "2023-13"^^xsd:gYearMonth .\n',
            ":5:21:",
            "xsd:gYearMonth",
        ),
        (
            "boolean.nt",
            b'<https://e.org/x> <https://e.org/p> "yes"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n',
            ":1:37:",
            "not a valid xsd:boolean",
        ),
        ("broken.nq", b"<https://e.org/x> <https://e.org/p> .\n", ":1:", ""),
        ("relative.jsonld", b'{"@id": "x", "https://e.org/p": "y"}', "", "every @id must be an absolute IRI"),
    ],
)
def test_input_a_store_would_reject_is_refused_with_file_line_and_column(
    tmp_path, name, content, where, complaint
):
    path = write(tmp_path, name, content)
    result = validate(str(path))
    assert result.exit_code == 2
    lines = [line for line in result.output.strip().splitlines() if not line.startswith("store: ")]
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {path}{where}")
    assert complaint in lines[0]


def test_input_above_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, "big.ttl", PREFIXES + "# " + "x" * 2000 + "\n")
    result = validate(str(path), "--max-bytes", "1000")
    assert result.exit_code == 2
    assert "above the limit of 1000 bytes (--max-bytes)" in result.output
    with pytest.raises(RdfInputError, match="above the limit"):
        parse_untrusted(path, limits=Limits(max_bytes=1000))


def test_misspelt_types_do_not_pass_vacuously(tmp_path):
    text = PREFIXES + "firm:x a ftz:TradeLnk .\n" + SOURCE
    result = validate(str(write(tmp_path, "typo.ttl", text)))
    assert result.exit_code == 1
    assert "ftz:TradeLnk is not a class" in result.output and "did you mean ftz:TradeLink?" in result.output


def test_validation_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "typo.ttl"
    path.write_text(PREFIXES + "firm:x a ftz:TradeLnk .\n" + SOURCE, encoding="utf-8")
    before = sorted(tmp_path.rglob("*"))
    assert validate(str(path)).exit_code == 1
    assert validate(str(path), "--format", "turtle").exit_code == 1
    assert sorted(tmp_path.rglob("*")) == before


#: A contributed HS code whose notation holds what a regular-expression template reads as escapes.
ESCAPES = r"99\1\g<0>\n"


@pytest.mark.parametrize("engine", [None, "hybrid", "sparql", "pyshacl", "turbo"])
def test_a_literal_a_message_quotes_is_written_as_it_is_even_with_backslashes(tmp_path, engine):
    """SHACL-SPARQL messages quote the data (``HS code {?code} does not lie under ...``); pySHACL
    writes the values in with ``re.sub``, which read the backslashes of a contributed literal as
    escapes: ``99\\1`` stopped every engine with "invalid group reference" instead of reporting it."""
    example = Path(__file__).parent.parent / "data" / "contributions" / "examples" / "valid-example-firm.ttl"
    escaped = ESCAPES.replace("\\", "\\\\")  # as a Turtle string writes a backslash
    path = tmp_path / "escapes.ttl"
    path.write_text(
        example.read_text(encoding="utf-8")
        + "\n<https://w3id.org/ftzkg/id/hs/example-escapes> a <https://w3id.org/ftzkg/ontology#HSCode> ;\n"
        + f'  <http://www.w3.org/2004/02/skos/core#notation> "{escaped}" ;\n'
        + "  <http://www.w3.org/2004/02/skos/core#broader> <https://w3id.org/ftzkg/id/hs/08> ;\n"
        + '  <http://www.w3.org/2004/02/skos/core#prefLabel> "EXAMPLE escapes"@en .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path), *(["--engine", engine] if engine else [])])
    assert result.exit_code == 1, result.output
    assert f"HS code {ESCAPES} does not lie under its broader code 08" in result.output
    assert "internal error" not in result.output


def test_pyshacl_writes_messages_its_own_way_again_after_a_run():
    from pyshacl.constraints.constraint_component import ConstraintComponent

    from ftzkg.validation.rdflib_patch import literal_message_values

    own = ConstraintComponent._format_sparql_based_result_message
    with literal_message_values():
        assert ConstraintComponent._format_sparql_based_result_message is not own
    assert ConstraintComponent._format_sparql_based_result_message is own
