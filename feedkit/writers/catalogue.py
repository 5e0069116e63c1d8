"""Every feed a build publishes, as one neutral feed spec each.

The site's own feed, one feed per tag and per author, and every RFC 5005
archive page are all described the same way: where each format's file goes and
is served, its id, title, alternate link, posts, archive links, history marker
and stylesheet. The format modules (atom, rss, jsonfeed) only turn a spec into
bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Protocol, TypeVar

from ..model import Options, Person, Post, Registry, Site
from .archive import ArchivePage, archive_pages, newest_archive_url, page_url
from .slugs import assign_slugs
from .stylesheet import stylesheet_href

# Format -> (file name inside the feed's folder, media type, label for humans).
FORMATS: dict[str, tuple[str, str, str]] = {
    "atom": ("atom.xml", "application/atom+xml", "Atom"),
    "rss": ("rss.xml", "application/rss+xml", "RSS"),
    "json": ("feed.json", "application/feed+json", "JSON Feed"),
}


@dataclass(frozen=True, slots=True)
class FeedFile:
    """One format of a feed: its path under out/, URL, own id and stylesheet."""

    format: str
    path: str
    url: str
    id: str
    stylesheet: str | None  # the XSL's href relative to this file, or None

    @property
    def media_type(self) -> str:
        return FORMATS[self.format][1]

    @property
    def label(self) -> str:
        return FORMATS[self.format][2]


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed in every format it is written in."""

    kind: str  # "site", "tag", "author" or "archive"
    name: str  # the tag or author name; the site title otherwise
    title: str
    alternate: str  # the HTML page the feed stands for
    site: Site
    posts: tuple[Post, ...]  # newest first, already limited
    updated: datetime  # the newest entry's updated (never the build time)
    files: tuple[FeedFile, ...]
    links: tuple[tuple[str, str], ...] = ()  # extra (rel, href), e.g. RFC 5005 archives
    history: str | None = None  # RFC 5005 marker: "archive" or "complete"
    hub: str = ""  # the WebSub hub advertised, if any
    generator_version: bool = True  # archive pages leave it out to stay byte-stable
    keep_entries: bool = True  # False: each post is in one such feed, don't cache

    def file(self, fmt: str) -> FeedFile:
        """This feed's file in `fmt`; KeyError when it isn't written in that format."""
        for feed_file in self.files:
            if feed_file.format == fmt:
                return feed_file
        raise KeyError(fmt)


@dataclass(frozen=True)
class Catalogue:
    """The specs of one build: the site feed, tag and author feeds, archive pages."""

    site_feed: FeedSpec
    taxonomy: tuple[FeedSpec, ...]
    archive: tuple[FeedSpec, ...]

    def all(self) -> tuple[FeedSpec, ...]:
        return (self.site_feed, *self.taxonomy, *self.archive)


def feed_paths(folder: str, formats: tuple[str, ...] = tuple(FORMATS)) -> tuple[str, ...]:
    """The paths under out/ of a feed in `folder` ("": out/ itself), in each format."""
    return tuple(f"{folder}/{FORMATS[fmt][0]}" if folder else FORMATS[fmt][0]
                 for fmt in formats)


def _files(site: Site, folder: str, formats: tuple[str, ...], *, own: bool = False
           ) -> tuple[FeedFile, ...]:
    """The files of a feed in `folder`; `own`: the site feed, whose Atom file has
    site.feed_url and site.id."""
    files = []
    for fmt, path in zip(formats, feed_paths(folder, formats), strict=True):
        url = site.feed_url if own and fmt == "atom" else site.url + path
        feed_id = site.id if own and fmt == "atom" else url
        stylesheet = stylesheet_href(site, path) if fmt != "json" else None
        files.append(FeedFile(fmt, path, url, feed_id, stylesheet))
    return tuple(files)


class Listed(Protocol):
    """What the catalogue's layout reads of a post (a Post, or a build's lighter
    stand-in for one: jobs/snapshot.py)."""

    @property
    def tags(self) -> tuple[str, ...]: ...

    @property
    def author(self) -> Person: ...


def quiet_since(site: Site, posts: Sequence[Post]) -> datetime:
    """`updated` of a feed without entries: the oldest post's time (it stays put as
    posts are added), or the Unix epoch when nothing is published at all."""
    if posts:
        return posts[-1].published
    return datetime(1970, 1, 1, tzinfo=UTC).astimezone(site.tz)


def _updated(posts: tuple[Post, ...], fallback: datetime) -> datetime:
    return max((p.updated for p in posts), default=fallback)


