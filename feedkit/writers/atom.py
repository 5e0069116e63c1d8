"""The Atom 1.0 feed (RFC 4287), written with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .. import __version__
from ..content import body_html, excerpt
from ..model import Post, Site
from ..outputs import OutputSet
from . import BuildContext

GENERATOR_URI = "https://pypi.org/project/feedkit/"


def _entry_class():
    from feedgen.entry import FeedEntry

    class AtomEntry(FeedEntry):
        """feedgen 1.0.0 drops every attribute but href on entry links; put them back."""

        def atom_entry(self, extensions: bool = True):
            element = super().atom_entry(extensions)
            wanted = self.link() or []
            links = element.findall("link")
            for link_element, link in zip(links, wanted, strict=True):
                for attribute in ("rel", "type", "hreflang", "title", "length"):
                    if link.get(attribute):
                        link_element.set(attribute, str(link[attribute]))
            return element

    return AtomEntry


def feed_updated(posts: Sequence[Post], fallback: datetime) -> datetime:
    """The feed's updated: the newest entry's updated, never the build time."""
    return max((p.updated for p in posts), default=fallback)


def render_atom(
    site: Site, posts: Sequence[Post], *, feed_url: str, feed_id: str, title: str,
    alternate: str, fallback_updated: datetime,
) -> bytes:
    """One Atom document for `posts` (already newest first and limited)."""
    from feedgen.feed import FeedGenerator

    entry_class = _entry_class()
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    if site.subtitle:
        fg.subtitle(site.subtitle)
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    fg.link(href=alternate, rel="alternate", type="text/html")
    if site.websub_hub:
        fg.link(href=site.websub_hub, rel="hub")
    fg.language(site.language)
    if site.publisher:
        fg.author({"name": site.publisher.name, **_optional(uri=site.publisher.url)})
        fg.rights(f"© {site.publisher.name}")
    else:
        fg.author({"name": site.title})
    fg.generator("feedkit", version=__version__, uri=GENERATOR_URI)
    fg.updated(feed_updated(posts, fallback_updated))
    for post in posts:
        fe = fg.add_entry(feedEntry=entry_class(), order="append")
        fe.id(post.id)
        fe.title(post.title)
        fe.published(post.published)
        fe.updated(post.updated)
        fe.author({"name": post.author.name,
                   **_optional(email=post.author.email, uri=post.author.url)})
        fe.link(href=post.url, rel="alternate", type="text/html")
        fe.summary(excerpt(post, site.options))
        if post.body:
            fe.content(body_html(post), type="html")
        for tag in post.tags:
            fe.category(term=tag)
    return fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)


def _optional(**values: str) -> dict[str, str]:
    return {k: v for k, v in values.items() if v}


class AtomWriter:
    """out/atom.xml: the newest `feed_entries` posts that are published by now."""

    path = "atom.xml"

    def write(self, context: BuildContext, outputs: OutputSet) -> None:
        site = context.registry.site
        visible = context.registry.visible(context.now)
        posts = visible[: site.options.feed_entries]
        outputs.add(
            self.path,
            render_atom(
                site, posts, feed_url=site.feed_url, feed_id=site.id, title=site.title,
                alternate=site.url, fallback_updated=min(p.published for p in
                                                         context.registry.posts),
            ),
        )
