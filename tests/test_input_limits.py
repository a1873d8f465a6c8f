"""Hostile contributions meet a budget: every limit is checked before the work it bounds, named in a
one-line error with the flag that raises it (exit 2), and no input gives a traceback or hangs.

Cases that crashed, hung or ate memory before the limits existed run through the real command in a
child process with a time-out and a memory cap, so a regression fails the test, not the test run.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ftzkg.cli import main
from ftzkg.input_limits import DEFAULT_LIMITS, Limits
from ftzkg.parsing import RdfInputError, parse_untrusted

PREFIXES = (
    "@prefix ftz: <https://w3id.org/ftzkg/ontology#> .\n"
    "@prefix firm: <https://w3id.org/ftzkg/id/firm/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)
FIRM = "https://w3id.org/ftzkg/id/firm/xinjiang-withyoung-health-food"
#: The one source a contribution file describes (a triples-only file without one is refused, as by the build).
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
S = "https://w3id.org/ftzkg/id/source/example-limits"
SOURCE = (
    f"<{S}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ftzkg/ontology#Source> .\n"
    f'<{S}> <http://purl.org/dc/terms/title> "EXAMPLE"@en .\n'
    f'<{S}> <https://w3id.org/ftzkg/ontology#aiAssisted> "false"^^<{BOOLEAN}> .\n'
)
SOURCE_JSON = json.dumps(
    {
        "@id": "https://w3id.org/ftzkg/id/source/example-limits",
        "@type": "https://w3id.org/ftzkg/ontology#Source",
        "http://purl.org/dc/terms/title": {"@value": "EXAMPLE", "@language": "en"},
        "https://w3id.org/ftzkg/ontology#aiAssisted": {"@value": "false", "@type": BOOLEAN},
    }
)
SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"


def validate(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def notices_removed(output: str) -> str:
    """Output without the one-off notice of the persistent store catching up with changed files."""
    return "".join(line for line in output.splitlines(keepends=True) if not line.startswith("store: "))


def one_error_line(result) -> str:
    """The single error line of an exit-2 run (and proof there was no traceback)."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = notices_removed(result.output).strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real ``ftzkg`` in a child process, capped at 3 GB and ``timeout`` seconds."""
    return subprocess.run(
        [sys.executable, "-m", "ftzkg", "--in-memory", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_cap_memory,
        stdin=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------- nesting depth


def nested_jsonld(depth: int) -> str:
    return '{"@id": "' + FIRM + '", ' + f'"{SEE_ALSO}": {{' * depth + '"@value": "deep"' + "}" * depth + "}"


def test_jsonld_nested_4000_deep_is_refused_before_the_parser_crashes(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text(nested_jsonld(4000), encoding="utf-8")
    assert path.stat().st_size > 200_000
    run = run_cli("validate", str(path))
    assert run.returncode == 2, (run.returncode, run.stderr[-500:])
    assert run.stdout == ""
    column = nested_jsonld(100).index('"@value"')  # the 101st opening brace, counted from 1
    assert (
        run.stderr == f"error: {path}:1:{column}: brackets nest deeper than the limit of 100 (--max-depth)\n"
    )


def test_the_depth_error_points_at_the_first_bracket_past_the_limit(tmp_path):
    path = tmp_path / "deep.ttl"
    path.write_text(
        PREFIXES + "firm:x rdfs:seeAlso\n" + "(" * 101 + "1" + ")" * 101 + " .\n", encoding="utf-8"
    )
    line = one_error_line(validate(str(path)))
    assert line == f"error: {path}:6:101: brackets nest deeper than the limit of 100 (--max-depth)"


def test_a_100000_deep_turtle_collection_is_refused_at_once(tmp_path):
    depth = 100_000
    path = tmp_path / "deep.ttl"
    path.write_text(PREFIXES + "firm:x rdfs:seeAlso " + "( " * depth + "1" + " )" * depth + " .\n")
    run = run_cli("validate", str(path), timeout=30)
    assert run.returncode == 2, run.stderr[-500:]
    assert "(--max-depth)" in run.stderr and run.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "deep"),
    [
        (
            "brackets.ttl",
            PREFIXES + "firm:x rdfs:seeAlso " + "[ rdfs:seeAlso " * 150 + "1" + " ]" * 150 + " .",
        ),
        ("unclosed.ttl", PREFIXES + "firm:x rdfs:seeAlso " + "(" * 150),
        ("quoted.nt", "<https://e.org/s> <https://e.org/p> " + "<< " * 150 + "<https://e.org/o>"),
        ("graph.trig", PREFIXES + "firm:g { firm:x rdfs:seeAlso " + "(" * 150 + "1" + ")" * 150 + " }"),
        ("arrays.jsonld", "[" * 150 + "]" * 150),
        (
            "elements.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://e.org/">'
            '<rdf:Description rdf:about="https://e.org/x">'
            + "<e:p><rdf:Description>" * 75
            + "<e:q>d</e:q>"
            + "</rdf:Description></e:p>" * 75
            + "</rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_every_format_has_a_depth_limit(tmp_path, name, deep):
    path = tmp_path / name
    path.write_text(deep, encoding="utf-8")
    assert "deeper than the limit of 100 (--max-depth)" in one_error_line(validate(str(path)))


@pytest.mark.parametrize(
    ("name", "shallow"),
    [
        ("strings.ttl", PREFIXES + 'firm:x rdfs:comment "' + "((((" * 200 + '", """' + "[" * 300 + '""" .'),
        ("comment.ttl", PREFIXES + "# " + "(" * 300 + "\nfirm:x rdfs:comment 'x' ."),
        ("iri.ttl", PREFIXES + "firm:x rdfs:seeAlso <https://e.org/" + "((" * 200 + "> ."),
        ("list.ttl", PREFIXES + "firm:x rdfs:seeAlso (" + " 1" * 5000 + " ) ."),
        ("strings.jsonld", json.dumps({"@id": FIRM, SEE_ALSO: "{[" * 300})),
        (
            "text.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://e.org/">'
            '<rdf:Description rdf:about="https://e.org/x"><e:q>'
            + "&lt;e:p&gt;(" * 300
            + "</e:q>"
            + "<e:r/>" * 300
            + "<!-- <e:p><e:p><e:p> --></rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_brackets_inside_strings_iris_and_comments_do_not_count(tmp_path, name, shallow):
    path = tmp_path / name
    path.write_text(shallow, encoding="utf-8")
    assert parse_untrusted(path)


def test_the_depth_limit_is_raised_by_its_flag(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text("[" + nested_jsonld(150) + ", " + SOURCE_JSON + "]", encoding="utf-8")
    assert "(--max-depth)" in one_error_line(validate(str(path)))
    result = validate(str(path), "--max-depth", "200")
    assert result.exit_code in (0, 1), result.output
    assert "Result:" in result.output


# ---------------------------------------------------------------- triples


def many_triples(count: int) -> str:
    return "".join(f'<https://e.org/s{i}> <{SEE_ALSO}> "{i}" .\n' for i in range(count))


def test_more_triples_than_the_default_limit_are_refused(tmp_path):
    path = tmp_path / "many.nt"
    path.write_text(many_triples(DEFAULT_LIMITS.max_triples + 1), encoding="utf-8")
    line = one_error_line(validate(str(path)))
    assert line == f"error: {path}: more than 100000 triples, the limit (--max-triples)"


def test_the_triple_limit_counts_all_files_together_and_is_raised_by_its_flag(tmp_path):
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    first.write_text(many_triples(27) + SOURCE, encoding="utf-8")  # 30 triples in each file
    second.write_text(many_triples(27).replace("/s", "/t") + SOURCE, encoding="utf-8")
    assert "more than 50 triples together" in one_error_line(
        validate(str(first), str(second), "--max-triples", "50")
    )
    assert validate(str(first), str(second), "--max-triples", "60").exit_code in (0, 1)


# ---------------------------------------------------------------- literals


def test_a_literal_above_the_limit_is_refused_with_its_position(tmp_path):
    path = tmp_path / "long.ttl"
    path.write_text(PREFIXES + 'firm:x rdfs:comment "' + "a" * 1_100_000 + '" .\n' + SOURCE, encoding="utf-8")
    line = one_error_line(validate(str(path)))
    assert line == (
        f"error: {path}:5:21: a literal of 1100000 bytes, "
        "above the limit of 1048576 bytes (--max-literal-bytes)"
    )
    result = validate(str(path), "--max-literal-bytes", "2000000")
    assert result.exit_code in (0, 1) and "Result:" in result.output


def test_a_20_megabyte_literal_is_refused_without_a_traceback(tmp_path):
    path = tmp_path / "huge.ttl"
    path.write_bytes(PREFIXES.encode() + b'firm:x rdfs:comment "' + b"a" * 20_000_000 + b'" .\n')
    assert "above the limit of 1048576 bytes (--max-literal-bytes)" in one_error_line(validate(str(path)))
    # raising the limit past the parser's own buffer still ends in one line, not a MemoryError
    line = one_error_line(validate(str(path), "--max-literal-bytes", "30000000"))
    assert "longer than the parser's buffer of 16777216 bytes (--max-literal-bytes)" in line


def test_a_long_jsonld_string_is_held_to_the_literal_limit(tmp_path):
    path = tmp_path / "long.jsonld"
    path.write_text(json.dumps({"@id": FIRM, SEE_ALSO: "a" * 1_100_000}), encoding="utf-8")
    assert "(--max-literal-bytes)" in one_error_line(validate(str(path)))


# ---------------------------------------------------------------- relative IRIs in JSON-LD


def test_a_jsonld_node_with_a_relative_id_is_an_error_not_dropped(tmp_path):
    doc = (
        "{\n"
        '  "@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},\n'
        '  "@graph": [\n'
        f'    {{"@id": "{FIRM}", "rdfs:comment": "kept"}},\n'
        '    {"@id": "firm-without-a-base", "rdfs:comment": "dropped before"}\n'
        "  ]\n"
        "}\n"
    )
    path = tmp_path / "relative.jsonld"
    path.write_text(doc, encoding="utf-8")
    line = one_error_line(validate(str(path)))
    assert line.startswith(f'error: {path}:5:13: relative IRI "firm-without-a-base": every @id must be')


@pytest.mark.parametrize(
    "node",
    [
        {"@id": FIRM, SEE_ALSO: {"@id": "../up"}},
        {"@id": FIRM, "@type": "LocalType"},
        {"@id": FIRM, SEE_ALSO: {"@value": "x", "@type": "dt"}},
    ],
)
def test_relative_iris_anywhere_in_jsonld_are_errors(tmp_path, node):
    path = tmp_path / "relative.jsonld"
    path.write_text(json.dumps(node), encoding="utf-8")
    assert "absolute IRI" in one_error_line(validate(str(path)))


def test_jsonld_with_an_explicit_base_is_fine(tmp_path):
    doc = {"@context": {"@base": "https://w3id.org/ftzkg/id/firm/"}, "@id": "xinjiang-withyoung-health-food"}
    doc[SEE_ALSO] = {"@id": "https://example.org/page"}
    path = tmp_path / "based.jsonld"
    path.write_text("[" + json.dumps(doc) + ", " + SOURCE_JSON + "]", encoding="utf-8")
    assert validate(str(path)).exit_code == 0


# ---------------------------------------------------------------- ill-typed literals


@pytest.mark.parametrize(
    ("literal", "complaint"),
    [
        ('"2025-02-30"^^xsd:date', "not a valid xsd:date literal (February 2025 has 28 days)"),
        ('"x"^^xsd:duration', "not a valid xsd:duration literal"),
        ('"99999999999999999999"^^xsd:int', "not a valid xsd:int literal (out of range"),
        ('"300"^^xsd:byte', "not a valid xsd:byte literal (out of range -128..127)"),
        ('"x"^^xsd:time', "not a valid xsd:time literal"),
        ('"-1"^^xsd:unsignedInt', "out of range 0..4294967295"),
        ('"70000"^^xsd:unsignedShort', "out of range 0..65535"),
        ('"0"^^xsd:positiveInteger', "out of range: at least 1"),
        ('"2023-02-29T10:00:00Z"^^xsd:dateTime', "February 2023 has 28 days"),
        ('"24:30:00"^^xsd:time', "not a valid xsd:time literal"),
        ('"P1DT"^^xsd:duration', "needs at least one number and unit"),
        ('"yes"^^xsd:boolean', "not a valid xsd:boolean literal"),
        ('"1,5"^^xsd:decimal', "not a valid xsd:decimal literal"),
        ('"1.5.0"^^xsd:double', "not a valid xsd:double literal"),
        ('"99"^^xsd:gYear', "not a valid xsd:gYear literal"),
        ('"--02-30"^^xsd:gMonthDay', "February has 29 days"),
        ('"x"^^xsd:dateTimeStamp', "not a valid xsd:dateTimeStamp literal"),
        ('"x"^^xsd:integr', "xsd:integr, which is not an XSD datatype"),
    ],
)
def test_ill_typed_literals_are_errors_with_file_line_and_column(tmp_path, literal, complaint):
    path = tmp_path / "typed.ttl"
    path.write_text(PREFIXES + f"firm:x rdfs:comment {literal} .\n", encoding="utf-8")
    result = validate(str(path))
    line = one_error_line(result)
    assert line.startswith(f"error: {path}:5:21: ")
    assert complaint in line
    assert notices_removed(result.stderr) == line + "\n"  # nothing else on standard error


def test_valid_xsd_values_python_cannot_hold_pass_quietly(tmp_path):
    """Year 0, year 10000 and hour 24 are valid XSD: accepted, and no rdflib traceback on stderr."""
    path = tmp_path / "edge.ttl"
    path.write_text(
        PREFIXES
        + f"<{FIRM}> rdfs:comment "
        + '"0000-01-01"^^xsd:date, "10000-12-31"^^xsd:date, "24:00:00"^^xsd:time, '
        + '"P99999999999Y"^^xsd:duration .\n'
        + SOURCE,
        encoding="utf-8",
    )
    run = run_cli("validate", str(path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stderr == ""


def test_ill_typed_literals_in_every_format_are_found(tmp_path):
    xsd = "http://www.w3.org/2001/XMLSchema#"
    files = {
        "t.nt": f'<https://e.org/x> <https://e.org/p> "300"^^<{xsd}byte> .\n',
        "t.jsonld": json.dumps(
            {"@id": "https://e.org/x", "https://e.org/p": {"@value": "300", "@type": xsd + "byte"}}
        ),
        "t.rdf": (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="https://e.org/">\n'
            f'<rdf:Description rdf:about="https://e.org/x"><e:p rdf:datatype="{xsd}byte">300</e:p>'
            "</rdf:Description></rdf:RDF>\n"
        ),
    }
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert "not a valid xsd:byte literal" in one_error_line(validate(str(path))), name


# ---------------------------------------------------------------- only regular files, read within the limit


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_a_device_is_refused_not_read(tmp_path, device):
    link = tmp_path / "innocent.ttl"
    link.symlink_to(device)
    run = run_cli("validate", str(link), timeout=30)
    assert run.returncode == 2, run.stderr[-300:]
    assert (
        run.stderr == f"error: {link}: a character device, not a regular file: only regular files are read\n"
    )


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    run = run_cli("validate", str(fifo), timeout=30)
    assert run.returncode == 2
    assert "a named pipe, not a regular file" in run.stderr


def test_a_directory_is_refused(tmp_path):
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    with pytest.raises(RdfInputError, match=r"folder.ttl: (a directory, not a regular file|Is a directory)"):
        parse_untrusted(folder)


def test_reading_stops_at_the_byte_limit_whatever_stat_says(tmp_path):
    """/proc files are regular but report size 0: the reader itself must stop at the limit."""
    link = tmp_path / "status.ttl"
    link.symlink_to("/proc/self/status")
    assert os.stat(link).st_size == 0
    with pytest.raises(RdfInputError, match=r"above the limit of 100 bytes \(--max-bytes\)"):
        parse_untrusted(link, limits=Limits(max_bytes=100))


# ---------------------------------------------------------------- escaping what is printed


def test_control_characters_in_a_file_name_and_literal_are_escaped_in_the_error(tmp_path):
    path = tmp_path / "evil\x1b]0;owned\x07\n.ttl"
    path.write_text(PREFIXES + 'firm:x rdfs:comment "\x1b[2J\x9b31m\u202e"^^xsd:int .\n', encoding="utf-8")
    result = validate(str(path))
    line = one_error_line(result)
    for raw in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert raw not in result.output
    assert "evil\\x1b]0;owned\\x07\\n.ttl" in line
    assert '"\\x1b[2J\\x9b31m\\u202e" is not a valid xsd:int literal' in line


def test_control_characters_from_the_data_are_escaped_in_every_report_format(tmp_path):
    path = tmp_path / "report\x1b[31m.ttl"
    # a label without a language tag: a violation whose value comes from the file
    text = PREFIXES + 'firm:evil a ftz:Enterprise ; rdfs:label "\x1b[5m\x9b" .\n' + SOURCE
    path.write_text(text, encoding="utf-8")
    text = validate(str(path))
    assert text.exit_code == 1, text.output
    assert "\x1b" not in text.output and "\x9b" not in text.output
    assert "\\x1b[31m.ttl" in text.output and "value \\x1b[5m\\x9b" in text.output
    as_json = validate(str(path), "--format", "json")
    assert "\x1b" not in as_json.stdout and "\x9b" not in as_json.stdout
    assert json.loads(as_json.stdout)["files"][0].endswith("report\x1b[31m.ttl")
    as_turtle = validate(str(path), "--format", "turtle")
    assert "\x1b" not in as_turtle.stdout


# ---------------------------------------------------------------- owl:imports


def test_owl_imports_is_reported_as_never_followed(tmp_path):
    path = tmp_path / "imports.ttl"
    path.write_text(
        PREFIXES
        + "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        + "<https://example.org/my-contribution> owl:imports <http://example.org/more-data.ttl> .\n"
        + SOURCE,
        encoding="utf-8",
    )
    result = validate(str(path))
    assert result.exit_code == 0, result.output
    assert "WARNING   ftzsh:ImportsCheck" in result.output
    assert "owl:imports <http://example.org/more-data.ttl> is never followed" in result.output
    assert "(line 6)" in result.output
    assert validate(str(path), "--fail-on-warning").exit_code == 1


# ---------------------------------------------------------------- the datatypes checked, one by one


@pytest.mark.parametrize(
    ("datatype", "valid", "invalid"),
    [
        ("int", ["2147483647", "-2147483648", "+0"], ["2147483648", "1.0", " 1"]),
        ("short", ["32767"], ["32768"]),
        ("byte", ["-128", "127"], ["-129", "300"]),
        ("long", ["9223372036854775807"], ["9223372036854775808", "9" * 5000]),
        ("unsignedLong", ["18446744073709551615"], ["18446744073709551616", "-1"]),
        ("unsignedInt", ["4294967295"], ["4294967296"]),
        ("unsignedShort", ["65535"], ["65536"]),
        ("unsignedByte", ["255"], ["256"]),
        ("positiveInteger", ["1"], ["0", "-5"]),
        ("nonNegativeInteger", ["0"], ["-1"]),
        ("negativeInteger", ["-1"], ["0"]),
        ("nonPositiveInteger", ["0", "-3"], ["1"]),
        ("integer", ["9" * 5000], ["1e3", "x"]),
        ("decimal", ["1.5", "-.5", "5."], ["1,5", "1e3", "."]),
        ("double", ["1e10", "INF", "-INF", "NaN", ".5E-3"], ["1.5.0", "inf", "e5"]),
        ("float", ["3.4E38"], ["x"]),
        ("boolean", ["true", "false", "1", "0"], ["yes", "TRUE"]),
        (
            "date",
            ["2024-02-29", "0000-01-01", "-0044-03-15", "2025-01-01Z", "2025-01-01+14:00"],
            ["2025-02-30", "2023-02-29", "1900-02-29", "2025-04-31", "2025-1-1", "2025-01-01+15:00"],
        ),
        (
            "dateTime",
            ["2025-01-01T24:00:00", "2025-01-01T10:00:00.5Z"],
            ["2025-01-01T24:00:01", "2025-01-01"],
        ),
        ("dateTimeStamp", ["2025-01-01T10:00:00Z"], ["2025-01-01T10:00:00"]),
        ("time", ["23:59:59", "24:00:00", "10:00:00-05:00"], ["24:30:00", "10:60:00", "x"]),
        ("gYear", ["2025", "-0001", "12345"], ["99", "2025-01"]),
        ("gYearMonth", ["2025-12"], ["2025-13", "2025"]),
        ("gMonth", ["--12"], ["--13"]),
        ("gDay", ["---31"], ["---32"]),
        ("gMonthDay", ["--02-29", "--12-31"], ["--02-30", "--04-31"]),
        ("duration", ["P1Y2M3DT4H5M6.5S", "-P1D", "PT0S"], ["P", "PT", "P1DT", "1D", "P1S"]),
        ("yearMonthDuration", ["P1Y2M"], ["P1D", "P"]),
        ("dayTimeDuration", ["P1DT2H"], ["P1Y", "P"]),
        ("hexBinary", ["0fA9", ""], ["abc", "zz"]),
        ("base64Binary", ["SGVsbG8=", "SGVs bG8="], ["SGVsbG8", "@@@@"]),
        ("language", ["en", "zh-Hans-CN"], ["en_GB", "toolongtag"]),
        ("NCName", ["a-b.c"], ["a:b", "1a"]),
        ("normalizedString", ["a b"], ["a\nb"]),
        ("token", ["a b"], [" a", "a  b"]),
    ],
)
def test_each_xsd_datatype_is_checked_by_lexical_form_and_value(datatype, valid, invalid):
    from ftzkg.xsd_literals import XSD, literal_problem

    for lexical in valid:
        assert literal_problem(lexical, XSD + datatype) is None, (datatype, lexical)
    for lexical in invalid:
        assert literal_problem(lexical, XSD + datatype) is not None, (datatype, lexical)


def test_xsd_iris_that_are_no_datatype_are_refused():
    from ftzkg.xsd_literals import XSD, literal_problem

    assert "not an XSD datatype" in literal_problem("1", XSD + "integr")
    assert "RDF cannot use" in literal_problem("a:b", XSD + "QName")
    assert literal_problem("x", "https://example.org/myType") is None  # other datatypes: not ours to judge


# ---------------------------------------------------------------- the README and --help say the same


def test_the_readme_limits_table_and_help_match_the_defaults():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Contributions (`ftzkg validate FILE`)", 1)[1].split("### The site", 1)[0]
    help_text = CliRunner().invoke(main, ["validate", "--help"]).output
    for flag, value in [
        ("--max-bytes", DEFAULT_LIMITS.max_bytes),
        ("--max-depth", DEFAULT_LIMITS.max_depth),
        ("--max-triples", DEFAULT_LIMITS.max_triples),
        ("--max-literal-bytes", DEFAULT_LIMITS.max_literal_bytes),
    ]:
        row = next(line for line in section.splitlines() if f"`{flag}`" in line)
        assert row.split("|")[2].strip().startswith(str(value)), row
        assert flag in help_text
        assert f"[default: {value};" in " ".join(help_text.split()).split(flag, 1)[1], flag


def test_the_relative_iri_error_points_at_the_relative_iri_not_at_a_defined_term(tmp_path):
    doc = '{"@context": {"Firm": "https://w3id.org/ftzkg/ontology#Enterprise"},\n'
    doc += ' "@type": "Firm",\n "@id": "rel"}'
    path = tmp_path / "term.jsonld"
    path.write_text(doc, encoding="utf-8")
    assert one_error_line(validate(str(path))).startswith(f'error: {path}:3:9: relative IRI "rel"')


# ---------------------------------------------------------------- time and memory


def stopped_line(result) -> str:
    """The single error line of a run stopped at a limit (exit 3)."""
    assert result.exit_code == 3, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    [line] = notices_removed(result.output).strip().splitlines()
    return line


def many_firms(tmp_path: Path, count: int) -> Path:
    """A contribution within every input limit whose check is long: thousands of bare firms."""
    path = tmp_path / "many-firms.ttl"
    firms = "".join(f"firm:example-{i} a ftz:Enterprise .\n" for i in range(count))
    path.write_text(PREFIXES + firms + SOURCE, encoding="utf-8")
    return path


def test_running_out_of_memory_while_parsing_a_small_file_is_not_called_a_long_token(tmp_path, monkeypatch):
    """Oxigraph reports a full token buffer and an exhausted process alike (MemoryError). Only a
    file larger than the buffer can hold a token too long for it; in a smaller one it is the
    process's memory (the --max-memory cap of the check), and stays a MemoryError."""
    import pyoxigraph

    def exhausted(*args, **kwargs):
        raise MemoryError

    path = many_firms(tmp_path, 100)
    monkeypatch.setattr(pyoxigraph, "parse", exhausted)
    with pytest.raises(MemoryError):
        parse_untrusted(path)


def test_a_contribution_within_the_limits_that_takes_too_long_is_stopped_at_the_timeout(tmp_path):
    path = many_firms(tmp_path, 40_000)  # about 15 s of checking: far beyond the 1 s limit
    assert len(parse_untrusted(path)) <= DEFAULT_LIMITS.max_triples  # accepted by every input limit
    result = validate(str(path), "--timeout", "1")
    assert stopped_line(result) == (
        "error: the validation did not finish within 1 s, the limit; raise it with --timeout"
    )


def test_a_contribution_that_needs_more_memory_than_allowed_is_stopped(tmp_path):
    result = validate(str(many_firms(tmp_path, 5000)), "--max-memory", "16", "--timeout", "600")
    assert stopped_line(result) == (
        "error: the validation needed more than 16 MB of memory, the limit; raise it with --max-memory"
    )


def test_the_bounded_check_reports_as_the_unbounded_one(tmp_path):
    """The check in its own process prints the same report and exit code (and a refusal stays exit 2)."""
    path = many_firms(tmp_path, 3)
    bounded = validate(str(path), "--timeout", "600", "--format", "json")
    assert bounded.exit_code == 1
    report = json.loads(bounded.stdout)
    assert report["violations"] > 0 and report["additions"]["entities"]["ftz:Enterprise"] == 3
    no_source = tmp_path / "no-source.ttl"
    no_source.write_text(PREFIXES + "firm:example-0 a ftz:Enterprise .\n", encoding="utf-8")
    assert "must describe exactly one (found none)" in one_error_line(validate(str(no_source)))


def test_the_validation_time_and_memory_defaults_are_the_documented_ones():
    from ftzkg.query_limits import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT_S

    help_text = " ".join(CliRunner().invoke(main, ["validate", "--help"]).output.split())
    assert f"Default: {DEFAULT_TIMEOUT_S:g} for FILES" in help_text
    assert f"Default: {DEFAULT_MAX_MEMORY_MB} for FILES" in help_text
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert f"`--timeout` seconds (default {DEFAULT_TIMEOUT_S:g})" in readme
    assert f"`--max-memory` MB (default {DEFAULT_MAX_MEMORY_MB})" in readme
