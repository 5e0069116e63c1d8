"""The file-level entry points: check one file, the files given, or a whole project."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .atom import check_atom
from .jsonfeed import check_jsonfeed
from .messages import Collector, FileReport, Message
from .previous import compare_feed_files
from .project import check_built, check_lock
from .rdf import check_rdf
from .registry_lint import check_registry
from .rss import check_rss
from .rules import ERROR
from .sniff import HEAD_BYTES, detect
from .targets import Skipped, choose, feeds_in


@dataclass(slots=True)
class PathsResult:
    """Reports for the files that are feeds, and the files passed over as not feeds."""

    reports: list[FileReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def validate_file(path: Path, *, now: datetime, shown: str | None = None) -> FileReport:
    """Check one feed file of any supported format."""
    name = shown or str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        return _unreadable(name, exc)
    kind = detect(head)
    collector = Collector(name)
    if kind == "atom":
        check_atom(path, collector, now=now)
        messages = collector.finish(path)
    elif kind == "rss":
        check_rss(path, collector, now=now)
        messages = collector.finish(path)
    elif kind == "rdf":
        check_rdf(path, collector, now=now)
        messages = collector.finish(path)
    elif kind == "json":
        try:
            data = path.read_bytes()
        except OSError as exc:
            return _unreadable(name, exc)
        check_jsonfeed(data, collector, now=now)
        messages = collector.finish(data)
    else:
        collector.add("file-unknown-format", 1, "not an Atom 1.0, RSS or JSON Feed "
                      "document (looked for <feed>, <rss>, <rdf:RDF> or a JSON object)")
        messages = collector.finish()
    return FileReport(name, kind, messages)


def _unreadable(name: str, exc: OSError) -> FileReport:
    reason = exc.strerror or str(exc)
    message = Message(name, 1, 1, ERROR, "file-unreadable", f"can't read the file: {reason}")
    return FileReport(name, "unknown", [message], unreadable=True)


def validate_paths(paths: list[Path], *, now: datetime,
                   previous: str | None = None) -> list[FileReport]:
    """Check the given files, whatever they are; with `previous`, compare each feed with
    the published one. A file that is not a feed gets file-unknown-format."""
    reports = [validate_file(p, now=now) for p in paths]
    if previous is not None:
        for path, report in zip(paths, reports, strict=True):
            if report.kind in ("atom", "rss", "json") and not report.errors:
                report.messages.extend(compare_feed_files(path, str(path), previous))
    return reports


def validate_feeds(paths: list[Path] | list[str], *, now: datetime,
                   previous: str | None = None, timeout: float = 10.0) -> PathsResult:
    """Check those of the given files that are feeds and pass over the others.

    A feed is an XML document whose root is <feed>, <entry> or <rss>, or a JSON
    object whose version is a jsonfeed.org URL: what a pre-commit hook matching
    every .xml and .json file should look at (not package.json or a sitemap).
    A file that can't be read is still reported (file-unreadable). A folder stands
    for the feeds in it.
    """
    targets = choose(paths)
    chosen = [path for path, _ in targets.feeds]
    reports = validate_paths(chosen, now=now, previous=previous)
    reports += [validate_url(url, now=now, timeout=timeout) for url in targets.urls]
    return PathsResult(reports, targets.skipped)


def validate_url(url: str, *, now: datetime, timeout: float = 10.0) -> FileReport:
    """Fetch a published feed and check it, with what its HTTP headers say."""
    import tempfile

    from .fetch import FetchError, fetch_feed
    from .rules import severity

    try:
        fetched = fetch_feed(url, timeout=timeout)
    except FetchError as exc:
        message = Message(url, 1, 1, ERROR, "http-error", str(exc))
        return FileReport(url, "unknown", [message], unreadable=True)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "feed"
        copy.write_bytes(fetched.body)
        report = validate_file(copy, now=now, shown=url)
    report.messages[:0] = [Message(url, 1, 1, severity(rule), rule, text)
                           for rule, text in fetched.notes]
    return report


def validate_project(registry: Path, out_dir: Path, *, now: datetime,
                     previous: str | None = None) -> list[FileReport]:
    """No paths given: the registry (and subscribers file), posts.lock, then every feed
    in out_dir. When the registry loads, posts.lock is checked against it, and so are
    the feeds in out_dir (if it has any) against what a build would write now.

    A build killed while committing is finished first, so the feeds read are whole.
    """
    from ..journal import settle

    settle(out_dir)
    reports, loaded = check_registry(registry, out_dir, now=now, previous=previous)
    feeds = [report for report in (validate_file(p, now=now) for p in feeds_in(out_dir))
             if report.kind != "unknown"]
    if loaded is not None:
        found, lock_reports = check_lock(loaded, registry, now)
        if feeds and not any(m.severity == ERROR for m in found):
            # (a build would stop at an id error, so out/ is compared only without one)
            found += check_built(loaded, registry, out_dir, now, feeds)
        reports[0].messages.extend(found)
        reports[0].messages.sort()
        reports[1:1] = lock_reports
    return reports + feeds
