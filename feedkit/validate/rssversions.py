"""What each version of RSS defines: the children each element may have, which ones
the channel and each item must have, and which elements hold text only.

RSS 0.91 (Netscape's and UserLand's), 0.92, 0.93, 0.94 and 2.0 share the <rss>
root and differ in these tables; RSS 0.90 and 1.0 are RDF (rdf.py).
"""

from __future__ import annotations

from dataclasses import dataclass

_CHANNEL_091 = ("title", "link", "description", "language", "copyright", "managingEditor",
                "webMaster", "rating", "pubDate", "lastBuildDate", "docs", "textInput",
                "textinput", "skipDays", "skipHours", "image", "item")
_CHANNEL_20 = ("title", "link", "description", "language", "copyright", "managingEditor",
               "webMaster", "pubDate", "lastBuildDate", "category", "generator", "docs",
               "cloud", "ttl", "image", "rating", "textInput", "skipHours", "skipDays",
               "item")
_ITEM_092 = ("title", "link", "description", "source", "enclosure", "category")
_ITEM_20 = ("title", "link", "description", "author", "category", "comments", "enclosure",
            "guid", "pubDate", "source")
_INNER = {
    "image": ("url", "title", "link", "width", "height", "description"),
    "textInput": ("title", "description", "name", "link"),
    "textinput": ("title", "description", "name", "link"),
    "skipHours": ("hour",),
    "skipDays": ("day",),
}
# Elements whose content is text (a child element there is undefined).
TEXT_ONLY = frozenset({"title", "link", "description", "language", "copyright",
                       "managingEditor", "webMaster", "pubDate", "lastBuildDate", "generator",
                       "docs", "ttl", "rating", "author", "comments", "guid", "category",
                       "url", "width", "height", "name", "hour", "day", "expirationDate"})
# Elements that hold elements only (text beside them is out of place).
CONTAINERS = frozenset({"rss", "channel", "item", "image", "textInput", "textinput",
                        "skipHours", "skipDays"})


# The attributes (without a namespace) RSS defines on its elements; any other one is
# unexpected (an attribute in a namespace is an extension's business).
ATTRIBUTES = {"rss": ("version",), "category": ("domain",), "enclosure": ("url", "length",
              "type"), "guid": ("isPermaLink",), "source": ("url",),
              "cloud": ("domain", "port", "path", "registerProcedure", "protocol")}


@dataclass(frozen=True, slots=True)
class Version:
    """One RSS version's rules."""

    name: str
    allowed: dict[str, tuple[str, ...]]
    channel_needs: tuple[str, ...]
    item_needs_both: bool  # 0.91: title and link; later: title or description
    has_guid: bool


def _version(name: str, channel: tuple[str, ...], item: tuple[str, ...], *,
             language: bool = False, guid: bool = True) -> Version:
    allowed = {"rss": ("channel",), "channel": channel, "item": item, **_INNER}
    needs = ("title", "link", "description") + (("language",) if language else ())
    return Version(name, allowed, needs, item_needs_both=name == "0.91", has_guid=guid)


VERSIONS = {
    "0.91": _version("0.91", _CHANNEL_091, ("title", "link", "description"), language=True,
                     guid=False),
    "0.92": _version("0.92", (*_CHANNEL_091, "cloud"), _ITEM_092, guid=False),
    "0.93": _version("0.93", (*_CHANNEL_091, "cloud"), (*_ITEM_092, "pubDate",
                                                        "expirationDate"), guid=False),
    "0.94": _version("0.94", _CHANNEL_20, (*_ITEM_20, "expirationDate")),
    "2.0": _version("2.0", _CHANNEL_20, _ITEM_20),
}
