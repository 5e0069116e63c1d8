"""Media RSS 1.5 (search.yahoo.com/mrss/): media:content and media:group, and the
elements that describe them, with the values the specification allows."""

from __future__ import annotations

import re
from typing import Any

from .base import Checker, choice, integer, number, text, undefined, url

MEDIA = "http://search.yahoo.com/mrss/"
NAMESPACES = (MEDIA,)
M = f"{{{MEDIA}}}"
INTEGERS = ("fileSize", "height", "width", "channels")
NUMBERS = ("bitrate", "framerate", "samplingrate", "duration")
DESCRIBING = frozenset("""rating title description keywords thumbnail category hash player
credit copyright text restriction community comments embed responses backLinks status price
license subTitle peerLink location rights scenes adult""".split())
HASHES = {"md5": 32, "sha-1": 40}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    if local == "group":
        contents = [k for k in elem if k.tag == M + "content"]
        if not contents:
            checker.add("ext-missing-element", elem, "<media:group> holds no "
                        "<media:content>; a group is several versions of one thing")
        for kid in elem:
            if isinstance(kid.tag, str) and kid.tag.startswith(M):
                element(checker, kid, kid.tag[len(M):], level)
    elif local == "content":
        content(checker, elem)
    elif local in DESCRIBING:
        describing(checker, elem, local)
    else:
        undefined(checker, elem, "Media RSS")


def content(checker: Checker, elem: Any) -> None:
    if elem.get("url") is None and elem.find(M + "player") is None:
        checker.add("ext-missing-attribute", elem, "<media:content> has no url (and no "
                    "<media:player>); give the media's URL")
    elif elem.get("url") is not None:
        url(checker, elem, elem.get("url"), "<media:content url>", token="url=")
    for name in INTEGERS:
        if elem.get(name) is not None:
            integer(checker, elem, elem.get(name).strip(), f"<media:content {name}>",
                    token=f"{name}=")
    for name in NUMBERS:
        if elem.get(name) is not None:
            number(checker, elem, elem.get(name).strip(), f"<media:content {name}>",
                   token=f"{name}=")
    for name, allowed in (("medium", ("image", "audio", "video", "document", "executable")),
                          ("expression", ("sample", "full", "nonstop")),
                          ("isDefault", ("true", "false"))):
        if elem.get(name) is not None:
            choice(checker, elem, elem.get(name), allowed, f"<media:content {name}>",
                   token=f"{name}=")
    for kid in elem:
        if isinstance(kid.tag, str) and kid.tag.startswith(M):
            local = kid.tag[len(M):]
            if local in DESCRIBING:
                describing(checker, kid, local)
            else:
                undefined(checker, kid, "Media RSS")


def describing(checker: Checker, elem: Any, local: str) -> None:
    if local in ("title", "description", "text", "copyright") and elem.get("type"):
        choice(checker, elem, elem.get("type"), ("plain", "html"), f"<media:{local} type>",
               token="type=")
    if local in ("thumbnail", "player") and elem.get("url") is None:
        checker.add("ext-missing-attribute", elem, f"<media:{local}> has no url attribute")
    elif local in ("thumbnail", "player"):
        url(checker, elem, elem.get("url"), f"<media:{local} url>", token="url=")
        for name in ("width", "height"):
            if elem.get(name) is not None:
                integer(checker, elem, elem.get(name).strip(), f"<media:{local} {name}>",
                        token=f"{name}=")
    elif local == "rating":
        scheme = elem.get("scheme", "urn:simple")
        if scheme == "urn:simple":
            choice(checker, elem, text(elem), ("adult", "nonadult"),
                   "<media:rating> (scheme urn:simple)", rule="media-rating")
    elif local == "hash":
        algo = elem.get("algo", "md5")
        if choice(checker, elem, algo, tuple(HASHES), "<media:hash algo>", token="algo="):
            value = text(elem)
            if len(value) != HASHES[algo] or not _HEX.match(value):
                checker.add("media-hash", elem, f"<media:hash> '{value}' is not an {algo} "
                            f"digest ({HASHES[algo]} hexadecimal digits)")
    elif local == "restriction":
        for name, allowed in (("relationship", ("allow", "deny")),
                              ("type", ("country", "uri", "sharing"))):
            if elem.get(name) is None and name == "relationship":
                checker.add("ext-missing-attribute", elem, "<media:restriction> has no "
                            "relationship attribute (allow or deny)")
            elif elem.get(name) is not None:
                choice(checker, elem, elem.get(name), allowed,
                       f"<media:restriction {name}>", token=f"{name}=")
    elif local == "adult":
        checker.add("media-adult", elem, "<media:adult> is deprecated; write "
                    "<media:rating scheme=\"urn:simple\">adult</media:rating>")
