"""The build cache: an unchanged rebuild writes nothing and loads nothing; anything a
build depends on (the registry, a template, "now" passing a scheduled post, a file
in out/) makes it build again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit.errors import RegistryError
from feedkit.jobs.rebuild import build_cached

NOW = datetime(2020, 3, 1, tzinfo=UTC)


@pytest.fixture
def site(tmp_path: Path, example_registry: Path) -> Path:
    registry = tmp_path / "posts.yaml"
    registry.write_bytes(example_registry.read_bytes())
    return registry


def test_an_unchanged_rebuild_is_answered_by_the_cache(site: Path) -> None:
    out = site.parent / "out"
    first = build_cached(site, out, now=NOW)
    assert not first.cached and "atom.xml" in first.changed
    again = build_cached(site, out, now=NOW)
    assert again.cached and again.changed == () and again.paths == first.paths
    assert not any("cache" in p for p in again.paths)
    assert list((site.parent / ".feedkit" / "cache").glob("build-*.json"))
    # The cache is a shortcut, not a source of truth: without it, the same files.
    fresh = build_cached(site, out, now=NOW, use_cache=False)
    assert not fresh.cached and fresh.changed == ()


def test_an_edited_registry_builds_again(site: Path) -> None:
    out = site.parent / "out"
    build_cached(site, out, now=NOW)
    site.write_text(site.read_text("utf-8").replace("TV-sända intervju", "intervju i TV"),
                    "utf-8")
    again = build_cached(site, out, now=NOW)
    assert not again.cached and "atom.xml" in again.changed
    site.write_text("site: [", "utf-8")
    with pytest.raises(RegistryError):  # a broken registry is reported, never cached
        build_cached(site, out, now=NOW)


def test_a_changed_template_builds_again(site: Path) -> None:
    out = site.parent / "out"
    build_cached(site, out, now=NOW)
    templates = site.parent / "templates"
    templates.mkdir()
    (templates / "feeds.html").write_text("<p>{{ site.title }}</p>\n", "utf-8")
    again = build_cached(site, out, now=NOW)
    assert not again.cached and again.changed == ("feeds.html",)


def test_a_file_changed_or_removed_in_out_builds_again(site: Path) -> None:
    out = site.parent / "out"
    build_cached(site, out, now=NOW)
    (out / "rss.xml").unlink()
    again = build_cached(site, out, now=NOW)
    assert not again.cached and again.changed == ("rss.xml",)
    (out / "atom.xml").write_text("edited by hand", "utf-8")
    assert build_cached(site, out, now=NOW).changed == ("atom.xml",)


def test_now_passing_a_scheduled_post_builds_again(site: Path) -> None:
    text = site.read_text("utf-8").replace("posts:\n", "posts:\n  - title: Planerat\n"
                                           "    date: 2020-03-05T08:00\n    author: Ann\n"
                                           "    body: Kommer snart.\n\n", 1)
    site.write_text(text, "utf-8")
    out = site.parent / "out"
    build_cached(site, out, now=NOW)
    assert build_cached(site, out, now=datetime(2020, 3, 4, tzinfo=UTC)).cached
    due = build_cached(site, out, now=datetime(2020, 3, 6, tzinfo=UTC))
    assert not due.cached and "atom.xml" in due.changed
    assert "Planerat" in (out / "atom.xml").read_text("utf-8")
    back = build_cached(site, out, now=NOW)  # an earlier "now" than the cached span
    assert not back.cached and "Planerat" not in (out / "atom.xml").read_text("utf-8")


def test_the_console_script_answers_an_unchanged_build_before_the_cli_starts(
        site: Path) -> None:
    import subprocess
    import sys

    env = {"SOURCE_DATE_EPOCH": "1583020800", "PATH": ""}
    feedkit = str(Path(sys.executable).with_name("feedkit"))
    first = subprocess.run([feedkit, "build"], cwd=site.parent, env=env, capture_output=True,
                           text=True, check=True)
    again = subprocess.run([feedkit, "build"], cwd=site.parent, env=env, capture_output=True,
                           text=True, check=True)
    assert first.stdout == "out: 28 files, 28 written, 0 unchanged\nwrote posts.lock\n"
    assert again.stdout == "out: 28 files, 0 written, 28 unchanged\nunchanged posts.lock\n"
    probe = ("import sys; from feedkit.commands.fastpath import cached_build; "
             "hit = cached_build(sys.argv[1:]); "
             "print(hit, sorted({'typer', 'yaml', 'jinja2', 'feedgen'} & set(sys.modules)))")
    # A hit loads none of the pipeline; a miss (the first --drafts build) builds
    # without the CLI framework; other options go to the CLI.
    for args, expected in ((["-q"], "True []"), (["-q", "--drafts"], "True ['jinja2', 'yaml']"),
                           (["--check"], "False []"), (["--templates", "t"], "False []")):
        done = subprocess.run([sys.executable, "-c", probe, *args], cwd=site.parent, env=env,
                              capture_output=True, text=True, check=True)
        assert done.stdout.strip() == expected, (args, done.stdout, done.stderr)


def test_a_first_large_build_records_the_fingerprint_the_next_one_finds(
        tmp_path: Path) -> None:
    """A registry over HELPER_FROM with nothing cached: the console script hashes its
    fingerprint in a thread while the build reads (jobs/cache.py, Fingerprinting); the
    fingerprint recorded must be the one the next build computes, which is then
    answered from the cache."""
    import json
    import subprocess
    import sys

    from registry_factory import registry_yaml

    from feedkit.jobs.cache import HELPER_FROM, fingerprint
    from feedkit.project import Project

    text = registry_yaml(1100, offset="+00:00")
    padding = "    # a comment\n" * ((HELPER_FROM - len(text.encode())) // 16 + 1)
    registry = tmp_path / "posts.yaml"
    registry.write_text(text + padding, "utf-8")
    assert registry.stat().st_size > HELPER_FROM
    env = {"SOURCE_DATE_EPOCH": "1893456000", "PATH": ""}  # 2030
    feedkit = str(Path(sys.executable).with_name("feedkit"))
    first = subprocess.run([feedkit, "build"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert _counts(first) == (38, 38, 0), first
    (entry,) = (tmp_path / ".feedkit" / "cache").glob("build-*.json")
    recorded = json.loads(entry.read_text("utf-8"))["key"]
    assert recorded == fingerprint(registry, tmp_path / "out",
                                   Project(registry).template_dirs(), False)
    again = subprocess.run([feedkit, "build"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert _counts(again) == (38, 0, 38) and "unchanged posts.lock" in again, again
    # A post added (another size: the patch's fingerprint is hashed beside it too).
    registry.write_text(text.replace("posts:\n", "posts:\n  - title: Ny\n    date: "
                                     "2029-01-01\n    author: Ann\n    body: Text.\n", 1)
                        + padding, "utf-8")
    patched = subprocess.run([feedkit, "build"], cwd=tmp_path, env=env, capture_output=True,
                             text=True, check=True).stdout.splitlines()
    files, written, unchanged = _counts(patched)
    assert files == written + unchanged and written >= 4 and unchanged >= 20, patched
    recorded = json.loads(entry.read_text("utf-8"))["key"]
    assert recorded == fingerprint(registry, tmp_path / "out",
                                   Project(registry).template_dirs(), False)


def _counts(lines: list[str]) -> tuple[int, int, int]:
    """(files, written, unchanged) of `feedkit build`'s summary line."""
    import re

    (found,) = [re.fullmatch(r"out: (\d+) files, (\d+) written, (\d+) unchanged", line)
                for line in lines if line.startswith("out: ")]
    assert found is not None, lines
    files, written, unchanged = (int(n) for n in found.groups())
    return files, written, unchanged


