"""Checks of a whole project beyond its files one by one: posts.lock against the registry,
and the feeds in out/ against what `feedkit build` would write now."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .messages import FileReport, Message
from .rules import severity

if TYPE_CHECKING:
    from ..idlock import LockPlan
    from ..model import Registry


def _message(path: str, line: int, rule: str, text: str) -> Message:
    return Message(path, line, 1, severity(rule), rule, text)


def check_lock(registry: Registry, registry_path: Path, now: datetime,
               ) -> tuple[list[Message], list[FileReport]]:
    """Messages for the registry (posts that change or reuse a published id, posts the
    lock doesn't record yet) and a report for the lock file itself, if there is one."""
    from ..errors import FeedkitError
    from ..idlock import LockError, plan_lock
    from ..project import Project

    path = Project(registry_path).lock_path
    report = FileReport(str(path), "lock")
    try:
        plan = plan_lock(path, registry, now)
    except LockError as error:
        report.messages.extend(Message(p.path, p.line, p.column, severity("lock-malformed"),
                                       "lock-malformed", p.message) for p in error.problems)
        return [], [report]
    except FeedkitError as error:
        report.messages.append(_message(str(path), 1, "file-unreadable", str(error)))
        report.unreadable = True
        return [], [report]
    found = [_message(registry.path, v.post.line, v.rule, v.message)
             for v in plan.result.violations]
    if not plan.existed:
        if plan.result.added:  # (nothing published yet: nothing to keep)
            found.append(_message(registry.path, 1, "lock-outdated", (
                f"there is no {path.name} beside {Path(registry.path).name} to keep the "
                f"published ids: run `feedkit build` and commit {path.name}")))
        return found, []
    if not plan.result.violations:
        found += _unrecorded(plan, registry, report)
    return found, [report]


def _unrecorded(plan: LockPlan, registry: Registry, report: FileReport) -> list[Message]:
    """What `feedkit build` would add to the lock: new published posts (on the registry),
    removals and other changes (on the lock)."""
    name = plan.path.name
    fix = f"run `feedkit build` and commit {name}"
    found = [_message(registry.path, post.line, "lock-outdated", (
        f"'{post.title}' is published, but {name} doesn't record its id yet: {fix}"))
        for post in plan.result.added]
    report.messages.extend(_message(str(plan.path), entry.line, "lock-outdated", (
        f"the post with id '{entry.id}' is gone from {Path(registry.path).name}; "
        f"`feedkit build` records it as removed (restore the post if it went by "
        f"mistake, else {fix})")) for entry in plan.result.removed)
    if plan.changed and not found and not report.messages:
        report.messages.append(_message(str(plan.path), 1, "lock-outdated", (
            f"not what `feedkit build` writes (a slug changed, a post came back, or the "
            f"file was edited): {fix}")))
    return found


def check_built(registry: Registry, registry_path: Path, out_dir: Path, now: datetime,
                feeds: list[FileReport]) -> list[Message]:
    """Feeds of out/ that differ from what a build would write now, are missing, or that
    an earlier build wrote and this one would remove. Each message goes to its feed's
    report; those of missing feeds are returned."""
    from ..jobs.build import feed_writers, render
    from ..outputs import stale_files

    _, outputs = render(registry_path, now=now, writers=feed_writers(), registry=registry)
    reports = {report.path: report for report in feeds}
    missing = []
    fix = "run `feedkit build`"
    for relpath in outputs.stale(out_dir):
        shown = str(out_dir / relpath)
        report = reports.get(shown)
        if report is None:
            missing.append(_message(shown, 1, "out-of-date", (
                f"missing: `feedkit build` writes this feed from {registry.path} now; {fix}")))
        else:
            report.messages.insert(0, _message(shown, 1, "out-of-date", (
                f"out of date: `feedkit build` writes this feed differently from "
                f"{registry.path} now; {fix}")))
    # Files the last build listed in its manifest; only feeds are compared here.
    for relpath in stale_files(out_dir, set(outputs.files)):
        report = reports.get(str(out_dir / relpath))
        if report is not None:
            report.messages.insert(0, _message(report.path, 1, "out-of-date", (
                f"no longer made from {registry.path} (its tag or author is gone?): "
                f"`feedkit build` removes it; {fix}")))
    return missing
