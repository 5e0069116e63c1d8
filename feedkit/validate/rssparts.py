"""RSS 2.0 values and sub-elements: dates, URLs, contacts, numbers, image, textInput,
cloud, skipHours and skipDays, enclosures, guids and description HTML.

RssParts holds these checks; rss.py walks the document and checks the channel
and its items with them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .common import (
    html_tag,
    is_future,
    is_language_code,
    is_media_type,
    rfc822,
    rfc822_loose,
)
from .htmlrisk import executable_html
from .rssversions import VERSIONS, Version
from .values import (
    address_host,
    contact_form,
    is_form_name,
    is_full_url,
    resolve,
    unknown_host,
    unregistered_scheme,
    uri_problem,
)
from .xmlcheck import XmlChecker
from .xmlsafe import XML_BASE, base_uri, element_children, qname, xml_attributes

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAYS_SHORT = tuple(day[:3] for day in DAYS)
CLOUD_ATTRIBUTES = ("domain", "port", "path", "registerProcedure", "protocol")
IMAGE_LIMITS = {"width": 144, "height": 400}
RFC822_EXAMPLE = "Thu, 06 Feb 2020 09:30:00 +0100"


def whole_number(text: str | None) -> int | None:
    """A non-negative whole number written in ASCII digits, or None."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


