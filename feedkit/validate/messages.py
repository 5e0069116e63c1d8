"""The message model: one finding (Message), the findings for a file (FileReport), and
the Collector a checker adds them to while it reads a document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .rules import ERROR, INFO, WARNING, severity


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

    def _count(self, level: str) -> int:
        return sum(1 for m in self.messages if m.severity == level)

    @property
    def errors(self) -> int:
        return self._count(ERROR)

    @property
    def warnings(self) -> int:
        return self._count(WARNING)

    @property
    def infos(self) -> int:
        """Information only: never fails, not even under --strict."""
        return self._count(INFO)

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

    def finish(self, source: Path | bytes | None = None) -> list[Message]:
        """The messages sorted, with columns looked up in `source` where asked for."""
        if self._tokens and source is not None and len(self._tokens) <= 2000:
            self._resolve_columns(source)
        return sorted(self.messages, key=lambda m: (m.line, m.column, m.rule, m.message))

    def _resolve_columns(self, source: Path | bytes) -> None:
        wanted: dict[int, list[int]] = {}
        for index in self._tokens:
            wanted.setdefault(self.messages[index].line, []).append(index)
        if isinstance(source, bytes):
            self._place(enumerate(source.splitlines(), start=1), wanted)
            return
        with source.open("rb") as handle:
            self._place(enumerate(handle, start=1), wanted)

    def _place(self, numbered: Iterable[tuple[int, bytes]],
               wanted: dict[int, list[int]]) -> None:
        last = max(wanted)
        for number, raw in numbered:
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
