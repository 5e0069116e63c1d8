"""RSS 2.0: the specification plus the RSS Advisory Board's best-practice profile.

Streamed like Atom: each item is checked when it ends, then dropped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from . import Collector
from .common import html_tag, is_email, is_future, is_http_url, is_media_type, rfc822
from .xmlsafe import (
    XmlRefused,
    entity_references,
    iterparse,
    precheck,
    qname,
    syntax_position,
)

ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
CHANNEL_SINGLE = ("title", "link", "description", "language", "copyright", "managingEditor",
                  "webMaster", "pubDate", "lastBuildDate", "docs", "generator", "ttl",
                  "image", "cloud", "textInput", "skipHours", "skipDays", "rating")
ITEM_SINGLE = ("title", "link", "description", "author", "comments", "guid", "pubDate",
               "source", "enclosure")


def check_rss(path: Path, out: Collector, *, now: datetime) -> None:
    """Check the RSS document at `path`, adding messages to `out`."""
    from lxml import etree

    try:
        precheck(path)
    except XmlRefused as refused:
        out.add("xml-entity-declaration", refused.line, refused.message, token="<!DOCTYPE")
        return
    state = _State(out, now)
    root = None
    channels = 0
    try:
        for event, elem in iterparse(path):
            if event == "start":
                if root is None:
                    root = elem
                    state.root(elem)
                continue
            parent = elem.getparent()
            if elem.tag == "item" and parent is not None and parent.tag == "channel":
                state.item(elem)
                elem.clear()
                parent.remove(elem)
            elif elem.tag == "channel" and parent is root:
                channels += 1
                if channels == 2:
                    out.add("rss-missing-channel", elem.sourceline,
                            "a second <channel>; an RSS document holds exactly one",
                            token="<channel")
                state.channel(elem)
            elif elem is root and channels == 0:
                out.add("rss-missing-channel", root.sourceline,
                        "<rss> has no <channel>; put the feed's elements inside one",
                        token="<rss")
    except etree.XMLSyntaxError as exc:
        line, column, message = syntax_position(exc, path)
        out.add("xml-malformed", line, f"not well-formed XML: {message}", column=column)


class _State:
    def __init__(self, out: Collector, now: datetime) -> None:
        self.out = out
        self.now = now
        self.guids: dict[str, int] = {}

    def root(self, rss: Any) -> None:
        version = rss.get("version")
        if rss.tag != "rss" or version != "2.0":
            shown = f"version=\"{version}\"" if version is not None else "no version"
            self.out.add("rss-version", rss.sourceline,
                         f"<{qname(rss)}> has {shown}; this checks RSS 2.0: write "
                         "<rss version=\"2.0\">", token="<" + qname(rss))

    def channel(self, channel: Any) -> None:
        kids = _children(channel)
        self._entities(channel)
        for name in ("title", "link", "description"):
            if name not in kids:
                self.out.add(f"rss-missing-{name}", channel.sourceline,
                             f"<channel> has no <{name}>; RSS 2.0 requires it",
                             token="<channel")
        self._common(kids, CHANNEL_SINGLE)
        for name in ("managingEditor", "webMaster"):
            for elem in kids.get(name, []):
                self._email(elem)
        for image in kids.get("image", []):
            image_kids = _children(image)
            for name in ("url", "link"):
                for elem in image_kids.get(name, []):
                    self._url(elem)
        selfs = [link for link in channel.iter(ATOM_LINK) if link.get("rel") == "self"]
        if not selfs:
            self.out.add("rss-missing-self", channel.sourceline,
                         "<channel> has no <atom:link rel=\"self\" href=\"...\" "
                         "type=\"application/rss+xml\"/> giving the feed's own address",
                         token="<channel")
        for link in selfs:
            if not is_http_url(link.get("href", "")):
                self.out.add("rss-bad-url", link.sourceline,
                             "<atom:link rel=\"self\"> needs an absolute href",
                             token="<" + qname(link))

    def item(self, item: Any) -> None:
        kids = _children(item)
        self._entities(item)
        if "title" not in kids and "description" not in kids:
            self.out.add("rss-item-empty", item.sourceline,
                         "<item> needs a <title> or a <description>", token="<item")
        self._common(kids, ITEM_SINGLE)
        for elem in kids.get("author", []):
            self._email(elem)
        for elem in kids.get("comments", []):
            self._url(elem)
        for elem in kids.get("enclosure", []):
            self._enclosure(elem)
        guids = kids.get("guid", [])
        if not guids:
            self.out.add("rss-missing-guid", item.sourceline,
                         "<item> has no <guid>; readers then guess which items are new",
                         token="<item")
        for guid in guids:
            self._guid(guid)

    def _entities(self, parent: Any) -> None:
        for ref in entity_references(parent):
            self.out.add("xml-malformed", ref.getparent().sourceline,
                         f"the entity {ref.text} is not defined (external DTDs are not "
                         "read); write the character itself", token=ref.text)

    def _common(self, kids: dict[str, list[Any]], single: tuple[str, ...]) -> None:
        for name in single:
            for extra in kids.get(name, [])[1:]:
                self.out.add("rss-duplicate-element", extra.sourceline,
                             f"<{name}> appears more than once here; keep one",
                             token=f"<{name}")
        for elem in kids.get("link", []):
            self._url(elem)
        for name in ("pubDate", "lastBuildDate"):
            for elem in kids.get(name, []):
                self._date(elem)
        for elem in kids.get("title", []):
            tag = html_tag(elem.text or "")
            if tag:
                self.out.add("rss-html-in-title", elem.sourceline,
                             f"<title> holds HTML ({tag}); titles are plain text",
                             token="<title")

    def _date(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        moment = rfc822(text)
        name = qname(elem)
        if moment is None:
            self.out.add("rss-bad-date", elem.sourceline,
                         f"<{name}> '{text}' is not an RFC 822 date; write it like "
                         "Thu, 06 Feb 2020 09:30:00 +0100", token="<" + name)
        elif is_future(moment, self.now):
            self.out.add("rss-future-date", elem.sourceline,
                         f"<{name}> {text} is in the future", token="<" + name)

    def _url(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        if not is_http_url(text):
            self.out.add("rss-bad-url", elem.sourceline,
                         f"<{qname(elem)}> '{text}' is not an absolute http(s) URL",
                         token="<" + qname(elem))

    def _email(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        first = text.split(" ", 1)[0]
        if not is_email(first):
            self.out.add("rss-bad-email", elem.sourceline,
                         f"<{qname(elem)}> '{text}' must start with an email address, "
                         "like 'lena@example.org (Lena Liljendahl)'", token="<" + qname(elem))

    def _guid(self, guid: Any) -> None:
        text = (guid.text or "").strip()
        permalink = guid.get("isPermaLink", "true")
        if permalink not in ("true", "false"):
            self.out.add("rss-ispermalink", guid.sourceline,
                         f"isPermaLink=\"{permalink}\" must be \"true\" or \"false\"",
                         token="isPermaLink")
        elif permalink == "true" and not is_http_url(text):
            self.out.add("rss-guid-not-url", guid.sourceline,
                         f"<guid> '{text}' is taken as a permalink but is not a URL; add "
                         "isPermaLink=\"false\"", token="<guid")
        if text in self.guids:
            self.out.add("rss-duplicate-guid", guid.sourceline,
                         f"<guid> '{text}' is also used by the item on line "
                         f"{self.guids[text]}", token="<guid")
        else:
            self.guids[text] = guid.sourceline

    def _enclosure(self, elem: Any) -> None:
        problems = []
        if not is_http_url(elem.get("url", "")):
            problems.append("url must be an absolute http(s) URL")
        if not (elem.get("length") or "").strip().isdigit():
            problems.append("length must be the size in bytes (0 when unknown)")
        if not is_media_type(elem.get("type", "")):
            problems.append("type must be a media type such as audio/mpeg")
        if problems:
            self.out.add("rss-enclosure", elem.sourceline,
                         "<enclosure>: " + "; ".join(problems), token="<enclosure")


def _children(elem: Any) -> dict[str, list[Any]]:
    """Children without a namespace (RSS 2.0's own elements) by name."""
    found: dict[str, list[Any]] = {}
    for kid in elem:
        if isinstance(kid.tag, str) and not kid.tag.startswith("{"):
            found.setdefault(kid.tag, []).append(kid)
    return found
