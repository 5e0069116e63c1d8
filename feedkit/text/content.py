"""A post's content: Markdown to sanitized HTML, its plain text and its excerpt."""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from ..model import Options, Post
from .excerpt import collapse, truncate

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
}
_URL_ATTRIBUTES = {("a", "href"), ("img", "src")}
_BLOCKS = {
    "p", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "pre", "tr", "td", "th", "table", "hr", "figure", "figcaption", "div",
}


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """markdown-it (the Rust port, markdown-it-pyrs): CommonMark with raw HTML,
    tables and strikethrough. The raw HTML is sanitized by nh3 afterwards."""
    from markdown_it_pyrs import MarkdownIt

    return MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


def body_html(post: Post) -> str:
    """The post's body as sanitized HTML whose links and images are absolute."""
    if post.source:
        return stored_texts(post)[1]
    return render_markdown(post.body, post.url)


def post_texts(post: Post, options: Options) -> tuple[str, str]:
    """(summary, content HTML) as every writer shows them; content is "" without a
    body. A post read without its body (`source`) has them in the text store."""
    if post.source:
        return stored_texts(post)
    return excerpt(post, options), render_markdown(post.body, post.url) if post.body else ""


def post_texts_many(posts: list[Post], options: Options) -> list[tuple[str, str]]:
    """`post_texts` of each post (read with their bodies), worked out a stage at a
    time: every body's Markdown, then every sanitising, then every excerpt. The same
    texts; a tenth quicker than post by post, each library's code staying in the
    processor's caches for the whole batch."""
    markdown = _markdown()
    raws = [markdown.render(post.body) if post.body else None for post in posts]
    cleaner = _cleaner()
    htmls = []
    for post, raw in zip(posts, raws, strict=True):
        if raw is None:
            htmls.append("")
            continue
        _base.url = post.url
        htmls.append(str(cleaner.clean(raw)).strip())
    at_least = options.excerpt_length + _MARGIN
    return [(post.summary if post.summary is not None else
             truncate(leading_text(html, at_least), options.excerpt_length,
                      options.excerpt_suffix), html)
            for post, html in zip(posts, htmls, strict=True)]


# The build's text store: a post's source -> (summary, content HTML); see use_texts.
_stored: list[Callable[[str], tuple[str, str]]] = []


def use_texts(lookup: Callable[[str], tuple[str, str]] | None) -> None:
    """Where the texts of posts read without their bodies come from (None: nowhere).
    The build sets it; its texts were made with the site's options."""
    _stored[:] = [lookup] if lookup is not None else []


def stored_texts(post: Post) -> tuple[str, str]:
    if not _stored:
        raise LookupError(f"the texts of {post.id} are in a build's text store, which is "
                          "not open")
    return _stored[0](post.source)


_base = threading.local()


def _absolute(tag: str, attribute: str, value: str) -> str | None:
    if (tag, attribute) in _URL_ATTRIBUTES:
        return urljoin(str(_base.url), value)
    return value


@lru_cache(maxsize=1)
def _cleaner() -> Any:
    """One nh3 Cleaner, built once (building the allow-lists per call costs as much
    as the cleaning); the base URL for relative links comes from `_base`."""
    import nh3

    return nh3.Cleaner(
        tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_absolute,
        url_schemes={"http", "https", "mailto"}, link_rel=None,
    )


@lru_cache(maxsize=256)
def render_markdown(markdown: str, base_url: str) -> str:
    """Markdown (raw HTML allowed) to HTML that is safe to embed anywhere."""
    raw = _markdown().render(markdown)
    _base.url = base_url
    return str(_cleaner().clean(raw)).strip()


# The fragments plain_text reads come from nh3, which writes well-formed HTML
# with double-quoted attribute values, so tags can be found with a pattern.
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment: markup removed, entities decoded, spaces collapsed."""

    def tag(match: re.Match[str]) -> str:
        return " " if match.group(2).lower() in _BLOCKS else ""

    text = html.unescape(_TAG.sub(tag, fragment))
    return unicodedata.normalize("NFC", collapse(text))


def excerpt(post: Post, options: Options) -> str:
    """The post's summary verbatim, else its body's plain text cut by the listing rule."""
    if post.summary is not None:
        return post.summary
    if post.source:
        return stored_texts(post)[0]
    text = leading_text(body_html(post), options.excerpt_length + _MARGIN)
    return truncate(text, options.excerpt_length, options.excerpt_suffix)


# How much more plain text than the excerpt's length leading_text must see, so
# the cut (which looks a little past its limit) decides exactly as on the whole.
_MARGIN = 128


def leading_text(fragment: str, at_least: int) -> str:
    """The plain text of `fragment`, or of a prefix of it whose text is longer than
    `at_least` characters; the prefix's text agrees with the whole text up to there.

    Excerpts need only the start of a post, so long posts are not converted whole.
    """
    size = 2 * at_least
    while size < len(fragment):
        head = fragment[:size]
        last = head.rfind("<")
        if last >= 0 and not _TAG.match(head, last):  # drop a tag cut in two
            head = head[:last]
        if head.rfind("&") > head.rfind(";"):  # and an entity cut in two
            head = head[: head.rfind("&")]
        text = plain_text(head)
        if len(text) > at_least + 8:  # the last few characters may still change
            return text
        size *= 2
    return plain_text(fragment)
