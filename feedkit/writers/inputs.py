"""What each writer's files follow from, as an input key (writers/memo.py keeps a
writer's files while its key stays the same).

Each key covers everything the writer reads besides feedkit's code (the memo's
own key): the site section, the posts it shows (their identities), the templates
and translations, and the moment "now" where it picks posts by it.
"""

from __future__ import annotations

from .context import BuildContext
from .memo import digest_of, site_identity


def digest_preview_key(context: BuildContext) -> str:
    """out/digest.*: the newest `digest_entries` published posts (mail/preview.py)."""
    site = context.registry.site
    posts = context.registry.visible(context.now)[: site.options.digest_entries]
    return digest_of("digest", site_identity(site), context.templates_key, posts=posts)


def web_digests_key(context: BuildContext) -> str:
    """out/digests/: each complete period's posts, and which periods are complete."""
    from .webdigests import complete_periods

    site = context.registry.site
    kind = site.options.web_digests
    periods = complete_periods(context, kind) if kind else []
    return digest_of("web", site_identity(site), context.templates_key,
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
