"""Builds killed with SIGKILL, in the commit (rename) phase and at random moments:
after the next feedkit command, out/ is the whole old build or the whole new one,
with no temporary file left. (bench/crash.py does the same on 5,000 posts.)"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from registry_factory import registry_yaml

NOW = "2030-01-01T00:00:00+00:00"
OPTIONS = {"feed_entries": 5, "archive_page_size": 10}


def feedkit(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from feedkit.cli import main; main()", *args]
    return subprocess.Popen(command, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(
        ".feedkit-journal")]


class Site:
    """An old and a new registry (the new one renames a tag, so the build also
    removes files) and the out/ each builds in full."""

    def __init__(self, root: Path, posts: int) -> None:
        self.root = root
        self.registry = root / "posts.yaml"
        self.old_text = registry_yaml(posts, options=OPTIONS,
                                      tags=lambda i: ["udda" if i % 2 else "jämna"])
        self.new_text = registry_yaml(posts + 3, options=OPTIONS,
                                      tags=lambda i: ["odd" if i % 2 else "jämna"])
        self.old = self._reference("old", self.old_text)
        self.new = self._reference("new", self.new_text)
        self.out = root / "out"

    def _reference(self, name: str, text: str) -> dict[str, bytes]:
        self.registry.write_text(text, "utf-8")
        out = self.root / f"ref-{name}"
        assert feedkit("build", "-r", str(self.registry), "-o", str(out), "--now", NOW
                       ).wait(60) == 0
        return tree(out)

    def start_from_old(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
        shutil.copytree(self.root / "ref-old", self.out)
        self.registry.write_text(self.new_text, "utf-8")

    def build(self, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        return feedkit("build", "-r", str(self.registry), "-o", str(self.out), "--now", NOW,
                       env=env)

    def next_command_settles(self) -> dict[str, bytes]:
        """`feedkit validate` (a command that reads out/) runs; out/ as it leaves it."""
        feedkit("validate", "-r", str(self.registry), "-o", str(self.out), "--now", NOW
                ).wait(60)
        assert temp_files(self.out) == []
        assert not (self.out / ".feedkit-build").exists()
        return tree(self.out)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return Site(tmp_path_factory.mktemp("crash"), 120)


@pytest.mark.parametrize("step", [0, 1, 5, 15, 30])
def test_killed_while_committing_is_rolled_forward(site: Site, step: int) -> None:
    assert site.old != site.new
    site.start_from_old()
    process = site.build(env={"FEEDKIT_FAULT": f"commit:{step}"})
    assert process.wait(60) == -signal.SIGKILL
    half = tree(site.out)
    if step:
        assert half != site.old and half != site.new  # the kill left out/ mixed
    assert site.next_command_settles() == site.new


def test_killed_at_random_moments_leaves_old_or_new(site: Site) -> None:
    site.start_from_old()
    started = time.perf_counter()
    assert site.build().wait(60) == 0
    took = time.perf_counter() - started
    chance = random.Random(20240229)
    seen = set()
    for _ in range(8):
        site.start_from_old()
        process = site.build()
        time.sleep(chance.uniform(0, took))
        process.send_signal(signal.SIGKILL)
        process.wait(60)
        settled = site.next_command_settles()
        assert settled in (site.old, site.new)
        seen.add("new" if settled == site.new else "old")
    assert "old" in seen  # some kills land before the commit


def test_removed_tag_files_go_and_check_lists_them(site: Site) -> None:
    site.start_from_old()
    check = subprocess.run(
        [sys.executable, "-c", "from feedkit.cli import main; main()", "build", "--check",
         "-r", str(site.registry), "-o", str(site.out), "--now", NOW],
        capture_output=True, text=True, check=False)
    assert check.returncode == 1
    assert f"would remove {site.out / 'tags' / 'udda' / 'atom.xml'}" in check.stdout
    assert site.build().wait(60) == 0
    assert not (site.out / "tags" / "udda").exists()
    assert tree(site.out) == site.new
