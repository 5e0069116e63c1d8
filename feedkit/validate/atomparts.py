"""Atom 1.0 (RFC 4287) constructs: ids, dates, IRIs, text, content, people and links.

AtomParts holds the checks of the pieces feeds and entries are made of; atom.py
walks the document and checks feeds and entries with them.
"""

from __future__ import annotations

from typing import Any

from .common import (
    has_whitespace,
    html_tag,
    iri_problem,
    is_absolute,
    is_email,
    is_language,
    is_media_type,
    rfc3339,
    unsafe_html,
)
from .values import (
    address_host,
    id_syntax,
    is_base64,
    registered_relation,
    resolve,
    unknown_host,
    unregistered_scheme,
)
from .xmlcheck import XmlChecker
from .xmlsafe import base_uri, element_children, qname

ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
A = f"{{{ATOM_NS}}}"
IANA_RELATIONS = "http://www.iana.org/assignments/relation/"
TEXT_KINDS = ("text", "html", "xhtml")


def relation(link: Any) -> str:
    """A link's rel, with the IANA registry's IRI form reduced to the registered name."""
    rel: str = link.get("rel", "alternate")
    return rel.removeprefix(IANA_RELATIONS)


class AtomParts(XmlChecker):
    """The checks of Atom's constructs; Atom's own children are those in its namespace."""

    def local(self, tag: object) -> str | None:
        if isinstance(tag, str) and tag.startswith(A):
            return tag[len(A):]
        return None

    def split(self, elem: Any) -> tuple[dict[str, list[Any]], list[Any]]:
        """As XmlChecker.split, inlined for Atom: it runs for every entry."""
        found: dict[str, list[Any]] = {}
        foreign: list[Any] = []
        cut = len(A)
        for kid in elem:
            tag = kid.tag
            if tag.__class__ is str:
                if tag.startswith(A):
                    found.setdefault(tag[cut:], []).append(kid)
                elif tag[:1] == "{":
                    foreign.append(kid)
        return found, foreign

    # Values ----------------------------------------------------------------

    def iri(self, elem: Any, value: str, what: str) -> str:
        """`value` stripped; whitespace in it or characters RFC 3987 forbids are errors."""
        if has_whitespace(value):
            self.add("atom-whitespace", elem, f"{what} '{value.strip()}' has whitespace in "
                     "or around it; an IRI may not (write %20 for a space)")
        else:
            problem = iri_problem(value)
            if problem:
                self.add("atom-bad-iri", elem, f"{what} '{value}' is not a valid IRI: "
                         f"{problem}; percent-encode it (e.g. {{ as %7B)")
        return value.strip()

    def uri(self, elem: Any, value: str | None, what: str) -> None:
        """An IRI that may be relative when an xml:base says what it is relative to."""
        if value is None:
            return
        uri = self.iri(elem, value, what)
        if uri and not is_absolute(uri):
            base = base_uri(elem)
            if base is None:
                self.add("atom-relative-link", elem,
                         f"{what} '{uri}' is relative and no xml:base says what it is "
                         "relative to; write the full URL")
            elif not is_absolute(resolve(base, uri)):
                self.add("atom-relative-link", elem,
                         f"{what} '{uri}' is relative and so is the xml:base in scope "
                         f"('{base}'); give xml:base a full URL")
        self.scheme(elem, uri, what)

    def scheme(self, elem: Any, uri: str, what: str) -> None:
        """An absolute IRI whose scheme IANA has not registered: a warning."""
        name = unregistered_scheme(uri)
        if name:
            self.add("uri-unregistered-scheme", elem, f"{what} '{uri}': the scheme '{name}' "
                     "is not registered with IANA; readers may not follow it")

    def id(self, elem: Any) -> None:
        text = self.iri(elem, elem.text or "", "<id>")
        if not is_absolute(text):
            self.add("atom-id-not-absolute", elem,
                     f"<id> '{text}' is not an absolute IRI; use a tag: URI "
                     "(tag:example.org,2020-02-06:post) or a full URL")
        else:
            self.scheme(elem, text, "<id>")
            problem = id_syntax(text)
            if problem:
                self.add("uri-bad-syntax", elem, f"<id> '{text}' is not a valid "
                         f"identifier: {problem}")

    def atom_date(self, elem: Any) -> None:
        raw = elem.text or ""
        if has_whitespace(raw) and rfc3339(raw.strip()) is not None:
            self.add("atom-whitespace", elem, f"<{qname(elem)}> has whitespace around "
                     "the date; write it on one line with nothing around it")
        self.date(elem, rfc3339, "atom", "an RFC 3339 date-time; write it like "
                  "2020-02-06T09:30:00+01:00")

    # Text and content --------------------------------------------------------

    def text(self, elem: Any) -> None:
        kind = elem.get("type", "text")
        name = qname(elem)
        if kind not in TEXT_KINDS:
            self.add("atom-text-type", elem, f"<{name} type=\"{kind}\">: a text "
                     "construct's type must be text, html or xhtml")
            return
        if kind == "xhtml":
            self.xhtml_div(elem)
            return
        if element_children(elem):
            self.add("atom-markup-in-text", elem, f"<{name} type=\"{kind}\"> contains "
                     "elements; escape the markup or use type=\"xhtml\" with a <div>")
            return
        body = elem.text or ""
        if kind == "html":
            self.unsafe(elem, body)
            return
        tag = html_tag(body)
        if tag:
            self.add("atom-html-in-text", elem, f"<{name}> is plain text but holds HTML "
                     f"({tag}); set type=\"html\" or remove the markup")

    def unsafe(self, elem: Any, html: str) -> None:
        found = unsafe_html(html)
        if found:
            self.add("atom-unsafe-html", elem, f"<{qname(elem)}> HTML contains '{found}', "
                     "which readers strip or which can run script; remove it")

    def xhtml_div(self, elem: Any) -> None:
        kids = element_children(elem)
        stray = (elem.text or "").strip() or any((k.tail or "").strip() for k in kids)
        if len(kids) != 1 or kids[0].tag != f"{{{XHTML_NS}}}div" or stray:
            self.add("atom-xhtml-div", elem, f"<{qname(elem)} type=\"xhtml\"> must hold "
                     f"exactly one <div xmlns=\"{XHTML_NS}\"> and nothing else")

    def content(self, content: Any, kids: dict[str, list[Any]]) -> None:
        kind = content.get("type")
        src = content.get("src")
        if kind is not None and kind not in TEXT_KINDS:
            main = kind.split("/")[0].lower()
            if not is_media_type(kind) or main in ("multipart", "message"):
                self.add("atom-content-type", content,
                         f"<content type=\"{kind}\"> is not text, html, xhtml or a single "
                         "(not composite) media type such as image/png")
                return
        if src is not None:
            self._content_src(content, kind, src)
        elif kind == "xhtml":
            self.xhtml_div(content)
        elif kind in (None, "text", "html"):
            self._content_text(content, kind)
        needs_summary = src is not None or (
            kind not in (None, *TEXT_KINDS)
            and not kind.lower().startswith("text/")
            and not kind.lower().split(";")[0].strip().endswith(("/xml", "+xml"))
        )
        if needs_summary and src is None and not is_base64(content.text or ""):
            self.add("atom-not-base64", content, f"<content type=\"{kind}\"> is neither "
                     "text nor XML, so it must be Base64; encode it, or point at it with "
                     "src=\"...\"")
        if needs_summary and not kids.get("summary"):
            why = "has src" if src is not None else f"is {kind} (Base64)"
            self.add("atom-missing-summary", content,
                     f"the entry's <content> {why}, so the entry needs a <summary>")

    def _content_src(self, content: Any, kind: str | None, src: str) -> None:
        if element_children(content) or (content.text or "").strip():
            self.add("atom-content-src-not-empty", content,
                     "<content src=\"...\"> must be empty; move the text to <summary>")
        if kind is None:
            self.add("atom-content-src-no-type", content,
                     "<content src=\"...\"> should say the media type of what src points "
                     "at, e.g. type=\"video/mp4\"")
        elif kind in TEXT_KINDS:
            self.add("atom-content-src-type", content,
                     f"<content src=\"...\"> has type \"{kind}\"; use a media type such "
                     "as text/html")
        self.uri(content, src, "content src")

    def _content_text(self, content: Any, kind: str | None) -> None:
        if element_children(content):
            self.add("atom-markup-in-text", content, "<content> of type text or html "
                     "contains elements; escape the markup or use type=\"xhtml\"")
        elif kind == "html":
            self.unsafe(content, content.text or "")
        elif html_tag(content.text or ""):
            self.add("atom-html-in-text", content,
                     "<content> is plain text but holds HTML; set type=\"html\"")

    # People and links ----------------------------------------------------------

    def person(self, elem: Any) -> None:
        kids = self.children(elem)
        names = kids.get("name", [])
        if len(names) != 1 or not (names[0].text or "").strip():
            self.add("atom-person-name", elem,
                     f"<{qname(elem)}> needs exactly one non-empty <name>")
        for email in kids.get("email", []):
            text = (email.text or "").strip()
            host = address_host(text)
            if not is_email(text) and not (host and is_email(text + ".x")):
                self.add("atom-person-email", email,
                         f"<email> '{text}' is not an email address")
            elif host and unknown_host(host):
                self.add("email-unknown-host", email, f"<email> '{text}': the host "
                         f"'{host}' can't be one on the Internet (no dot); check it")
        for uri in kids.get("uri", []):
            self.uri(uri, uri.text or "", "<uri>")

    def links(self, links: list[Any]) -> None:
        alternates: dict[tuple[str, str], int] = {}
        for link in links:
            href = link.get("href")
            if href is None:
                self.add("atom-link-href", link, "<link> needs an href attribute")
            else:
                self.uri(link, href, "link href")
            for problem in _link_problems(link):
                self.add("atom-link-attribute", link, f"<link>: {problem}")
            rel = link.get("rel", "alternate")
            if rel.strip() and not registered_relation(rel.strip()):
                self.add("atom-unregistered-rel", link, f"<link rel=\"{rel}\">: not a "
                         "relation IANA registers; use a registered one (alternate, "
                         "related, self, enclosure, via...) or a full IRI", token="rel=")
            if relation(link) == "alternate":
                key = (link.get("type", "").lower(), link.get("hreflang", "").lower())
                if key in alternates:
                    self.add("atom-duplicate-alternate", link,
                             f"a second rel=\"alternate\" link with type \"{key[0]}\" and "
                             f"hreflang \"{key[1]}\" (first on line {alternates[key]}); "
                             "keep one")
                else:
                    alternates[key] = link.sourceline


def _link_problems(link: Any) -> list[str]:
    problems = []
    rel = link.get("rel", "alternate")
    if not rel or has_whitespace(rel) or iri_problem(rel):
        problems.append(f"rel \"{rel}\" is neither a registered name (such as alternate "
                        "or self) nor an absolute IRI")
    kind = link.get("type")
    if kind is not None and not is_media_type(kind):
        problems.append(f"type \"{kind}\" is not a media type such as text/html")
    lang = link.get("hreflang")
    if lang is not None and not is_language(lang):
        problems.append(f"hreflang \"{lang}\" is not a language tag")
    length = link.get("length")
    if length is not None and not length.strip().isdigit():
        problems.append(f"length \"{length}\" is not a number of bytes")
    return problems
