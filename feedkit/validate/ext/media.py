"""Media RSS 1.5.1 (search.yahoo.com/mrss/): media:group and media:content in an item,
the elements that describe them (at channel, item, group or content level), which may
appear once, the ratings and hashes they hold; attributes are in mediavalues.py."""

from __future__ import annotations

import re
from typing import Any

from ..xmlsafe import qname
from .base import Checker, text, undefined
from .mediavalues import attributes

MEDIA = "http://search.yahoo.com/mrss/"
MEDIA_NO_SLASH = "http://search.yahoo.com/mrss"  # a common misspelling
NAMESPACES = (MEDIA, MEDIA_NO_SLASH)
M = f"{{{MEDIA}}}"
DESCRIBING = frozenset("""rating title description keywords thumbnail category hash player
credit copyright text restriction community comments embed responses backLinks status price
license subTitle peerLink location rights scenes adult""".split())
# What the containers among them hold (Media RSS 1.5.1 section 5 and 6).
INSIDE = {"group": DESCRIBING | {"content"}, "content": DESCRIBING,
          "community": frozenset({"starRating", "statistics", "tags"}),
          "comments": frozenset({"comment"}), "embed": frozenset({"param"}),
          "responses": frozenset({"response"}), "backLinks": frozenset({"backLink"}),
          "scenes": frozenset({"scene"}),
          "scene": frozenset({"sceneTitle", "sceneDescription", "sceneStartTime",
                              "sceneEndTime"}),
          "location": frozenset()}
# One of each per item, group or content: they describe the one media object.
SINGLE = ("title", "description", "keywords", "player", "copyright", "community", "embed",
          "status", "rights", "comments", "responses", "backLinks", "scenes")
RATINGS = {"urn:simple": ("adult", "nonadult"), "urn:mpaa": ("g", "pg", "pg-13", "r", "nc-17"),
           "urn:v-chip": ("tv-y", "tv-y7", "tv-y7-fv", "tv-g", "tv-pg", "tv-14", "tv-ma")}
HASHES = {"md5": 32, "sha-1": 40}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    if not elem.tag.startswith(M):
        if checker.memo.setdefault("media-namespace", elem) is elem:
            checker.add("media-namespace", elem, f"<{qname(elem)}> is in the namespace "
                        f"'{MEDIA_NO_SLASH}'; Media RSS's is '{MEDIA}' (with the slash), "
                        "and readers look for that one")
        return
    if local in ("group", "content") and level != "entry":
        checker.add("ext-misplaced", elem, f"<media:{local}> belongs in an item (entry); "
                    "only the describing elements may stand at channel level")
    elif local in ("group", "content") or local in DESCRIBING:
        inside(checker, elem, local)
    else:
        undefined(checker, elem, "Media RSS")


def together(checker: Checker, kids: list[Any], level: str) -> None:
    """The Media RSS elements of one channel or item, side by side."""
    repeated(checker, [k for k in kids if k.tag.startswith(M)])


def inside(checker: Checker, elem: Any, local: str) -> None:
    """One Media RSS element, its attributes, and what it holds."""
    attributes(checker, elem, local)
    if local in ("rating", "hash", "restriction", "adult"):
        VALUES[local](checker, elem)
    allowed = INSIDE.get(local)
    if allowed is None:
        return
    kids = [k for k in elem if isinstance(k.tag, str) and k.tag.startswith(M)]
    for kid in kids:
        name = kid.tag[len(M):]
        if name in allowed:
            inside(checker, kid, name)
        else:
            checker.add("ext-undefined-element", kid, f"<media:{name}> is not an element "
                        f"<media:{local}> holds in Media RSS")
    repeated(checker, kids)
    if local == "group":
        group(checker, elem, [k for k in kids if k.tag == M + "content"])
    elif local == "content" and elem.get("url") is None and elem.find(M + "player") is None:
        checker.add("ext-missing-attribute", elem, "<media:content> has no url (and no "
                    "<media:player>); give the media's URL")


def group(checker: Checker, elem: Any, contents: list[Any]) -> None:
    if len(contents) < 2:
        checker.add("media-group-alternatives", elem, "<media:group> holds "
                    f"{len(contents)} <media:content>; a group is several versions of one "
                    "thing: put a single <media:content> directly in the item")
    defaults = [c for c in contents if c.get("isDefault") == "true"]
    for extra in defaults[1:]:
        checker.add("ext-duplicate-element", extra, "a second <media:content "
                    "isDefault=\"true\"> in this group; one version is the default",
                    token="isDefault=")


def repeated(checker: Checker, kids: list[Any]) -> None:
    """Elements that describe the one media object may appear once per parent; ratings
    once per scheme and hashes once per algorithm."""
    seen: set[tuple[str, str]] = set()
    for kid in kids:
        name = kid.tag[len(M):]
        if name in SINGLE:
            key = (name, "")
        elif name == "rating":
            key = (name, kid.get("scheme", "urn:simple"))
        elif name == "hash":
            key = (name, kid.get("algo", "md5"))
        else:
            continue
        if key in seen:
            checker.add("ext-duplicate-element", kid, f"a second <media:{name}>"
                        + (f" ({key[1]})" if key[1] else "") + " here; keep one")
        seen.add(key)


def rating(checker: Checker, elem: Any) -> None:
    scheme = elem.get("scheme", "urn:simple").strip()
    value = text(elem)
    if scheme in RATINGS and value.lower() not in RATINGS[scheme]:
        checker.add("media-rating", elem, f"<media:rating> '{value}' is not a {scheme} "
                    f"rating: use one of {', '.join(RATINGS[scheme])}")


def digest(checker: Checker, elem: Any) -> None:
    algo = elem.get("algo", "md5")
    value = text(elem)
    if algo not in HASHES:
        checker.add("media-hash", elem, f"<media:hash algo=\"{algo}\">: the algorithm is "
                    "md5 or sha-1", token="algo=")
    elif len(value) != HASHES[algo] or not _HEX.match(value):
        checker.add("media-hash", elem, f"<media:hash> '{value}' is not an {algo} digest "
                    f"({HASHES[algo]} hexadecimal digits)")


def restriction(checker: Checker, elem: Any) -> None:
    relationship, kind = elem.get("relationship"), elem.get("type")
    value = text(elem)
    if relationship is None:
        checker.add("ext-missing-attribute", elem, "<media:restriction> has no "
                    "relationship attribute (allow or deny)")
    elif relationship not in ("allow", "deny"):
        checker.add("media-restriction", elem, f"<media:restriction relationship="
                    f"\"{relationship}\">: write allow or deny", token="relationship=")
    if kind is not None and kind not in ("country", "uri", "sharing"):
        checker.add("media-restriction", elem, f"<media:restriction type=\"{kind}\">: "
                    "write country, uri or sharing", token="type=")
    elif kind is None and value not in ("all", "none", ""):
        checker.add("media-restriction", elem, f"<media:restriction> '{value}' without a "
                    "type must be all or none; say type=\"country\" or type=\"uri\" for a "
                    "list")
    elif kind == "country" and not all(re.fullmatch(r"[A-Za-z]{2}", code)
                                       for code in value.split()):
        checker.add("media-restriction", elem, f"<media:restriction type=\"country\"> "
                    f"'{value}' must be ISO 3166 country codes separated by spaces (se no)")


def adult(checker: Checker, elem: Any) -> None:
    checker.add("media-adult", elem, "<media:adult> is deprecated; write "
                "<media:rating scheme=\"urn:simple\">adult</media:rating>")


VALUES = {"rating": rating, "hash": digest, "restriction": restriction, "adult": adult}
