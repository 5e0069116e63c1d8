"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.

One run of the tool `feedkit`; each rule that fired is described once (its id, its
summary, its default level and the W3C validator's message name where it has one),
and each message is a result on the file's line and column. Files are given as
URIs relative to the directory validate ran in (what code scanning resolves against
the repository root), absolute ones as file: URIs. Inputs passed over as not feeds
are tool notifications; a run that validated nothing is not successful.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path, PurePath
from urllib.parse import quote

from .messages import FileReport
from .rules import ERROR, INFO, RULES, WARNING
from .targets import Skipped

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {ERROR: "error", WARNING: "warning", INFO: "note"}


def artifact_uri(path: str) -> str:
    """A file name as a URI reference: relative paths stay relative, with / and %XX."""
    if "://" in path:
        return path
    pure = PurePath(path)
    if pure.is_absolute():
        return Path(path).as_uri()
    return quote(pure.as_posix(), safe="/-._~")


def _level(severity: str, strict: bool) -> str:
    if strict and severity == WARNING:
        return "error"  # --strict: warnings fail, so they are shown as failures
    return _LEVELS[severity]


def as_sarif(reports: list[FileReport], *, strict: bool = False,
             skipped: Sequence[Skipped] = ()) -> str:
    from .. import __version__
    from .rules import w3c_name

    used = sorted({m.rule for r in reports for m in r.messages})
    index = {rule: n for n, rule in enumerate(used)}
    rules = []
    for rule in used:
        severity, summary = RULES[rule][:2]
        descriptor: dict[str, object] = {
            "id": rule,
            "shortDescription": {"text": summary},
            "defaultConfiguration": {"level": _LEVELS[severity]},
        }
        name = w3c_name(rule)
        if name:
            descriptor["properties"] = {"w3c": name}
        rules.append(descriptor)
    results = [
        {
            "ruleId": m.rule,
            "ruleIndex": index[m.rule],
            "level": _level(m.severity, strict),
            "message": {"text": m.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(m.path)},
                "region": {"startLine": m.line, "startColumn": m.column},
            }}],
        }
        for r in reports for m in r.messages
    ]
    notifications = [
        {"level": "warning" if reports else "error",
         "message": {"text": f"{item.path}: skipped: {item.reason}"},
         "locations": [{"physicalLocation": {
             "artifactLocation": {"uri": artifact_uri(item.path)}}}]}
        for item in skipped
    ]
    invocation: dict[str, object] = {"executionSuccessful": bool(reports)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "feedkit", "version": __version__,
                                "rules": rules}},
            "invocations": [invocation],
            "artifacts": [{"location": {"uri": artifact_uri(r.path)}} for r in reports],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
