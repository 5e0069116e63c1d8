"""Printing validation results: text lines, one JSON document, or GitHub annotations
(SARIF and JUnit XML are in their own modules)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .messages import FileReport, Message
from .rules import ERROR, INFO
from .targets import Skipped

FORMATS = ("text", "json", "github", "sarif", "junit")


def render(reports: list[FileReport], fmt: str, *, strict: bool = False,
           skipped: Sequence[Skipped] = ()) -> str:
    """The whole report in `fmt`; ends with a newline. `skipped` are the inputs passed
    over as not feeds; with no report at all, nothing was validated, which fails."""
    if fmt == "json":
        return as_json(reports, strict=strict, skipped=skipped)
    if fmt == "github":
        return as_github(reports, strict=strict)
    if fmt == "sarif":
        from .sarif import as_sarif

        return as_sarif(reports, strict=strict, skipped=skipped)
    if fmt == "junit":
        from .junit import as_junit

        return as_junit(reports, strict=strict, skipped=skipped)
    return as_text(reports, strict=strict)


def skipped_lines(skipped: Sequence[Skipped]) -> str:
    """What validate prints (to stderr) about inputs passed over, and why."""
    return "".join(f"{item}\n" for item in skipped)


def passed(reports: list[FileReport], strict: bool) -> bool:
    """Whether the run passes: something was validated and nothing is invalid."""
    return bool(reports) and all(r.verdict(strict) == "valid" for r in reports)


def _messages(reports: list[FileReport]) -> list[Message]:
    return [m for r in reports for m in r.messages]


def _summary(reports: list[FileReport], strict: bool) -> str:
    errors = sum(r.errors for r in reports)
    warnings = sum(r.warnings for r in reports)
    infos = sum(r.infos for r in reports)
    bad = sum(1 for r in reports if r.verdict(strict) == "invalid")
    files = len(reports)
    return (f"{files} file{'s' if files != 1 else ''} checked: {errors} "
            f"error{'s' if errors != 1 else ''}, {warnings} "
            f"warning{'s' if warnings != 1 else ''}"
            + (f", {infos} info" if infos else "") + "; "
            + (f"{bad} invalid" if bad else "all valid" if files else "nothing validated")
            + (" (--strict: warnings count)" if strict and warnings else ""))


def as_text(reports: list[FileReport], *, strict: bool = False) -> str:
    lines = [str(m) for m in _messages(reports)]
    lines.append(_summary(reports, strict))
    return "\n".join(lines) + "\n"


def as_json(reports: list[FileReport], *, strict: bool = False,
            skipped: Sequence[Skipped] = ()) -> str:
    document = {
        "strict": strict,
        "valid": passed(reports, strict),
        "skipped": [{"path": s.path, "reason": s.reason} for s in skipped],
        "files": [
            {
                "path": r.path,
                "format": r.kind,
                "verdict": r.verdict(strict),
                "errors": r.errors,
                "warnings": r.warnings,
                "infos": r.infos,
                "messages": [
                    {"path": m.path, "line": m.line, "column": m.column,
                     "severity": m.severity, "rule": m.rule, "message": m.message}
                    for m in r.messages
                ],
            }
            for r in reports
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(reports: list[FileReport], *, strict: bool = False) -> str:
    """GitHub Actions workflow commands; messages land on the pull request's diff."""
    lines = []
    for m in _messages(reports):
        command = {ERROR: "error", INFO: "notice"}.get(m.severity, "warning")
        props = ",".join([
            f"file={_escape_property(m.path)}", f"line={m.line}", f"col={m.column}",
            f"title={_escape_property(m.rule)}",
        ])
        lines.append(f"::{command} {props}::{_escape_data(m.message)} [{m.rule}]")
    lines.append(_summary(reports, strict))
    return "\n".join(lines) + "\n"
