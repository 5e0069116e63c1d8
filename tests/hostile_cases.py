"""Hostile inputs, generated: registries (each field x each kind of bad or nasty
value) and feeds for `feedkit validate`. tests/test_hostile.py runs them all.

A case is (name, bytes, expected) where expected is "refused" (exit 1 with
located messages, nothing written) or "built" (valid input whose text is hostile:
it must build, and nothing in it may become markup, a header or a path).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

Case = tuple[str, bytes, str]

# One line per field: where it sits in the base registry, as a template slot.
BASE = """\
site:
  title: {site_title}
  subtitle: {site_subtitle}
  url: {site_url}
  email: {site_email}
  language: {site_language}
  timezone: {site_timezone}
  about: {site_about}
  unsubscribe_url: {site_unsubscribe_url}
  publisher:
    name: {publisher_name}
    url: {publisher_url}
  options:
    excerpt_length: {excerpt_length}
    excerpt_suffix: {excerpt_suffix}
posts:
  - title: {post_title}
    date: {post_date}
    author:
      name: {author_name}
      role: {author_role}
      url: {author_url}
      email: {author_email}
    tags: {post_tags}
    slug: {post_slug}
    body: {post_body}
  - title: Andra inlägget
    date: 2020-02-05
    author: Bo
    summary: {post_summary}
"""

GOOD = {
    "site_title": "Dagboken", "site_subtitle": "Om boende", "site_url": "https://e.se/dagbok/",
    "site_email": "info@e.se", "site_language": "sv", "site_timezone": "Europe/Stockholm",
    "site_about": "Du får detta för att du prenumererar.",
    "site_unsubscribe_url": "https://e.se/dagbok/unsubscribe", "publisher_name": "Förlaget",
    "publisher_url": "https://e.se/", "excerpt_length": "250", "excerpt_suffix": "'...'",
    "post_title": "Första inlägget", "post_date": "6 februari 2020", "author_name": "Åsa",
    "author_role": "redaktör", "author_url": "https://e.se/asa", "author_email": "asa@e.se",
    "post_tags": "[boende, hyra]", "post_slug": "forsta", "post_body": "Text med *betoning*.",
    "post_summary": "En sammanfattning.",
}
TEXT_FIELDS = ("site_title", "publisher_name", "post_title", "author_name", "author_role")
URL_FIELDS = ("site_url", "site_unsubscribe_url", "publisher_url", "author_url")
EMAIL_FIELDS = ("site_email", "author_email")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text`: JSON's escapes are YAML's,
    but YAML folds raw line separators and takes no surrogate pairs, so those are
    written as YAML's own escapes and the rest is left as UTF-8."""
    body = json.dumps(text, ensure_ascii=False)
    return body.replace("\u2028", "\\L").replace("\u2029", "\\P").replace("\x85", "\\N")


def registry(**values: str) -> bytes:
    return BASE.format(**{**GOOD, **values}).encode("utf-8")


