"""`make test`'s Debian packages: a clear message, not an apt error, when they
can't be installed (no apt-get, not root and no sudo, apt-get failing)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT


def _make(tmp_path: Path, tools: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`make debian-packages` needing a package that isn't there, with a PATH of
    only `ls` and the given fake tools (name -> shell script body)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("ls", "env"):
        (bin_dir / name).symlink_to(shutil.which(name) or f"/bin/{name}")
    for name, body in tools.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    make = shutil.which("make")
    assert make
    return subprocess.run([make, "-s", "-C", str(ROOT), "debian-packages",
                           "NEEDS=feedkit-test-pkg:/nonexistent/feedkit-test"],
                          env={"PATH": str(bin_dir)}, capture_output=True, text=True,
                          timeout=30, check=False)


@pytest.mark.parametrize(("tools", "reason"), [
    ({"id": "echo 0"}, "This system has no apt-get."),
    ({"id": "echo 1000", "apt-get": "exit 100"},
     "Installing them needs root, and there is no sudo."),
    ({"id": "echo 0", "apt-get": "echo 'E: Could not open lock file' >&2; exit 100"},
     "apt-get could not install them."),
])
def test_a_package_that_cant_be_installed_is_explained(tmp_path: Path, tools: dict[str, str],
                                                       reason: str) -> None:
    done = _make(tmp_path, tools)
    assert done.returncode != 0
    lines = done.stderr.splitlines()
    assert "make test: missing Debian packages: feedkit-test-pkg" in lines
    assert any("a real browser (chromium)" in line for line in lines)
    assert f"  {reason} As root, run:" in lines
    assert "    apt-get install feedkit-test-pkg" in lines


def test_packages_already_there_are_not_installed(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ls").symlink_to(shutil.which("ls") or "/bin/ls")
    make = shutil.which("make")
    assert make
    done = subprocess.run([make, "-s", "-C", str(ROOT), "debian-packages",
                           f"NEEDS=present:{ROOT / 'Makefile'}"],
                          env={"PATH": str(bin_dir)}, capture_output=True, text=True,
                          timeout=30, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_docs_name_every_package_make_test_installs() -> None:
    make = shutil.which("make")
    assert make
    printed = subprocess.run([make, "-s", "-C", str(ROOT), "--eval",
                              "print-needs: ; @echo $(NEEDS)", "print-needs"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    packages = [item.split(":")[0] for item in printed.split()]
    assert "chromium" in packages and len(packages) >= 5
    development = (ROOT / "docs" / "development.md").read_text("utf-8")
    assert f"sudo apt-get install {' '.join(packages)}\n" in development
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight")
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"needs {words[len(packages)]} Debian packages" in " ".join(readme.split())
