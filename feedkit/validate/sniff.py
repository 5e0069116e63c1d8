"""What kind of document a file is, from its first bytes: Atom, RSS, JSON Feed or other.

Used to pick a checker, and to skip files given on the command line that are not
feeds at all (a site's package.json, a sitemap.xml).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .xmlsafe import PrologCut, walk_prolog

HEAD_BYTES = 65536
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_JSON_VERSION = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')


def _text(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "replace").encode("utf-8")
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def detect(head: bytes) -> str:
    """'atom', 'rss', 'rdf' (RSS 1.0 or 0.90), 'json' or 'unknown', from the first bytes
    of a document."""
    text = _text(head)
    if text.startswith((b"{", b"[")):
        return "json"
    if not text.startswith(b"<"):
        return "unknown"
    try:
        start = walk_prolog(text)[0]
    except PrologCut:
        # A prolog too long for the head: let the XML checks judge (and refuse) it.
        return "atom"
    match = _ROOT.match(text, start)
    if not match:
        return "unknown"
    name = match.group(2)
    if name in (b"feed", b"entry"):
        return "atom"
    if name == b"rss":
        return "rss"
    if name == b"RDF":
        return "rdf"
    return "unknown"


def is_json_feed(head: bytes) -> bool:
    """Whether a JSON document says it is a JSON Feed (its version is a jsonfeed.org URL).

    The head may be cut short; a whole small document is parsed to be sure the
    version belongs to the top-level object.
    """
    text = _text(head)
    if not _JSON_VERSION.search(text):
        return False
    if len(head) >= HEAD_BYTES:
        return True  # too long to parse here; the checker will say what is wrong
    try:
        data = json.loads(text.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return True  # malformed, but it names the JSON Feed version: check it
    return isinstance(data, dict) and isinstance(data.get("version"), str)


def feed_kind(path: Path) -> str | None:
    """'atom', 'rss', 'rdf' or 'json' when the file at `path` is a feed; None for others.

    Raises OSError when the file can't be read.
    """
    return sniff(path)[0]


def sniff(path: Path) -> tuple[str | None, str]:
    """The kind of feed the file at `path` is (None: not a feed), and if not, why not.

    Raises OSError when the file can't be read.
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    kind = detect(head)
    if kind == "json":
        if is_json_feed(head):
            return "json", ""
        return None, "JSON, but not a JSON Feed (its version is not a jsonfeed.org URL)"
    if kind != "unknown":
        return kind, ""
    return None, _not_a_feed(head)


def _not_a_feed(head: bytes) -> str:
    """Why a document `detect` calls unknown is not a feed, in a few words."""
    text = _text(head)
    if not text:
        return "empty"
    if not text.startswith(b"<"):
        return "neither XML nor JSON"
    try:
        start = walk_prolog(text)[0]
    except PrologCut:  # (detect calls that Atom)
        return "XML whose prolog is too long to look past"
    match = _ROOT.match(text, start)
    if not match:
        return "XML without a root element"
    root = match.group().decode("utf-8", "replace")[1:]
    return f"XML whose root element is <{root}>, not <feed>, <rss> or <rdf:RDF>"
