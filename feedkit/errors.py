"""Exceptions feedkit raises and the exit statuses they map to; the CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass

# Exit statuses, in one place. 75 is sysexits' EX_TEMPFAIL: try again later.
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_EMPTY = 3
EXIT_PENDING = 75


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with an input file, at a 1-based line and column."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class FeedkitError(Exception):
    """Base of every error feedkit reports to a user; `exit_code` is the status."""

    exit_code = EXIT_INVALID


class UsageError(FeedkitError):
    """An option's value can't be used; `option` names it (exit status 2)."""

    exit_code = EXIT_USAGE

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(message if message.startswith(option) else f"{option}: {message}")


class FileProblems(FeedkitError):
    """An input file has one or more located problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[FileProblems], tuple[list[Problem]]]:
        return type(self), (self.problems,)  # across processes, with its problems


class RegistryError(FileProblems):
    """The registry (posts.yaml) has problems."""


class SubscribersError(FileProblems):
    """The subscribers file has problems."""


class TemplateError(FeedkitError):
    """A template can't be found, read or rendered."""


class OutputError(FeedkitError):
    """An output could not be written where it was asked to go."""


class StateError(FeedkitError):
    """The state database can't be opened or used, or was made by a newer feedkit."""
