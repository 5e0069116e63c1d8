"""Where the state lives: a SQLite file (the default, `.feedkit/state.sqlite` beside the
registry) or a PostgreSQL database named by a `postgresql://` URL (`--state`, or the
environment variable FEEDKIT_STATE_URL). Every command that touches the state opens it
through here, and messages name it without its password.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import StateError
from ..project import Project

if TYPE_CHECKING:
    from .store import SendState

SCHEMES = ("postgresql", "postgres")


def _password(url: str) -> str | None:
    parts = urlsplit(url)
    given = [v for k, v in parse_qsl(parts.query) if k == "password"]
    return parts.password or (given[0] if given else None)


def redact(url: str) -> str:
    """The URL with any password replaced by ***."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that isn't a number
    except ValueError:
        return url.partition("://")[0] + "://(not a valid URL)"
    netloc = parts.netloc
    if parts.password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}:***@{host}"
    query = urlencode([(k, "***" if k == "password" else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)],
                      safe="/:*")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@dataclass(frozen=True)
class StateLocation:
    """A SQLite file (`path`) or a PostgreSQL database (`url`), given by `option`."""

    path: Path | None = None
    url: str | None = None
    option: str = "--state"

    def __str__(self) -> str:
        return redact(self.url) if self.url else str(self.path)

    @property
    def shared(self) -> bool:
        """Whether several hosts may use this state at once (PostgreSQL)."""
        return self.url is not None

    def open(self, *, threads: bool = False, server: bool = False) -> SendState:
        """Open for reading and writing, creating and upgrading the schema as needed.
        `threads`: the caller's threads share it (one at a time); `server`: for a
        long-running `feedkit serve`."""
        if self.url is not None:
            from .postgresql import PostgresState

            return PostgresState.open(self.url, str(self), _password(self.url), server=server,
                                      option=self.option)
        from .sqlite import SqliteState

        assert self.path is not None
        return SqliteState.open(self.path, threads=threads, server=server)

    def peek(self) -> SendState:
        """Open only to read, creating and changing nothing (for --dry-run)."""
        if self.url is not None:
            from .postgresql import PostgresState

            return PostgresState.open(self.url, str(self), _password(self.url),
                                      read_only=True, option=self.option)
        from .sqlite import SqliteState

        assert self.path is not None
        return SqliteState.peek(self.path)

    def sender_lock(self) -> AbstractContextManager[None]:
        """What a `feedkit send` run holds: the file's lock for SQLite (one sender at a
        time); nothing for PostgreSQL, where senders claim deliveries row by row."""
        if self.url is not None:
            return nullcontext()
        from .lock import send_lock

        assert self.path is not None
        return send_lock(self.path)


def locate(value: str | Path | None, registry: Path, option: str = "--state"
           ) -> StateLocation:
    """The state a command was given (a path or a postgresql:// URL), else the SQLite file
    beside the registry. `option` is what messages call it."""
    if value is None or value == "":
        return StateLocation(path=Project(registry).state_path, option=option)
    if isinstance(value, Path):
        return StateLocation(path=value, option=option)
    scheme = value.partition("://")[0].lower() if "://" in value else ""
    if scheme in SCHEMES:
        try:
            urlsplit(value).port  # noqa: B018 - raises ValueError for a port that isn't a number
        except ValueError as exc:
            raise StateError(f"{option} {redact(value)}: {exc}") from None
        return StateLocation(url=value, option=option)
    if scheme:
        raise StateError(f"{option}: '{scheme}://' is not a state feedkit can use; give a "
                         "SQLite file's path or a postgresql://user@host/database URL")
    return StateLocation(path=Path(value), option=option)
