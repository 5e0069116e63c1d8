"""out/feeds.html: every feed, with the <link rel="alternate"> tags for a page's <head>."""

from __future__ import annotations

from dataclasses import dataclass

from ..outputs import Outputs
from . import BuildContext
from .catalogue import FORMATS, FeedSource, all_sources


@dataclass(frozen=True, slots=True)
class FormatLink:
    """One feed file as a discovery link."""

    type: str
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """A feed's name, title and its file in each format."""

    name: str
    title: str
    formats: tuple[FormatLink, ...]


def feed_links(context: BuildContext, source: FeedSource) -> FeedLinks:
    site = context.registry.site
    formats = tuple(FormatLink(media, label, source.url(site, fmt))
                    for fmt, (_, media, label) in FORMATS.items())
    return FeedLinks(source.name, source.title, formats)


class DiscoveryWriter:
    """out/feeds.html from the feeds.html template."""

    path = "feeds.html"

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..templating import environment

        site_feed, *others = all_sources(context)
        groups = [
            {"heading": heading,
             "feeds": [feed_links(context, s) for s in others if s.kind == kind]}
            for kind, heading in (("tag", "Tags"), ("author", "Authors"))
        ]
        env = environment(context.template_dirs, context.registry.site.language)
        html = env.get_template("feeds.html").render(
            site=context.registry.site, main=feed_links(context, site_feed), groups=groups,
        )
        outputs.add(self.path, html.encode("utf-8"))
