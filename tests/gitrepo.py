"""Git repositories for tests: git run with a fixed identity and no user configuration,
and a repository made of some of this checkout's files, committed on branch main."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(folder: Path, *args: str) -> str:
    """`git ARGS` in `folder` (unsigned, default branch main); its output."""
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false",
                           "-c", "tag.gpgsign=false", *args], cwd=folder,
                          env={**os.environ, **GIT_ENV}, check=True, capture_output=True,
                          text=True)
    return done.stdout.rstrip()


def repository_of(folder: Path, names: Iterable[str]) -> Path:
    """`folder` as a git repository holding these files and folders of the checkout
    (without bytecode), in one commit on main."""
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, folder / name)
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "feedkit")
    return folder