def _fast(site: Path, *extra: str) -> bool:
    from feedkit.commands.fastpath import cached_build

    return cached_build(["-q", "-r", str(site), "-o", str(site.parent / "out"),
                         "--now", NOW.isoformat(), *extra])


def _entry_of(site: Path) -> dict[str, object]:
    import json

    (entry,) = (site.parent / ".feedkit" / "cache").glob("build-*.json")
    found: dict[str, object] = json.loads(entry.read_text("utf-8"))
    return found


def test_a_settled_registry_is_not_read_again(site: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry last changed well before the build read it: its stat (size, times,
    inode) is recorded with the SHA-256 of its bytes, and while the stat holds the
    next lookup doesn't read the file at all."""
    from feedkit import inputs
    from feedkit.jobs import cache

    monkeypatch.setattr(cache, "SETTLED_NS", 0)  # the file was written before the read
    assert _fast(site)
    assert _entry_of(site)["registry_stat"]

    def unread(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("the registry was read")

    monkeypatch.setattr(inputs, "read_input", unread)
    assert _fast(site)  # answered from the cache: nothing changed, nothing read


def test_the_same_size_and_time_with_other_bytes_builds_again(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry rewritten to other bytes of the same size, its modification time set
    back: the change time (which no one can set back) tells, and the build runs."""
    import os

    from feedkit.jobs import cache

    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    assert _fast(site)
    before = site.stat()
    text = site.read_text("utf-8")
    edited = text.replace("Spännande", "Spannande", 1)
    assert len(edited.encode()) != len(text.encode()) or edited != text
    edited = edited + " " * (len(text.encode()) - len(edited.encode()))
    site.write_text(edited, "utf-8")
    os.utime(site, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert site.stat().st_size == before.st_size
    assert site.stat().st_mtime_ns == before.st_mtime_ns
    assert cache.quick_key(site, site.parent / "out", (), False) is None
    assert _fast(site)
    feed = (site.parent / "out" / "atom.xml").read_text("utf-8")
    assert "Spannande" in feed and "Spännande bli" not in feed


def test_a_registry_changed_just_before_its_build_is_vouched_for_later(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed within SETTLED_NS of the read, a registry's stat is not recorded (a write
    in the same tick could go unseen); a later lookup that hashes it and hits records
    it once it has settled."""
    from feedkit.jobs import cache

    assert _fast(site)  # just written: not settled
    assert _entry_of(site)["registry_stat"] is None
    assert _fast(site)  # a hit by hashing; still not settled
    assert _entry_of(site)["registry_stat"] is None
    monkeypatch.setattr(cache, "SETTLED_NS", 0)
    assert _fast(site)  # a hit by hashing, now settled: vouched for
    recorded = _entry_of(site)["registry_stat"]
    assert recorded == cache._stat(site)
    assert cache.quick_key(site, site.parent / "out", (), False) == cache.fingerprint(
        site, site.parent / "out", (), False)
