"""Load posts.yaml into the model, reporting every problem with its line and column."""

from __future__ import annotations

import codecs
import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .dates import DateProblem, parse_date
from .errors import FeedkitError, Problem, RegistryError
from .model import Author, Options, Post, Publisher, Registry, Site
from .yamlstream import ItemStream, top_level

SITE_FIELDS = (
    "title", "subtitle", "url", "feed_url", "id", "language", "timezone",
    "email", "about", "websub_hub", "unsubscribe_url", "publisher", "options",
)
PUBLISHER_FIELDS = ("name", "address", "phone", "email", "url")
OPTION_FIELDS = tuple(f.name for f in fields(Options))
POST_FIELDS = (
    "title", "date", "author", "body", "summary", "slug", "url", "id", "updated", "tags",
)
AUTHOR_FIELDS = ("name", "role", "email", "url")

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}

Node = yaml.Node


@dataclass(slots=True)
class _Reader:
    """Walks the YAML node tree, collecting problems instead of stopping."""

    path: str
    problems: list[Problem]

    def add(self, node: Node | None, message: str) -> None:
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        self.problems.append(Problem(self.path, line, col, message))

    def mapping(
        self, node: Node, where: str, allowed: tuple[str, ...]
    ) -> dict[str, Node] | None:
        """Keys to value nodes; unknown and duplicate keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, f"{where}: must be a mapping of 'key: value' lines")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.add(key_node, f"{where}: keys must be plain words")
                continue
            name = f"{where}.{key}" if where else key
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(allowed)}"
                self.add(key_node, f"{name}: unknown field; {fix}")
            elif key in out:
                first = out[key].start_mark.line + 1
                self.add(key_node, f"{name}: given twice (first on line {first}); keep one")
            else:
                out[key] = value_node
        return out

    def text(
        self, fields_: dict[str, Node], key: str, where: str, *, required: bool = False,
        parent: Node | None = None,
    ) -> str | None:
        """A text field, stripped; None when absent or empty (reported if required)."""
        name = f"{where}.{key}" if where else key
        node = fields_.get(key)
        if node is None:
            if required:
                self.add(parent, f"{name}: missing; this field is required")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.add(node, f"{name}: must be text, not a list or mapping")
            return None
        value = node.value if node.tag != "tag:yaml.org,2002:null" else ""
        bad = _XML_ILLEGAL.search(value)
        if bad:
            self.add(
                node,
                f"{name}: contains the control character U+{ord(bad.group()):04X}, "
                "which XML can't carry; remove it",
            )
            return None
        value = value.strip()
        if not value:
            if required:
                self.add(node, f"{name}: is empty; this field is required")
            return None
        return value


def load(path: str | Path) -> Registry:
    """Read and check a registry file; raise RegistryError listing every problem.

    The file is streamed to the YAML parser rather than read whole, so a large
    registry costs little more memory than the posts it holds.
    """
    shown = str(path)
    try:
        with open(path, "rb") as handle:
            if not _is_utf8(handle):
                return loads(Path(path).read_bytes(), shown)  # reports each bad byte
            handle.seek(0)
            return _load(handle, shown, lambda: Path(path).read_bytes())
    except OSError as exc:
        raise FeedkitError(f"{shown}: can't read the registry: {exc.strerror}") from None


def loads(data: bytes, path: str = "posts.yaml") -> Registry:
    """Check and load registry bytes; `path` is only used in messages."""
    reader = _Reader(path, [])
    _check_utf8(data, reader)
    if reader.problems:
        raise RegistryError(reader.problems)
    return _load(data, path, lambda: data)


def _is_utf8(handle: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := handle.read(1 << 20):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _load(source: bytes | BinaryIO, path: str, data: Callable[[], bytes]) -> Registry:
    reader = _Reader(path, [])
    try:
        site, posts = _top_level(reader, source)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "malformed YAML"
        raise RegistryError(
            [Problem(path, line, col, f"malformed YAML: {what}")]
        ) from None
    except yaml.reader.ReaderError as exc:
        raise RegistryError([_reader_problem(data(), path, exc)]) from None
    except yaml.YAMLError as exc:
        raise RegistryError([Problem(path, 1, 1, f"malformed YAML: {exc}")]) from None
    if reader.problems or site is None:
        raise RegistryError(reader.problems)
    return Registry(path=path, site=site, posts=posts)


def _top_level(reader: _Reader, data: bytes | BinaryIO) -> tuple[Site | None, tuple[Post, ...]]:
    """Walk the top level; posts are streamed when they follow the site section."""
    site: Site | None = None
    site_node: Node | None = None
    posts: tuple[Post, ...] = ()
    seen: dict[str, Node] = {}
    first: Node | None = None
    deferred: Node | None = None
    for key, value in top_level(data, "posts", after="site"):
        if key is None:
            reader.add(value, "the file must be a mapping with a 'site:' section and a "
                              "'posts:' list")
            return None, ()
        first = first or key
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in ("site", "posts"):
            reader.add(key, f"{name}: unknown field; the top level holds only 'site' and "
                            "'posts'")
            continue
        if name in seen:
            reader.add(key, f"{name}: given twice (first on line "
                            f"{seen[name].start_mark.line + 1}); keep one")
            continue
        seen[name] = key
        if name == "site":
            site_node = value
            site = _site(reader, value)
        elif "site" in seen:
            posts = _posts(reader, value, site, _timezone_guess(site_node))
        else:
            deferred = value  # posts before the site: check them once the site is known
    if deferred is not None:
        posts = _posts(reader, deferred, site, _timezone_guess(site_node))
    if first is None:
        reader.problems.append(Problem(
            reader.path, 1, 1,
            "the file is empty; it needs a 'site:' section and a 'posts:' list (see README.md)",
        ))
        return None, ()
    if "site" not in seen:
        reader.add(first, "site: missing; add a 'site:' section with title and url")
    if "posts" not in seen:
        reader.add(first, "posts: missing; add a 'posts:' list")
    return site, posts


def _reader_problem(data: bytes, path: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML refuses (control characters), at its line and column."""
    before = data[: exc.position].decode("utf-8", "ignore")  # libyaml counts bytes
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return Problem(path, line, column, f"contains the control character U+{ord(char):04X}, "
                                       "which YAML and XML can't carry; remove it")


