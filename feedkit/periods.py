"""The digest calendar: days, ISO weeks and months as windows of local dates.

A window holds inclusive calendar dates in the site's timezone; a post belongs
to the window holding its local publication day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .model import Post, Registry, Site

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Window:
    """Inclusive calendar dates in the site timezone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the window ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def window_for_period(period: str, until: date) -> Window:
    """The day, ISO week (Monday to Sunday) or calendar month that contains `until`."""
    if period == "day":
        return Window(until, until)
    if period == "week":
        monday = until - timedelta(days=until.weekday())
        sunday = date.max if monday > date.max - timedelta(days=6) else monday + timedelta(6)
        return Window(monday, sunday)
    if period == "month":
        first = until.replace(day=1)
        if (first.year, first.month) == (9999, 12):
            return Window(first, date.max)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Window(first, after - timedelta(days=1))
    raise ValueError(f"unknown period '{period}'; use one of: {', '.join(PERIODS)}")


def period_name(kind: str, window: Window) -> str:
    """A period's name in URLs and folder names: 2020-02-06, 2020-W06 or 2020-02."""
    if kind == "week":
        year, week, _ = window.start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{window.start:%Y-%m}" if kind == "month" else window.start.isoformat()


def next_window(kind: str, window: Window) -> Window | None:
    """The period of `kind` right after `window`, or None at the end of the calendar."""
    if window.end == date.max:
        return None
    return window_for_period(kind, window.end + timedelta(days=1))


def last_complete(kind: str, today: date) -> Window | None:
    """The most recent period of `kind` that ended before `today` (None before year 1)."""
    current = window_for_period(kind, today)
    if current.start == date.min:
        return None
    return window_for_period(kind, current.start - timedelta(days=1))


def local_day(post: Post, site: Site) -> date:
    """The calendar day of a post's publication in the site timezone."""
    return post.published.astimezone(site.tz).date()


def posts_in_window(registry: Registry, window: Window) -> tuple[Post, ...]:
    """The registry's posts published on a day of `window`, newest first."""
    site = registry.site
    return tuple(p for p in registry.posts if local_day(p, site) in window)


@dataclass(frozen=True)
class Period:
    """One period to send: its kind ("week") and inclusive window."""

    kind: str
    window: Window

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.window.start.isoformat()}"

    @property
    def label(self) -> str:
        start, end = self.window.start, self.window.end
        return f"{self.kind} {start}" if start == end else f"{self.kind} {start}..{end}"


def plan(kind: str, today: date, recorded: Sequence[tuple[date, str]]) -> list[Period]:
    """Periods to work on, oldest first.

    `recorded` holds (start, status) of periods of this kind already in the state.
    Unfinished ones are resumed; then every complete period after the newest recorded
    one up to the last complete one. With nothing recorded: only the last complete one.
    """
    target = last_complete(kind, today)
    todo = [Period(kind, window_for_period(kind, start)) for start, status in recorded
            if status != "done"]
    if target is None:
        return sorted(todo, key=lambda p: p.window.start)
    if not recorded:
        return [Period(kind, target)]
    newest = max(start for start, _ in recorded)
    window = next_window(kind, window_for_period(kind, newest))
    while window is not None and window.start <= target.start:
        todo.append(Period(kind, window))
        window = next_window(kind, window)
    return sorted(todo, key=lambda p: p.window.start)
