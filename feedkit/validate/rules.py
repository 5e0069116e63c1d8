"""Every rule id the validator can report, with its severity and a one-line summary.

The ids are stable: CI configurations and docs/rules.md refer to them.
"""

from __future__ import annotations

ERROR = "error"
WARNING = "warning"
INFO = "info"  # shown, never fails (not even under --strict)
SEVERITIES = (ERROR, WARNING, INFO)

RULES: dict[str, tuple[str, str]] = {
    # Any file
    "file-unreadable": (ERROR, "the file can't be read"),
    "file-unknown-format": (ERROR, "not an Atom 1.0, RSS 2.0 or JSON Feed 1.1 document"),
    "xml-malformed": (ERROR, "the XML is not well-formed"),
    "xml-entity-declaration": (ERROR, "the DOCTYPE declares entities (possible entity bomb)"),
    "geo-coordinate": (ERROR, "a geo latitude or longitude that is not a number in range"),
    # Atom 1.0 (RFC 4287)
    "atom-schema": (ERROR, "the RFC 4287 RELAX NG schema rejects the element"),
    "atom-wrong-namespace": (ERROR, "the feed is not in the Atom 1.0 namespace"),
    "atom-missing-id": (ERROR, "feed or entry without atom:id"),
    "atom-missing-title": (ERROR, "feed or entry without atom:title"),
    "atom-missing-updated": (ERROR, "feed or entry without atom:updated"),
    "atom-missing-author": (ERROR, "an entry without author in a feed without author"),
    "atom-duplicate-element": (ERROR, "an element allowed once appears more than once"),
    "atom-bad-date": (ERROR, "a date that is not RFC 3339"),
    "atom-id-not-absolute": (ERROR, "an atom:id that is not an absolute IRI"),
    "atom-text-type": (ERROR, "a text construct whose type is not text, html or xhtml"),
    "atom-markup-in-text": (ERROR, "child elements inside a text or html construct"),
    "atom-xhtml-div": (ERROR, "xhtml content not wrapped in exactly one xhtml:div"),
    "atom-content-src-not-empty": (ERROR, "atom:content with src is not empty"),
    "atom-content-src-type": (ERROR, "atom:content with src has type text, html or xhtml"),
    "atom-content-src-no-type": (WARNING, "atom:content with src has no type"),
    "atom-content-type": (ERROR, "atom:content type is not a valid media type"),
    "atom-missing-summary": (ERROR, "an entry needs atom:summary (content is src or binary)"),
    "atom-missing-alternate": (ERROR, "an entry with neither content nor an alternate link"),
    "atom-duplicate-alternate": (ERROR, "two alternate links with the same type and hreflang"),
    "atom-duplicate-entry": (ERROR, "two entries with the same id and updated"),
    "atom-duplicate-id": (WARNING, "two entries with the same id"),
    "atom-link-href": (ERROR, "atom:link without href"),
    "atom-whitespace": (ERROR, "whitespace inside an id, IRI or date"),
    "atom-bad-iri": (ERROR, "characters that are not allowed in an IRI"),
    "atom-link-attribute": (ERROR, "an atom:link attribute with an invalid value"),
    "atom-person-name": (ERROR, "author or contributor without exactly one name"),
    "atom-person-email": (ERROR, "author or contributor email that is not an address"),
    "atom-category-term": (ERROR, "atom:category without term"),
    "atom-bad-language": (ERROR, "xml:lang that is not a language tag"),
    "atom-missing-self": (WARNING, "the feed has no link rel=self"),
    "atom-relative-link": (WARNING, "a relative reference without xml:base"),
    "atom-html-in-text": (WARNING, "HTML markup in a plain-text construct"),
    "atom-unsafe-html": (WARNING, "script, style or event handlers in HTML content"),
    "atom-future-date": (WARNING, "a date in the future"),
    # RSS 2.0
    "rss-version": (ERROR, "the rss element's version is not 2.0"),
    "rss-missing-channel": (ERROR, "rss without exactly one channel"),
    "rss-missing-title": (ERROR, "channel without title"),
    "rss-missing-link": (ERROR, "channel without link"),
    "rss-missing-description": (ERROR, "channel without description"),
    "rss-duplicate-element": (ERROR, "an element allowed once appears more than once"),
    "rss-undefined-element": (ERROR, "an element RSS 2.0 does not define, in its namespace"),
    "rss-missing-attribute": (ERROR, "a required attribute is missing"),
    "rss-duplicate-value": (ERROR, "the same hour or day twice in skipHours or skipDays"),
    "rss-not-integer": (ERROR, "a value that must be a whole number is not"),
    "rss-bad-hour": (ERROR, "a skipHours hour that is not 0 to 23"),
    "rss-bad-day": (ERROR, "a skipDays day that is not an English day name"),
    "rss-image-size": (ERROR, "image width over 144 or height over 400"),
    "rss-image": (ERROR, "an image without url, title or link"),
    "rss-textinput": (ERROR, "a textInput without title, description, name or link"),
    "rss-bad-language": (ERROR, "a language that is not a language code"),
    "rss-unsafe-html": (ERROR, "script, event handlers or javascript: URLs in a description"),
    "rss-item-empty": (ERROR, "an item with neither title nor description"),
    "rss-bad-date": (ERROR, "a date that is not RFC 822"),
    "rss-bad-url": (ERROR, "a link that is not an absolute URL"),
    "rss-guid-not-url": (ERROR, "a permalink guid that is not an absolute URL"),
    "rss-ispermalink": (ERROR, "isPermaLink that is not true or false"),
    "rss-enclosure": (ERROR, "an enclosure without a valid url, length and type"),
    "rss-bad-email": (ERROR, "an author or editor that is not an email address"),
    "rss-missing-guid": (WARNING, "an item without guid"),
    "rss-problematic-date": (WARNING, "an RFC 822 date that is readable but not conforming"),
    "rss-duplicate-enclosure": (WARNING, "an item with more than one enclosure"),
    "rss-markup-in-description": (WARNING, "unescaped elements inside a description"),
    "rss-duplicate-guid": (WARNING, "two items with the same guid"),
    "rss-missing-self": (WARNING, "the channel has no atom:link rel=self"),
    "rss-html-in-title": (WARNING, "HTML markup in a title"),
    "rss-future-date": (WARNING, "a date in the future"),
    # JSON Feed 1.1
    "json-malformed": (ERROR, "the JSON is not well-formed"),
    "jsonfeed-version": (ERROR, "version is not a JSON Feed version URL"),
    "jsonfeed-old-version": (WARNING, "JSON Feed version 1 instead of 1.1"),
    "jsonfeed-missing-title": (ERROR, "the feed has no title"),
    "jsonfeed-missing-items": (ERROR, "the feed has no items array"),
    "jsonfeed-wrong-type": (ERROR, "a field of the wrong JSON type"),
    "jsonfeed-item-missing-id": (ERROR, "an item without id"),
    "jsonfeed-duplicate-id": (ERROR, "two items with the same id"),
    "jsonfeed-item-missing-content": (ERROR, "an item without content_html or content_text"),
    "jsonfeed-bad-date": (ERROR, "a date that is not RFC 3339"),
    "jsonfeed-relative-url": (ERROR, "a URL that is not absolute"),
    "jsonfeed-attachment": (ERROR, "an attachment without url or mime_type"),
    "jsonfeed-missing-feed-url": (WARNING, "the feed has no feed_url"),
    "jsonfeed-deprecated-author": (WARNING, "author (1.0) instead of authors (1.1)"),
    "jsonfeed-future-date": (WARNING, "a date in the future"),
    # Registry
    "registry-invalid": (ERROR, "the registry has a problem the build would refuse"),
    "registry-subscribers": (ERROR, "the subscribers file has a problem"),
    "registry-empty-excerpt": (WARNING, "a post without summary whose body has no text"),
    "registry-future-date": (INFO, "a post dated in the future (scheduled)"),
    "registry-id-changed": (ERROR, "a post's id differs from the published feed"),
    # The project: posts.lock and out/
    "lock-id-changed": (ERROR, "a published post would get another id"),
    "lock-id-reused": (ERROR, "a post has the id of another post, removed since"),
    "lock-outdated": (WARNING, "posts.lock doesn't record what a build would"),
    "lock-malformed": (ERROR, "posts.lock can't be read"),
    "out-of-date": (ERROR, "a feed in out/ differs from what feedkit build writes now"),
    # Against the previously published feed (--previous)
    "previous-unreadable": (ERROR, "the previous feed can't be read"),
    "previous-id-changed": (ERROR, "an entry's id changed since the previous feed"),
    "previous-entry-vanished": (WARNING, "an entry inside the window disappeared"),
}


