"""out/digests/: a web copy of each period's digest and an index of them all.

With `web_digests: week` (or day, month) among the site options, every complete
period with posts gets out/digests/<period>/index.html (2020-W06), the digest's
HTML as a page, its stylesheet left in <head>. The unsubscribe link goes to the
site's unsubscribe page without a token: nothing personal is in out/.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from ..model import Post, Site
from ..periods import Window, local_day, period_name, window_for_period
from .catalogue import P
from .context import BuildContext, Outputs
from .digest import UNSUBSCRIBE_PLACEHOLDER, WEB_FOLDER, render_digest, window_label


@dataclass(frozen=True, slots=True)
class WebDigest:
    """One entry of the index: the period's folder, its dates and its subject."""

    name: str
    label: str
    subject: str
    count: int


def complete_periods(context: BuildContext, kind: str) -> list[tuple[Window, list[Post]]]:
    """The periods of `kind` that ended before today and have posts, newest first."""
    return periods_of(context.registry.site, context.registry.visible(context.now),
                      context.now, kind)


def periods_of(site: Site, visible: Sequence[P], now: datetime, kind: str,
               day: Callable[[P], date] | None = None) -> list[tuple[Window, list[P]]]:
    """`complete_periods` of the posts `visible` at `now` (Posts, or a build's lighter
    stand-ins for them, whose local `day` is given)."""
    today = now.astimezone(site.tz).date()
    windows: dict[Window, list[P]] = {}
    for post in visible:
        window = window_for_period(kind, day(post) if day is not None else
                                   local_day(post, site))  # type: ignore[arg-type]
        if window.end < today:
            windows.setdefault(window, []).append(post)
    return sorted(windows.items(), key=lambda item: item[0].start, reverse=True)


class WebDigestWriter:
    """out/digests/<period>/index.html for each complete period, and the index."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..text.i18n import resolve_language
        from ..text.templating import render_template

        site = context.registry.site
        kind = site.options.web_digests
        if not kind:
            return
        language = resolve_language(site.language)
        entries = []
        for window, posts in complete_periods(context, kind):
            rendered = render_digest(context.registry, window, posts=posts,
                                     template_dirs=context.template_dirs, inline=False)
            html = rendered.html.replace(UNSUBSCRIBE_PLACEHOLDER,
                                         escape(site.unsubscribe_url, quote=True))
            name = period_name(kind, window)
            outputs.add(f"{WEB_FOLDER}/{name}/index.html", html.encode("utf-8"))
            entries.append(WebDigest(name, window_label(window, language), rendered.subject,
                                     len(posts)))
        page = render_template(context.template_dirs, language, "digests.html",
                               {"site": site, "digests": entries, "lang": language})
        outputs.add(f"{WEB_FOLDER}/index.html", page.encode("utf-8"))
