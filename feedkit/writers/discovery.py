"""out/feeds.html: the page a feed reader's user lands on, in the site's language,
with every feed's address and the <link rel="alternate"> tags for a page's <head>."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Site
from .catalogue import FeedSpec
from .context import BuildContext, Outputs

WEB_DIGESTS = "digests/"  # out/digests/index.html, when the site publishes its digests


@dataclass(frozen=True, slots=True)
class FormatLink:
    """One feed file as a discovery link: `url` is its address, `href` the link from
    out/feeds.html (relative when the file is in out/, so the page works wherever out/
    is served)."""

    type: str
    label: str
    url: str
    href: str


@dataclass(frozen=True, slots=True)
class FeedLinks:
    """A feed's name, title and its file in each format."""

    name: str
    title: str
    formats: tuple[FormatLink, ...]


def feed_links(spec: FeedSpec) -> FeedLinks:
    site = spec.site
    formats = tuple(FormatLink(f.media_type, f.label, f.url, _href(site, f.url, f.path))
                    for f in spec.files)
    return FeedLinks(spec.name, spec.title, formats)


def _href(site: Site, url: str, path: str) -> str:
    """`path` when `url` is that file of out/ at site.url (feeds.html sits at the top
    of out/); the absolute `url` otherwise (a site.feed_url elsewhere)."""
    return path if url == site.url + path else url


def page_context(context: BuildContext, language: str) -> dict[str, Any]:
    """What templates/feeds.html is rendered with."""
    from ..text.i18n import lang_attribute

    catalogue = context.catalogue
    site = context.registry.site
    groups = [{"kind": kind, "feeds": [feed_links(s) for s in catalogue.taxonomy
                                       if s.kind == kind]}
              for kind in ("tag", "author")]
    return {
        "site": site, "lang": language, "main": feed_links(catalogue.site_feed),
        "groups": groups,
        # The site's own words (its title, tag and author names) keep site.language
        # when the page's words are in another (no catalogue for it).
        "text_lang": lang_attribute(site.language, language),
        "archive_href": WEB_DIGESTS if site.options.web_digests else "",
    }


class DiscoveryWriter:
    """out/feeds.html from the feeds.html template."""

    path = "feeds.html"

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..text.i18n import resolve_language
        from ..text.templating import render_template

        language = resolve_language(context.registry.site.language)
        html = render_template(context.template_dirs, language, "feeds.html",
                               page_context(context, language))
        outputs.add(self.path, html.encode("utf-8"))
