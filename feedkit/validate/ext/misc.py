"""Smaller modules: syndication (sy:), slash, wfw (comment API), trackback, Creative
Commons licences, admin and content:encoded."""

from __future__ import annotations

import re
from typing import Any

from .base import Checker, choice, integer, text, undefined, url, w3cdtf

SY = "http://purl.org/rss/1.0/modules/syndication/"
SLASH = "http://purl.org/rss/1.0/modules/slash/"
WFW = "http://wellformedweb.org/CommentAPI/"
TRACKBACK = "http://madskills.com/public/xml/rss/module/trackback/"
CC = "http://web.resource.org/cc/"
CREATIVE = "http://backend.userland.com/creativeCommonsRssModule"
ADMIN = "http://webns.net/mvcb/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
RDF_RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"
NAMESPACES = (SY, SLASH, WFW, TRACKBACK, CREATIVE, ADMIN, CONTENT)
_INTEGERS = re.compile(r"^\d+(,\d+)*$")


def element(checker: Checker, elem: Any, local: str, level: str) -> None:
    ns = elem.tag[1:].split("}")[0]
    value = text(elem)
    if ns == SY:
        if local == "updatePeriod":
            choice(checker, elem, value, ("hourly", "daily", "weekly", "monthly", "yearly"),
                   "<sy:updatePeriod>")
        elif local == "updateFrequency":
            integer(checker, elem, value, "<sy:updateFrequency>", positive=True)
        elif local == "updateBase":
            w3cdtf(checker, elem)
        else:
            undefined(checker, elem, "syndication")
    elif ns == SLASH:
        if local == "comments":
            integer(checker, elem, value, "<slash:comments>")
        elif local == "hit_parade":
            if not _INTEGERS.match(value):
                checker.add("ext-not-integer", elem, f"<slash:hit_parade> '{value}' must be "
                            "whole numbers separated by commas")
        elif local not in ("section", "department"):
            undefined(checker, elem, "slash")
    elif ns == WFW:
        if local in ("comment", "commentRss", "commentRSS"):
            url(checker, elem, value, f"<wfw:{local}>")
        else:
            undefined(checker, elem, "wfw (comment API)")
    elif ns == TRACKBACK:
        if local in ("ping", "about"):
            url(checker, elem, elem.get(RDF_RESOURCE) or value, f"<trackback:{local}>")
        else:
            undefined(checker, elem, "trackback")
    elif ns == CREATIVE:
        if local == "license":
            url(checker, elem, value, "<creativeCommons:license>")
        else:
            undefined(checker, elem, "Creative Commons")
    elif ns == ADMIN:
        if local in ("generatorAgent", "errorReportsTo"):
            resource = elem.get(RDF_RESOURCE)
            if resource is None:
                checker.add("ext-missing-attribute", elem, f"<admin:{local}> has no "
                            "rdf:resource attribute")
            else:
                url(checker, elem, resource, f"<admin:{local} rdf:resource>")
        else:
            undefined(checker, elem, "admin")
    elif ns == CONTENT and local not in ("encoded", "items"):
        undefined(checker, elem, "content")