# The W3C Feed Validation Service's name for the same finding (its documentation
# lists its messages by these names), where it has one.
W3C: dict[str, str] = {
    "xml-malformed": "SAXError",
    "geo-coordinate": "InvalidLatitude, InvalidLongitude",
    "atom-schema": "UndefinedElement",
    "atom-missing-id": "MissingElement",
    "atom-missing-title": "MissingElement",
    "atom-missing-updated": "MissingElement",
    "atom-missing-author": "MissingElement",
    "atom-duplicate-element": "DuplicateElement",
    "atom-bad-date": "InvalidRFC3339Date",
    "atom-id-not-absolute": "InvalidFullLink",
    "atom-text-type": "InvalidTextType",
    "atom-xhtml-div": "MissingXhtmlDiv",
    "atom-content-type": "InvalidMIMEType",
    "atom-duplicate-alternate": "DuplicateAtomLink",
    "atom-duplicate-entry": "DuplicateEntries",
    "atom-link-href": "MissingHref",
    "atom-bad-iri": "InvalidIRI",
    "atom-link-attribute": "InvalidAtomLinkRel",
    "atom-person-name": "MissingElement",
    "atom-category-term": "MissingAttribute",
    "atom-bad-language": "InvalidLanguage",
    "atom-missing-self": "MissingSelf",
    "atom-relative-link": "ContainsRelRef",
    "atom-html-in-text": "ContainsHTML",
    "atom-unsafe-html": "SecurityRisk",
    "rss-missing-channel": "MissingElement",
    "rss-missing-title": "MissingTitle",
    "rss-missing-link": "MissingLink",
    "rss-missing-description": "MissingDescription",
    "rss-duplicate-element": "DuplicateElement",
    "rss-undefined-element": "UndefinedElement",
    "rss-missing-attribute": "MissingAttribute",
    "rss-duplicate-value": "DuplicateValue",
    "rss-not-integer": "InvalidInteger",
    "rss-bad-hour": "InvalidHour",
    "rss-bad-day": "InvalidDay",
    "rss-image-size": "InvalidWidth, InvalidHeight",
    "rss-image": "MissingElement",
    "rss-textinput": "MissingElement",
    "rss-bad-language": "InvalidLanguage",
    "rss-unsafe-html": "SecurityRisk",
    "rss-item-empty": "ItemMustContainTitleOrDescription",
    "rss-bad-date": "InvalidRFC2822Date",
    "rss-bad-url": "InvalidLink",
    "rss-guid-not-url": "InvalidHttpGUID",
    "rss-ispermalink": "InvalidBooleanAttribute",
    "rss-enclosure": "InvalidURLAttribute, InvalidIntegerAttribute, InvalidMIMEAttribute",
    "rss-bad-email": "InvalidContact",
    "rss-missing-guid": "MissingGuid",
    "rss-problematic-date": "ProblematicalRFC822Date",
    "rss-duplicate-enclosure": "DuplicateEnclosure",
    "rss-missing-self": "MissingAtomSelfLink",
    "rss-html-in-title": "ContainsHTML",
}


def w3c_name(rule: str) -> str | None:
    """The W3C validator's message name for `rule`, if it has the same check."""
    return W3C.get(rule)


def severity(rule: str) -> str:
    """The severity of a rule id; KeyError for an unknown one (a bug)."""
    return RULES[rule][0]
