"""The neutral model every writer reads: frozen dataclasses, no YAML past here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Person:
    """Someone with a name, and optionally an email address and a web page."""

    name: str
    email: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Publisher(Person):
    """Who stands behind the site, as shown in the digest's footer."""

    address: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Options:
    """Site options with their defaults (`site.options` in posts.yaml)."""

    excerpt_length: int = 250
    excerpt_suffix: str = "..."
    feed_entries: int = 20
    digest_entries: int = 10
    archive_page_size: int = 50
    feed_xsl: bool = False
    web_digests: str = ""  # "day", "week" or "month": a web copy of each sent digest


@dataclass(frozen=True, slots=True)
class DkimSettings:
    """`site.dkim`: who signs the digests. `where` is its FILE:LINE:COL."""

    selector: str
    key_file: str
    domain: str
    where: str = ""

    def key_path(self, registry: Path) -> Path:
        """The key file, relative to the registry's folder unless absolute."""
        return registry.parent / self.key_file


@dataclass(frozen=True, slots=True)
class Site:
    """The site section of the registry."""

    title: str
    url: str
    feed_url: str
    id: str
    language: str
    timezone: str
    subtitle: str = ""
    email: str = ""
    about: str = ""
    websub_hub: str = ""
    unsubscribe_url: str = ""
    publisher: Publisher | None = None
    options: Options = field(default_factory=Options)
    dkim: DkimSettings | None = None
    bounce_address: str = ""  # VERP: bounces+TOKEN@domain; "" means no VERP

    @property
    def tz(self) -> ZoneInfo:
        """The site's timezone object."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class Author(Person):
    """A post's author; role is shown in listings (\"boendeexpert, ...\")."""

    role: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    """A post's picture: an absolute URL, its alt text and its size in pixels."""

    url: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Post:
    """One post. `published`/`updated` are aware datetimes in the site timezone."""

    title: str
    slug: str
    url: str
    id: str
    published: datetime
    updated: datetime
    author: Author
    body: str = ""
    summary: str | None = None
    tags: tuple[str, ...] = ()
    line: int = 0
    image: Image | None = None
    draft: bool = False
    # Set when a build read the post in pieces, without its body: a digest of its
    # own lines in posts.yaml (32 hex digits, "+SECONDS" when the order spread its
    # time), under which its rendered texts are in the build's text store
    # (feedkit.text.content.use_texts).
    source: str = ""


@dataclass(frozen=True, slots=True)
class Registry:
    """A loaded, checked registry; posts are newest first."""

    path: str
    site: Site
    posts: tuple[Post, ...]

    def visible(self, now: datetime) -> tuple[Post, ...]:
        """Posts whose publication time is not after `now`, newest first."""
        return tuple(p for p in self.posts if p.published <= now)
