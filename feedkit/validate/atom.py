"""Atom 1.0 (RFC 4287): the RELAX NG schema for structure, code for the rest.

The document is streamed: each entry is checked (and validated against the
schema on its own) when it ends, then dropped, so memory stays small.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from .atomparts import ATOM_NS, A, AtomParts, relation
from .common import is_language
from .messages import Collector
from .rules import ERROR
from .xmlsafe import XML_BASE, XML_LANG, qname, xml_attributes

ATOM_03_NS = "http://purl.org/atom/ns#"
FEED, ENTRY = A + "feed", A + "entry"

FEED_SINGLE = ("id", "title", "updated", "subtitle", "rights", "generator", "icon", "logo")
ENTRY_SINGLE = ("id", "title", "updated", "published", "summary", "content", "rights",
                "source")
TEXT_CONSTRUCTS = ("title", "subtitle", "summary", "rights")


@cache
def schema() -> Any:
    """The RFC 4287 RELAX NG schema, compiled once."""
    from lxml import etree

    path = Path(__file__).with_name("atom.rng")
    return etree.RelaxNG(etree.parse(str(path)))


def check_atom(path: Path, out: Collector, *, now: datetime) -> None:
    """Check the Atom document at `path`, adding messages to `out`."""
    AtomChecker(out, now).check(path)


class AtomChecker(AtomParts):
    """Feeds and entries; remembers ids and authorless entries across entries."""

    TAGS = ("{*}feed", "{*}entry")

    def __init__(self, out: Collector, now: datetime) -> None:
        super().__init__(out, now)
        self.ids: dict[str, tuple[str, int]] = {}
        self.authorless: list[int] = []
        self.entries = 0
        self.before_entries: int | None = None  # the feed's children before its first entry

    def start(self, root: Any) -> bool:
        if root.tag in (FEED, ENTRY):
            return True
        ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        hint = (" (that is Atom 0.3; Atom 1.0 uses http://www.w3.org/2005/Atom)"
                if ns == ATOM_03_NS else "")
        self.add("atom-wrong-namespace", root,
                 f"the root element is in the namespace '{ns}'{hint}; write "
                 f"<feed xmlns=\"{ATOM_NS}\">")
        return False

    def end(self, elem: Any) -> None:
        root = self.root
        if elem.tag == ENTRY and (elem is root or elem.getparent() is root):
            self.entries += 1
            if self.before_entries is None and elem is not root:
                self.before_entries = root.index(elem)
            self.entry(elem)
            if elem is not root:
                elem.clear()
                root.remove(elem)
        elif elem is root:
            self.feed(elem)

    # Feed and entry ------------------------------------------------------

    def _basics(self, elem: Any, single: tuple[str, ...]) -> tuple[int, dict[str, list[Any]]]:
        """What feeds and entries share; returns where their messages start, and kids."""
        before = len(self.out.messages)
        kids, foreign = self.split(elem)
        what = "entry" if elem.tag == ENTRY else "feed"
        for name in ("id", "title", "updated"):
            if not kids.get(name):
                self.add(f"atom-missing-{name}", elem,
                         f"the {what} has no <{name}>; RFC 4287 requires exactly one")
        self.single(kids, single, "atom-duplicate-element")
        self._common(elem, kids)
        self.extensions(elem, foreign, kids.get("link", []))
        return before, kids

    def feed(self, feed: Any) -> None:
        before, kids = self._basics(feed, FEED_SINGLE)
        self._order(feed)
        self._same_ids()
        if not kids.get("author"):
            for line in self.authorless:
                self.out.add("atom-missing-author", line,
                             "this entry has no author and neither has the feed; add "
                             "<author><name>...</name></author> to the feed or the entry",
                             token="<" + "entry")
        if not any(relation(link) == "self" for link in kids.get("link", [])):
            self.add("atom-missing-self", feed, "the feed has no <link rel=\"self\" "
                     "href=\"...\"/> giving its own address; add one")
        for generator in kids.get("generator", []):
            self.uri(generator, generator.get("uri"), "generator uri")
        for name in ("icon", "logo"):
            for elem in kids.get(name, []):
                self.uri(elem, elem.text or "", f"<{name}>")
        self._schema(feed, before)

    def entry(self, entry: Any) -> None:
        before, kids = self._basics(entry, ENTRY_SINGLE)
        sources = kids.get("source", [])
        if not kids.get("author") and not any(self.children(s).get("author")
                                              for s in sources):
            if entry.getparent() is None:
                self.add("atom-missing-author", entry,
                         "this entry has no author; add <author><name>...</name></author>")
            else:
                self.authorless.append(entry.sourceline)
        contents = kids.get("content", [])
        for content in contents:
            self.content(content, kids)
        if not contents and not any(relation(link) == "alternate"
                                    for link in kids.get("link", [])):
            self.add("atom-missing-alternate", entry,
                     "an entry without content needs <link rel=\"alternate\" "
                     "href=\"...\"/>; add one or add <content>")
        self._duplicate(entry, kids)
        self._schema(entry, before)

    def _order(self, feed: Any) -> None:
        """The feed's own elements come before its entries (entries are gone by now, so
        the children past those there at the first entry came after it)."""
        if self.before_entries is None:
            return
        for elem in list(feed)[self.before_entries:]:
            if isinstance(elem.tag, str) and elem.tag.startswith(A):
                self.add("atom-misplaced-metadata", elem, f"<{qname(elem)}> comes after "
                         "the entries; the feed's own elements go before the first <entry>")

    def _same_ids(self) -> None:
        """Every entry with one id: one error instead of a warning per entry."""
        if self.entries < 2 or len(self.ids) != 1:
            return
        self.out.messages[:] = [m for m in self.out.messages if m.rule not in (
            "atom-duplicate-id", "atom-duplicate-entry")]
        ((entry_id, (_, line)),) = self.ids.items()
        self.out.add("atom-same-id", line, f"all {self.entries} entries have the id "
                     f"'{entry_id}'; each entry needs its own", token="<" + "entry")

    def _schema(self, elem: Any, before: int) -> None:
        """RELAX NG for what the code checks don't cover (skipped once they found errors)."""
        if any(m.severity == ERROR for m in self.out.messages[before:]):
            return
        validator = schema()
        if validator.validate(elem):  # lxml validates an inner element as a root, uncopied
            return
        seen = set()
        for error in validator.error_log:
            if error.line in seen:
                continue
            seen.add(error.line)
            self.out.add("atom-schema", error.line or elem.sourceline,
                         f"RFC 4287 schema: {error.message}", token="<")

    # Pieces --------------------------------------------------------------

    def _common(self, parent: Any, kids: dict[str, list[Any]]) -> None:
        for elem in kids.get("id", []):
            self.id(elem)
        for name in ("updated", "published"):
            for elem in kids.get(name, []):
                self.atom_date(elem)
        for name in TEXT_CONSTRUCTS:
            for elem in kids.get(name, []):
                self.text(elem)
        for name in ("author", "contributor"):
            for elem in kids.get(name, []):
                self.person(elem)
        for elem in kids.get("category", []):
            if not (elem.get("term") or "").strip():
                self.add("atom-category-term", elem,
                         "<category> needs a non-empty term attribute")
            if elem.get("scheme") is not None:
                self.iri(elem, elem.get("scheme"), "category scheme")
        self.links(kids.get("link", []))
        self._languages(parent)
        self.entities(parent)

    def _languages(self, parent: Any) -> None:
        """xml:lang and xml:base anywhere in the feed or entry (entries were dropped)."""
        for elem in xml_attributes(parent):
            lang = elem.get(XML_LANG)
            if lang and not is_language(lang):
                self.add("atom-bad-language", elem,
                         f"xml:lang '{lang}' is not a language tag such as en or sv-SE",
                         token="xml:lang")
            base = elem.get(XML_BASE)
            if base is not None:
                self.iri(elem, base, "xml:base")

    def _duplicate(self, entry: Any, kids: dict[str, list[Any]]) -> None:
        ids = kids.get("id", [])
        if not ids:
            return
        entry_id = (ids[0].text or "").strip()
        updates = kids.get("updated")
        updated = "".join(updates[0].itertext()).strip() if updates else ""
        if entry_id not in self.ids:
            self.ids[entry_id] = (updated, entry.sourceline)
            return
        first_updated, first_line = self.ids[entry_id]
        if first_updated == updated:
            self.add("atom-duplicate-entry", entry,
                     f"the entry with id '{entry_id}' and updated {updated} already "
                     f"appears on line {first_line}; remove one")
        else:
            self.add("atom-duplicate-id", entry,
                     f"id '{entry_id}' is also used by the entry on line {first_line}; "
                     "readers keep only one of them")
