"""HTML a feed reader would execute: script elements, event handlers, script URLs.

Readers show a description's HTML inside their own pages or apps; any of these
runs code there. Attribute values are entity-decoded and stripped of the
whitespace and control characters browsers ignore inside a URL scheme, so
`&#106;avascript:` and `java&#9;script:` are found too.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<\s*([A-Za-z][\w:-]*)([^<>]*)>", re.S)
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""", re.S)
_EXECUTING = frozenset({"script"})
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "background",
                        "poster", "xlink:href", "lowsrc", "dynsrc"})
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")


def executable_html(markup: str) -> str | None:
    """The first construct in `markup` that would run script, as written; else None."""
    for tag in _TAG.finditer(markup):
        name = tag.group(1).lower()
        if name in _EXECUTING:
            return f"<{tag.group(1)}>"
        for attr in _ATTR.finditer(tag.group(2)):
            key = attr.group(1).lower()
            if key.startswith("on") and len(key) > 2:
                return f"{attr.group(1)}="
            raw = attr.group(2)
            if raw is None or key not in _URL_ATTRS:
                continue
            value = html.unescape(raw.strip("\"'"))
            scheme = _IGNORED_IN_SCHEME.sub("", value).lower()
            if scheme.startswith(_SCRIPT_SCHEMES):
                return f"{attr.group(1)}=\"{scheme.split(':', 1)[0]}:...\""
    return None
