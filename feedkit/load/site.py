"""The `site:` section of the registry: title, URLs, language, timezone, options."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ..addresses import address_problem
from ..model import DkimSettings, Options, Publisher, Site
from ..periods import PERIODS
from ..text.i18n import is_language_tag
from .reader import SCHEME, Node, Reader

SITE_FIELDS = (
    "title", "subtitle", "url", "feed_url", "id", "language", "timezone",
    "email", "about", "websub_hub", "unsubscribe_url", "publisher", "options",
    "dkim", "bounce_address",
)
DKIM_FIELDS = ("selector", "key_file", "domain")
_SELECTOR = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
PUBLISHER_FIELDS = ("name", "address", "phone", "email", "url")
OPTION_FIELDS = tuple(f.name for f in fields(Options))
_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def read_site(reader: Reader, node: Node) -> Site | None:
    f = reader.mapping(node, "site", SITE_FIELDS)
    if f is None:
        return None
    before = len(reader.problems)
    title = reader.text(f, "title", "site", required=True, parent=node)
    url = reader.text(f, "url", "site", required=True, parent=node, kind="url")
    if url is not None:
        url = reader.absolute_url(f["url"], "site.url", url)
    if url is not None and not urlsplit(url).path.endswith("/"):
        url += "/"
    feed_url = reader.text(f, "feed_url", "site", kind="url")
    if feed_url is not None:
        feed_url = reader.absolute_url(f["feed_url"], "site.feed_url", feed_url)
    elif url is not None:
        feed_url = url + "atom.xml"
    language = reader.text(f, "language", "site") or "en"
    if not is_language_tag(language):
        reader.add(f.get("language"), f"site.language: '{language}' is not a BCP 47 "
                                      "language tag such as sv, en or en-GB")
    timezone = reader.text(f, "timezone", "site") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        import difflib  # only when there is a suggestion to make
        from zoneinfo import available_timezones

        hint = difflib.get_close_matches(timezone, sorted(available_timezones()), n=1)
        fix = f"did you mean '{hint[0]}'?" if hint else "use an IANA name like Europe/Stockholm"
        reader.add(f.get("timezone"), f"site.timezone: unknown timezone '{timezone}'; {fix}")
    email = reader.text(f, "email", "site") or ""
    if email and (why := address_problem(email)):
        reader.add(f.get("email"), f"site.email: '{email}' {why}")
    elif email and not email.split("@")[0].isascii():
        reader.add(f.get("email"), f"site.email: '{email}': the digest's sender address "
                                   "must be ASCII before the '@' (international domains are "
                                   "fine)")
    hub = reader.text(f, "websub_hub", "site", kind="url") or ""
    if hub:
        hub = reader.absolute_url(f["websub_hub"], "site.websub_hub", hub) or ""
    unsubscribe = reader.text(f, "unsubscribe_url", "site", kind="url") or ""
    if unsubscribe:
        unsubscribe = reader.absolute_url(f["unsubscribe_url"], "site.unsubscribe_url",
                                    unsubscribe) or ""
    elif url is not None:
        unsubscribe = url + "unsubscribe"
    site_id = reader.text(f, "id", "site")
    if site_id is not None and not SCHEME.match(site_id):
        reader.add(f["id"], f"site.id: '{site_id}' is not an absolute IRI; "
                            "use a URL or a tag: URI")
    bounces = reader.text(f, "bounce_address", "site") or ""
    if bounces and (why := address_problem(bounces)):
        reader.add(f.get("bounce_address"), f"site.bounce_address: '{bounces}' {why}")
    elif bounces and not bounces.isascii():
        reader.add(f.get("bounce_address"), f"site.bounce_address: '{bounces}' must be "
                                            "ASCII (write an international domain as xn--)")
    from_domain = (email.rpartition("@")[2] if email else urlsplit(url or "").hostname) or ""
    dkim = _dkim(reader, f["dkim"], from_domain) if "dkim" in f else None
    publisher = _publisher(reader, f["publisher"]) if "publisher" in f else None
    options = _options(reader, f["options"]) if "options" in f else Options()
    if len(reader.problems) > before or title is None or url is None or feed_url is None:
        return None
    return Site(
        title=title, url=url, feed_url=feed_url, id=site_id or feed_url,
        language=language, timezone=timezone,
        subtitle=reader.text(f, "subtitle", "site", kind="text") or "",
        email=email, about=reader.text(f, "about", "site", kind="text") or "", websub_hub=hub,
        unsubscribe_url=unsubscribe, publisher=publisher, options=options, dkim=dkim,
        bounce_address=bounces,
    )


def _dkim(reader: Reader, node: Node, from_domain: str) -> DkimSettings | None:
    """`site.dkim`: selector, key_file (relative to the registry) and a domain that
    aligns with the From address's (default: that domain)."""
    from ..urls import ascii_host

    f = reader.mapping(node, "site.dkim", DKIM_FIELDS)
    if f is None:
        return None
    selector = reader.text(f, "selector", "site.dkim", required=True, parent=node)
    key_file = reader.text(f, "key_file", "site.dkim", required=True, parent=node)
    domain = reader.text(f, "domain", "site.dkim")
    if selector is not None and not _SELECTOR.match(selector):
        reader.add(f["selector"], f"site.dkim.selector: '{selector}' is not a DNS label "
                                  "(letters, digits and '-', like feedkit2024)")
        selector = None
    own = ascii_host(f"//{from_domain}").lower()
    signing = ascii_host(f"//{domain}").lower() if domain else own
    if domain and signing != own and not own.endswith("." + signing):
        reader.add(f["domain"], f"site.dkim.domain: '{domain}' doesn't align with the From "
                                f"address's domain '{from_domain}'; use that domain or one it "
                                "is under (DMARC alignment)")
        return None
    if selector is None or key_file is None:
        return None
    mark = node.start_mark
    return DkimSettings(selector, key_file, signing,
                        f"{reader.path}:{mark.line + 1}:{mark.column + 1}")


