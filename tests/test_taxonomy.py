"""Per-tag and per-author feeds: own self link and id, the right posts, nothing outside out/."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from registry_factory import SITE_URL, write_registry

from feedkit.jobs.build import build
from feedkit.writers.slugs import short_hash

NOW = datetime(2030, 1, 1, tzinfo=UTC)
HOSTILE = ["../../etc", "CON", "🎉", "C++", "C#", "<b>fet</b>", "a/b", ".."]


def hostile_tags(i: int) -> list[str]:
    return [HOSTILE[i % len(HOSTILE)], HOSTILE[(i + 3) % len(HOSTILE)]]


def test_hostile_tags_stay_inside_out(tmp_path: Path):
    registry = write_registry(tmp_path, 16, tags=hostile_tags)
    out = tmp_path / "work" / "out"
    result = build(registry, out, now=NOW)
    root = out.resolve()
    written = [p for p in tmp_path.rglob("*")
               if p.is_file() and ".feedkit" not in p.relative_to(tmp_path).parts
               and p.name not in ("posts.yaml", "posts.lock", ".feedkit-manifest")]
    assert written and all(p.resolve().is_relative_to(root) for p in written)
    tags = sorted(p.relative_to(out).parent.name for p in (out / "tags").glob("*/atom.xml"))
    assert tags == sorted([
        "etc", f"con-{short_hash('CON')}", f"tag-{short_hash('🎉')}", "c",
        f"c-{short_hash('C#')}", "b-fet-b", "a-b", f"tag-{short_hash('..')}",
    ])
    assert len(result.paths) == len(set(result.paths)) == len(written)


def test_each_tag_feed_holds_the_posts_with_that_tag(tmp_path: Path):
    registry = write_registry(tmp_path, 16, tags=hostile_tags)
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    feed = feedparser.parse((out / "tags/c/atom.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Testblogg: C++"
    assert feed.feed.id == SITE_URL + "tags/c/atom.xml"
    assert {link.rel: link.href for link in feed.feed.links}["self"] == \
        SITE_URL + "tags/c/atom.xml"
    expected = [f"Inlägg nummer {i}" for i in range(15, -1, -1) if "C++" in hostile_tags(i)]
    assert [e.title for e in feed.entries] == expected
    for entry in feed.entries:
        assert "C++" in [t.term for t in entry.tags]
    rss = feedparser.parse((out / "tags/c/rss.xml").read_bytes())
    jsonfeed = json.loads((out / "tags/c/feed.json").read_bytes())
    assert [e.id for e in rss.entries] == [e.id for e in feed.entries] == \
        [item["id"] for item in jsonfeed["items"]]
    assert jsonfeed["feed_url"] == SITE_URL + "tags/c/feed.json"


def test_author_feeds(tmp_path: Path):
    registry = write_registry(tmp_path, 9)
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    assert sorted(p.name for p in (out / "authors").iterdir()) == \
        ["asa-oberg", "bo-ek", "cecilia-lind"]
    feed = feedparser.parse((out / "authors/asa-oberg/atom.xml").read_bytes())
    assert feed.feed.title == "Testblogg: Åsa Öberg"
    assert [e.title for e in feed.entries] == ["Inlägg nummer 6", "Inlägg nummer 3",
                                               "Inlägg nummer 0"]
    assert all(e.author == "Åsa Öberg" for e in feed.entries)


def test_every_feed_is_limited_and_ids_are_distinct(tmp_path: Path):
    registry = write_registry(tmp_path, 30, tags=lambda i: ["alla"],
                              options={"feed_entries": 4})
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    ids = set()
    for path in out.rglob("atom.xml"):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        assert len(feed.entries) == 4
        ids.add(feed.feed.id)
    assert len(ids) == 1 + 1 + 3


def test_tag_paths_are_stable_when_look_alikes_arrive_later(tmp_path: Path):
    out = tmp_path / "out"
    registry = write_registry(tmp_path, 4, tags=lambda i: ["C++"])
    build(registry, out, now=NOW)
    before = (out / "tags/c/atom.xml").read_bytes()
    write_registry(tmp_path, 4, tags=lambda i: ["C++"])
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + "  - {title: Ny, date: 2022-01-01, author: X, body: b, "
                        "tags: ['C#']}\n", encoding="utf-8")
    build(registry, out, now=NOW)
    assert (out / "tags/c/atom.xml").read_bytes() == before
    assert (out / f"tags/c-{short_hash('C#')}/atom.xml").exists()
