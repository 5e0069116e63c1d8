"""What "now" is, for every command that cares: --now, else SOURCE_DATE_EPOCH, else the clock.

Only commands about "now" (which posts are published yet, which periods are
complete) call `resolve_now`; nothing else reads the clock for its outputs.
What the state records (a consent, a suppression, a run, a sent message) is
stamped with when it happened, by `recorded_at`: the wall clock, never --now,
and never written to out/.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from .errors import UsageError

EPOCH_ENV = "SOURCE_DATE_EPOCH"
NOW_OPTION = "--now"


def parse_now(text: str) -> datetime:
    """An ISO 8601 date-time as an aware datetime (UTC when no offset is given)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(NOW_OPTION, f"'{text}' is not an ISO 8601 date-time such as "
                                     "2020-02-09T12:00+01:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise UsageError(NOW_OPTION, f"'{text}' lies outside the years 1 to 9999 once "
                                     "converted to UTC") from None
    return moment


def resolve_now(explicit: datetime | str | None = None,
                environ: Mapping[str, str] | None = None) -> datetime:
    """The one rule for "now": `explicit` (--now), else SOURCE_DATE_EPOCH, else the clock."""
    if isinstance(explicit, str):
        return parse_now(explicit)
    if explicit is not None:
        return explicit
    env = os.environ if environ is None else environ
    epoch = env.get(EPOCH_ENV, "").strip()
    if epoch:
        if not epoch.isdigit():
            raise UsageError(EPOCH_ENV, f"'{epoch}' is not a whole number of seconds since "
                                        "1970-01-01 UTC")
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (OverflowError, OSError, ValueError):
            raise UsageError(EPOCH_ENV, f"{epoch} seconds since 1970 is past the year "
                                        "9999") from None
    return datetime.now(UTC)


def recorded_at(timespec: str = "seconds") -> str:
    """When an event the state records happens (UTC, ISO 8601): the wall clock, on purpose.

    A consent or a suppression is dated by when it happened, not by the
    --now a command was given to decide what is due."""
    return datetime.now(UTC).isoformat(timespec=timespec)
