"""Incremental builds: after every kind of edit, out/ holds byte for byte what a build
from nothing writes, while only what changed is parsed and rendered.

One site is edited step by step (add a post, edit a title, a tag, a body, remove
a post, reorder, change the site's options, change a template, an anchor that
stops reading in pieces, a draft, a post scheduled later) and built with
`feedkit build`'s cache after each step; each result is compared, file by file,
with a build of the same registry and templates in a fresh folder.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit.jobs.build import build
from feedkit.jobs.rebuild import build_cached

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SITE = """\
site:
  title: Stegvis
  url: https://stegvis.example.se/
  language: sv
  timezone: Europe/Stockholm
  options:
    feed_entries: 5
    archive_page_size: 4
    web_digests: week
    feed_xsl: true
posts:
"""
TAGS = ("bostad", "samtal", "stad")


def post(i: int, *, title: str = "", tags: tuple[str, ...] | None = None,
         date: str = "", body: str = "") -> str:
    chosen = tags if tags is not None else (TAGS[i % 3], TAGS[(i + 1) % 3])
    return (f"  - title: {title or f'Inlägg {i}'}\n"
            f"    slug: inlagg-{i}\n    id: tag:stegvis.example.se,2021:{i}\n"
            f"    date: {date or f'2021-03-{1 + i // 2:02d}T{9 + i % 2:02d}:00'}\n"
            f"    author: {['Åsa Öberg', 'Bo Ek'][i % 2]}\n"
            f"    tags: [{', '.join(chosen)}]\n"
            f"    body: |\n      {body or f'Text för inlägg {i}, med **fetstil** och å ä ö.'}\n"
            "\n      Ett andra stycke.\n")


def files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


def from_nothing(tmp_path: Path, step: int, site: Path, now: datetime = NOW
                 ) -> dict[str, bytes]:
    fresh = tmp_path / f"fresh{step}"
    fresh.mkdir()
    shutil.copy(site / "posts.yaml", fresh / "posts.yaml")
    if (site / "templates").is_dir():
        shutil.copytree(site / "templates", fresh / "templates")
    build(fresh / "posts.yaml", fresh / "out", now=now)
    return files(fresh / "out")


def edit(registry: Path, old: str, new: str) -> None:
    text = registry.read_text("utf-8")
    assert old in text
    registry.write_text(text.replace(old, new, 1), "utf-8")


def test_every_edit_gives_what_a_build_from_nothing_gives(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    registry = site / "posts.yaml"
    posts = [post(i) for i in range(30, 0, -1)]  # newest first, as `feedkit new` writes
    registry.write_text(SITE + "".join(posts), "utf-8")
    steps = [
        ("add a post at the top", lambda: edit(registry, "posts:\n", "posts:\n" + post(31))),
        ("edit a title", lambda: edit(registry, "title: Inlägg 17\n", "title: Sjutton\n")),
        ("edit a tag", lambda: edit(registry, post(12), post(12, tags=("ny tagg",)))),
        ("edit a body", lambda: edit(registry, post(3), post(3, body="Nytt <em>innehåll</em>"))),
        ("remove a post", lambda: edit(registry, post(20), "")),
        ("reorder, same time", lambda: edit(registry, post(8) + post(7), post(
            7, date="2021-03-09T12:00") + post(8, date="2021-03-09T12:00"))),
        ("change site options", lambda: edit(registry, "feed_entries: 5", "feed_entries: 6")),
        ("change a template", lambda: _template(site, "feeds.html", "<p>Egen mall</p>\n")),
        ("change a digest template", lambda: _template(
            site, "digests.html", (site.parent / "shipped-digests.html").read_text("utf-8")
            + "<!-- ändrad -->\n")),
        ("an anchor: read whole", lambda: edit(registry, "author: Bo Ek\n",
                                               "author: &bo Bo Ek\n")),
        ("anchor gone", lambda: edit(registry, "author: &bo Bo Ek\n", "author: Bo Ek\n")),
        ("a draft", lambda: edit(registry, "posts:\n", "posts:\n" + post(40).replace(
            "    body:", "    draft: true\n    body:"))),
        ("a post for later", lambda: edit(registry, "posts:\n", "posts:\n" + post(
            41, date="2031-01-01T10:00"))),
        ("line breaks YAML counts and \\n doesn't", lambda: edit(
            registry, "    body: |\n      Text för inlägg 9,",
            '    summary: "Rad ett\u2028rad två\u0085rad tre"\n    body: |\n'
            "      Text för inlägg 9,")),
        ("a quoted title with a list line", lambda: edit(
            registry, "title: Inlägg 5\n", 'title: "Inlägg 5\n  - title: inte ett inlägg"\n')),
    ]
    from feedkit.text.templating import shipped_dir

    shutil.copy(shipped_dir() / "digests.html", tmp_path / "shipped-digests.html")
    first = build_cached(registry, site / "out", now=NOW)
    assert files(site / "out") == from_nothing(tmp_path, 0, site)
    assert first.changed
    for number, (name, change) in enumerate(steps, start=1):
        change()
        build_cached(registry, site / "out", now=NOW)
        assert files(site / "out") == from_nothing(tmp_path, number, site), name


def _template(site: Path, name: str, text: str) -> None:
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / name).write_text(text, "utf-8")


def test_one_post_added_parses_and_renders_only_what_it_touches(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(SITE + "".join(post(i) for i in range(30, 0, -1)), "utf-8")
    build(registry, tmp_path / "out", now=NOW)
    edit(registry, "posts:\n", "posts:\n" + post(31))
    result = build(registry, tmp_path / "out", now=NOW)
    assert result.parsed == 1  # the new post's lines; the other 30 come from the state
    pages = [p for p in result.paths if p.startswith("archive/")]
    assert len(pages) >= 6
    # The main feeds, the newest page, the digest and the new post's tag and author
    # feeds are made again; the older pages and the other feeds are kept as they are.
    assert "archive/1.xml" in result.kept and "archive/2.xml" in result.kept
    assert "atom.xml" not in result.kept and "digest.html" not in result.kept
    assert {"tags/samtal/atom.xml", "authors/bo-ek/atom.xml"}.isdisjoint(result.kept)
    assert "tags/bostad/atom.xml" in result.kept  # post 31 is not tagged bostad
    # The state grew by an addition (not written anew): the next post is read alone too.
    edit(registry, "posts:\n", "posts:\n" + post(32))
    assert build(registry, tmp_path / "out", now=NOW).parsed == 1
    assert files(tmp_path / "out") == from_nothing(tmp_path, 1, tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_text_store_falls_back_to_reading_everything(tmp_path: Path,
                                                                damage: str) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(SITE + "".join(post(i) for i in range(12, 0, -1)), "utf-8")
    build(registry, tmp_path / "out", now=NOW)
    (store,) = (tmp_path / ".feedkit" / "cache").glob("*.texts")
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2] if damage == "truncate" else
                      data.replace(b"Ett andra", b"Ett tredje"))
    edit(registry, "posts:\n", "posts:\n" + post(13))
    build(registry, tmp_path / "out", now=NOW)
    assert files(tmp_path / "out") == from_nothing(tmp_path, 99, tmp_path)


def test_stored_entries_are_the_entries_a_render_from_the_whole_file_writes(
        tmp_path: Path) -> None:
    """Archive pages join the Atom entries the reading stored (jobs/textstore.py); posts
    sharing a minute (their times spread by the order: entries rendered anew) and the
    rest must read as a render of the registry read whole writes them."""
    from feedkit.jobs.build import render

    registry = tmp_path / "posts.yaml"
    same = "2021-02-01T08:00"
    registry.write_text(SITE + "".join(post(i, date=same if i in (3, 4, 5) else "")
                                       for i in range(14, 0, -1)), "utf-8")
    result = build(registry, tmp_path / "out", now=NOW)
    assert result.parsed == 14
    _, whole = render(registry, now=NOW)
    written = files(tmp_path / "out")
    assert [p for p in whole.files if p.startswith("archive/")]
    assert {p: b for p, b in written.items() if p in whole.files} == whole.files
    (store,) = (tmp_path / ".feedkit" / "cache").glob("*.texts")
    assert store.read_bytes().count(b"  <entry>\n") == 14


def test_a_damaged_stored_entry_falls_back_to_reading_everything(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(SITE + "".join(post(i) for i in range(12, 0, -1)), "utf-8")
    build(registry, tmp_path / "out", now=NOW)
    (store,) = (tmp_path / ".feedkit" / "cache").glob("*.texts")
    data = store.read_bytes()
    at = data.rindex(b"<published>")  # the oldest post's entry (archive/1.xml): its CRC
    store.write_bytes(data[:at] + b"<publishex>" + data[at + 11:])
    (tmp_path / "out" / "archive" / "1.xml").unlink()  # made again from the store
    build(registry, tmp_path / "out", now=NOW)
    assert files(tmp_path / "out") == from_nothing(tmp_path, 98, tmp_path)


def test_a_large_registry_read_on_every_core_gives_what_reading_it_whole_gives(
        tmp_path: Path) -> None:
    """1,200 posts: read in shares by forked workers (jobs/reading.py), the same files
    as a render from the registry read whole; then one post added is read alone."""
    from registry_factory import registry_yaml

    from feedkit.jobs.build import render
    from feedkit.jobs.reading import PARALLEL_FROM

    registry = tmp_path / "posts.yaml"
    text = registry_yaml(1200, tags=lambda i: [f"t{i % 7}"], offset="+00:00")
    registry.write_text(text, "utf-8")
    result = build(registry, tmp_path / "out", now=NOW)
    assert result.parsed == 1200 >= PARALLEL_FROM
    _, whole = render(registry, now=NOW)
    written = files(tmp_path / "out")
    assert {p: b for p, b in written.items() if p in whole.files} == whole.files
    # The workers wrote the snapshot's copy of the registry as they read it.
    (copy,) = (tmp_path / ".feedkit" / "cache").glob("snap-*.bytes")
    assert copy.read_bytes() == registry.read_bytes()
    registry.write_text(text.replace("posts:\n", "posts:\n" + post(1), 1), "utf-8")
    assert build(registry, tmp_path / "out", now=NOW).parsed == 1


def test_a_copy_the_workers_could_not_write_whole_is_not_kept(tmp_path: Path) -> None:
    from feedkit.jobs.reading import _CopyFile
    from feedkit.load.pieces import layout

    data = (SITE + post(1)).encode()
    plan = layout(data)
    copy = _CopyFile((tmp_path, "snap-x"), plan)
    assert copy.fd is not None and copy.ok
    copy.write(data[len(plan.header):], len(plan.header))
    name = copy.close()
    assert name is not None and (tmp_path / name).read_bytes() == data
    failing = _CopyFile((tmp_path, "snap-y"), plan)
    assert failing.fd is not None
    os.close(failing.fd)  # a write that fails, as on a full disk
    failing.write(b"x", len(plan.header))
    assert not failing.ok
    failing.fd = os.open(os.devnull, os.O_RDONLY)
    assert failing.close() is None
    assert not list(tmp_path.glob("snap-y-*"))
