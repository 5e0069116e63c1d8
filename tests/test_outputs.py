"""Outputs: atomic replacement, nothing outside out/, unchanged files left alone."""

import os
from pathlib import Path

import pytest

from feedkit.errors import OutputError
from feedkit.outputs import OutputSet, StagedOutputs, safe_relpath


@pytest.mark.parametrize("bad", ["../etc/passwd", "/etc/passwd", "a/../../b", "", ".."])
def test_paths_outside_out_are_refused(bad: str) -> None:
    with pytest.raises(OutputError):
        safe_relpath(bad)


def test_symlink_leading_out_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "tags").symlink_to(elsewhere)
    outputs = StagedOutputs(out)
    with pytest.raises(OutputError, match="leads out of"):
        outputs.add("tags/x.xml", b"data")
    outputs.discard()
    assert list(elsewhere.iterdir()) == []


def test_same_path_twice_is_refused() -> None:
    outputs = OutputSet()
    outputs.add("a.xml", b"1")
    with pytest.raises(OutputError, match="same path"):
        outputs.add("./a.xml".removeprefix("./"), b"2")


def test_stale_lists_what_differs_on_disk(tmp_path: Path) -> None:
    outputs = OutputSet({"a.xml": b"new", "sub/b.txt": b"same", "c.xml": b"c"})
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.xml").write_bytes(b"old")
    (tmp_path / "sub" / "b.txt").write_bytes(b"same")
    assert outputs.stale(tmp_path) == ["a.xml", "c.xml"]


def test_staged_outputs_commit_only_what_changed(tmp_path: Path) -> None:
    (tmp_path / "same.xml").write_bytes(b"same")
    os.utime(tmp_path / "same.xml", ns=(1, 1))
    staged = StagedOutputs(tmp_path)
    staged.add("same.xml", b"same")
    staged.add("deep/new.xml", b"new")
    with pytest.raises(OutputError, match="same path"):
        staged.add("deep/new.xml", b"again")
    assert not (tmp_path / "deep" / "new.xml").exists()  # staged, not yet in place
    assert staged.commit() == ["deep/new.xml"]
    assert (tmp_path / "deep" / "new.xml").read_bytes() == b"new"
    assert (tmp_path / "same.xml").stat().st_mtime_ns == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "new.xml", "same.xml"]


def test_staged_outputs_discard_leaves_out_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "atom.xml").write_bytes(b"old")
    staged = StagedOutputs(tmp_path)
    staged.add("atom.xml", b"new")
    staged.add("tags/a/b/rss.xml", b"x")
    staged.discard()
    assert [p.name for p in tmp_path.rglob("*")] == ["atom.xml"]
    assert (tmp_path / "atom.xml").read_bytes() == b"old"


def test_a_writer_failing_mid_build_changes_nothing(example_registry: Path,
                                                    tmp_path: Path) -> None:
    from feedkit.jobs.build import build, default_writers

    class Broken:
        def write(self, context, outputs) -> None:
            raise RuntimeError("disk on fire")

    out = tmp_path / "out"
    build(example_registry, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (tmp_path / "posts.yaml").write_text(
        example_registry.read_text("utf-8").replace("Fler kan göra mer!", "Fler!"), "utf-8")
    with pytest.raises(RuntimeError):
        build(tmp_path / "posts.yaml", out, writers=[*default_writers(), Broken()])
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_a_killed_builds_leftover_temp_files_are_removed(tmp_path: Path) -> None:
    old = tmp_path / "tags" / ".atom.xml.ab12cd_9.tmp"
    old.parent.mkdir()
    old.write_bytes(b"half")
    fresh = tmp_path / ".rss.xml.zz99yy88.tmp"  # however new: no build holds the lock
    fresh.write_bytes(b"in progress")
    mine = tmp_path / ".notes.tmp"  # not a name feedkit makes
    mine.write_bytes(b"keep")
    StagedOutputs(tmp_path).discard()
    assert not old.exists() and not fresh.exists()
    assert mine.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == [".notes.tmp", "tags"]


def test_a_running_build_keeps_out_to_itself(tmp_path: Path) -> None:
    """A second build (another process) is refused while the first holds the lock;
    the first one's staged files are left alone."""
    import subprocess
    import sys

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from feedkit.outputs import StagedOutputs; s = StagedOutputs(Path(sys.argv[1])); "
         "s.add('atom.xml', b'new'); print('staged', flush=True); sys.stdin.read(); "
         "s.commit()", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "staged\n"
    (staged,) = tmp_path.glob(".atom.xml.*.tmp")
    with pytest.raises(OutputError, match=r"another feedkit build is writing .* \(process "
                                          rf"{holder.pid}\)"):
        StagedOutputs(tmp_path)
    assert staged.exists()
    holder.stdin.close()
    assert holder.wait(10) == 0
    assert (tmp_path / "atom.xml").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["atom.xml"]


def test_a_failing_large_build_leaves_no_worker_files(tmp_path: Path) -> None:
    """With enough posts the archive's worker processes stage pages themselves; a
    build failing after them still leaves out/ exactly as it was."""
    from registry_factory import write_registry

    from feedkit.jobs.build import build, default_writers

    class Broken:
        def write(self, context, outputs) -> None:
            raise RuntimeError("disk on fire")

    registry = write_registry(tmp_path, 1100, offset="+00:00",
                              options={"feed_entries": 10, "archive_page_size": 50})
    out = tmp_path / "out"
    build(registry, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # A new subtitle changes every page, so the workers stage every page anew.
    registry.write_text(registry.read_text("utf-8").replace("Inlägg för tester",
                                                             "Nya inlägg"), "utf-8")
    with pytest.raises(RuntimeError):
        build(registry, out, writers=[*default_writers(), Broken()])
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before

    class Squatter:  # takes a page's path first: the build fails while adopting pages
        def write(self, context, outputs) -> None:
            outputs.add("archive/2.xml", b"mine")

    with pytest.raises(OutputError, match=r"same path 'archive/2\.xml'"):
        build(registry, out, writers=[Squatter(), *default_writers()])
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before  # the other pages the workers staged are gone too
