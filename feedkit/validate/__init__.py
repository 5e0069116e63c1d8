"""`feedkit validate`: offline checks of Atom, RSS and JSON feeds and of the registry.

Each checked file gives a FileReport holding Messages; the CLI prints them with
feedkit.validate.report and turns the verdicts into an exit status.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .rules import ERROR, WARNING, severity


@dataclass(frozen=True, slots=True, order=True)
class Message:
    """One finding, at a 1-based line and column of `path`."""

    path: str
    line: int
    column: int
    severity: str
    rule: str
    message: str

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}:{self.column}: {self.severity}: "
                f"{self.message} [{self.rule}]")


@dataclass(slots=True)
class FileReport:
    """The messages for one file and what kind of document it was."""

    path: str
    kind: str
    messages: list[Message] = field(default_factory=list)
    unreadable: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for m in self.messages if m.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for m in self.messages if m.severity == WARNING)

    def verdict(self, strict: bool = False) -> str:
        """'invalid' with errors (or warnings under --strict), else 'valid'."""
        if self.errors or (strict and self.warnings):
            return "invalid"
        return "valid"


class Collector:
    """Gathers messages for one file; columns can be found later from a search token."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.messages: list[Message] = []
        self._tokens: dict[int, str] = {}

    def add(self, rule: str, line: int | None, message: str, *, column: int = 0,
            token: str | None = None) -> None:
        """Record `rule` at `line`; `token` is text to look for on that line for a column."""
        index = len(self.messages)
        self.messages.append(
            Message(self.path, line or 1, column or 1, severity(rule), rule, message)
        )
        if token and not column:
            self._tokens[index] = token

    def rules(self) -> set[str]:
        return {m.rule for m in self.messages}

    def finish(self, source: Path | bytes | None = None) -> list[Message]:
        """The messages sorted, with columns looked up in `source` where asked for."""
        if self._tokens and source is not None and len(self._tokens) <= 2000:
            self._resolve_columns(source)
        return sorted(self.messages, key=lambda m: (m.line, m.column, m.rule, m.message))

    def _resolve_columns(self, source: Path | bytes) -> None:
        wanted: dict[int, list[int]] = {}
        for index in self._tokens:
            wanted.setdefault(self.messages[index].line, []).append(index)
        last = max(wanted)
        lines = source.splitlines() if isinstance(source, bytes) else None
        handle = None if lines is not None else source.open("rb")
        try:
            iterator = iter(lines) if lines is not None else handle
            for number, raw in enumerate(iterator, start=1):
                if number in wanted:
                    text = raw.decode("utf-8", "replace")
                    for index in wanted[number]:
                        where = text.find(self._tokens[index])
                        if where >= 0:
                            old = self.messages[index]
                            self.messages[index] = Message(
                                old.path, old.line, where + 1, old.severity, old.rule,
                                old.message,
                            )
                if number >= last:
                    break
        finally:
            if handle is not None:
                handle.close()


_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_SKIP = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.S)


def detect(head: bytes) -> str:
    """'atom', 'rss', 'json' or 'unknown', from the first bytes of a document."""
    text = head
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = text.decode("utf-16", "replace").encode("utf-8")
    text = text.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        return "json"
    if not text.startswith(b"<"):
        return "unknown"
    text = _SKIP.sub(b"", text).lstrip()
    match = _ROOT.match(text)
    if not match:
        # A DOCTYPE too long for the head: let the XML reader judge it.
        return "atom" if text.startswith(b"<!DOCTYPE") else "unknown"
    name = match.group(2)
    if name in (b"feed", b"entry"):
        return "atom"
    if name == b"rss":
        return "rss"
    return "unknown"


def validate_file(path: Path, *, now: datetime, shown: str | None = None) -> FileReport:
    """Check one feed file of any supported format."""
    name = shown or str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        return _unreadable(name, exc)
    kind = detect(head)
    collector = Collector(name)
    if kind == "atom":
        from .atom import check_atom

        check_atom(path, collector, now=now)
        messages = collector.finish(path)
    elif kind == "rss":
        from .rss import check_rss

        check_rss(path, collector, now=now)
        messages = collector.finish(path)
    elif kind == "json":
        from .jsonfeed import check_jsonfeed

        try:
            data = path.read_bytes()
        except OSError as exc:
            return _unreadable(name, exc)
        check_jsonfeed(data, collector, now=now)
        messages = collector.finish(data)
    else:
        collector.add("file-unknown-format", 1, "not an Atom 1.0, RSS 2.0 or JSON Feed "
                      "document (looked for <feed>, <rss> or a JSON object)")
        messages = collector.finish()
    return FileReport(name, kind, messages)


def _unreadable(name: str, exc: OSError) -> FileReport:
    reason = exc.strerror or str(exc)
    message = Message(name, 1, 1, ERROR, "file-unreadable", f"can't read the file: {reason}")
    return FileReport(name, "unknown", [message], unreadable=True)


FEED_SUFFIXES = (".xml", ".atom", ".rss", ".json")


def feeds_in(out_dir: Path) -> list[Path]:
    """Files in out_dir (recursively) that look like feeds, sorted."""
    if not out_dir.is_dir():
        return []
    found = []
    for path in sorted(out_dir.rglob("*")):
        if path.is_file() and path.suffix in FEED_SUFFIXES and not path.name.startswith("."):
            found.append(path)
    return found


def validate_paths(paths: list[Path], *, now: datetime,
                   previous: str | None = None) -> list[FileReport]:
    """Check the given feeds; with `previous`, compare each with the published one."""
    reports = [validate_file(p, now=now) for p in paths]
    if previous is not None:
        from .previous import compare_feed_files

        for path, report in zip(paths, reports, strict=True):
            if report.kind in ("atom", "rss", "json") and not report.errors:
                report.messages.extend(compare_feed_files(path, str(path), previous))
    return reports


def validate_project(registry: Path, out_dir: Path, *, now: datetime,
                     previous: str | None = None) -> list[FileReport]:
    """No paths given: the registry (and subscribers file), then every feed in out_dir."""
    from .registry_lint import check_registry

    reports = check_registry(registry, out_dir, now=now, previous=previous)
    for path in feeds_in(out_dir):
        report = validate_file(path, now=now)
        if report.kind != "unknown":
            reports.append(report)
    return reports
