"""Extension modules: the namespaces real feeds carry, each checked by its own module.

`check_extensions` looks at the children of a feed-level or entry-level element
(an Atom feed or entry, an RSS channel or item) and hands each one in a known
namespace to its module. Every module reports through the Checker protocol in
base.py, so none of them depends on the Atom or RSS checkers.
"""

from __future__ import annotations

from typing import Any

from . import dc, geo, history, itunes, media, misc, thread
from .base import Checker

MODULES = (dc, geo, history, itunes, media, misc, thread)
HANDLERS = {ns: module.element for module in MODULES for ns in module.NAMESPACES}


def check_extensions(checker: Checker, parent: Any, level: str) -> None:
    """Check the extension elements among `parent`'s children; `level` is 'feed' (a
    feed or channel) or 'entry' (an entry or item)."""
    for kid in parent:
        tag = kid.tag
        if isinstance(tag, str) and tag.startswith("{"):
            ns, _, local = tag[1:].partition("}")
            handler = HANDLERS.get(ns)
            if handler is not None:
                handler(checker, kid, local, level)
    history.links(checker, parent, level)
