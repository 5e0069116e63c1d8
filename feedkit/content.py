"""A post's content: Markdown to sanitized HTML, its plain text and its excerpt."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin

from .excerpt import collapse, truncate
from .model import Options, Post

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
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def body_html(post: Post) -> str:
    """The post's body as sanitized HTML whose links and images are absolute."""
    return render_markdown(post.body, post.url)


@lru_cache(maxsize=256)
def render_markdown(markdown: str, base_url: str) -> str:
    """Markdown (raw HTML allowed) to HTML that is safe to embed anywhere."""
    import nh3

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if (tag, attribute) in _URL_ATTRIBUTES:
            return urljoin(base_url, value)
        return value

    raw = _markdown().render(markdown)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=absolute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    ).strip()


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment: markup removed, entities decoded, spaces collapsed."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return unicodedata.normalize("NFC", collapse("".join(parser.parts)))


def excerpt(post: Post, options: Options) -> str:
    """The post's summary verbatim, else its body's plain text cut by the listing rule."""
    if post.summary is not None:
        return post.summary
    return truncate(plain_text(body_html(post)), options.excerpt_length, options.excerpt_suffix)
