"""Comparing a feed with the one last published: changed ids and vanished entries.

Both mistakes make subscribers' readers show posts twice or lose them, and no
single-document check can see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .common import rfc822, rfc3339
from .messages import Message
from .rules import severity

MAX_BYTES = 64 * 1024 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"


class PreviousError(Exception):
    """The previous feed could not be fetched or read."""


@dataclass(frozen=True, slots=True)
class Entry:
    """What identifies an entry across versions of a feed."""

    id: str
    title: str
    link: str
    published: datetime | None
    line: int


@dataclass(frozen=True, slots=True)
class Change:
    """'renamed' (old and new are the same post under two ids) or 'vanished' (new is None)."""

    kind: str
    old: Entry
    new: Entry | None


def fetch(source: str) -> bytes:
    """The bytes of a file, or of an http(s) URL (10 s timeout, size-capped)."""
    if source.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(source, headers={"User-Agent": "feedkit-validate"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                data: bytes = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise PreviousError(f"can't fetch {source}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise PreviousError(f"can't fetch {source}: {reason}") from None
        if len(data) > MAX_BYTES:
            raise PreviousError(f"{source} is larger than {MAX_BYTES // 2**20} MB")
        return data
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise PreviousError(f"can't read {source}: {exc.strerror}") from None


def entries(data: bytes, source: str) -> list[Entry]:
    """The entries of an Atom, RSS or JSON feed, in document order."""
    from .sniff import detect

    kind = detect(data[:65536])
    if kind == "json":
        return _json_entries(data, source)
    if kind in ("atom", "rss"):
        return _xml_entries(data, source, kind)
    raise PreviousError(f"{source} is not an Atom, RSS or JSON feed")


def _xml_entries(data: bytes, source: str, kind: str) -> list[Entry]:
    from lxml import etree

    from .xmlsafe import parse_bytes, refuse_entities

    try:
        refuse_entities(data[:65536])
        root = parse_bytes(data)
    except etree.XMLSyntaxError as exc:
        raise PreviousError(f"{source} is not well-formed XML: {exc}") from None
    except ValueError as exc:
        raise PreviousError(f"{source}: {exc}") from None
    found = []
    if kind == "atom":
        for entry in root.iter(f"{ATOM}entry"):
            links = [link for link in entry.findall(f"{ATOM}link")
                     if link.get("rel", "alternate") == "alternate"]
            published = entry.findtext(f"{ATOM}published") or entry.findtext(f"{ATOM}updated")
            found.append(Entry(
                id=(entry.findtext(f"{ATOM}id") or "").strip(),
                title=(entry.findtext(f"{ATOM}title") or "").strip(),
                link=links[0].get("href", "") if links else "",
                published=rfc3339((published or "").strip()), line=entry.sourceline or 1,
            ))
    else:
        for item in root.iter("item"):
            link = (item.findtext("link") or "").strip()
            found.append(Entry(
                id=(item.findtext("guid") or "").strip() or link,
                title=(item.findtext("title") or "").strip(), link=link,
                published=rfc822((item.findtext("pubDate") or "").strip()),
                line=item.sourceline or 1,
            ))
    return found


def _json_entries(data: bytes, source: str) -> list[Entry]:
    from .jsonpos import JsonSyntax, loads

    try:
        feed, where = loads(data.decode("utf-8-sig"))
    except (JsonSyntax, UnicodeDecodeError) as exc:
        raise PreviousError(f"{source} is not valid JSON: {exc}") from None
    items = feed.get("items") if isinstance(feed, dict) else None
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        date = item.get("date_published")
        found.append(Entry(
            id=str(item.get("id", "")), title=str(item.get("title", "")).strip(),
            link=str(item.get("url", "")),
            published=rfc3339(date) if isinstance(date, str) else None,
            line=where.where(("items", index))[0],
        ))
    return found


def compare(current: list[Entry], previous: list[Entry]) -> list[Change]:
    """Entries of `previous` that now carry another id, or are gone inside the window."""
    now_ids = {e.id for e in current}
    old_ids = {e.id for e in previous}
    gone = [e for e in previous if e.id not in now_ids]
    added = [e for e in current if e.id not in old_ids]
    changes = []
    unmatched = []
    for old in gone:
        new = _partner(old, added)
        if new is not None:
            added.remove(new)
            changes.append(Change("renamed", old, new))
        else:
            unmatched.append(old)
    dates = [e.published for e in current if e.published is not None]
    oldest = min(dates) if dates else None
    shrunk = len(current) < len(previous)
    for old in unmatched:
        inside = (shrunk or oldest is None or old.published is None
                  or old.published >= oldest)
        if inside:
            changes.append(Change("vanished", old, None))
    return changes


def _partner(old: Entry, added: list[Entry]) -> Entry | None:
    """The new entry that is the same post as `old`: same title, else same date and link."""
    for new in added:
        if old.title and new.title == old.title:
            return new
    for new in added:
        if old.published is not None and new.published == old.published:
            return new
    return None


def change_message(change: Change, path: str, line: int, source: str) -> Message:
    """A message about one change, placed at `line` of `path`."""
    old = change.old
    if change.kind == "renamed":
        assert change.new is not None
        rule = "previous-id-changed"
        text = (f"'{old.title}' had id '{old.id}' in {source} and now has '{change.new.id}' "
                f"(a renamed slug?); readers will show it twice. Keep the old id "
                f"(set id: {old.id} on the post)")
    else:
        rule = "previous-entry-vanished"
        text = (f"'{old.title}' (id '{old.id}') is in {source} but no longer in this feed, "
                "though newer than its oldest entry; was it deleted on purpose?")
    return Message(path, line, 1, severity(rule), rule, text)


def unreadable_message(path: str, error: Exception) -> Message:
    return Message(path, 1, 1, severity("previous-unreadable"), "previous-unreadable",
                   f"--previous: {error}")


def compare_feed_files(path: Path, shown: str, source: str) -> list[Message]:
    """Messages for the feed at `path` compared with the previous one at `source`."""
    try:
        old = entries(fetch(source), source)
        new = entries(path.read_bytes(), shown)
    except (PreviousError, OSError) as exc:
        return [unreadable_message(shown, exc)]
    messages = []
    for change in compare(new, old):
        line = change.new.line if change.new is not None else 1
        messages.append(change_message(change, shown, line, source))
    return messages

