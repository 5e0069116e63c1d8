"""The registry without building: the loader's checks as messages, plus lint."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..project import Project
from .messages import FileReport, Message
from .previous import Entry, PreviousError, change_message, compare, entries, fetch
from .rules import severity

if TYPE_CHECKING:
    from ..model import Registry


def _message(path: str, line: int, column: int, rule: str, text: str) -> Message:
    return Message(path, line, column, severity(rule), rule, text)


def check_registry(registry: Path, out_dir: Path, *, now: datetime,
                   previous: str | None = None) -> tuple[list[FileReport], Registry | None]:
    """Reports for the registry file (first), its subscribers file and (if asked) the
    previous feed; and the registry, when it loads."""
    from ..errors import FeedkitError, RegistryError
    from ..load import load

    shown = str(registry)
    report = FileReport(shown, "registry")
    reports = [report]
    try:
        loaded = load(registry)
    except RegistryError as error:
        report.messages.extend(
            _message(p.path, p.line, p.column, "registry-invalid", p.message)
            for p in error.problems
        )
        loaded = None
    except FeedkitError as error:
        report.messages.append(_message(shown, 1, 1, "file-unreadable", str(error)))
        report.unreadable = True
        return reports, None
    if loaded is not None:
        report.messages.extend(_lint(loaded, now))
        if previous is not None or not Project(registry).lock_path.exists():
            found, failed = _compare_with_published(loaded, shown, out_dir, now, previous)
            report.messages.extend(found)
            reports.extend(failed)
    reports.extend(_subscribers(registry.parent))
    report.messages.sort()
    return reports, loaded


def _lint(registry: Registry, now: datetime) -> list[Message]:
    from ..text.content import excerpt

    found = []
    for post in registry.posts:
        if post.published > now:
            found.append(_message(
                registry.path, post.line, 1, "registry-future-date",
                f"'{post.title}' is dated {post.published.isoformat()}, after now; it stays "
                "out of the feeds until then"))
        if not post.summary and not excerpt(post, registry.site.options).strip():
            found.append(_message(
                registry.path, post.line, 1, "registry-empty-excerpt",
                f"'{post.title}' has no summary and its body has no text, so its excerpt "
                "is empty; write a summary"))
    return found


def _compare_with_published(registry: Registry, shown: str, out_dir: Path, now: datetime,
                            previous: str | None) -> tuple[list[Message], list[FileReport]]:
    """Posts whose id differs from the published feed (--previous, else out/atom.xml;
    with posts.lock beside the registry, only --previous: the lock knows more).

    Returns the messages for the registry and a report for an unreadable --previous.
    """
    source = previous
    if source is None:
        built = out_dir / "atom.xml"
        if not built.is_file():
            return [], []
        source = str(built)
    try:
        old = entries(fetch(source), source)
    except PreviousError as error:
        if previous is None:
            return [], []  # a broken out/atom.xml gets its own report
        failed = FileReport(source, "previous", unreadable=True)
        failed.messages.append(_message(source, 1, 1, "previous-unreadable",
                                        f"--previous: {error}"))
        return [], [failed]
    site = registry.site
    visible = registry.visible(now)[: site.options.feed_entries]
    current = [Entry(p.id, p.title, p.url, p.published, p.line) for p in visible]
    found = []
    for change in compare(current, old):
        if change.kind == "renamed":
            assert change.new is not None
            found.append(_message(
                shown, change.new.line, 1, "registry-id-changed",
                f"'{change.new.title}' now gets id '{change.new.id}' but {source} published "
                f"it as '{change.old.id}' (a renamed slug?); readers would show it twice. "
                f"Add 'id: {change.old.id}' to the post"))
        else:
            found.append(change_message(change, shown, 1, source))
    return found, []


def _subscribers(folder: Path) -> list[FileReport]:
    """The subscribers file beside the registry, checked as `feedkit send` reads it."""
    path = Project(folder / "posts.yaml").subscribers_file()
    if path is None:
        return []
    from ..errors import FeedkitError, FileProblems
    from ..load.subscribers import load_subscribers as loader

    report = FileReport(str(path), "subscribers")
    try:
        loader(path)
    except FileProblems as error:
        report.messages.extend(
            _message(p.path, p.line, p.column, "registry-subscribers", p.message)
            for p in error.problems)
    except FeedkitError as error:
        report.messages.append(_message(str(path), 1, 1, "registry-subscribers", str(error)))
    return [report]
