"""The skeleton the Atom and RSS checkers share.

XmlChecker refuses entity declarations, streams the document with lxml, reports
syntax errors where they are, and offers the checks both formats make: children
by name, elements that may appear once, dates, undeclared entities and the
extension modules (ext/). A subclass says which namespace is its own and what to do when the
root starts and when each element ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from .common import is_future
from .messages import Collector
from .xmlsafe import XmlRefused, entity_references, iterparse, precheck, qname, syntax_position


class XmlChecker:
    """Checks one XML feed document; subclasses fill in the format."""

    # The elements whose start and end the subclass needs (None: every element);
    # they must include the root.
    TAGS: tuple[str, ...] | None = None

    def __init__(self, out: Collector, now: datetime) -> None:
        self.out = out
        self.now = now
        self.root: Any = None
        self.doctype_line: int | None = None  # where the DOCTYPE is, if there is one
        self.memo: dict[str, Any] = {}  # the extension modules' notes (ext/)

    # The walk -------------------------------------------------------------

    def check(self, path: Path) -> None:
        """Check the document at `path`, adding messages to the collector."""
        from lxml import etree

        try:
            self.doctype_line = precheck(path)
        except XmlRefused as refused:
            self.out.add("xml-entity-declaration", refused.line, refused.message,
                         token="<!DOCTYPE")
            return
        parser = iterparse(path, tags=self.TAGS)
        try:
            for event, elem in parser:
                if event == "end":
                    self.end(elem)
                elif self.root is None:
                    self.root = elem
                    if not self.start(elem):
                        return
            if self.root is None and parser.root is not None:  # a root TAGS missed
                self.root = parser.root
                if self.start(parser.root):
                    self.end(parser.root)
        except etree.XMLSyntaxError as exc:
            line, column, message = syntax_position(exc, path)
            self.out.add("xml-malformed", line, f"not well-formed XML: {message}",
                         column=column)

    def start(self, root: Any) -> bool:
        """The root element has started; False stops the walk."""
        return True

    def end(self, elem: Any) -> None:
        """An element has ended (its children are all there)."""

    # Shared checks --------------------------------------------------------

    def local(self, tag: object) -> str | None:
        """The local name of a tag in the format's own namespace, else None."""
        raise NotImplementedError

    def add(self, rule: str, elem: Any, message: str, token: str | None = None) -> None:
        """A message at `elem`'s line; its column is where `token` (default: the tag) is."""
        self.out.add(rule, elem.sourceline, message, token=token or "<" + qname(elem))

    def children(self, elem: Any) -> dict[str, list[Any]]:
        """Child elements in the format's own namespace, by local name."""
        return self.split(elem)[0]

    def split(self, elem: Any) -> tuple[dict[str, list[Any]], list[Any]]:
        """Child elements in the format's own namespace by local name, and the child
        elements in any other namespace (the extensions)."""
        found: dict[str, list[Any]] = {}
        foreign: list[Any] = []
        for kid in elem:
            tag = kid.tag
            name = self.local(tag)
            if name is not None:
                found.setdefault(name, []).append(kid)
            elif isinstance(tag, str) and tag[:1] == "{":
                foreign.append(kid)
        return found, foreign

    def single(self, kids: dict[str, list[Any]], names: tuple[str, ...], rule: str) -> None:
        """Report the second and later of each element that may appear once."""
        for name in names:
            for extra in kids.get(name, [])[1:]:
                self.add(rule, extra, f"<{qname(extra)}> appears more than once here; "
                         "keep one")

    def entities(self, parent: Any) -> None:
        """Entity references left in the tree: what an unread external DTD would define."""
        for ref in entity_references(parent):
            self.out.add("xml-malformed", ref.getparent().sourceline,
                         f"the entity {ref.text} is not defined (external DTDs are not "
                         "read); write the character itself", token=ref.text)

    def date(self, elem: Any, parse: Callable[[str], datetime | None], prefix: str,
             example: str) -> datetime | None:
        """Check a date element with `parse`; report `prefix`-bad-date or -future-date."""
        text = (elem.text or "").strip()
        moment = parse(text)
        name = qname(elem)
        if moment is None:
            self.add(f"{prefix}-bad-date", elem,
                     f"<{name}> '{text}' is not {example}")
        elif is_future(moment, self.now):
            self.add(f"{prefix}-future-date", elem, f"<{name}> {text} is in the future")
        return moment

    def extensions(self, parent: Any, foreign: list[Any], links: list[Any] | None = None,
                   ) -> None:
        """The extension elements among `parent`'s children (a feed, channel, entry or
        item), `foreign`: geo and GeoRSS, Media RSS, iTunes, Dublin Core, feed history,
        threading and the smaller modules, each checked by its module in ext/."""
        if not foreign and not links and self.memo.get("podcast") is False:
            return  # nothing an extension module would look at
        from .ext import check_extensions

        local = parent.tag.rsplit("}", 1)[-1] if isinstance(parent.tag, str) else ""
        check_extensions(self, parent, "entry" if local in ("entry", "item") else "feed",
                         foreign, links)
