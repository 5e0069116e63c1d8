"""RFC 5005 archives: the prev-archive chain holds every post once; full pages never change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from registry_factory import SITE_URL, write_registry

from feedkit.jobs.build import build
from feedkit.load.registry import load
from feedkit.writers.archive import archive_pages

NOW = datetime(2030, 1, 1, tzinfo=UTC)
FH = "{http://purl.org/syndication/history/1.0}"
ATOM = "{http://www.w3.org/2005/Atom}"
OPTIONS = {"feed_entries": 5, "archive_page_size": 10}


def local(out: Path, url: str) -> Path:
    assert url.startswith(SITE_URL), url
    return out / url[len(SITE_URL):]


def links(data: bytes) -> dict[str, str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}


def walk_chain(out: Path) -> list[str]:
    """Entry ids from atom.xml, then from each prev-archive document in turn."""
    ids: list[str] = []
    seen: set[Path] = set()
    path = out / "atom.xml"
    while True:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, parsed.bozo_exception
        ids += [entry.id for entry in parsed.entries]
        previous = links(path.read_bytes()).get("prev-archive")
        if previous is None:
            return ids
        path = local(out, previous)
        assert path not in seen, f"the chain loops at {path}"
        seen.add(path)


@pytest.mark.parametrize("n_posts", [3, 5, 6, 15, 25, 130])
def test_prev_archive_chain_collects_every_post_exactly_once(tmp_path: Path, n_posts: int):
    registry = write_registry(tmp_path, n_posts, options=OPTIONS)
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    ids = walk_chain(out)
    assert len(ids) == len(set(ids)) == n_posts
    assert set(ids) == {p.id for p in load(registry).posts}


def test_pages_are_oldest_first_with_history_links(tmp_path: Path):
    registry = write_registry(tmp_path, 130, options=OPTIONS)  # 125 archived: 12 full + 5
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    pages = sorted((out / "archive").glob("*.xml"), key=lambda p: int(p.stem))
    assert [p.name for p in pages] == [f"{n}.xml" for n in range(1, 14)]
    first = feedparser.parse((out / "archive/1.xml").read_bytes())
    assert [e.title for e in first.entries] == [f"Inlägg nummer {i}" for i in range(9, -1, -1)]
    for number, page in enumerate(pages, start=1):
        data = page.read_bytes()
        root = etree.fromstring(data)
        assert root.find(f"{FH}archive") is not None
        assert root.find(f"{FH}complete") is None
        rels = links(data)
        assert rels["self"] == f"{SITE_URL}archive/{number}.xml"
        assert rels["current"] == f"{SITE_URL}atom.xml"
        assert ("prev-archive" in rels) == (number > 1)
        assert ("next-archive" in rels) == (number < 13)
        assert len(root.findall(f"{ATOM}entry")) == (10 if number < 13 else 5)
    main = (out / "atom.xml").read_bytes()
    assert etree.fromstring(main).find(f"{FH}archive") is None
    assert etree.fromstring(main).find(f"{FH}complete") is None
    assert links(main)["prev-archive"] == f"{SITE_URL}archive/13.xml"


def test_a_full_last_page_links_to_the_next_one_which_exists(tmp_path: Path):
    registry = write_registry(tmp_path, 25, options=OPTIONS)  # 20 archived: two full pages
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    assert links((out / "atom.xml").read_bytes())["prev-archive"] == f"{SITE_URL}archive/2.xml"
    assert links((out / "archive/2.xml").read_bytes())["next-archive"] == \
        f"{SITE_URL}archive/3.xml"
    empty = (out / "archive/3.xml").read_bytes()
    assert feedparser.parse(empty).entries == []
    assert links(empty)["prev-archive"] == f"{SITE_URL}archive/2.xml"


def test_full_pages_keep_their_bytes_on_rebuild_and_when_posts_are_added(tmp_path: Path):
    out = tmp_path / "out"
    registry = write_registry(tmp_path, 47, options=OPTIONS)  # 42 archived: 4 full + 2
    build(registry, out, now=NOW)
    before = {p.name: p.read_bytes() for p in (out / "archive").glob("*.xml")}
    assert build(registry, out, now=NOW).changed == ()
    for added in (1, 8, 9, 40):
        write_registry(tmp_path, 47 + added, options=OPTIONS)
        build(registry, out, now=NOW)
        for number in range(1, 5):
            name = f"{number}.xml"
            assert (out / "archive" / name).read_bytes() == before[name], (added, name)
        assert len(walk_chain(out)) == 47 + added


def test_future_posts_are_not_archived(tmp_path: Path):
    registry = write_registry(tmp_path, 30, options=OPTIONS)
    out = tmp_path / "out"
    cutoff = load(registry).posts[10].published  # 20 posts visible
    build(registry, out, now=cutoff)
    ids = walk_chain(out)
    assert len(ids) == len(set(ids)) == 20


def test_archive_pages_split_only_posts_older_than_the_main_feed():
    posts = list(range(23, 0, -1))  # stand-ins, newest first
    pages = archive_pages(posts, 5, 10)  # type: ignore[arg-type]
    assert [p.posts for p in pages] == [
        tuple(range(10, 0, -1)), tuple(range(18, 10, -1)),
    ]
    assert [p.full for p in pages] == [True, False]
    assert archive_pages(posts[:5], 5, 10) == []  # type: ignore[arg-type]
