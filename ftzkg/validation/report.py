"""The validation report model: findings (how bad, which node, which rule, where), what a
contribution adds, and the report as JSON or a SHACL report graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..namespaces import FTZ, SHAPES_NS, shorten
from ..printable import json_safe, turtle_safe

if TYPE_CHECKING:  # rdflib is loaded only by what reads or writes report graphs
    import rdflib

SEVERITIES = ("Violation", "Warning", "Info")


#: IRIs naming the checks done in Python rather than by a shape.
VOCABULARY_CHECK = SHAPES_NS + "VocabularyCheck"


ONTOLOGY_PROTECTION_CHECK = SHAPES_NS + "OntologyProtectionCheck"


EMBEDDED_SHAPES_CHECK = SHAPES_NS + "EmbeddedShapesCheck"


CONFLICT_CHECK = SHAPES_NS + "ConflictCheck"


IMPORTS_CHECK = SHAPES_NS + "ImportsCheck"


@dataclass(frozen=True)
class Finding:
    """One problem: how bad, which node, which rule, what is wrong in plain words, and where."""

    severity: str
    focus: str
    shape: str
    message: str
    path: str | None = None
    value: str | None = None
    file: str | None = None
    line: int | None = None

    def key(self) -> tuple[str, str, str, str | None, str | None]:
        """What identifies the problem regardless of where it is reported."""
        return (self.focus, self.shape, self.message, self.path, self.value)

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "focus": shorten_term(self.focus),
            "shape": shorten_term(self.shape),
            "message": self.message,
            "path": shorten_term(self.path) if self.path else None,
            "value": shorten_term(self.value) if self.value else None,
            "file": self.file,
            "line": self.line,
        }


@dataclass
class Additions:
    """What a contribution adds: new entities by class and new statements."""

    entities: dict[str, int] = field(default_factory=dict)
    statements: int = 0
    already_present: int = 0


@dataclass
class ValidationReport:
    """The outcome of a validation: findings, SHACL report graph, and (for contributions) additions."""

    findings: list[Finding]
    #: the SHACL engine's report graph, when the engine made one (a compiled check plan makes none)
    report_graph: rdflib.Graph | None = None
    files: list[str] = field(default_factory=list)
    additions: Additions | None = None
    focus_nodes: int = 0

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def conforms(self) -> bool:
        return self.count("Violation") == 0

    def to_json(self) -> str:
        payload: dict[str, object] = {
            "conforms": self.conforms,
            "files": self.files,
            "violations": self.count("Violation"),
            "warnings": self.count("Warning"),
            "infos": self.count("Info"),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.additions is not None:
            payload["additions"] = {
                "entities": {shorten_term(k): v for k, v in self.additions.entities.items()},
                "new_statements": self.additions.statements,
                "already_present": self.additions.already_present,
            }
        return json_safe(json.dumps(payload, indent=2, ensure_ascii=False))

    def to_turtle(self) -> str:
        """The SHACL validation report, with the Python checks' findings added as results."""
        import rdflib
        from rdflib.namespace import RDF as RDFNS
        from rdflib.namespace import SH

        graph = rdflib.Graph()
        for prefix in ("sh", "ftz", "ftzsh"):
            graph.bind(prefix, {"sh": str(SH), "ftz": FTZ, "ftzsh": SHAPES_NS}[prefix])
        report = rdflib.BNode()
        graph.add((report, RDFNS.type, SH.ValidationReport))
        graph.add((report, SH.conforms, rdflib.Literal(self.conforms)))
        for finding in self.findings:
            result = rdflib.BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDFNS.type, SH.ValidationResult))
            graph.add((result, SH.focusNode, _rdflib_term(finding.focus)))
            graph.add((result, SH.sourceShape, rdflib.URIRef(finding.shape)))
            graph.add((result, SH.resultSeverity, SH[finding.severity]))
            graph.add((result, SH.resultMessage, rdflib.Literal(finding.message, lang="en")))
            if finding.path:
                graph.add((result, SH.resultPath, rdflib.URIRef(finding.path)))
            if finding.value:
                graph.add((result, SH.value, _rdflib_term(finding.value)))
        return turtle_safe(graph.serialize(format="turtle"))


def _rdflib_term(text: str) -> rdflib.term.Identifier:
    import rdflib

    if text.startswith("_:"):
        return rdflib.BNode(text[2:])
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        return rdflib.URIRef(text)
    return rdflib.Literal(text)


def shorten_term(text: str) -> str:
    """A prefixed name for an IRI, the text itself for blank nodes and literals."""
    if text.startswith("_:") or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        return text
    short = shorten(text)
    return short[1:-1] if short.startswith("<") else short


def findings_from_report(report: rdflib.Graph) -> list[Finding]:
    """One finding per sh:ValidationResult of a SHACL report graph."""
    import rdflib
    from rdflib.namespace import RDF as RDFNS
    from rdflib.namespace import SH

    findings = []
    for result in report.subjects(RDFNS.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        findings.append(
            Finding(
                severity=str(severity).removeprefix(str(SH)) if severity else "Violation",
                focus=_term_text(report.value(result, SH.focusNode)),
                shape=_term_text(report.value(result, SH.sourceShape)),
                message=message_text(messages),
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                value=_term_text(value) if value is not None else None,
            )
        )
    return findings


_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"{}|\\^`,;()]*[^\s<>\"{}|\\^`,;().]")


def message_text(messages: Iterable[str]) -> str:
    """What a finding says: the first of a result's messages, IRIs in it shortened."""
    ordered = sorted(messages)
    return _IRI_IN_TEXT.sub(lambda m: shorten_term(m.group(0)), ordered[0]) if ordered else ""


def _term_text(term: rdflib.term.Node | None) -> str:
    import rdflib

    if term is None:
        return ""
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    return str(term)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in a stable order: file, line, focus node, severity, shape, message."""
    unique = {(f.key(), f.severity, f.file, f.line): f for f in findings}
    return sorted(
        unique.values(),
        key=lambda f: (
            f.file or "~",
            f.line or 0,
            f.focus,
            SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
            f.shape,
            f.message,
            f.value or "",
        ),
    )
