"""The DOCTYPE of an RSS document, read from what the parser saw (never fetched):
Netscape's RSS 0.91 DTD belongs to version 0.91 only, and its my.netscape.com address
no longer answers."""

from __future__ import annotations

from typing import Any

NETSCAPE_PUBLIC = "-//Netscape Communications//DTD RSS 0.91//EN"
NETSCAPE_HOST = "my.netscape.com/"
RSSBOARD_DTD = "http://www.rssboard.org/rss-0.91.dtd"


def doctype_problems(root: Any, version: str | None) -> list[tuple[str, str]]:
    """(rule, message) for each problem with the DOCTYPE before `root`."""
    info = root.getroottree().docinfo
    public, system = info.public_id or "", info.system_url or ""
    found = []
    if system.split("//", 1)[-1].startswith(NETSCAPE_HOST):
        found.append(("rss-deprecated-dtd", f"the DOCTYPE points at {system}, which "
                      "Netscape no longer serves; readers that fetch the DTD fail: point "
                      f"it at {RSSBOARD_DTD} or remove the DOCTYPE"))
    netscape = public == NETSCAPE_PUBLIC or system.endswith("/rss-0.91.dtd")
    if netscape and version != "0.91":
        shown = f"version \"{version}\"" if version is not None else "no version"
        found.append(("rss-invalid-doctype", "the DOCTYPE is Netscape's RSS 0.91 DTD but "
                      f"<rss> has {shown}: remove the DOCTYPE or write RSS 0.91"))
    return found
