"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with keys in a fixed order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..dates import rfc3339
from ..model import Author, Options, Post, Site
from ..outputs import Outputs
from . import BuildContext
from .catalogue import FeedSource, site_source
from .texts import entry_texts

VERSION = "https://jsonfeed.org/version/1.1"


def render_jsonfeed(
    site: Site, posts: Sequence[Post], *, feed_url: str, title: str, home_page_url: str,
) -> bytes:
    """One JSON Feed document: UTF-8, keys in a fixed order, one item per line."""
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": title,
        "home_page_url": home_page_url,
        "feed_url": feed_url,
    }
    if site.subtitle:
        feed["description"] = site.subtitle
    feed["language"] = site.language
    if site.publisher:
        feed["authors"] = [_author(Author(name=site.publisher.name, url=site.publisher.url))]
    if site.websub_hub:
        feed["hubs"] = [{"type": "WebSub", "url": site.websub_hub}]
    head = json.dumps(feed, ensure_ascii=False)[:-1]  # without the closing brace
    items = ",\n".join(_item(post, site.options, site.language) for post in posts)
    return f'{head}, "items": [\n{items}\n]}}\n'.encode()


@lru_cache(maxsize=8192)
def _item(post: Post, options: Options, language: str) -> str:
    """The post's item as JSON text, built once per post."""
    summary, content = entry_texts(post, options)
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


def render_source(context: BuildContext, source: FeedSource) -> bytes:
    """The JSON Feed document of one feed in the catalogue."""
    site = context.registry.site
    return render_jsonfeed(site, source.posts, feed_url=source.url(site, "json"),
                           title=source.title, home_page_url=source.alternate)


class JsonFeedWriter:
    """out/feed.json: the same posts as atom.xml, as JSON Feed 1.1."""

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        source = site_source(context)
        outputs.add(source.path("json"), render_source(context, source))
