"""A build from nothing saves its read state and stages its snapshot in a process of
its own (jobs/aside.py); the next edit patches from them, byte for byte as a build
from nothing; a build that fails keeps no snapshot and leaves no process behind.
(Large registries only in real use: here from the first post on.)"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from test_incremental import NOW, edit, post
from test_patch import PLAIN, check

from feedkit.errors import FeedkitError
from feedkit.jobs import aside
from feedkit.jobs.rebuild import build_cached


@pytest.fixture(autouse=True)
def _always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aside, "ASIDE_FROM", 0)


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    (site / "posts.yaml").write_text(PLAIN + "".join(post(i) for i in range(30, 0, -1)),
                                     "utf-8")
    return site


def test_the_state_kept_aside_is_patched_from(tmp_path: Path) -> None:
    site = _site(tmp_path)
    registry = site / "posts.yaml"
    assert not build_cached(registry, site / "out", now=NOW).patched
    cache = site / ".feedkit" / "cache"
    assert len(list(cache.glob("snap-*.pickle"))) == 1
    assert len(list(cache.glob("read-*.state"))) == 1
    assert not list(cache.glob("*.tmp"))
    assert not multiprocessing.active_children()
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "posts:\n", "posts:\n" + post(31))
    assert build_cached(registry, site / "out", now=NOW).patched
    check(tmp_path, site, 1, lock)


def test_a_failed_build_keeps_no_snapshot(tmp_path: Path) -> None:
    site = _site(tmp_path)
    registry = site / "posts.yaml"
    (site / "out").mkdir()
    (site / "out" / "atom.xml").mkdir()  # out/ can't be written
    with pytest.raises(FeedkitError):
        build_cached(registry, site / "out", now=NOW)
    assert not multiprocessing.active_children()
    assert not list((site / ".feedkit" / "cache").glob("snap-*"))
    (site / "out" / "atom.xml").rmdir()
    assert not build_cached(registry, site / "out", now=NOW).patched
    lock = (site / "posts.lock").read_bytes()
    edit(registry, "posts:\n", "posts:\n" + post(31))
    assert build_cached(registry, site / "out", now=NOW).patched
    check(tmp_path, site, 1, lock)