def _check_utf8(data: bytes, reader: _Reader) -> None:
    try:
        data.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    for lineno, line in enumerate(text.splitlines(), start=1):
        for col, char in enumerate(line, start=1):
            if "\udc80" <= char <= "\udcff":
                reader.problems.append(
                    Problem(
                        reader.path, lineno, col,
                        f"not UTF-8: byte 0x{ord(char) - 0xDC00:02X} can't be read; "
                        "save the file as UTF-8",
                    )
                )
                break
        if len(reader.problems) >= 20:
            break


def _absolute_url(reader: _Reader, node: Node | None, name: str, value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        reader.add(node, f"{name}: '{value}' is not an absolute http(s) URL; "
                         "write it like https://example.org/blog/")
        return None
    return value


def _site(reader: _Reader, node: Node) -> Site | None:
    f = reader.mapping(node, "site", SITE_FIELDS)
    if f is None:
        return None
    before = len(reader.problems)
    title = reader.text(f, "title", "site", required=True, parent=node)
    url = reader.text(f, "url", "site", required=True, parent=node)
    if url is not None:
        url = _absolute_url(reader, f["url"], "site.url", url)
    if url is not None and not urlsplit(url).path.endswith("/"):
        url += "/"
    feed_url = reader.text(f, "feed_url", "site")
    if feed_url is not None:
        feed_url = _absolute_url(reader, f["feed_url"], "site.feed_url", feed_url)
    elif url is not None:
        feed_url = url + "atom.xml"
    language = reader.text(f, "language", "site") or "en"
    if not _LANGUAGE.match(language):
        reader.add(f.get("language"), f"site.language: '{language}' is not a BCP 47 "
                                      "language tag such as sv, en or en-GB")
    timezone = reader.text(f, "timezone", "site") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones

        hint = difflib.get_close_matches(timezone, sorted(available_timezones()), n=1)
        fix = f"did you mean '{hint[0]}'?" if hint else "use an IANA name like Europe/Stockholm"
        reader.add(f.get("timezone"), f"site.timezone: unknown timezone '{timezone}'; {fix}")
    email = reader.text(f, "email", "site") or ""
    if email and not _EMAIL.match(email):
        reader.add(f.get("email"), f"site.email: '{email}' is not an email address")
    hub = reader.text(f, "websub_hub", "site") or ""
    if hub:
        hub = _absolute_url(reader, f["websub_hub"], "site.websub_hub", hub) or ""
    unsubscribe = reader.text(f, "unsubscribe_url", "site") or ""
    if unsubscribe:
        unsubscribe = _absolute_url(reader, f["unsubscribe_url"], "site.unsubscribe_url",
                                    unsubscribe) or ""
    elif url is not None:
        unsubscribe = url + "unsubscribe"
    site_id = reader.text(f, "id", "site")
    if site_id is not None and not _SCHEME.match(site_id):
        reader.add(f["id"], f"site.id: '{site_id}' is not an absolute IRI; "
                            "use a URL or a tag: URI")
    publisher = _publisher(reader, f["publisher"]) if "publisher" in f else None
    options = _options(reader, f["options"]) if "options" in f else Options()
    if len(reader.problems) > before or title is None or url is None or feed_url is None:
        return None
    return Site(
        title=title, url=url, feed_url=feed_url, id=site_id or feed_url,
        language=language, timezone=timezone,
        subtitle=reader.text(f, "subtitle", "site") or "",
        email=email, about=reader.text(f, "about", "site") or "", websub_hub=hub,
        unsubscribe_url=unsubscribe, publisher=publisher, options=options,
    )


def _publisher(reader: _Reader, node: Node) -> Publisher | None:
    f = reader.mapping(node, "site.publisher", PUBLISHER_FIELDS)
    if f is None:
        return None
    name = reader.text(f, "name", "site.publisher", required=True, parent=node)
    url = reader.text(f, "url", "site.publisher") or ""
    if url:
        url = _absolute_url(reader, f["url"], "site.publisher.url", url) or ""
    email = reader.text(f, "email", "site.publisher") or ""
    if email and not _EMAIL.match(email):
        reader.add(f["email"], f"site.publisher.email: '{email}' is not an email address")
    if name is None:
        return None
    return Publisher(
        name=name,
        address=reader.text(f, "address", "site.publisher") or "",
        phone=reader.text(f, "phone", "site.publisher") or "",
        email=email, url=url,
    )


def _options(reader: _Reader, node: Node) -> Options:
    f = reader.mapping(node, "site.options", OPTION_FIELDS)
    if f is None:
        return Options()
    values: dict[str, Any] = {}
    defaults = Options()
    for key, vnode in f.items():
        name = f"site.options.{key}"
        default = getattr(defaults, key)
        if isinstance(default, bool):
            raw = vnode.value.lower() if isinstance(vnode, yaml.ScalarNode) else ""
            if raw not in _BOOLEANS:
                reader.add(vnode, f"{name}: must be true or false")
                continue
            values[key] = _BOOLEANS[raw]
        elif isinstance(default, int):
            raw = vnode.value if isinstance(vnode, yaml.ScalarNode) else None
            try:
                number = int(raw) if isinstance(raw, str) else None
            except ValueError:
                number = None
            if number is None or number < 1:
                reader.add(vnode, f"{name}: must be a whole number of at least 1")
                continue
            values[key] = number
        else:
            text = reader.text(f, key, "site.options")
            values[key] = text or ""
    options = Options(**values)
    if options.excerpt_length <= len(options.excerpt_suffix):
        reader.add(f.get("excerpt_length", node),
                   "site.options.excerpt_length: must be longer than excerpt_suffix")
    return options


def _timezone_guess(node: Node | None) -> ZoneInfo:
    """The site's timezone if it is readable, else UTC: posts are checked either way."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "timezone" and isinstance(value, yaml.ScalarNode):
                try:
                    return ZoneInfo(value.value.strip())
                except (ZoneInfoNotFoundError, ValueError):
                    break
    return ZoneInfo("UTC")


def _posts(
    reader: _Reader, node: Node | ItemStream, site: Site | None, tz: ZoneInfo
) -> tuple[Post, ...]:
    if not isinstance(node, yaml.SequenceNode | ItemStream):
        reader.add(node, "posts: must be a list of posts, each starting with '- title: ...'")
        return ()
    posts: list[Post] = []
    slugs: dict[str, int] = {}
    ids: dict[str, int] = {}
    items = node if isinstance(node, ItemStream) else node.value
    index = -1
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
    if index < 0:
        reader.add(node, "posts: the list is empty; add at least one post")
    return _order(posts)


def _post(
    reader: _Reader, node: Node, where: str, site: Site | None, tz: ZoneInfo
) -> Post | None:
    f = reader.mapping(node, where, POST_FIELDS)
    if f is None:
        return None
    before = len(reader.problems)
    title = reader.text(f, "title", where, required=True, parent=node)
    published = _date(reader, f, "date", where, tz, required=True, parent=node)
    updated = _date(reader, f, "updated", where, tz)
    author = _author(reader, f.get("author"), where, node)
    body = reader.text(f, "body", where)
    summary = reader.text(f, "summary", where)
    if body is None and summary is None and "body" not in f:
        reader.add(node, f"{where}.body: missing; write the post's text (Markdown) in "
                         "body, or give a summary")
    elif body is None and summary is None:
        reader.add(f["body"], f"{where}.body: is empty; write the post's text or give a summary")
    tags = _tags(reader, f.get("tags"), where)
    slug = reader.text(f, "slug", where)
    if slug is not None and not _SLUG.match(slug):
        reader.add(f["slug"], f"{where}.slug: '{slug}' may hold only a-z, 0-9 and single "
                              "hyphens, like 'fler-kan-gora-mer'")
    if published and updated and updated < published:
        reader.add(f["updated"], f"{where}.updated: is before the post's date; "
                                 "updated can only be the same or later")
    url = reader.text(f, "url", where)
    post_id = reader.text(f, "id", where)
    if post_id is not None and not _SCHEME.match(post_id):
        reader.add(f["id"], f"{where}.id: '{post_id}' is not an absolute IRI; "
                            "use a tag: URI or a URL")
    if len(reader.problems) > before or site is None:
        return None
    assert title is not None and published is not None and author is not None
    if slug is None:
        slug = slugify(title) or f"post-{published:%Y-%m-%d}"
    if url is None:
        url = site.url + slug + "/"
    else:
        url = urljoin(site.url, url)
        _absolute_url(reader, f["url"], f"{where}.url", url)
    return Post(
        title=title, slug=slug, url=url,
        id=post_id or tag_uri(site.url, published, slug),
        published=published, updated=updated or published, author=author,
        body=body or "", summary=summary, tags=tags, line=node.start_mark.line + 1,
    )


def _date(
    reader: _Reader, f: dict[str, Node], key: str, where: str, tz: ZoneInfo,
    *, required: bool = False, parent: Node | None = None,
) -> datetime | None:
    text = reader.text(f, key, where, required=required, parent=parent)
    if text is None:
        return None
    try:
        return parse_date(text, tz)
    except DateProblem as exc:
        reader.add(f[key], f"{where}.{key}: {exc}")
        return None


def _author(reader: _Reader, node: Node | None, where: str, post: Node) -> Author | None:
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
    if email and not _EMAIL.match(email):
        reader.add(f["email"], f"{name}.email: '{email}' is not an email address")
        return None
    url = reader.text(f, "url", name) or ""
    if url and _absolute_url(reader, f["url"], f"{name}.url", url) is None:
        return None
    if author_name is None:
        return None
    return Author(name=author_name, role=reader.text(f, "role", name) or "",
                  email=email, url=url)


def _tags(reader: _Reader, node: Node | None, where: str) -> tuple[str, ...]:
    if node is None:
        return ()
    items = [node] if isinstance(node, yaml.ScalarNode) else node.value
    if not isinstance(node, yaml.ScalarNode | yaml.SequenceNode):
        reader.add(node, f"{where}.tags: must be a list of words")
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
    groups: dict[datetime, list[int]] = {}
    for index, post in enumerate(posts):
        groups.setdefault(post.published, []).append(index)
    result = list(posts)
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        for rank, index in enumerate(reversed(indexes)):
            post = result[index]
            shifted = post.published + timedelta(seconds=rank)
            explicit = post.updated != post.published
            result[index] = _replace(post, published=shifted,
                                     updated=post.updated if explicit else shifted)
    order = sorted(range(len(result)), key=lambda i: (result[i].published, -i), reverse=True)
    return tuple(result[i] for i in order)


def _replace(post: Post, **changes: Any) -> Post:
    from dataclasses import replace

    return replace(post, **changes)


_TRANSLIT = str.maketrans({
    "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ß": "ss", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "œ": "oe", "Œ": "oe", "ı": "i",
})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """A URL- and file-safe slug: ASCII letters, digits and hyphens (å/ä/ö -> a/a/o)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] if "-" in slug[:max_length] else slug[
            :max_length]
    return slug


@lru_cache(maxsize=64)
def _tag_authority(site_url: str) -> str:
    return (urlsplit(site_url).hostname or "").encode("idna").decode("ascii")


def tag_uri(site_url: str, published: datetime, slug: str) -> str:
    """An RFC 4151 tag: URI from the site's domain, the post's local date and slug."""
    return f"tag:{_tag_authority(site_url)},{published.date().isoformat()}:{slug}"
