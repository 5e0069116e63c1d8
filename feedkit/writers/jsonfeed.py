"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) from a feed spec, keys in a fixed order."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from ..dates import rfc3339
from ..model import Author, Options, Post
from .catalogue import FeedSpec
from .entries import texts

VERSION = "https://jsonfeed.org/version/1.1"


def render(spec: FeedSpec) -> bytes:
    """The JSON Feed document of `spec`: UTF-8, keys in a fixed order, one item per line."""
    site = spec.site
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": spec.alternate,
        "feed_url": spec.file("json").url,
    }
    if site.subtitle:
        feed["description"] = site.subtitle
    feed["language"] = site.language
    if site.publisher:
        feed["authors"] = [_author(Author(name=site.publisher.name, url=site.publisher.url))]
    if spec.hub:
        feed["hubs"] = [{"type": "WebSub", "url": spec.hub}]
    head = json.dumps(feed, ensure_ascii=False)[:-1]  # without the closing brace
    items = ",\n".join(kept_item(post, site.options, site.language) for post in spec.posts)
    return f'{head}, "items": [\n{items}\n]}}\n'.encode()


@lru_cache(maxsize=8192)
def kept_item(post: Post, options: Options, language: str) -> str:
    """The post's item as JSON text, built once per post."""
    summary, content = texts(post, options)
    item: dict[str, Any] = {"id": post.id, "url": post.url, "title": post.title}
    # JSON Feed needs content_html or content_text; a post without a body has its summary.
    if content:
        item["content_html"] = content
    else:
        item["content_text"] = summary
    item["summary"] = summary
    item["date_published"] = rfc3339(post.published)
    item["date_modified"] = rfc3339(post.updated)
    item["authors"] = [_author(post.author)]
    if post.tags:
        item["tags"] = list(post.tags)
    item["language"] = language
    return json.dumps(item, ensure_ascii=False)


def _author(author: Author) -> dict[str, str]:
    result = {"name": author.name}
    if author.url:
        result["url"] = author.url
    return result
