"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): fields, types, ids, dates, URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .common import is_future, is_http_url, rfc3339
from .jsonpos import JsonSyntax, Located, Path_, loads
from .messages import Collector

VERSION_11 = "https://jsonfeed.org/version/1.1"
VERSION_1 = "https://jsonfeed.org/version/1"
FEED_URLS = ("home_page_url", "feed_url", "next_url", "icon", "favicon")
ITEM_URLS = ("url", "external_url", "image", "banner_image")
FEED_STRINGS = ("version", "title", "description", "user_comment", "language", *FEED_URLS)
ITEM_STRINGS = ("url", "external_url", "title", "content_html", "content_text", "summary",
                "image", "banner_image", "date_published", "date_modified", "language")


def check_jsonfeed(data: bytes, out: Collector, *, now: datetime) -> None:
    """Check a JSON Feed document held in `data`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.add("json-malformed", 1, f"not UTF-8 (byte {exc.start}); JSON Feed is UTF-8")
        return
    try:
        feed, where = loads(text)
    except JsonSyntax as exc:
        line, column = Located(text).line_col(exc.offset)
        out.add("json-malformed", line, f"not valid JSON: {exc.message}", column=column)
        return
    _Checker(out, where, now).feed(feed)


class _Checker:
    def __init__(self, out: Collector, where: Located, now: datetime) -> None:
        self.out = out
        self.where = where
        self.now = now

    def add(self, rule: str, path: Path_, message: str) -> None:
        line, column = self.where.where(path)
        self.out.add(rule, line, message, column=column)

    def feed(self, feed: Any) -> None:
        if not isinstance(feed, dict):
            self.add("jsonfeed-wrong-type", (), "a JSON Feed is an object ({...}) at the top")
            return
        version = feed.get("version")
        if version == VERSION_1:
            self.add("jsonfeed-old-version", ("version",),
                     f"version is {VERSION_1}; JSON Feed 1.1 is {VERSION_11}")
        elif version != VERSION_11:
            self.add("jsonfeed-version", ("version",) if "version" in feed else (),
                     f"version must be \"{VERSION_11}\"")
        self._strings(feed, (), FEED_STRINGS)
        if not (isinstance(feed.get("title"), str) and feed["title"].strip()):
            self.add("jsonfeed-missing-title", ("title",), "the feed needs a non-empty title")
        for key in FEED_URLS:
            self._url(feed, (), key)
        if "feed_url" not in feed:
            self.add("jsonfeed-missing-feed-url", (),
                     "no feed_url: give the feed's own URL so readers can follow moves")
        self._authors(feed, ())
        items = feed.get("items")
        if not isinstance(items, list):
            rule = "jsonfeed-missing-items" if items is None else "jsonfeed-wrong-type"
            self.add(rule, ("items",), "the feed needs an items array ([] when empty)")
            return
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            self.item(item, ("items", index), seen)

    def item(self, item: Any, path: Path_, seen: dict[str, int]) -> None:
        if not isinstance(item, dict):
            self.add("jsonfeed-wrong-type", path, "each item is an object ({...})")
            return
        item_id = item.get("id")
        if item_id is None or item_id == "":
            self.add("jsonfeed-item-missing-id", path, "the item has no id; give it a "
                     "unique, unchanging id (such as its permalink)")
        elif not isinstance(item_id, str | int) or isinstance(item_id, bool):
            self.add("jsonfeed-wrong-type", (*path, "id"), "id must be a string")
        else:
            key = str(item_id)
            if key in seen:
                line = self.where.where(("items", seen[key]))[0]
                self.add("jsonfeed-duplicate-id", (*path, "id"),
                         f"id '{key}' is also used by the item on line {line}")
            else:
                seen[key] = path[-1]  # type: ignore[assignment]
        self._strings(item, path, ITEM_STRINGS)
        if not any(isinstance(item.get(k), str) for k in ("content_html", "content_text")):
            self.add("jsonfeed-item-missing-content", path,
                     "the item needs content_html or content_text (or both)")
        for key in ITEM_URLS:
            self._url(item, path, key)
        for key in ("date_published", "date_modified"):
            value = item.get(key)
            if isinstance(value, str):
                moment = rfc3339(value)
                if moment is None:
                    self.add("jsonfeed-bad-date", (*path, key),
                             f"{key} '{value}' is not RFC 3339; write it like "
                             "2020-02-06T09:30:00+01:00")
                elif is_future(moment, self.now):
                    self.add("jsonfeed-future-date", (*path, key),
                             f"{key} {value} is in the future")
        tags = item.get("tags")
        if tags is not None and not (isinstance(tags, list)
                                     and all(isinstance(t, str) for t in tags)):
            self.add("jsonfeed-wrong-type", (*path, "tags"), "tags must be a list of strings")
        self._authors(item, path)
        attachments = item.get("attachments")
        if attachments is not None:
            if not isinstance(attachments, list):
                self.add("jsonfeed-wrong-type", (*path, "attachments"),
                         "attachments must be a list")
                return
            for index, attachment in enumerate(attachments):
                self._attachment(attachment, (*path, "attachments", index))

    def _strings(self, obj: dict[str, Any], path: Path_, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key in obj and not isinstance(obj[key], str):
                self.add("jsonfeed-wrong-type", (*path, key), f"{key} must be a string")

    def _url(self, obj: dict[str, Any], path: Path_, key: str) -> None:
        value = obj.get(key)
        if isinstance(value, str) and not is_http_url(value):
            self.add("jsonfeed-relative-url", (*path, key),
                     f"{key} '{value}' is not an absolute http(s) URL")

    def _authors(self, obj: dict[str, Any], path: Path_) -> None:
        if "author" in obj:
            self.add("jsonfeed-deprecated-author", (*path, "author"),
                     "author is JSON Feed 1.0; 1.1 uses authors: [{...}]")
        authors = obj.get("authors")
        if authors is None:
            return
        if not isinstance(authors, list) or not all(isinstance(a, dict) for a in authors):
            self.add("jsonfeed-wrong-type", (*path, "authors"),
                     "authors must be a list of objects")
            return
        for index, author in enumerate(authors):
            for key in ("url", "avatar"):
                self._url(author, (*path, "authors", index), key)

    def _attachment(self, attachment: Any, path: Path_) -> None:
        if not isinstance(attachment, dict):
            self.add("jsonfeed-wrong-type", path, "each attachment is an object")
            return
        missing = [k for k in ("url", "mime_type") if not isinstance(attachment.get(k), str)]
        if missing:
            self.add("jsonfeed-attachment", path,
                     f"the attachment needs {' and '.join(missing)}")
        self._url(attachment, path, "url")
