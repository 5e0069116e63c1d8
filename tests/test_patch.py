"""Builds that patch the last one (jobs/patch.py, jobs/patchbuild.py): after every kind
of edit, out/ and posts.lock hold byte for byte what a build from nothing writes,
and the edits a patch can vouch for are patched, the others built as always.

Each step edits the registry (or the cache) and builds with `feedkit build`'s
cache; `patched` says which way the build went, and every file of out/ and the
lock are compared with a build of the same registry in a fresh folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from test_incremental import NOW, SITE, edit, files, post

from feedkit.errors import FeedkitError
from feedkit.jobs.build import build
from feedkit.jobs.rebuild import build_cached
from feedkit.jobs.snapshot import load_snapshot, save_snapshot

PLAIN = SITE.replace("    web_digests: week\n", "")


def check(tmp_path: Path, site: Path, step: int, lock: bytes, now: datetime = NOW) -> None:
    """out/ and posts.lock as a whole build of the same registry writes them in a fresh
    folder (no cache), starting from the same lock (`lock`: before the step)."""
    fresh = tmp_path / f"fresh{step}"
    fresh.mkdir()
    shutil.copy(site / "posts.yaml", fresh / "posts.yaml")
    (fresh / "posts.lock").write_bytes(lock)
    build(fresh / "posts.yaml", fresh / "out", now=now)
    assert files(site / "out") == files(fresh / "out"), step
    assert (site / "posts.lock").read_bytes() == (fresh / "posts.lock").read_bytes(), step


def new_site(tmp_path: Path, head: str = PLAIN, count: int = 30) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "posts.yaml").write_text(head + "".join(post(i) for i in range(count, 0, -1)),
                                     "utf-8")
    assert not build_cached(site / "posts.yaml", site / "out", now=NOW).patched
    return site


def with_draft(i: int) -> str:
    return post(i).replace("    body:", "    draft: true\n    body:")


def test_every_edit_is_patched_or_built_and_gives_what_a_build_from_nothing_gives(
        tmp_path: Path) -> None:
    site = new_site(tmp_path)
    registry = site / "posts.yaml"

    def change(old: str, new: str) -> Callable[[], None]:
        return lambda: edit(registry, old, new)

    later = "2031-01-01T10:00"
    steps: list[tuple[str, Callable[[], None], bool]] = [
        ("a post added at the top", change("posts:\n", "posts:\n" + post(31)), True),
        ("the newest post's body", change("Text för inlägg 31,", "Ny text för 31,"), True),
        ("a title in the middle", change("title: Inlägg 17\n", "title: Sjutton\n"), True),
        ("two edits at once", lambda: (edit(registry, "title: Inlägg 20\n", "title: Tjugo\n"),
                                       edit(registry, "inlägg 5,", "inlägg fem,")), True),
        ("a post added at the bottom", lambda: registry.write_text(
            registry.read_text("utf-8") + post(0, date="2021-02-01T08:00"), "utf-8"), True),
        ("a post removed", change(post(12), ""), True),
        ("two posts of the same minute, on top", change("posts:\n", "posts:\n" + post(
            33, date="2021-03-20T12:00") + post(32, date="2021-03-20T12:00")), True),
        ("the two reordered", change(
            post(33, date="2021-03-20T12:00") + post(32, date="2021-03-20T12:00"),
            post(32, date="2021-03-20T12:00") + post(33, date="2021-03-20T12:00")), True),
        ("a draft", change("posts:\n", "posts:\n" + with_draft(40)), True),
        ("the draft published", change(with_draft(40), post(40)), True),
        ("a post for later", change("posts:\n", "posts:\n" + post(41, date=later)), True),
        ("a date moved back", change("date: 2021-03-04T09:00", "date: 2021-03-05T08:30"),
         True),
        ("a title quoted over a list line", change(
            "title: Inlägg 6\n", 'title: "Inlägg 6\n  - title: inte ett inlägg"\n'), True),
        ("a new tag (a feed more on feeds.html)", change(post(9), post(9, tags=("ny tagg",))),
         True),
        ("a new author", change("author: Bo Ek\n    tags: [ny tagg]",
                                "author: Cecilia Ny\n    tags: [ny tagg]"), True),
        ("the new tag and author gone (their feeds removed)",
         change("author: Cecilia Ny\n    tags: [ny tagg]", "author: Bo Ek\n    tags: [bostad]"),
         True),
        ("the next edit is patched again", change("title: Inlägg 3\n", "title: Tre\n"), True),
        ("line breaks YAML counts", change(
            "    body: |\n      Text för inlägg 2,",
            '    summary: "Rad ett\u2028rad två"\n    body: |\n      Text för inlägg 2,'),
         False),
        ("the line breaks gone: read in pieces again", change(
            '    summary: "Rad ett\u2028rad två"\n', ""), False),
        ("the site's options", change("feed_entries: 5", "feed_entries: 6"), False),
        ("an anchor: read whole", change("author: Bo Ek\n", "author: &bo Bo Ek\n"), False),
        ("the anchor gone: read in pieces again", change("author: &bo Bo Ek\n",
                                                         "author: Bo Ek\n"), False),
        ("patched again", change("title: Inlägg 4\n", "title: Fyra\n"), True),
    ]
    for number, (name, step, patched) in enumerate(steps, start=1):
        lock = (site / "posts.lock").read_bytes()
        step()
        done = build_cached(registry, site / "out", now=NOW)
        assert done.patched == patched, name
        check(tmp_path, site, number, lock)


def test_a_later_now_publishes_the_post_for_later_and_locks_it(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    site = new_site(tmp_path)
    registry = site / "posts.yaml"
    edit(registry, "posts:\n", "posts:\n" + post(41, date="2031-01-01T10:00"))
    assert build_cached(registry, site / "out", now=NOW).patched
    assert "inlagg-41" not in (site / "posts.lock").read_text("utf-8")
    later = datetime(2032, 1, 1, tzinfo=UTC)
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "title: Inlägg 3\n", "title: Tre\n")
    assert build_cached(registry, site / "out", now=later).patched
    assert "inlagg-41" in (site / "posts.lock").read_text("utf-8")
    check(tmp_path, site, 1, lock, later)


def test_web_digests_of_the_current_period_are_kept(tmp_path: Path) -> None:
    site = new_site(tmp_path, SITE)
    registry = site / "posts.yaml"
    # A post of the week "now" is in: no complete period changes.
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "posts:\n", "posts:\n" + post(31, date="2029-12-31T09:00"))
    assert build_cached(registry, site / "out", now=NOW).patched
    check(tmp_path, site, 1, lock)
    # A post in a complete period: the web digests change, a whole build.
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "title: Inlägg 17\n", "title: Sjutton\n")
    assert not build_cached(registry, site / "out", now=NOW).patched
    check(tmp_path, site, 2, lock)


def test_a_published_id_changed_is_reported_by_the_whole_build(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    registry = site / "posts.yaml"
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "id: tag:stegvis.example.se,2021:7\n", "id: tag:stegvis.example.se,2021:x\n")
    with pytest.raises(FeedkitError, match="published as"):
        build_cached(registry, site / "out", now=NOW)
    assert (site / "posts.lock").read_bytes() == lock


def _snapshot(site: Path) -> Path:
    (found,) = (site / ".feedkit" / "cache").glob("snap-*.pickle")
    return found


def _copy(site: Path) -> Path:
    (found,) = (site / ".feedkit" / "cache").glob("snap-*.bytes")
    return found


def _older(site: Path) -> None:
    path = _snapshot(site)
    snapshot = load_snapshot(path)
    assert snapshot is not None
    snapshot.code = "an older feedkit"
    assert save_snapshot(path, snapshot)


@pytest.mark.parametrize(("damage", "patched"), [
    ("snapshot truncated", False), ("snapshot of an older feedkit", False),
    ("copy truncated", False), ("copy's bytes changed", True), ("copy gone", False),
    ("posts.lock edited", False), ("out/ file edited", True), ("read state gone", True),
    ("text store damaged", False), ("memo of outputs touched", False),
])
def test_a_damaged_or_older_cache_never_gives_a_wrong_file(tmp_path: Path, damage: str,
                                                          patched: bool) -> None:
    site = new_site(tmp_path)
    registry = site / "posts.yaml"
    edit(registry, "posts:\n", "posts:\n" + post(31))
    assert build_cached(registry, site / "out", now=NOW).patched
    cache = site / ".feedkit" / "cache"
    damages: dict[str, Callable[[], object]] = {
        "snapshot truncated": lambda: _snapshot(site).write_bytes(
            _snapshot(site).read_bytes()[:200]),
        "snapshot of an older feedkit": lambda: _older(site),
        "copy truncated": lambda: _copy(site).write_bytes(_copy(site).read_bytes()[:500]),
        "copy's bytes changed": lambda: _copy(site).write_bytes(
            _copy(site).read_bytes().replace(b"Inl\xc3\xa4gg 1", b"Inl\xc3\xa4gg X")),
        "copy gone": lambda: _copy(site).unlink(),
        "posts.lock edited": lambda: edit(site / "posts.lock", " published inlagg-2 ",
                                          " removed inlagg-2 "),
        "out/ file edited": lambda: (site / "out" / "tags" / "bostad" / "atom.xml"
                                     ).write_text("<feed/>", "utf-8"),
        "read state gone": lambda: [p.unlink() for p in cache.glob("read-*.state")],
        "text store damaged": lambda: [p.write_bytes(p.read_bytes().replace(
            b"Ett andra", b"Ett tredje")) for p in cache.glob("*.texts")],
        # the snapshot holds the memo's size and time: another memo is not its own
        "memo of outputs touched": lambda: [os.utime(p, ns=(1, 1))
                                            for p in cache.glob("pages-*.json")],
    }
    damages[damage]()
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "posts:\n", "posts:\n" + post(32))
    assert build_cached(registry, site / "out", now=NOW).patched == patched
    check(tmp_path, site, 1, lock)


def test_a_failed_patch_leaves_what_the_next_build_trusts(tmp_path: Path) -> None:
    """A patch that fails after appending to the copy and the text store (out/ can't
    be written: a folder where the feed goes) leaves the snapshot as it was; the next
    build (the lock already written: a whole one) writes what it must, and the one
    after that patches again."""
    site = new_site(tmp_path)
    registry = site / "posts.yaml"
    lock = (site / "posts.lock").read_bytes()
    snapshot = _snapshot(site).read_bytes()
    edit(registry, "posts:\n", "posts:\n" + post(31))
    (site / "out" / "atom.xml").unlink()
    (site / "out" / "atom.xml").mkdir()
    with pytest.raises(FeedkitError):
        build_cached(registry, site / "out", now=NOW)
    assert _snapshot(site).read_bytes() == snapshot
    (site / "out" / "atom.xml").rmdir()
    build_cached(registry, site / "out", now=NOW)
    check(tmp_path, site, 1, lock)
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "posts:\n", "posts:\n" + post(32))
    assert build_cached(registry, site / "out", now=NOW).patched
    check(tmp_path, site, 2, lock)
