"""Archive pages kept across builds (feedkit/writers/memo.py): the result is always
byte for byte what a build from nothing gives; unchanged pages are taken from out/."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from registry_factory import registry_yaml

from feedkit.jobs.build import build

NOW = datetime(2030, 1, 1, tzinfo=UTC)
OPTIONS = {"feed_entries": 10, "archive_page_size": 10}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")}


def from_nothing(tmp_path: Path, text: str) -> dict[str, bytes]:
    """What a build from an empty folder, with no memo, gives for `text`."""
    folder = tmp_path / f"fresh-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    folder.mkdir()
    (folder / "posts.yaml").write_text(text, "utf-8")
    build(folder / "posts.yaml", folder / "out", now=NOW)
    return tree(folder / "out")


def test_a_rebuild_after_edits_equals_a_build_from_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    registry, out = site / "posts.yaml", site / "out"
    texts = [
        registry_yaml(120, options=OPTIONS),
        registry_yaml(121, options=OPTIONS),  # a post more (at the end: the newest)
        registry_yaml(121, options=OPTIONS).replace("inlägg 30**", "inlägg trettio**"),
        registry_yaml(121, options={**OPTIONS, "archive_page_size": 12}),
    ]
    for text in texts:
        registry.write_text(text, "utf-8")
        build(registry, out, now=NOW)
        assert tree(out) == from_nothing(tmp_path, text)
    assert len([p for p in tree(out) if p.startswith("archive/")]) >= 9


def test_unchanged_pages_are_taken_from_out_not_rendered(tmp_path: Path) -> None:
    registry, out = tmp_path / "posts.yaml", tmp_path / "out"
    registry.write_text(registry_yaml(120, options=OPTIONS), "utf-8")
    build(registry, out, now=NOW)
    (memo_path,) = (tmp_path / ".feedkit" / "cache").glob("pages-*.json")
    memo = json.loads(memo_path.read_text("utf-8"))
    assert "archive/1.xml" in memo["files"]
    # Put other bytes in place and record them as written: a build that takes the
    # page from out/ keeps them; one that renders it would write the real page.
    page = out / "archive" / "1.xml"
    marked = page.read_bytes().replace(b"Inl\xc3\xa4gg nummer 0<", b"MARKED<")
    assert marked != page.read_bytes()
    page.write_bytes(marked)
    stat = page.stat()
    memo["files"]["archive/1.xml"][1] = hashlib.sha256(marked).hexdigest()
    memo["files"]["archive/1.xml"][3:5] = [stat.st_size, stat.st_mtime_ns]
    memo_path.write_text(json.dumps(memo), "utf-8")
    registry.write_text(registry_yaml(121, options=OPTIONS), "utf-8")
    result = build(registry, out, now=NOW)
    assert page.read_bytes() == marked and "archive/1.xml" not in result.changed
    # A page edited by hand (its size or time not what the memo knows) is rendered again.
    page.write_bytes(b"edited by hand")
    build(registry, out, now=NOW)
    assert page.read_bytes() == from_nothing(tmp_path, registry.read_text("utf-8"))[
        "archive/1.xml"]
