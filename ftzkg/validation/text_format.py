"""The validation report as text: findings grouped by file and focus node, then a summary."""

from __future__ import annotations

from ..printable import printable
from .report import (
    SEVERITIES,
    ValidationReport,
    shorten_term,
)


def format_text(report: ValidationReport, contribution: bool = False) -> str:
    """The report as text: findings grouped by file, then focus node, then the summary."""
    lines: list[str] = []
    if contribution:
        lines.append("Contribution: " + ", ".join(report.files))
    else:
        lines.append(f"Knowledge graph: {len(report.files)} data files, shapes from ontology/shapes.ttl")
    current_file: str | None = ""
    current_focus: str | None = None
    for finding in report.findings:
        if finding.file != current_file:
            current_file = finding.file
            current_focus = None
            lines.append("")
            lines.append(finding.file or "(not located in a file)")
        if finding.focus != current_focus:
            current_focus = finding.focus
            where = f"line {finding.line}" if finding.line else "line ?"
            lines.append(f"  {shorten_term(finding.focus)}  ({where})")
        detail = f"    {finding.severity.upper():<9} {shorten_term(finding.shape)}"
        if finding.path:
            detail += f"  path {shorten_term(finding.path)}"
        if finding.value:
            detail += f"  value {shorten_term(finding.value)}"
        lines.append(detail)
        lines.append(f"      {finding.message}")
    lines.append("")
    if report.additions is not None:
        entities = report.additions.entities
        total = sum(entities.values())
        listed = ", ".join(f"{shorten_term(cls)} {n}" for cls, n in entities.items())
        lines.append(
            f"Adds {_plural(total, 'new entity', 'new entities')}"
            + (f" ({listed})" if listed else "")
            + f" and {_plural(report.additions.statements, 'new statement')}"
            + (
                f" ({report.additions.already_present} already in the graph)"
                if report.additions.already_present
                else ""
            )
            + "."
        )
    counts = ", ".join(_plural(report.count(s), s.lower()) for s in SEVERITIES)
    verdict = "VALID" if report.conforms else "NOT VALID"
    lines.append(f"Result: {verdict}: {counts}.")
    return "\n".join(printable(line) for line in lines)  # names and literals from the data, escaped


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