def _publisher(reader: Reader, node: Node) -> Publisher | None:
    f = reader.mapping(node, "site.publisher", PUBLISHER_FIELDS)
    if f is None:
        return None
    name = reader.text(f, "name", "site.publisher", required=True, parent=node)
    url = reader.text(f, "url", "site.publisher", kind="url") or ""
    if url:
        url = reader.absolute_url(f["url"], "site.publisher.url", url) or ""
    email = reader.text(f, "email", "site.publisher") or ""
    if email and (why := address_problem(email)):
        reader.add(f["email"], f"site.publisher.email: '{email}' {why}")
    if name is None:
        return None
    return Publisher(
        name=name,
        address=reader.text(f, "address", "site.publisher", kind="text") or "",
        phone=reader.text(f, "phone", "site.publisher") or "",
        email=email, url=url,
    )


def _options(reader: Reader, node: Node) -> Options:
    f = reader.mapping(node, "site.options", OPTION_FIELDS)
    if f is None:
        return Options()
    values: dict[str, Any] = {}
    defaults = Options()
    for key, vnode in f.items():
        name = f"site.options.{key}"
        default = getattr(defaults, key)
        if isinstance(default, bool):
            raw = vnode.value.lower() if isinstance(vnode, yaml.ScalarNode) else ""
            if raw not in _BOOLEANS:
                reader.add(vnode, f"{name}: must be true or false")
                continue
            values[key] = _BOOLEANS[raw]
        elif isinstance(default, int):
            raw = vnode.value if isinstance(vnode, yaml.ScalarNode) else None
            try:
                number = int(raw) if isinstance(raw, str) else None
            except ValueError:
                number = None
            if number is None or number < 1:
                reader.add(vnode, f"{name}: must be a whole number of at least 1")
                continue
            values[key] = number
        else:
            text = reader.text(f, key, "site.options")
            values[key] = text or ""
    options = Options(**values)
    if options.web_digests and options.web_digests not in PERIODS:
        reader.add(f["web_digests"], f"site.options.web_digests: '{options.web_digests}' is "
                                     f"not one of: {', '.join(PERIODS)}")
    if options.excerpt_length <= len(options.excerpt_suffix):
        reader.add(f.get("excerpt_length", node),
                   "site.options.excerpt_length: must be longer than excerpt_suffix")
    return options


def timezone_guess(node: Node | None) -> ZoneInfo:
    """The site's timezone if it is readable, else UTC: posts are checked either way."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "timezone" and isinstance(value, yaml.ScalarNode):
                try:
                    return ZoneInfo(value.value.strip())
                except (ZoneInfoNotFoundError, ValueError, OSError):
                    break
    return ZoneInfo("UTC")


