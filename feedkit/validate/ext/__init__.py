"""Extension modules: the namespaces real feeds carry, each checked by its own module.

`check_extensions` is given the children of a feed-level or entry-level element (an
Atom feed or entry, an RSS channel or item) that are in some other namespace than
the format's own, and hands each one in a known namespace to its module; a module
with a `together` function also sees all of its elements of that parent at once.
Only namespaces that are there cost anything: a feed without extension elements
does no more than look at its links. Every module reports through the Checker
protocol in base.py, so none of them depends on the Atom or RSS checkers.
"""

from __future__ import annotations

from typing import Any

from . import dc, geo, history, itunes, media, misc, podcast, thread
from .base import Checker

MODULES = (dc, geo, history, itunes, media, misc, thread)
HANDLERS = {ns: module for module in MODULES for ns in module.NAMESPACES}
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
# Each tag met, with its module (None for an unknown namespace) and local name: a
# feed repeats the same few tags on every item.
TAGS: dict[str, tuple[Any, str]] = {}


def _module(tag: str) -> tuple[Any, str]:
    ns, _, local = tag[1:].partition("}")
    found = (HANDLERS.get(ns), local)
    if len(TAGS) < 4096:
        TAGS[tag] = found
    return found


def check_extensions(checker: Checker, parent: Any, level: str, foreign: list[Any],
                     links: list[Any] | None = None) -> None:
    """Check `foreign`, the children of `parent` in other namespaces than its format's;
    `level` is 'feed' (a feed or channel) or 'entry' (an entry or item). `links` are
    the parent's atom:link children when they are the format's own (Atom); in RSS they
    are found among `foreign`."""
    seen: dict[Any, list[Any]] = {}
    for kid in foreign:
        tag = kid.tag
        module, local = TAGS.get(tag) or _module(tag)
        if module is not None:
            module.element(checker, kid, local, level)
            seen.setdefault(module, []).append(kid)
    for module, kids in seen.items():
        together = getattr(module, "together", None)
        if together is not None:
            together(checker, kids, level)
    if links is None:
        links = [kid for kid in foreign if kid.tag == ATOM_LINK]
    if links:
        history.links(checker, links, parent, level)
    if itunes in seen or (level == "entry" and checker.memo.get("podcast") is not False):
        podcast.requirements(checker, parent, level, itunes in seen)
