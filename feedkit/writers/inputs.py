"""What each writer's files follow from, as an input key (writers/memo.py keeps a
writer's files while its key stays the same).

Each key covers everything the writer reads besides feedkit's code (the memo's
own key): the site section, the posts it shows (their identities), the templates
and translations, and the moment "now" where it picks posts by it.
"""

from __future__ import annotations

from ..model import Post
from ..periods import Window
from .context import BuildContext
from .memo import digest_of, site_identity


def digest_preview_posts(context: BuildContext) -> tuple[Post, ...]:
    """The posts of out/digest.*: the newest `digest_entries` published (mail/preview.py)."""
    site = context.registry.site
    return context.registry.visible(context.now)[: site.options.digest_entries]


def digest_preview_key(context: BuildContext) -> str:
    """out/digest.*: its posts, the site and the templates."""
    return digest_of("digest", site_identity(context.registry.site), context.templates_key,
                     posts=digest_preview_posts(context))


def _periods(context: BuildContext) -> list[tuple[Window, list[Post]]]:
    from .webdigests import complete_periods

    kind = context.registry.site.options.web_digests
    return complete_periods(context, kind) if kind else []


def web_digests_posts(context: BuildContext) -> list[Post]:
    """The posts of out/digests/: those of each complete period."""
    return [post for _, posts in _periods(context) for post in posts]


def web_digests_key(context: BuildContext) -> str:
    """out/digests/: each complete period's posts, and which periods are complete."""
    periods = _periods(context)
    return digest_of("web", site_identity(context.registry.site), context.templates_key,
                     [(window.start, window.end) for window, _ in periods],
                     posts=[post for _, posts in periods for post in posts])


def discovery_key(context: BuildContext) -> str:
    """out/feeds.html: every feed's name, title and files."""
    catalogue = context.catalogue
    feeds = [(spec.kind, spec.name, spec.title, spec.files)
             for spec in (catalogue.site_feed, *catalogue.taxonomy)]
    return digest_of("feeds.html", site_identity(context.registry.site),
                     context.templates_key, feeds)


def stylesheet_key(context: BuildContext) -> str:
    """out/feed.xsl: the option that asks for it, and the template."""
    return digest_of("feed.xsl", context.registry.site.options.feed_xsl,
                     context.templates_key)
