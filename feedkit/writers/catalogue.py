"""Which feeds a build publishes: the site's, one per tag and one per author."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Post, Site
from . import BuildContext
from .slugs import assign_slugs

# Format -> (file name inside the feed's folder, media type, label for humans).
FORMATS: dict[str, tuple[str, str, str]] = {
    "atom": ("atom.xml", "application/atom+xml", "Atom"),
    "rss": ("rss.xml", "application/rss+xml", "RSS"),
    "json": ("feed.json", "application/feed+json", "JSON Feed"),
}


@dataclass(frozen=True, slots=True)
class FeedSource:
    """One feed in every format: its folder under out/, title and newest posts."""

    kind: str  # "site", "tag" or "author"
    name: str  # the tag or author name; the site title for the site feed
    folder: str  # "" for the site feed, else "tags/<slug>" or "authors/<slug>"
    title: str
    alternate: str
    posts: tuple[Post, ...]  # newest first, at most feed_entries

    def path(self, fmt: str) -> str:
        """The file's path relative to out/."""
        filename = FORMATS[fmt][0]
        return f"{self.folder}/{filename}" if self.folder else filename

    def url(self, site: Site, fmt: str) -> str:
        """Where the file is served: under the site URL (site.feed_url for atom.xml)."""
        if self.kind == "site" and fmt == "atom":
            return site.feed_url
        return site.url + self.path(fmt)

    def feed_id(self, site: Site, fmt: str) -> str:
        """The feed's own id: site.id for the site's Atom feed, else its URL."""
        if self.kind == "site" and fmt == "atom":
            return site.id
        return self.url(site, fmt)


def site_source(context: BuildContext) -> FeedSource:
    """The site's own feed: the newest `feed_entries` published posts."""
    site = context.registry.site
    visible = context.registry.visible(context.now)
    return FeedSource("site", site.title, "", site.title, site.url,
                      visible[: site.options.feed_entries])


def taxonomy_sources(context: BuildContext) -> list[FeedSource]:
    """A feed per tag, then per author, each in slug order.

    Slugs are assigned over every post in the registry, oldest first, so a
    post scheduled for later never moves an existing feed.
    """
    registry = context.registry
    site = registry.site
    oldest_first = registry.posts[::-1]
    tag_slugs = assign_slugs((t for p in oldest_first for t in p.tags), "tag")
    author_slugs = assign_slugs((p.author.name for p in oldest_first), "author")
    limit = site.options.feed_entries
    by_tag: dict[str, list[Post]] = {}
    by_author: dict[str, list[Post]] = {}
    for post in registry.visible(context.now):
        for tag in post.tags:
            group = by_tag.setdefault(tag, [])
            if len(group) < limit:
                group.append(post)
        group = by_author.setdefault(post.author.name, [])
        if len(group) < limit:
            group.append(post)
    sources = []
    for kind, folder, slugs, groups in (
        ("tag", "tags", tag_slugs, by_tag), ("author", "authors", author_slugs, by_author),
    ):
        for name, posts in sorted(groups.items(), key=lambda item: slugs[item[0]]):
            sources.append(FeedSource(kind, name, f"{folder}/{slugs[name]}",
                                      f"{site.title}: {name}", site.url, tuple(posts)))
    return sources


def all_sources(context: BuildContext) -> list[FeedSource]:
    """Every feed the build writes in all three formats, the site's first."""
    return [site_source(context), *taxonomy_sources(context)]