# Values no field of its kind may take: the loader refuses them with a location.
BAD_TEXT = {
    "crlf": quoted("A\r\nBcc: victim@example.org"), "lf": quoted("A\nB"),
    "line-separator": quoted("A\u2028B"), "next-line": quoted("A\u0085B"),
    "control": quoted("A\u0001B"), "escape": quoted("A\u001bB"), "del": quoted("A\u007fB"),
    "too-long": "x" * 1200, "list": "[a, b]", "mapping": "{a: b}", "empty": '""',
    "surrogate": '"\\ud83c"', "bom-inside": quoted("A\ufeffB\ufffe"),
}
BAD_URL = {
    "no-scheme": "e.se/dagbok/", "javascript": quoted("javascript:alert(1)"),
    "quote-tag": quoted('https://e.se/"><script>alert(1)</script>'),
    "space": quoted("https://e.se/a b/"), "crlf": quoted("https://e.se/\r\nX: y"),
    "ftp": "ftp://e.se/", "bad-port": "https://e.se:99999/", "bad-ipv6": "https://[::1/",
    "backslash": quoted("https://e.se\\@evil.example/"), "data": quoted("data:text/html,<b>"),
    "too-long": "https://e.se/" + "a" * 2100,
}
BAD_EMAIL = {
    "no-at": "nobody", "two-at": "a@@e.se", "comma": quoted("a,b@e.se"),
    "crlf": quoted("a@e.se\r\nBcc: x@y.z"), "angle": quoted("<a@e.se>"),
    "space": quoted("a b@e.se"), "no-domain-dot": "a@localhost", "quoted": quoted('"a"@e.se'),
}
BAD_DATES = [
    "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+14:00", "0001-01-01",
    "2020-01-01T10:00+99:00", "2020-01-01T10:00+2500", "4 Feb 2020 12:00 EST",
    "111111111111", "6/2/2020", "31 februari 2020", "2020-03-29T02:30", "igår",
    "2020-02-06 Mars/Olympus", "9999-12-31T23:59:59", "-1", "1e9", "[2020, 1, 1]",
    "1" * 5000, "1" * 20, "2020-02-06" + "0" * 40, "٢٠٢٠-٠٢-٠٦", "6 feb 2020 2021",
    "6 februari 2020 " + "9" * 30,
]
BAD_OTHER = [
    ("site_language", "svenska"), ("site_language", "x" * 40), ("site_timezone", "Europe/Nowhere"),
    ("site_timezone", "A" * 300), ("site_timezone", quoted("../../../etc/passwd")),
    ("excerpt_length", "0"), ("excerpt_length", "-5"), ("excerpt_length", "1" * 5000),
    ("excerpt_length", "lots"), ("excerpt_suffix", "'" + "." * 300 + "'"),
    ("post_slug", quoted("../../etc")), ("post_slug", "Stora Bokstäver"),
    ("post_slug", quoted("a/b")), ("post_tags", "[" + ", ".join(f"t{i}" for i in range(60)) + "]"),
    ("post_tags", "[[a], {b: c}]"), ("post_body", "'" + "x" * 1_000_100 + "'"),
    ("post_summary", "'" + "y" * 12_000 + "'"),
]
# YAML that is broken as a whole.
BAD_DOCUMENTS = {
    "deep-block": b"site:\n" + b"".join(b"  " * i + b"a:\n" for i in range(1, 200)) + b"posts:\n",
    "deep-flow": b"site: " + b"[" * 900 + b"]" * 900 + b"\nposts: []\n",
    "deep-posts": registry(post_tags="[" * 100 + "a" + "]" * 100),
    "alias-bomb": (b"site: {title: T, url: 'https://e.se/'}\nposts:\n"
                   b"  - {title: a, date: 2020-01-01, author: A, body: &b '"
                   + b"x" * 1_000_000 + b"'}\n"
                   + b"".join(b"  - {title: a%d, date: 2020-01-01, author: A, body: *b}\n" % i
                              for i in range(1, 30))),
    "undefined-alias": b"site: *nowhere\nposts: []\n",
    "two-documents": registry() + b"---\nsite: {}\n",
    "duplicate-keys": registry().replace(b"posts:", b"site: {title: x}\nposts:", 1),
    "tab-indent": b"site:\n\ttitle: T\nposts: []\n",
    "not-utf8": registry().replace(b"Dagboken", b"Dagb\xf6ken"),
    "utf16": registry().decode("utf-8").encode("utf-16"),
    "nul": registry().replace(b"Dagboken", b"Dag\x00boken"),
    "empty": b"", "only-comment": b"# nothing\n", "scalar": b"just text\n",
    "list-top": b"- a\n- b\n", "garbage": bytes(range(256)) * 4,
    "no-posts": b"site: {title: T, url: 'https://e.se/'}\n",
    "binary-tag": registry(post_body="!!binary aGVq"),
    "python-tag": registry(post_body="!!python/object/apply:os.system ['true']"),
}

# Values that are valid but hostile: they must come out as text, never as markup.
NASTY = [
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "]]><x>", "&amp;&lt;&#0;",
    "{{ 7*7 }} {% raw %}", "%s%n%x", "=?utf-8?q?A=0D=0AB?=", "\u202eevil\u202c", "🎉 emoji",
    "Bcc: victim@example.org", "javascript:alert(1)", "'\"`;--", "C:\\con\\aux",
]


def registries() -> Iterator[Case]:
    """Every hostile registry, named by field and payload."""
    for field in TEXT_FIELDS:
        for name, value in BAD_TEXT.items():
            if name == "empty" and field == "author_role":  # optional: empty is fine
                continue
            yield f"{field}-{name}", registry(**{field: value}), "refused"
    for field in URL_FIELDS:
        for name, value in BAD_URL.items():
            yield f"{field}-{name}", registry(**{field: value}), "refused"
    for field in EMAIL_FIELDS:
        for name, value in BAD_EMAIL.items():
            yield f"{field}-{name}", registry(**{field: value}), "refused"
    for index, value in enumerate(BAD_DATES):
        yield f"post_date-{index}", registry(post_date=quoted(value)), "refused"
    for index, (field, value) in enumerate(BAD_OTHER):
        yield f"{field}-other-{index}", registry(**{field: value}), "refused"
    for name, data in BAD_DOCUMENTS.items():
        yield f"document-{name}", data, "refused"
    for index, text in enumerate(NASTY):
        values = {field: quoted(text) for field in TEXT_FIELDS}
        values.update(site_subtitle=quoted(text), site_about=quoted(text),
                      excerpt_suffix=quoted(text[:20]), post_summary=quoted(text),
                      post_tags=f"[{quoted(text)}, {quoted('../' + text)}]",
                      post_body=quoted(f"{text}\n\n[link](javascript:alert(1)) `{text}` "
                                       f"<a href='javascript:x'>a</a> {text}"))
        yield f"nasty-{index}", registry(**values), "built"
    yield "posts-empty", b"site: {title: T, url: 'https://e.se/'}\nposts: []\n", "built"
    yield "idn-site", registry(site_url="https://exämple.se/dagbök/",
                               site_email="info@exämple.se"), "built"


