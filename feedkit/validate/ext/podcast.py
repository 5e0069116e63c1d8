"""What Apple Podcasts requires of a podcast (a feed that uses itunes: elements): the
show's artwork, language, category and explicit flag, and each episode's title and
enclosure in a format Apple plays. Missing ones are warnings, as the W3C validator
has them: the feed is still a valid feed, only not one Apple lists."""

from __future__ import annotations

from typing import Any

from ..xmlsafe import XML_LANG
from .base import Checker, url_path
from .itunes import IT

ATOM = "{http://www.w3.org/2005/Atom}"
SHOW_NEEDS = ("image", "category", "explicit")
FORMATS = (".m4a", ".mp3", ".mov", ".mp4", ".m4v", ".pdf", ".epub")


def is_podcast(checker: Checker, parent: Any, level: str, itunes: bool) -> bool:
    """Whether the feed is a podcast: the show (the channel or feed) holds itunes:
    elements. Decided once, at the first episode (the show's elements come first)
    or at the show's end."""
    if level == "feed":
        return itunes
    known = checker.memo.get("podcast")
    if known is None:
        show = parent.getparent()
        known = show is not None and any(
            isinstance(kid.tag, str) and kid.tag.startswith(IT) for kid in show)
        checker.memo["podcast"] = known
    return bool(known)


def requirements(checker: Checker, parent: Any, level: str, itunes: bool) -> None:
    """The show's or an episode's required elements, if the feed is a podcast."""
    if not is_podcast(checker, parent, level, itunes):
        return
    if level == "feed":
        show(checker, parent)
    else:
        episode(checker, parent)


def show(checker: Checker, channel: Any) -> None:
    atom = channel.tag.startswith(ATOM)
    missing = [f"itunes:{name}" for name in SHOW_NEEDS if channel.find(IT + name) is None]
    if atom and not _language(channel):
        missing.insert(1, "xml:lang")
    elif not atom and channel.find("language") is None:
        missing.insert(1, "language")
    if missing:
        where = "<feed>" if atom else "<channel>"
        checker.add("itunes-missing-element", channel, f"this podcast's {where} has no "
                    f"{', '.join(missing)}, which Apple Podcasts requires of a show")


def _language(feed: Any) -> bool:
    node = feed
    while node is not None:
        if node.get(XML_LANG):
            return True
        node = node.getparent()
    return False


def episode(checker: Checker, item: Any) -> None:
    atom = item.tag.startswith(ATOM)
    attribute = "href" if atom else "url"
    if atom:
        enclosures = [link for link in item.findall(ATOM + "link")
                      if link.get("rel") == "enclosure"]
    else:
        enclosures = item.findall("enclosure")
        if item.find("title") is None:
            checker.add("itunes-missing-element", item, "this episode (<item>) has no "
                        "<title>, which Apple Podcasts requires")
    if not enclosures:
        checker.add("itunes-missing-element", item, "this episode has no "
                    + ("<link rel=\"enclosure\">" if atom else "<enclosure>")
                    + ": Apple Podcasts lists only episodes with their audio or video")
    for enclosure in enclosures:
        url = enclosure.get(attribute, "").strip()
        path = url_path(url)
        if path and not path.endswith(FORMATS):
            checker.add("itunes-unsupported-format", enclosure, f"the enclosure '{url}' is "
                        "not a format Apple Podcasts plays (.m4a, .mp3, .mov, .mp4, .m4v, "
                        ".pdf, .epub)", token=f"{attribute}=")

