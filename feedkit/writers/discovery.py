"""out/feeds.html: every feed, with the <link rel="alternate"> tags for a page's <head>."""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import FeedSpec
from .context import BuildContext, Outputs


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


def feed_links(spec: FeedSpec) -> FeedLinks:
    formats = tuple(FormatLink(f.media_type, f.label, f.url) for f in spec.files)
    return FeedLinks(spec.name, spec.title, formats)


class DiscoveryWriter:
    """out/feeds.html from the feeds.html template."""

    path = "feeds.html"

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..text.templating import environment

        catalogue = context.catalogue
        from ..text.i18n import resolve_language

        groups = [
            {"kind": kind, "heading": heading,
             "feeds": [feed_links(s) for s in catalogue.taxonomy if s.kind == kind]}
            for kind, heading in (("tag", "Tags"), ("author", "Authors"))
        ]
        env = environment(context.template_dirs,
                          resolve_language(context.registry.site.language))
        html = env.get_template("feeds.html").render(
            site=context.registry.site, main=feed_links(catalogue.site_feed), groups=groups,
        )
        outputs.add(self.path, html.encode("utf-8"))
