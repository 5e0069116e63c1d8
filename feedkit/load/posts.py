"""The `posts:` list of the registry: each post checked, then ordered newest first."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import yaml

from ..addresses import address_problem
from ..dates import DateProblem, parse_date
from ..model import Author, Image, Post, Site
from ..text.slugify import slugify
from ..urls import ascii_host
from .reader import SCHEME, Node, Reader
from .yamlstream import ItemStream

POST_FIELDS = (
    "title", "date", "author", "body", "summary", "slug", "url", "id", "updated", "tags",
    "image", "draft",
)
AUTHOR_FIELDS = ("name", "role", "email", "url")
IMAGE_FIELDS = ("url", "alt", "width", "height")
_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
MAX_TAGS = 50
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
T = TypeVar("T", bound=Any)


def read_posts(
    reader: Reader, node: Node | ItemStream, site: Site | None, tz: ZoneInfo
) -> tuple[Post, ...]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return ()  # `posts:` with nothing under it yet: a site without posts
    if not isinstance(node, yaml.SequenceNode | ItemStream):
        reader.add(node, "posts: must be a list of posts, each starting with '- title: ...'")
        return ()
    posts: list[Post] = []
    slugs: dict[str, int] = {}
    ids: dict[str, int] = {}
    items = node if isinstance(node, ItemStream) else node.value
    for index, item in enumerate(items):
        post = _post(reader, item, f"posts[{index}]", site, tz)
        if post is None:
            continue
        for kind, seen, value in (("slug", slugs, post.slug), ("id", ids, post.id)):
            if value in seen:
                reader.add(item, f"posts[{index}].{kind}: '{value}' is also used by the post "
                                 f"on line {seen[value]}; give this post its own {kind}")
            else:
                seen[value] = post.line
        posts.append(post)
    return _order(posts)


def _post(
    reader: Reader, node: Node, where: str, site: Site | None, tz: ZoneInfo
) -> Post | None:
    f = reader.mapping(node, where, POST_FIELDS)
    if f is None:
        return None
    before = len(reader.problems)
    title = reader.text(f, "title", where, required=True, parent=node)
    published = _date(reader, f, "date", where, tz, required=True, parent=node)
    updated = _date(reader, f, "updated", where, tz)
    author = _author(reader, f.get("author"), where, node)
    body = reader.text(f, "body", where, kind="body")
    summary = reader.text(f, "summary", where, kind="text")
    if body is None and summary is None and "body" not in f:
        reader.add(node, f"{where}.body: missing; write the post's text (Markdown) in "
                         "body, or give a summary")
    elif body is None and summary is None:
        reader.add(f["body"], f"{where}.body: is empty; write the post's text or give a summary")
    tags = _tags(reader, f.get("tags"), where)
    image = _image(reader, f.get("image"), where)
    draft = _draft(reader, f.get("draft"), where)
    slug = reader.text(f, "slug", where)
    if slug is not None and not _SLUG.match(slug):
        reader.add(f["slug"], f"{where}.slug: '{slug}' may hold only a-z, 0-9 and single "
                              "hyphens, like 'fler-kan-gora-mer'")
    if published and updated and updated < published:
        reader.add(f["updated"], f"{where}.updated: is before the post's date; "
                                 "updated can only be the same or later")
    url = reader.text(f, "url", where, kind="url")
    post_id = reader.text(f, "id", where)
    if post_id is not None and (not SCHEME.match(post_id) or len(post_id.split()) > 1):
        reader.add(f["id"], f"{where}.id: '{post_id}' is not an absolute IRI without "
                            "spaces; use a tag: URI or a URL")
    if len(reader.problems) > before or site is None:
        return None
    assert title is not None and published is not None and author is not None
    if slug is None:
        slug = slugify(title) or f"post-{published:%Y-%m-%d}"
    if url is None:
        url = site.url + slug + "/"
    else:
        url = urljoin(site.url, url)
        reader.absolute_url(f["url"], f"{where}.url", url)
    return Post(
        title=title, slug=slug, url=url,
        id=post_id or tag_uri(site.url, published, slug),
        published=published, updated=updated or published, author=author,
        body=body or "", summary=summary, tags=tags, line=node.start_mark.line + 1,
        image=image, draft=draft,
    )


def _date(
    reader: Reader, f: dict[str, Node], key: str, where: str, tz: ZoneInfo,
    *, required: bool = False, parent: Node | None = None,
) -> datetime | None:
    text = reader.text(f, key, where, required=required, parent=parent, kind="text")
    if text is None:
        return None
    try:
        return parse_date(text, tz)
    except DateProblem as exc:
        reader.add(f[key], f"{where}.{key}: {exc}")
        return None


def _author(reader: Reader, node: Node | None, where: str, post: Node) -> Author | None:
    name = f"{where}.author"
    if node is None:
        reader.add(post, f"{name}: missing; give the author's name (and role)")
        return None
    if isinstance(node, yaml.ScalarNode):
        text = reader.text({"author": node}, "author", where, required=True)
        return Author(name=text) if text else None
    f = reader.mapping(node, name, AUTHOR_FIELDS)
    if f is None:
        return None
    author_name = reader.text(f, "name", name, required=True, parent=node)
    email = reader.text(f, "email", name) or ""
    if email and (why := address_problem(email)):
        reader.add(f["email"], f"{name}.email: '{email}' {why}")
        return None
    url = reader.text(f, "url", name, kind="url") or ""
    if url and reader.absolute_url(f["url"], f"{name}.url", url) is None:
        return None
    if author_name is None:
        return None
    return Author(name=author_name, role=reader.text(f, "role", name) or "",
                  email=email, url=url)


def _draft(reader: Reader, node: Node | None, where: str) -> bool:
    if node is None:
        return False
    raw = node.value.lower() if isinstance(node, yaml.ScalarNode) else ""
    if raw not in _BOOLEANS:
        reader.add(node, f"{where}.draft: must be true or false")
        return False
    return _BOOLEANS[raw]


def _image(reader: Reader, node: Node | None, where: str) -> Image | None:
    """`image: {url, alt, width, height}`: an absolute URL, its alt text, its size."""
    name = f"{where}.image"
    if node is None:
        return None
    f = reader.mapping(node, name, IMAGE_FIELDS)
    if f is None:
        return None
    url = reader.text(f, "url", name, required=True, parent=node)
    alt = reader.text(f, "alt", name)
    if alt is None:
        reader.add(f.get("alt", node), f"{name}.alt: missing; describe the picture for "
                                       "readers who can't see it")
    size = [_pixels(reader, f, key, name, node) for key in ("width", "height")]
    if url is not None:
        url = reader.absolute_url(f["url"], f"{name}.url", url)
    if url is None or alt is None or size[0] is None or size[1] is None:
        return None
    return Image(url=url, alt=alt, width=size[0], height=size[1])


def _pixels(reader: Reader, f: dict[str, Node], key: str, where: str, parent: Node,
            ) -> int | None:
    node = f.get(key)
    if node is None:
        reader.add(parent, f"{where}.{key}: missing; give the picture's {key} in pixels")
        return None
    raw = node.value if isinstance(node, yaml.ScalarNode) else ""
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 20000:
        reader.add(node, f"{where}.{key}: must be a whole number of pixels (1 to 20000)")
        return None
    return int(raw)


def _tags(reader: Reader, node: Node | None, where: str) -> tuple[str, ...]:
    if node is None:
        return ()
    items = [node] if isinstance(node, yaml.ScalarNode) else node.value
    if not isinstance(node, yaml.ScalarNode | yaml.SequenceNode):
        reader.add(node, f"{where}.tags: must be a list of words")
        return ()
    if len(items) > MAX_TAGS:
        reader.add(node, f"{where}.tags: {len(items)} tags; a post takes at most {MAX_TAGS} "
                         "(each tag is a feed the post is written into)")
        return ()
    tags: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, yaml.ScalarNode) or not item.value.strip():
            reader.add(item, f"{where}.tags[{i}]: must be non-empty text")
            continue
        text = reader.text({"tags": item}, "tags", where)
        if text is not None and text not in tags:
            tags.append(text)
    return tuple(tags)


def _order(posts: list[Post]) -> tuple[Post, ...]:
    """Newest first; posts sharing a timestamp get distinct ones, one second apart.

    Among equal timestamps the post listed first in the file is the newest. The
    last one keeps its time, so adding a post on top never moves the others.
    """
    order, shifted, ranks = time_order([post.published for post in posts])
    result = list(posts)
    for index in ranks:
        post = result[index]
        explicit = post.updated != post.published
        result[index] = replace(post, published=shifted[index],
                                updated=post.updated if explicit else shifted[index])
    return tuple(result[i] for i in order)


def _later(moment: datetime, seconds: int) -> datetime:
    return moment + timedelta(seconds=seconds)


def time_order(times: list[T], add: Callable[[T, int], T] = _later,  # type: ignore[assignment]
               key: Callable[[list[T]], list[Any]] | None = None,
               ) -> tuple[list[int], list[T], dict[int, int]]:
    """The order, newest first, of posts published at `times` (in the file's order),
    their times once spread, and the seconds added to each spread one (`_order`).
    `times` are datetimes of one zone, or what stands for them (a build's patch uses
    wall-clock seconds, `add` adding seconds to one, OverflowError past the year 9999,
    and `key`, the sort keys of such times: quicker than pairs).

    Among equal times the post listed first is the newest: it gets the most seconds
    added, the last listed keeps its time.
    """
    shifted = list(times)
    ranks: dict[int, int] = {}
    if len(set(times)) < len(times):
        groups: dict[T, list[int]] = {}
        for index, when in enumerate(times):
            groups.setdefault(when, []).append(index)
        for indexes in groups.values():
            for rank, index in enumerate(reversed(indexes)):
                if rank == 0:
                    continue
                try:
                    shifted[index] = add(times[index], rank)
                except OverflowError:  # more than a day of posts at the very end of time
                    continue
                ranks[index] = rank
    if key is None:
        order = sorted(range(len(times)), key=lambda i: (shifted[i], -i), reverse=True)
    else:
        order = sorted(range(len(times)), key=key(shifted).__getitem__, reverse=True)
    return order, shifted, ranks


def tag_uri(site_url: str, published: datetime, slug: str) -> str:
    """An RFC 4151 tag: URI from the site's domain, the post's local date and slug."""
    return f"tag:{ascii_host(site_url, '')},{published.date().isoformat()}:{slug}"
