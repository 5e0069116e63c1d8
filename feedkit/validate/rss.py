"""RSS 0.91 to 2.0 (the <rss> root): the specifications plus the RSS Advisory Board's
best-practice profile; what differs between versions is in rssversions.py.

Streamed like Atom: each item is checked when it ends, then dropped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from .common import is_http_url
from .messages import Collector
from .rssdoctype import doctype_problems
from .rssparts import RssParts
from .rsssemantics import same_meaning
from .rssversions import ATTRIBUTES, CONTAINERS, TEXT_ONLY, VERSIONS
from .xmlsafe import element_children, qname

ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
CHANNEL_SINGLE = ("title", "link", "description", "language", "copyright", "managingEditor",
                  "webMaster", "pubDate", "lastBuildDate", "docs", "generator", "ttl",
                  "image", "cloud", "textInput", "skipHours", "skipDays", "rating")
ITEM_SINGLE = ("title", "link", "description", "author", "comments", "guid", "pubDate",
               "source")


def check_rss(path: Path, out: Collector, *, now: datetime) -> None:
    """Check the RSS document at `path`, adding messages to `out`."""
    RssChecker(out, now).check(path)


class RssChecker(RssParts):
    """The rss element, its channel and the items; remembers guids across items."""

    TAGS = ("{*}rss", "channel", "item")

    def __init__(self, out: Collector, now: datetime) -> None:
        super().__init__(out, now)
        self.guids: dict[str, int] = {}
        self.channels = 0

    def split(self, elem: Any) -> tuple[dict[str, list[Any]], list[Any]]:
        """As XmlChecker.split, inlined for RSS (its own elements have no namespace)."""
        found: dict[str, list[Any]] = {}
        foreign: list[Any] = []
        for kid in elem:
            tag = kid.tag
            if tag.__class__ is str:
                if tag[:1] != "{":
                    found.setdefault(tag, []).append(kid)
                else:
                    foreign.append(kid)
        return found, foreign

    def start(self, root: Any) -> bool:
        version = root.get("version")
        if self.doctype_line is not None:
            for rule, message in doctype_problems(root, version):
                self.out.add(rule, self.doctype_line, message, token="<!DOCTYPE")
        if root.tag == "rss" and version in VERSIONS:
            self.version = VERSIONS[version]
        else:
            shown = f"version=\"{version}\"" if version is not None else "no version"
            self.add("rss-version", root, f"<{qname(root)}> has {shown}; RSS is version "
                     f"{', '.join(VERSIONS)}: write <rss version=\"2.0\">")
        return True

    def end(self, elem: Any) -> None:
        parent = elem.getparent()
        root = self.root
        if elem.tag == "item" and parent is not None and parent.tag == "channel":
            self.item(elem)
            elem.clear()
            parent.remove(elem)
        elif elem.tag == "channel" and parent is root:
            self.channels += 1
            if self.channels == 2:
                self.add("rss-missing-channel", elem,
                         "a second <channel>; an RSS document holds exactly one")
            self.channel(elem)
        elif elem is root:
            if self.channels == 0:
                self.add("rss-missing-channel", root,
                         "<rss> has no <channel>; put the feed's elements inside one")
            elif root.tag == "rss":
                self.undefined(root, self.children(root))

    def channel(self, channel: Any) -> None:
        kids, foreign = self.split(channel)
        self.entities(channel)
        for name in self.version.channel_needs:
            if name not in kids:
                rule = f"rss-missing-{name}" if name != "language" else "rss-missing-element"
                self.add(rule, channel, f"<channel> has no <{name}>; RSS "
                         f"{self.version.name} requires it")
        self._common(channel, kids, foreign, CHANNEL_SINGLE)
        self.each(kids, {"managingEditor": self.contact, "webMaster": self.contact,
                         "language": self.language, "ttl": self.integer,
                         "image": self.image, "textInput": self.text_input,
                         "cloud": self.cloud})
        if "textinput" in self.version.allowed["channel"]:  # 0.91 to 0.93 spell it so
            self.each(kids, {"textinput": self.text_input})
        self.skip(channel, kids)
        self._self_link(channel)

    def _self_link(self, channel: Any) -> None:
        selfs = [link for link in channel.iter(ATOM_LINK) if link.get("rel") == "self"]
        if not selfs and self.version.name == "2.0":  # the RSS 2.0 profile's advice
            self.add("rss-missing-self", channel,
                     "<channel> has no <atom:link rel=\"self\" href=\"...\" "
                     "type=\"application/rss+xml\"/> giving the feed's own address")
        for link in selfs:
            if not is_http_url(link.get("href", "")):
                self.add("rss-bad-url", link, "<atom:link rel=\"self\"> needs an absolute "
                         "href")

    def item(self, item: Any) -> None:
        kids, foreign = self.split(item)
        self.entities(item)
        if self.version.item_needs_both:
            for name in ("title", "link"):
                if name not in kids:
                    self.add("rss-missing-element", item, f"<item> has no <{name}>; RSS "
                             "0.91 requires a title and a link in each item")
        elif "title" not in kids and "description" not in kids:
            self.add("rss-item-empty", item, "<item> needs a <title> or a <description>")
        self._common(item, kids, foreign, ITEM_SINGLE)
        self.each(kids, {"author": self.contact, "comments": self.url,
                         "enclosure": self.enclosure, "source": self.source})
        for extra in kids.get("enclosure", [])[1:]:
            self.add("rss-duplicate-enclosure", extra, "a second <enclosure> in this item; "
                     "many readers only see the first")
        guids = kids.get("guid", [])
        if not guids and self.version.has_guid:
            self.add("rss-missing-guid", item,
                     "<item> has no <guid>; readers then guess which items are new")
        for guid in guids:
            self._guid(guid)

    def _common(self, parent: Any, kids: dict[str, list[Any]], foreign: list[Any],
                single: tuple[str, ...]) -> None:
        self.undefined(parent, kids)
        self.shape(parent, kids)
        self.single(kids, single, "rss-duplicate-element")
        self.unexpected_attributes([parent, *(e for elems in kids.values() for e in elems)])
        self.bases(parent)
        self.each(kids, {"link": self.url, "pubDate": self.rss_date,
                         "lastBuildDate": self.rss_date, "title": self.title_html,
                         "description": self.description})
        self.extensions(parent, foreign)
        for elem, core, other in same_meaning(parent, kids, foreign):
            self.add("rss-duplicate-semantics", elem, f"<{parent.tag}> should not include "
                     f"both <{core}> and <{other}>: they mean the same thing and readers "
                     "disagree on which one wins")

    def unexpected_attributes(self, elems: list[Any]) -> None:
        """Attributes without a namespace that RSS does not define on the element."""
        for elem in elems:
            if elem.attrib:
                allowed = ATTRIBUTES.get(elem.tag, ())
                for name in elem.attrib:
                    if name[:1] != "{" and name not in allowed:
                        self.add("rss-unexpected-attribute", elem, f"<{elem.tag}> has an "
                                 f"attribute {name}, which RSS does not define"
                                 + (f" (it has {', '.join(allowed)}; names are "
                                    "case-sensitive)" if allowed else ""), token=f"{name}=")

    def shape(self, parent: Any, kids: dict[str, list[Any]]) -> None:
        """Text only where RSS has text, elements only where it has elements."""
        for box in (parent, *(e for n in CONTAINERS & kids.keys() for e in kids[n])):
            stray = (box.text or "").strip() or next(
                (k.tail.strip() for k in box if (k.tail or "").strip()), "")
            if stray:
                self.add("rss-unexpected-text", box, f"<{qname(box)}> holds the text "
                         f"'{stray[:40]}'; it holds elements only")
        for name in TEXT_ONLY & kids.keys() - {"description"}:
            for elem in kids[name]:
                inner = element_children(elem)
                if inner:
                    self.add("rss-undefined-element", inner[0], f"<{qname(inner[0])}> "
                             f"inside <{name}>, which holds text only; escape markup "
                             "(&lt;b&gt;) or remove it")

    def _guid(self, guid: Any) -> None:
        text = (guid.text or "").strip()
        permalink = guid.get("isPermaLink", "true")
        if permalink not in ("true", "false"):
            self.add("rss-ispermalink", guid,
                     f"isPermaLink=\"{permalink}\" must be \"true\" or \"false\"",
                     token="isPermaLink")
        elif permalink == "true" and not is_http_url(text):
            self.add("rss-guid-not-url", guid,
                     f"<guid> '{text}' is taken as a permalink but is not a URL; add "
                     "isPermaLink=\"false\"")
        if text in self.guids:
            self.add("rss-duplicate-guid", guid, f"<guid> '{text}' is also used by the item "
                     f"on line {self.guids[text]}")
        else:
            self.guids[text] = guid.sourceline

