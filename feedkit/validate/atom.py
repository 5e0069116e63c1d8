"""Atom 1.0 (RFC 4287): the RELAX NG schema for structure, code for the rest.

The document is streamed: each entry is checked (and validated against the
schema on its own) when it ends, then dropped, so memory stays small.
"""

from __future__ import annotations

import copy
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from . import Collector
from .common import (
    html_tag,
    is_absolute,
    is_email,
    is_future,
    is_language,
    is_media_type,
    rfc3339,
    unsafe_html,
)
from .xmlsafe import (
    XML_LANG,
    XmlRefused,
    element_children,
    entity_references,
    has_base,
    iterparse,
    precheck,
    qname,
    syntax_position,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_03_NS = "http://purl.org/atom/ns#"
XHTML_NS = "http://www.w3.org/1999/xhtml"
A = f"{{{ATOM_NS}}}"
FEED, ENTRY = A + "feed", A + "entry"

FEED_SINGLE = ("id", "title", "updated", "subtitle", "rights", "generator", "icon", "logo")
ENTRY_SINGLE = ("id", "title", "updated", "published", "summary", "content", "rights",
                "source")
TEXT_CONSTRUCTS = ("title", "subtitle", "summary", "rights")
BASE64_EXEMPT = ("text/",)


@cache
def schema() -> Any:
    """The RFC 4287 RELAX NG schema, compiled once."""
    from lxml import etree

    path = Path(__file__).with_name("atom.rng")
    return etree.RelaxNG(etree.parse(str(path)))


def check_atom(path: Path, out: Collector, *, now: datetime) -> None:
    """Check the Atom document at `path`, adding messages to `out`."""
    from lxml import etree

    try:
        precheck(path)
    except XmlRefused as refused:
        out.add("xml-entity-declaration", refused.line, refused.message, token="<!DOCTYPE")
        return
    state = _State(out, now)
    root = None
    try:
        for event, elem in iterparse(path):
            if event == "start":
                if root is None:
                    root = elem
                    if elem.tag not in (FEED, ENTRY):
                        _wrong_namespace(out, elem)
                        return
                continue
            if elem.tag == ENTRY and (elem is root or elem.getparent() is root):
                state.entry(elem)
                if elem is not root:
                    elem.clear()
                    root.remove(elem)
            elif elem is root:
                state.feed(elem)
    except etree.XMLSyntaxError as exc:
        line, column, message = syntax_position(exc, path)
        out.add("xml-malformed", line, f"not well-formed XML: {message}", column=column)


def _wrong_namespace(out: Collector, elem: Any) -> None:
    ns = elem.tag[1:].split("}")[0] if elem.tag.startswith("{") else ""
    hint = (" (that is Atom 0.3; Atom 1.0 uses http://www.w3.org/2005/Atom)"
            if ns == ATOM_03_NS else "")
    out.add("atom-wrong-namespace", elem.sourceline,
            f"the root element is in the namespace '{ns}'{hint}; write "
            f"<feed xmlns=\"{ATOM_NS}\">", token=f"<{qname(elem)}")


class _State:
    """What the checks remember across entries: ids, authorless entries, the clock."""

    def __init__(self, out: Collector, now: datetime) -> None:
        self.out = out
        self.now = now
        self.ids: dict[str, tuple[str, int]] = {}
        self.authorless: list[int] = []

    # Feed and entry ------------------------------------------------------

    def feed(self, feed: Any) -> None:
        before = len(self.out.messages)
        kids = _children(feed)
        self._required(feed, kids, ("id", "title", "updated"))
        self._single(kids, FEED_SINGLE)
        self._common(feed, kids)
        if not kids.get("author"):
            for line in self.authorless:
                self.out.add("atom-missing-author", line,
                             "this entry has no author and neither has the feed; add "
                             "<author><name>...</name></author> to the feed or the entry",
                             token="<" + "entry")
        links = kids.get("link", [])
        if not any(link.get("rel") == "self" for link in links):
            self.out.add("atom-missing-self", feed.sourceline,
                         "the feed has no <link rel=\"self\" href=\"...\"/> giving its own "
                         "address; add one", token=f"<{qname(feed)}")
        for generator in kids.get("generator", []):
            self._uri(generator, generator.get("uri"), "generator uri")
        for name in ("icon", "logo"):
            for elem in kids.get(name, []):
                self._uri(elem, (elem.text or "").strip(), name)
        self._schema(feed, before)

    def entry(self, entry: Any) -> None:
        before = len(self.out.messages)
        kids = _children(entry)
        self._required(entry, kids, ("id", "title", "updated"))
        self._single(kids, ENTRY_SINGLE)
        self._common(entry, kids)
        sources = kids.get("source", [])
        if not kids.get("author") and not any(_children(s).get("author") for s in sources):
            if entry.getparent() is None:
                self.out.add("atom-missing-author", entry.sourceline,
                             "this entry has no author; add <author><name>...</name></author>",
                             token="<" + qname(entry))
            else:
                self.authorless.append(entry.sourceline)
        contents = kids.get("content", [])
        for content in contents:
            self._content(content, kids)
        links = kids.get("link", [])
        if not contents and not any(link.get("rel", "alternate") == "alternate"
                                    for link in links):
            self.out.add("atom-missing-alternate", entry.sourceline,
                         "an entry without content needs <link rel=\"alternate\" "
                         "href=\"...\"/>; add one or add <content>",
                         token="<" + qname(entry))
        self._duplicate(entry, kids)
        self._schema(entry, before)

    def _schema(self, elem: Any, before: int) -> None:
        """RELAX NG for what the code checks don't cover (skipped once they found errors)."""
        if any(m.severity == "error" for m in self.out.messages[before:]):
            return
        target = copy.deepcopy(elem) if elem.getparent() is not None else elem
        validator = schema()
        if validator.validate(target):
            return
        seen = set()
        for error in validator.error_log:
            if error.line in seen:
                continue
            seen.add(error.line)
            self.out.add("atom-schema", error.line or elem.sourceline,
                         f"RFC 4287 schema: {error.message}", token="<")

    # Pieces --------------------------------------------------------------

    def _required(self, parent: Any, kids: dict[str, list[Any]], names: tuple[str, ...]) -> None:
        what = "entry" if parent.tag == ENTRY else "feed"
        for name in names:
            if not kids.get(name):
                self.out.add(f"atom-missing-{name}", parent.sourceline,
                             f"the {what} has no <{name}>; RFC 4287 requires exactly one",
                             token="<" + qname(parent))

    def _single(self, kids: dict[str, list[Any]], names: tuple[str, ...]) -> None:
        for name in names:
            for extra in kids.get(name, [])[1:]:
                self.out.add("atom-duplicate-element", extra.sourceline,
                             f"<{name}> appears more than once here; keep one",
                             token="<" + qname(extra))

    def _common(self, parent: Any, kids: dict[str, list[Any]]) -> None:
        for elem in kids.get("id", []):
            self._id(elem)
        for name in ("updated", "published"):
            for elem in kids.get(name, []):
                self._date(elem)
        for name in TEXT_CONSTRUCTS:
            for elem in kids.get(name, []):
                self._text(elem)
        for name in ("author", "contributor"):
            for elem in kids.get(name, []):
                self._person(elem)
        for elem in kids.get("category", []):
            if not (elem.get("term") or "").strip():
                self.out.add("atom-category-term", elem.sourceline,
                             "<category> needs a non-empty term attribute",
                             token="<" + qname(elem))
        self._links(kids.get("link", []))
        self._languages(parent)
        for ref in entity_references(parent):
            self.out.add("xml-malformed", ref.getparent().sourceline,
                         f"the entity {ref.text} is not defined (external DTDs are not "
                         "read); write the character itself", token=ref.text)

    def _languages(self, parent: Any) -> None:
        for elem in parent.iter():
            if elem is not parent and elem.tag == ENTRY:
                continue
            lang = elem.get(XML_LANG)
            if lang is not None and lang and not is_language(lang):
                self.out.add("atom-bad-language", elem.sourceline,
                             f"xml:lang '{lang}' is not a language tag such as en or sv-SE",
                             token="xml:lang")

    def _id(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        if not is_absolute(text):
            self.out.add("atom-id-not-absolute", elem.sourceline,
                         f"<id> '{text}' is not an absolute IRI; use a tag: URI "
                         "(tag:example.org,2020-02-06:post) or a full URL",
                         token="<" + qname(elem))

    def _date(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        moment = rfc3339(text)
        name = qname(elem)
        if moment is None:
            self.out.add("atom-bad-date", elem.sourceline,
                         f"<{name}> '{text}' is not an RFC 3339 date-time; write it like "
                         "2020-02-06T09:30:00+01:00", token="<" + name)
        elif is_future(moment, self.now):
            self.out.add("atom-future-date", elem.sourceline,
                         f"<{name}> {text} is in the future", token="<" + name)

    def _text(self, elem: Any) -> None:
        kind = elem.get("type", "text")
        name = qname(elem)
        if kind not in ("text", "html", "xhtml"):
            self.out.add("atom-text-type", elem.sourceline,
                         f"<{name} type=\"{kind}\">: a text construct's type must be text, "
                         "html or xhtml", token="<" + name)
            return
        if kind == "xhtml":
            self._xhtml_div(elem)
            return
        if element_children(elem):
            self.out.add("atom-markup-in-text", elem.sourceline,
                         f"<{name} type=\"{kind}\"> contains elements; escape the markup or "
                         "use type=\"xhtml\" with a <div>", token="<" + name)
            return
        text = elem.text or ""
        if kind == "text":
            tag = html_tag(text)
            if tag:
                self.out.add("atom-html-in-text", elem.sourceline,
                             f"<{name}> is plain text but holds HTML ({tag}); set "
                             "type=\"html\" or remove the markup", token="<" + name)
        else:
            self._unsafe(elem, text)

    def _unsafe(self, elem: Any, html: str) -> None:
        found = unsafe_html(html)
        if found:
            self.out.add("atom-unsafe-html", elem.sourceline,
                         f"<{qname(elem)}> HTML contains '{found}', which readers strip or "
                         "which can run script; remove it", token="<" + qname(elem))

    def _xhtml_div(self, elem: Any) -> None:
        kids = [k for k in elem if isinstance(k.tag, str)]
        stray = (elem.text or "").strip() or any((k.tail or "").strip() for k in kids)
        if len(kids) != 1 or kids[0].tag != f"{{{XHTML_NS}}}div" or stray:
            self.out.add("atom-xhtml-div", elem.sourceline,
                         f"<{qname(elem)} type=\"xhtml\"> must hold exactly one "
                         f"<div xmlns=\"{XHTML_NS}\"> and nothing else", token="<" + qname(elem))

    def _content(self, content: Any, kids: dict[str, list[Any]]) -> None:
        kind = content.get("type")
        src = content.get("src")
        name = "<" + qname(content)
        if kind is not None and kind not in ("text", "html", "xhtml"):
            main = kind.split("/")[0].lower()
            if not is_media_type(kind) or main in ("multipart", "message"):
                self.out.add("atom-content-type", content.sourceline,
                             f"<content type=\"{kind}\"> is not text, html, xhtml or a "
                             "single (not composite) media type such as image/png", token=name)
                return
        if src is not None:
            if element_children(content) or (content.text or "").strip():
                self.out.add("atom-content-src-not-empty", content.sourceline,
                             "<content src=\"...\"> must be empty; move the text to "
                             "<summary>", token=name)
            if kind is None:
                self.out.add("atom-content-src-no-type", content.sourceline,
                             "<content src=\"...\"> should say the media type of what src "
                             "points at, e.g. type=\"video/mp4\"", token=name)
            elif kind in ("text", "html", "xhtml"):
                self.out.add("atom-content-src-type", content.sourceline,
                             f"<content src=\"...\"> has type \"{kind}\"; use a media type "
                             "such as text/html", token=name)
            self._uri(content, src, "content src")
        elif kind == "xhtml":
            self._xhtml_div(content)
        elif kind in (None, "text", "html"):
            if element_children(content):
                self.out.add("atom-markup-in-text", content.sourceline,
                             "<content> of type text or html contains elements; escape the "
                             "markup or use type=\"xhtml\"", token=name)
            elif kind == "html":
                self._unsafe(content, content.text or "")
            elif html_tag(content.text or ""):
                self.out.add("atom-html-in-text", content.sourceline,
                             "<content> is plain text but holds HTML; set type=\"html\"",
                             token=name)
        needs_summary = src is not None or (
            kind not in (None, "text", "html", "xhtml")
            and not kind.lower().startswith("text/")
            and not kind.lower().split(";")[0].strip().endswith(("/xml", "+xml"))
        )
        if needs_summary and not kids.get("summary"):
            why = "has src" if src is not None else f"is {kind} (Base64)"
            self.out.add("atom-missing-summary", content.sourceline,
                         f"the entry's <content> {why}, so the entry needs a <summary>",
                         token=name)

    def _person(self, elem: Any) -> None:
        kids = _children(elem)
        names = kids.get("name", [])
        if len(names) != 1 or not (names[0].text or "").strip():
            self.out.add("atom-person-name", elem.sourceline,
                         f"<{qname(elem)}> needs exactly one non-empty <name>",
                         token="<" + qname(elem))
        for email in kids.get("email", []):
            text = (email.text or "").strip()
            if not is_email(text):
                self.out.add("atom-person-email", email.sourceline,
                             f"<email> '{text}' is not an email address",
                             token="<" + qname(email))
        for uri in kids.get("uri", []):
            self._uri(uri, (uri.text or "").strip(), "uri")

    def _links(self, links: list[Any]) -> None:
        alternates: dict[tuple[str, str], int] = {}
        for link in links:
            token = "<" + qname(link)
            href = link.get("href")
            if href is None:
                self.out.add("atom-link-href", link.sourceline,
                             "<link> needs an href attribute", token=token)
            else:
                self._uri(link, href, "link href")
            rel = link.get("rel", "alternate")
            problems = []
            if not rel or (":" in rel and not is_absolute(rel)):
                problems.append(f"rel \"{rel}\" is neither a name nor an absolute IRI")
            kind = link.get("type")
            if kind is not None and not is_media_type(kind):
                problems.append(f"type \"{kind}\" is not a media type such as text/html")
            lang = link.get("hreflang")
            if lang is not None and not is_language(lang):
                problems.append(f"hreflang \"{lang}\" is not a language tag")
            length = link.get("length")
            if length is not None and not length.strip().isdigit():
                problems.append(f"length \"{length}\" is not a number of bytes")
            for problem in problems:
                self.out.add("atom-link-attribute", link.sourceline, f"<link>: {problem}",
                             token=token)
            if rel == "alternate":
                key = (link.get("type", ""), link.get("hreflang", ""))
                if key in alternates:
                    self.out.add("atom-duplicate-alternate", link.sourceline,
                                 f"a second rel=\"alternate\" link with type \"{key[0]}\" and "
                                 f"hreflang \"{key[1]}\" (first on line {alternates[key]}); "
                                 "keep one", token=token)
                else:
                    alternates[key] = link.sourceline

    def _uri(self, elem: Any, uri: str | None, what: str) -> None:
        if uri and not is_absolute(uri) and not has_base(elem):
            self.out.add("atom-relative-link", elem.sourceline,
                         f"{what} '{uri}' is relative and no xml:base says what it is "
                         "relative to; write the full URL", token="<" + qname(elem))

    def _duplicate(self, entry: Any, kids: dict[str, list[Any]]) -> None:
        ids = kids.get("id", [])
        if not ids:
            return
        entry_id = (ids[0].text or "").strip()
        updated = "".join((kids.get("updated") or [None])[0].itertext()
                          if kids.get("updated") else "").strip()
        if entry_id in self.ids:
            first_updated, first_line = self.ids[entry_id]
            if first_updated == updated:
                self.out.add("atom-duplicate-entry", entry.sourceline,
                             f"the entry with id '{entry_id}' and updated {updated} already "
                             f"appears on line {first_line}; remove one",
                             token="<" + qname(entry))
            else:
                self.out.add("atom-duplicate-id", entry.sourceline,
                             f"id '{entry_id}' is also used by the entry on line "
                             f"{first_line}; readers keep only one of them",
                             token="<" + qname(entry))
        else:
            self.ids[entry_id] = (updated, entry.sourceline)


def _children(elem: Any) -> dict[str, list[Any]]:
    """Atom-namespace children by local name (other namespaces are extensions)."""
    found: dict[str, list[Any]] = {}
    for kid in elem:
        tag = kid.tag
        if isinstance(tag, str) and tag.startswith(A):
            found.setdefault(tag[len(A):], []).append(kid)
    return found