class RssParts(XmlChecker):
    """The checks of RSS's values; its own elements are those without a namespace."""

    version: Version = VERSIONS["2.0"]

    def local(self, tag: object) -> str | None:
        if isinstance(tag, str) and not tag.startswith("{"):
            return tag
        return None

    def undefined(self, parent: Any, kids: dict[str, list[Any]]) -> None:
        allowed = self.version.allowed.get(parent.tag, ())
        for name, elems in kids.items():
            if name not in allowed:
                for elem in elems:
                    self.add("rss-undefined-element", elem,
                             f"<{name}> is not an RSS {self.version.name} element of "
                             f"<{parent.tag}>; check "
                             "the spelling (names are case-sensitive) or put an extension "
                             "in its own namespace")

    def each(self, kids: dict[str, list[Any]], checks: dict[str, Callable[[Any], object]]
             ) -> None:
        """Run each check on every child of its name."""
        for name, check in checks.items():
            for elem in kids.get(name, []):
                check(elem)

    # Values --------------------------------------------------------------

    def rss_date(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        if " 24:00" in text and rfc822(text.replace(" 24:00", " 00:00", 1)) is not None:
            self.add("rss-midnight-24", elem, f"<{qname(elem)}> '{text}' writes midnight as "
                     "24:00; write 00:00 (of the next day)")
            return
        if rfc822(text) is not None:
            self.date(elem, rfc822, "rss", "")
            return
        loose = rfc822_loose(text)
        if loose is None:
            day, _, rest = text.partition(", ")
            moment = rfc822(rest) if day in DAYS_SHORT else None
            if moment is not None:
                self.add("rss-wrong-weekday", elem, f"<{qname(elem)}> '{text}': "
                         f"{moment:%d %b %Y} was a {moment:%A}, not a {day}")
                return
            self.date(elem, rfc822, "rss", f"an RFC 822 date; write it like {RFC822_EXAMPLE}")
            return
        self.add("rss-problematic-date", elem, f"<{qname(elem)}> '{text}' can be read but "
                 f"is not written as RFC 822 says; write it like {RFC822_EXAMPLE}")
        if is_future(loose, self.now):
            self.add("rss-future-date", elem, f"<{qname(elem)}> {text} is in the future")

    def url(self, elem: Any) -> None:
        self.url_value(elem, (elem.text or "").strip(), f"<{qname(elem)}>")

    def url_value(self, elem: Any, text: str, what: str, token: str | None = None) -> None:
        """A full URL (a relative one is resolved against the xml:base in scope), made of
        the characters a URL may hold; an unregistered scheme is a warning."""
        if not self.full_url(elem, text):
            self.add("rss-bad-url", elem, f"{what} '{text}' is not a full URL (such as "
                     "https://example.org/page)", token=token)
        elif self.url_characters(elem, text, what, token):
            name = unregistered_scheme(text)
            if name:
                self.add("uri-unregistered-scheme", elem, f"{what} '{text}': the scheme "
                         f"'{name}' is not registered with IANA; readers may not follow it",
                         token=token)

    def full_url(self, elem: Any, text: str) -> bool:
        """Whether `text` is a full URL, or becomes one against the xml:base in scope."""
        if is_full_url(text):
            return True
        base = base_uri(elem) if text and not any(c.isspace() for c in text) else None
        return base is not None and is_full_url(resolve(base, text))

    def url_characters(self, elem: Any, text: str, what: str, token: str | None = None,
                       ) -> bool:
        """RFC 3986's characters only: non-ASCII (an IRI) and characters such as { or a
        bad % escape are errors. True when the URL is clean."""
        if not text.isascii():
            self.add("rss-iri-not-url", elem, f"{what} '{text}' holds characters beyond "
                     "ASCII, which a URL can't; percent-encode them as UTF-8 (å as %C3%A5)",
                     token=token)
            return False
        problem = uri_problem(text)
        if problem:
            self.add("uri-bad-char", elem, f"{what} '{text}' holds a character a URL may "
                     f"not: {problem}; percent-encode it (e.g. {{ as %7B)", token=token)
            return False
        return True

    def bases(self, parent: Any) -> None:
        """Every xml:base under `parent` is a URI reference (non-ASCII allowed: an IRI)."""
        for elem in xml_attributes(parent):
            base = elem.get(XML_BASE)
            problem = uri_problem(base, iri=True) if base is not None else None
            if problem:
                self.add("uri-bad-char", elem, f"xml:base '{base}' holds a character a "
                         f"URI may not: {problem}; percent-encode it", token="xml:base")

    def form_name(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        if not is_form_name(text):
            self.add("rss-textinput-name", elem, f"<name> '{text}' is not a form field "
                     "name: start with a letter and use only letters, digits, '_', '-', "
                     "'.' and ':' (such as q)")

    def contact(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        form = contact_form(text)
        if form == "missing":
            self.add("rss-bad-email", elem,
                     f"<{qname(elem)}> '{text}' must include an email address, ideally "
                     "with the name: 'lena@example.org (Lena Liljendahl)'")
            return
        if form == "format":
            self.add("rss-email-format", elem, f"<{qname(elem)}> '{text}' is not in the "
                     "recommended form 'lena@example.org (Lena Liljendahl)'")
        host = address_host(text)
        if host and unknown_host(host):
            self.add("email-unknown-host", elem, f"<{qname(elem)}> '{text}': the host "
                     f"'{host}' can't be one on the Internet (no dot); check the address")

    def language(self, elem: Any) -> None:
        text = (elem.text or "").strip()
        if not is_language_code(text):
            self.add("rss-bad-language", elem, f"<language> '{text}' is not a language "
                     "code such as en, en-us or sv")

    def integer(self, elem: Any) -> int | None:
        value = whole_number(elem.text)
        if value is None:
            self.add("rss-not-integer", elem, f"<{qname(elem)}> '{(elem.text or '').strip()}'"
                     " must be a whole number")
        return value

    def title_html(self, elem: Any) -> None:
        tag = html_tag(elem.text or "")
        if tag:
            self.add("rss-html-in-title", elem,
                     f"<title> holds HTML ({tag}); titles are plain text")

    def description(self, elem: Any) -> None:
        """Escaped HTML is what a description holds; script in it is an error."""
        html = elem.text or ""
        if element_children(elem):
            from lxml import etree

            self.add("rss-markup-in-description", elem,
                     "<description> holds unescaped elements; escape the HTML "
                     "(&lt;p&gt;) or wrap it in <![CDATA[...]]>")
            html += "".join(etree.tostring(kid, encoding="unicode") for kid in elem)
        found = executable_html(html)
        if found:
            self.add("rss-unsafe-html", elem, f"<description> HTML has {found}, which "
                     "would run script in a reader; remove it")

    # Sub-elements ----------------------------------------------------------

    def image(self, image: Any) -> None:
        kids = self.children(image)
        self.undefined(image, kids)
        self.single(kids, self.version.allowed["image"], "rss-duplicate-element")
        missing = [n for n in ("url", "title", "link") if n not in kids]
        if missing:
            self.add("rss-image", image, f"<image> has no <{'>, <'.join(missing)}>; an "
                     "image needs url, title and link")
        for name in ("url", "link"):
            for elem in kids.get(name, []):
                self.url(elem)
        for name, limit in IMAGE_LIMITS.items():
            for elem in kids.get(name, []):
                value = self.integer(elem)
                if value is not None and not 1 <= value <= limit:
                    self.add("rss-image-size", elem,
                             f"<image><{name}> {value} must be from 1 to {limit}")

    def text_input(self, box: Any) -> None:
        kids = self.children(box)
        self.undefined(box, kids)
        self.single(kids, self.version.allowed["textInput"], "rss-duplicate-element")
        missing = [n for n in self.version.allowed["textInput"] if n not in kids]
        if missing:
            self.add("rss-textinput", box, f"<textInput> has no <{'>, <'.join(missing)}>; "
                     "it needs title, description, name and link")
        self.each(kids, {"link": self.url, "name": self.form_name})

    def cloud(self, cloud: Any) -> None:
        self.attributes(cloud, CLOUD_ATTRIBUTES)
        port = cloud.get("port")
        if port is not None and whole_number(port) is None:
            self.add("rss-not-integer", cloud, f"<cloud port=\"{port}\"> must be a whole "
                     "number", token="port")

    def source(self, elem: Any) -> None:
        self.attributes(elem, ("url",))

    def attributes(self, elem: Any, names: tuple[str, ...]) -> None:
        """Report the required attributes `elem` lacks."""
        missing = [n for n in names if elem.get(n) is None]
        if missing:
            self.add("rss-missing-attribute", elem, f"<{qname(elem)}> has no "
                     f"{', '.join(missing)} attribute{'s' if len(missing) > 1 else ''}; "
                     f"it needs {', '.join(names)}")

    def skip(self, parent: Any, kids: dict[str, list[Any]]) -> None:
        """skipHours (0-23) and skipDays (English day names), each value once."""
        for box in kids.get("skipHours", []):
            for hour in box:
                if (hour.text or "").strip() == "24":
                    self.add("rss-midnight-24", hour, "<hour>24</hour>: write midnight as "
                             "0 (hours run from 0 to 23)")
            self._skip_values(box, "hour", lambda t: whole_number(t) is not None
                              and int(t) <= 24, "rss-bad-hour", "a whole hour from 0 to 23")
        for box in kids.get("skipDays", []):
            self._skip_values(box, "day", lambda t: t in DAYS, "rss-bad-day",
                              "Monday, Tuesday, ... or Sunday")

    def _skip_values(self, box: Any, name: str, valid: Callable[[str], bool], rule: str,
                     what: str) -> None:
        inner = self.children(box)
        self.undefined(box, inner)
        seen: dict[str, int] = {}
        for elem in inner.get(name, []):
            text = (elem.text or "").strip()
            if not valid(text):
                self.add(rule, elem, f"<{name}> '{text}' must be {what}")
                continue
            key = str(int(text) % 24) if name == "hour" else text
            if key in seen:
                self.add("rss-duplicate-value", elem, f"<{name}> {text} is listed twice in "
                         f"<{box.tag}> (first on line {seen[key]}); list each once")
            else:
                seen[key] = elem.sourceline

    def enclosure(self, elem: Any) -> None:
        """url, length and type are required; a missing one is reported like a bad one."""
        problems = []
        url = elem.get("url", "")
        if not self.full_url(elem, url):
            problems.append("url must be a full URL")
        else:
            self.url_characters(elem, url, "<enclosure url>", token="url=")
        if whole_number(elem.get("length")) is None:
            problems.append("length must be the size in bytes (0 when unknown)")
        if not is_media_type(elem.get("type", "")):
            problems.append("type must be a media type such as audio/mpeg")
        if problems:
            self.add("rss-enclosure", elem, "<enclosure>: " + "; ".join(problems))