# Feeds for `feedkit validate`: each must be judged (exit 0, 1 or 2), never crash.
ATOM = (b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<id>tag:e.se,2020:f</id><title>T</title><updated>2020-01-01T00:00:00Z</updated>"
        b"%s</feed>\n")
RSS = (b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>'
       b"<link>https://e.se/</link><description>D</description>%s</channel></rss>\n")


def feeds() -> Iterator[tuple[str, bytes, str]]:
    """(name, bytes, suffix) of hostile feed files."""
    laughs = b"".join(b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;">' % (i, i - 1, i - 1, i - 1, i - 1)
                      for i in range(1, 12))
    yield "billion-laughs", (b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY l0 "lol">'
                             + laughs + b']><feed>&l11;</feed>'), ".xml"
    yield "xxe-file", (b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM '
                       b'"file:///etc/passwd">]><rss version="2.0"><channel>&x;</channel>'
                       b"</rss>"), ".xml"
    yield "xxe-http", (b'<!DOCTYPE f SYSTEM "http://127.0.0.1:9/evil.dtd"><feed '
                       b'xmlns="http://www.w3.org/2005/Atom">&e;</feed>'), ".xml"
    yield "pi-in-subset", (b'<?xml version="1.0"?><!DOCTYPE x [<?pad ]><!-- ?><!ENTITY a '
                           b'"&#38;a;&#38;a;">]><feed>&a;</feed>'), ".xml"
    yield "comment-in-subset", b'<!DOCTYPE x [<!-- ]> --><!ENTITY a "b">]><feed>&a;</feed>', \
        ".xml"
    yield "quote-in-subset", (b"<!DOCTYPE x [<!ATTLIST a b CDATA ']>'><!ENTITY c 'd'>]>"
                              b"<rss>&c;</rss>"), ".xml"
    yield "deep-xml", ATOM % (b"<x>" * 5000 + b"</x>" * 5000), ".xml"
    yield "huge-attribute", ATOM % (b'<link href="' + b"a" * 2_000_000 + b'"/>'), ".xml"
    yield "not-utf8", ATOM % b"<title>\xff\xfe</title>", ".xml"
    yield "utf16-bom", (ATOM % b"").decode("utf-8").replace("utf-8", "utf-16").encode("utf-16"), \
        ".xml"
    yield "truncated", (ATOM % b"<entry><id>x")[:-20], ".xml"
    yield "nul", ATOM % b"<title>a\x00b</title>", ".xml"
    yield "script-description", RSS % (b"<item><title>t</title><description>&lt;script&gt;"
                                       b"alert(1)&lt;/script&gt;</description></item>"), ".xml"
    yield "onerror-content", ATOM % (b'<entry><id>tag:e.se,2020:1</id><title>t</title>'
                                     b"<updated>2020-01-01T00:00:00Z</updated><author><name>a"
                                     b'</name></author><content type="html">&lt;img src=x '
                                     b"onerror=alert(1)&gt;</content></entry>"), ".xml"
    yield "javascript-link", ATOM % b'<link href="javascript:alert(1)"/>', ".xml"
    yield "many-entries-same-id", ATOM % (b"<entry><id>x</id></entry>" * 3000), ".xml"
    yield "control-in-text", RSS % b"<item><title>a&#1;b</title></item>", ".xml"
    yield "empty-file", b"", ".xml"
    yield "whitespace-only", b"   \n\n", ".xml"
    yield "html-page", b"<!doctype html><html><body>hi</body></html>", ".xml"
    yield "json-huge-number", b'{"version": "https://jsonfeed.org/version/1.1", "title": ' \
        + b"1" * 5000 + b', "items": []}', ".json"
    yield "json-deep", b"[" * 100_000 + b"]" * 100_000, ".json"
    yield "json-nan", b'{"version": "https://jsonfeed.org/version/1.1", "title": NaN, ' \
        b'"items": []}', ".json"
    yield "json-duplicate-keys", b'{"version": 1, "version": 2, "items": [], "items": {}}', \
        ".json"
    yield "json-lone-surrogate", b'{"version": "https://jsonfeed.org/version/1.1", ' \
        b'"title": "\\ud83c", "items": [{"id": "\\udfff"}]}', ".json"
    yield "json-not-utf8", b'{"title": "\xff"}', ".json"
    yield "json-items-not-list", b'{"version": "https://jsonfeed.org/version/1.1", ' \
        b'"title": "t", "items": "x"}', ".json"
    yield "json-script", b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", ' \
        b'"items": [{"id": "1", "content_html": "<script>x</script>"}]}', ".json"
    yield "json-array-top", b"[1, 2, 3]", ".json"
    yield "json-truncated", b'{"version": "https://jsonfeed.org/version/1.1", "items": [', \
        ".json"
    yield "rss-09", b'<rss version="0.91"><channel><title>t</title></channel></rss>', ".xml"
