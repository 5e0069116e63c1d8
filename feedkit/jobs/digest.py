"""`feedkit digest`: the digest of a window of posts written to out/ as a preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..addresses import address_problem
from ..clock import resolve_now
from ..errors import EXIT_EMPTY, FeedkitError, UsageError
from ..periods import PERIODS, Window, posts_in_window, window_for_period


class EmptyWindow(FeedkitError):
    """No published post falls in the window; nothing is written (exit status 3)."""

    exit_code = EXIT_EMPTY


@dataclass(frozen=True)
class DigestRequest:
    """The window (--since/--until or --period), where to write, and for whom."""

    registry: Path
    out: Path | None = None  # default: .feedkit/digest/ beside the registry
    since: date | None = None
    until: date | None = None
    period: str | None = None
    templates: Path | None = None
    to: str | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class DigestResult:
    out: Path
    paths: tuple[str, ...]
    changed: tuple[str, ...]
    window: Window
    posts: int
    warnings: tuple[str, ...] = ()


def _check(request: DigestRequest) -> None:
    if request.period is not None and request.period not in PERIODS:
        raise UsageError("--period", f"'{request.period}' is not one of: {', '.join(PERIODS)}")
    if request.period is not None and request.since is not None:
        raise UsageError("--since", "give --since or --period, not both")
    if request.to is not None:
        from email.utils import parseaddr

        address = parseaddr(request.to)[1]
        if any(c in request.to for c in "\r\n") or not address or address_problem(address):
            raise UsageError("--to", f"'{request.to}' is not an email address")


def make_digest(request: DigestRequest) -> DigestResult:
    """Render the digest of the window and write digest.html, .txt and .eml."""
    from ..load import load
    from ..mail.preview import TO_PLACEHOLDER, add_digest_files
    from ..outputs import staged
    from ..project import Project
    from ..writers.digest import clip_warning, render_digest

    _check(request)
    registry = load(request.registry)
    now = resolve_now(request.now)
    last = request.until or now.astimezone(registry.site.tz).date()
    if request.since is not None:
        if request.since > last:
            raise UsageError("--since", f"--since {request.since} is after --until {last}")
        window = Window(request.since, last)
    else:
        window = window_for_period(request.period or "week", last)
    published = set(registry.visible(now))
    posts = tuple(p for p in posts_in_window(registry, window) if p in published)
    if not posts:
        raise EmptyWindow(f"no posts between {window.start} and {window.end}")
    rendered = render_digest(registry, window, posts=posts,
                             template_dirs=Project(request.registry).template_dirs(
                                 request.templates))
    out = request.out or Project(request.registry).digest_dir
    with staged(out) as outputs:
        add_digest_files(outputs, registry.site, rendered, to=request.to or TO_PLACEHOLDER)
    warning = clip_warning(rendered)
    return DigestResult(out, tuple(sorted(outputs.paths)), tuple(outputs.changed), window,
                        len(posts), (warning,) if warning else ())
