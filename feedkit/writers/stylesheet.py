"""The optional XSL stylesheet that makes the Atom and RSS feeds readable in a browser."""

from __future__ import annotations

import posixpath

from ..model import Site

XSL_PATH = "feed.xsl"


def stylesheet_href(site: Site, feed_path: str) -> str | None:
    """The stylesheet's address relative to the feed at `feed_path`, or None when off."""
    if not site.options.feed_xsl:
        return None
    return posixpath.relpath(XSL_PATH, posixpath.dirname(feed_path) or ".")
