"""One line of the checklist (`Check`) and the checklist printed as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

OK, FAIL, WARN, SKIP = "ok", "fail", "warn", "skip"
MARKS = {OK: "✓", FAIL: "✗", WARN: "!", SKIP: "-"}
GROUPS = {"dns": "DNS", "relay": "Relay", "list": "List"}
FORMATS = ("text", "json")


@dataclass(frozen=True)
class Check:
    """One checked thing: `key` like "dns.spf", what was `found`, and for a failure or
    a warning the exact `fix` (the record to publish, the setting to change)."""

    key: str
    title: str
    status: str
    found: str
    fix: str = ""

    @property
    def group(self) -> str:
        return self.key.split(".")[0]


def ok(key: str, title: str, found: str) -> Check:
    return Check(key, title, OK, found)


def fail(key: str, title: str, found: str, fix: str) -> Check:
    return Check(key, title, FAIL, found, fix)


def warn(key: str, title: str, found: str, fix: str) -> Check:
    return Check(key, title, WARN, found, fix)


def skip(key: str, title: str, found: str) -> Check:
    return Check(key, title, SKIP, found)


def failed(checks: Sequence[Check]) -> bool:
    return any(c.status == FAIL for c in checks)


def counts(checks: Sequence[Check]) -> dict[str, int]:
    return {status: sum(c.status == status for c in checks) for status in MARKS}


def render(checks: Sequence[Check], fmt: str) -> str:
    """The checklist: grouped lines with ✓ ✗ ! -, each failure followed by its fix."""
    if fmt == "json":
        return json.dumps({"ok": not failed(checks), "counts": counts(checks),
                           "checks": [{"group": c.group, **asdict(c)} for c in checks]},
                          indent=2, ensure_ascii=False) + "\n"
    lines: list[str] = []
    group = ""
    for check in checks:
        if check.group != group:
            group = check.group
            lines.append(GROUPS.get(group, group))
        lines.append(f"  {MARKS[check.status]} {check.title}: {check.found}")
        if check.fix:
            lines.extend(f"      {line}" for line in f"fix: {check.fix}".splitlines())
    n = counts(checks)
    lines.append(f"{len(checks)} checks: {n[OK]} passed, {n[FAIL]} failed, {n[WARN]} "
                 f"warnings, {n[SKIP]} skipped")
    return "\n".join(lines) + "\n"
