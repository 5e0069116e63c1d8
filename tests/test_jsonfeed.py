"""JSON Feed 1.1: fixed key order, raw UTF-8, the same ids as Atom and RSS."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from registry_factory import SITE_URL, render_one, write_registry

from feedkit.jobs.build import render
from feedkit.writers.feeds import AtomWriter, JsonFeedWriter, Rss2Writer

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def feed_json(registry: Path) -> bytes:
    return render_one(registry, JsonFeedWriter(), "feed.json", NOW)


def test_example_feed_json_matches_golden(example_registry: Path, golden):
    golden("example/feed.json", feed_json(example_registry))


def test_the_three_formats_hold_the_same_ids(example_registry: Path):
    _, outputs = render(example_registry, now=NOW,
                        writers=[AtomWriter(), Rss2Writer(), JsonFeedWriter()])
    atom = [e.id for e in feedparser.parse(outputs.files["atom.xml"]).entries]
    rss = [e.id for e in feedparser.parse(outputs.files["rss.xml"]).entries]
    items = json.loads(outputs.files["feed.json"])["items"]
    assert atom == rss == [item["id"] for item in items]
    assert len(atom) == 5  # the example registry holds five posts


def test_document_shape(tmp_path: Path):
    registry = write_registry(tmp_path, 2, tags=lambda i: ["på svenska"],
                              hub="https://hub.example.net/")
    data = feed_json(registry)
    assert data.endswith(b"}\n")
    assert "på svenska".encode() in data  # not \u00e5
    feed = json.loads(data)
    assert list(feed)[:4] == ["version", "title", "home_page_url", "feed_url"]
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == SITE_URL + "feed.json"
    assert feed["home_page_url"] == SITE_URL
    assert feed["language"] == "sv"
    assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]
    newest = feed["items"][0]
    assert newest["title"] == "Inlägg nummer 1"
    assert newest["date_published"] == "2021-01-01T01:00:00+01:00"
    assert newest["date_modified"] == "2021-01-01T01:00:00+01:00"
    assert newest["authors"] == [{"name": "Bo Ek"}]
    assert newest["tags"] == ["på svenska"]
    assert newest["language"] == "sv"
    assert newest["content_html"].startswith("<p>Text för <strong>inlägg 1</strong>")
    assert newest["summary"] == "Text för inlägg 1 med en länk."


def test_summary_only_posts_carry_content_text(example_registry: Path):
    items = json.loads(feed_json(example_registry))["items"]
    first = items[0]
    assert "content_html" not in first
    assert first["content_text"] == first["summary"]