P = TypeVar("P", bound=Listed)


@dataclass(frozen=True)
class Grouping(Generic[P]):
    """Which posts go in which feed, before any feed is described: the main feed's,
    each tag's and author's (kind, name, folder slug, posts), the archive pages'."""

    main: Sequence[P]
    taxonomy: list[tuple[str, str, str, tuple[P, ...]]]
    pages: list[ArchivePage]  # their posts are P's


def group_posts(options: Options, posts: Sequence[P], visible: Sequence[P]) -> Grouping[P]:
    """The posts of every feed: `visible` (newest first) are those published by now,
    `posts` every post of the registry (tag and author slugs follow from them)."""
    pages = archive_pages(visible, options.feed_entries,  # type: ignore[arg-type]
                          options.archive_page_size)
    return Grouping(visible[: options.feed_entries], _groups(options, posts, visible), pages)


def build_catalogue(registry: Registry, now: datetime) -> Catalogue:
    """The specs of every feed for the posts published at `now`."""
    site = registry.site
    grouping = group_posts(site.options, registry.posts, registry.visible(now))
    fallback = quiet_since(site, registry.posts)
    return Catalogue(
        site_spec(site, tuple(grouping.main), grouping.pages, fallback),
        tuple(taxonomy_spec(site, kind, name, slug, posts, fallback)
              for kind, name, slug, posts in grouping.taxonomy),
        tuple(archive_spec(site, page, fallback) for page in grouping.pages))


def site_spec(site: Site, main: tuple[Post, ...], pages: Sequence[ArchivePage],
              fallback: datetime) -> FeedSpec:
    """The site's own feed: the newest posts, linked to the newest archive page."""
    return FeedSpec(
        "site", site.title, site.title, site.url, site, main, _updated(main, fallback),
        _files(site, "", tuple(FORMATS), own=True),
        links=(("prev-archive", newest_archive_url(site, pages)),) if pages else (),
        hub=site.websub_hub,
    )


def _groups(options: Options, posts: Sequence[P], visible: Sequence[P]
            ) -> list[tuple[str, str, str, tuple[P, ...]]]:
    """A feed per tag, then per author, each in slug order.

    Slugs are assigned over every post in the registry, oldest first, so a
    post scheduled for later never moves an existing feed.
    """
    oldest_first = posts[::-1]
    tag_slugs = assign_slugs((t for p in oldest_first for t in p.tags), "tag")
    author_slugs = assign_slugs((p.author.name for p in oldest_first), "author")
    limit = options.feed_entries
    by_tag: dict[str, list[P]] = {}
    by_author: dict[str, list[P]] = {}
    for post in visible:
        for tag in post.tags:
            group = by_tag.get(tag)
            if group is None:
                group = by_tag[tag] = []
            if len(group) < limit:
                group.append(post)
        name = post.author.name
        group = by_author.get(name)
        if group is None:
            group = by_author[name] = []
        if len(group) < limit:
            group.append(post)
    groups = []
    for kind, folder, slugs, chosen in (
        ("tag", "tags", tag_slugs, by_tag), ("author", "authors", author_slugs, by_author),
    ):
        for name, members in sorted(chosen.items(), key=lambda item: slugs[item[0]]):
            groups.append((kind, name, f"{folder}/{slugs[name]}", tuple(members)))
    return groups


def taxonomy_spec(site: Site, kind: str, name: str, folder: str, posts: tuple[Post, ...],
                  fallback: datetime) -> FeedSpec:
    """The feed of one tag or author, in `folder` of out/."""
    return FeedSpec(kind, name, f"{site.title}: {name}", site.url, site, posts,
                    _updated(posts, fallback), _files(site, folder, tuple(FORMATS)),
                    hub=site.websub_hub)


def archive_spec(site: Site, page: ArchivePage, fallback: datetime) -> FeedSpec:
    """One archive page: Atom only, no hub, no generator version, entries not kept."""
    url = page_url(site, page.number)
    links = [("current", site.feed_url)]
    if page.number > 1:
        links.append(("prev-archive", page_url(site, page.number - 1)))
    if page.full:
        links.append(("next-archive", page_url(site, page.number + 1)))
    return FeedSpec(
        "archive", str(page.number), f"{site.title}: archive {page.number}", site.url, site,
        page.posts, _updated(page.posts, fallback),
        (FeedFile("atom", page.path, url, url, None),), links=tuple(links),
        history="archive", generator_version=False, keep_entries=False,
    )
