"""The optional XSL stylesheet that makes the Atom and RSS feeds readable in a browser."""

from __future__ import annotations

import posixpath

from ..model import Site
from ..outputs import Outputs
from . import BuildContext

XSL_PATH = "feed.xsl"


def stylesheet_href(site: Site, feed_path: str) -> str | None:
    """The stylesheet's address relative to the feed at `feed_path`, or None when off."""
    if not site.options.feed_xsl:
        return None
    return posixpath.relpath(XSL_PATH, posixpath.dirname(feed_path) or ".")


def with_stylesheet(document: bytes, href: str) -> bytes:
    """Insert an xml-stylesheet instruction right after the XML declaration."""
    declaration, newline, rest = document.partition(b"\n")
    if not declaration.startswith(b"<?xml "):
        declaration, newline, rest = b"", b"", document
    escaped = href.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    instruction = f'<?xml-stylesheet type="text/xsl" href="{escaped}"?>\n'.encode()
    return declaration + newline + instruction + rest


class StylesheetWriter:
    """out/feed.xsl when `feed_xsl: true` is among the site options."""

    path = XSL_PATH

    def write(self, context: BuildContext, outputs: Outputs) -> None:
        from ..templating import template_bytes

        if context.registry.site.options.feed_xsl:
            outputs.add(self.path, template_bytes(context.template_dirs, "feed.xsl"))
