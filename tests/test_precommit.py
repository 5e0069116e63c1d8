"""The pre-commit example of docs/ci.md as written: its `pre-commit try-repo` command, with
the documented hook and ref, installs feedkit's hook from a git repository of this
checkout's sources (standing for the path the docs show) and runs it on a sample site.

pre-commit makes a virtualenv and pip-installs the clone into it. No network but
127.0.0.1 is allowed here: pip gets no index, only a wheelhouse packed from this
environment's own distributions (tests/wheelhouse.py), and every proxy variable points
at a closed local port, so an attempt to go out fails instead of leaving the machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from gitrepo import GIT_ENV, git, repository_of
from test_validate_ci import yaml_blocks
from wheelhouse import offline_pip_env, wheelhouse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
# What installing the hook needs from the repository: the wheel's sources and the hooks.
SOURCES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "feedkit", "templates")
UPSTREAM = "/srv/git/feedkit.git"  # the docs' stand-in for feedkit's repository
RENAMED = "  - title: Fler kan göra ännu mer!"


def documented() -> tuple[dict[str, object], str]:
    """docs/ci.md's .pre-commit-config.yaml and its `pre-commit try-repo` command."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    (config, *_) = yaml_blocks(text, "## pre-commit")
    section = text.split("## pre-commit", 1)[1].split("\n## ", 1)[0]
    (command,) = re.findall(r"^pre-commit try-repo .*$", section, re.M)
    return yaml.safe_load(config), command


@pytest.fixture(scope="module")
def feedkit_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository of feedkit's sources, on branch main."""
    return repository_of(tmp_path_factory.mktemp("feedkit-repo"), SOURCES)


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment pre-commit runs in: pip installs from local wheels only, and the
    feedkit of this environment is not on PATH (the hook must bring its own)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheels = wheelhouse(tmp_path_factory.mktemp("wheels"),
                        project["project"]["dependencies"]
                        + project["build-system"]["requires"])
    env = offline_pip_env(wheels)
    path = [p for p in env["PATH"].split(os.pathsep) if Path(p) != BIN]
    env.update(GIT_ENV, PATH=os.pathsep.join(path), PRE_COMMIT_COLOR="never",
               SOURCE_DATE_EPOCH="1704067200",  # 2024-01-01: what "now" is for the hook
               VIRTUALENV_OVERRIDE_APP_DATA=str(tmp_path_factory.mktemp("virtualenv")))
    assert shutil.which("feedkit", path=env["PATH"]) is None
    return env


def sample_site(folder: Path, example_registry: Path) -> Path:
    """A site's repository: posts.yaml, the out/ and posts.lock built from it, committed."""
    folder.mkdir()
    shutil.copy(example_registry, folder / "posts.yaml")
    built = subprocess.run([str(BIN / "feedkit"), "build"], cwd=folder, capture_output=True,
                           env={**os.environ, "SOURCE_DATE_EPOCH": "1704067200"}, text=True)
    assert built.returncode == 0, built.stderr
    (folder / "package.json").write_text('{"name": "site", "version": "1.0.0"}\n')
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "site")
    return folder


def test_pre_commit_try_repo_as_documented_on_a_sample_site(
    tmp_path: Path, example_registry: Path, feedkit_repo: Path, offline: dict[str, str]
) -> None:
    _, command = documented()
    args = command.replace(UPSTREAM, str(feedkit_repo)).split()
    clean = sample_site(tmp_path / "clean", example_registry)
    broken = sample_site(tmp_path / "broken", example_registry)
    registry = broken / "posts.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("  - title: Fler kan göra mer!", RENAMED), "utf-8")
    # As documented on the clean site; on the broken one, every hook of the repository.
    every_hook = [a for a in args if a != "feedkit-validate"]
    runs = [subprocess.Popen([str(PRE_COMMIT), *argv[1:]], cwd=site, env=offline,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for site, argv in ((clean, args), (broken, every_hook))]
    (passed, _), (failed, _) = (run.communicate(timeout=600) for run in runs)
    assert runs[0].returncode == 0, passed
    assert re.search(r"^feedkit validate\.+Passed$", passed, re.M), passed
    assert "Installing environment for" in passed  # the hook brought its own feedkit

    assert runs[1].returncode == 1, failed
    assert re.search(r"^feedkit validate\.+Failed$", failed, re.M), failed
    line = text.splitlines().index("  - title: Fler kan göra mer!") + 1
    assert re.search(rf"^posts\.yaml:{line}:1: error: id: 'Fler kan göra ännu mer!' would get "
                     r"the id .* Add 'id: tag:www\.allmannyttan\.se,2020-02-03:"
                     r"fler-kan-gora-mer' to the post .*\[lock-id-changed\]$", failed, re.M), \
        failed
    # The feed files are fine, and package.json is passed over as not a feed.
    assert re.search(r"^feedkit validate \(feed files\)\.+Passed$", failed, re.M), failed
