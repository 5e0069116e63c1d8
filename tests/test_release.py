"""`make release` in a git copy of this repository: refused, saying what to do, for a
.dev version, without the version's CHANGELOG.md section, on a dirty tree, off main,
and for a tag that exists; made from a clean main (sdist and wheel checked by twine,
an annotated tag vX.Y.Z). The wheel it built is then installed into a fresh virtual
environment (offline: pip gets no index, only a wheelhouse packed from this
environment, tests/wheelhouse.py) where `feedkit init`, `build` and `validate` run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from gitrepo import GIT_ENV, git, repository_of
from wheelhouse import offline_pip_env, wheelhouse

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "CHANGELOG.md", "Makefile", ".gitignore",
           "feedkit", "templates", "tools")
# A version of its own, so that the test doesn't follow the repository's.
VERSION = "9.9.9"
SECTION = f"## [{VERSION}] - 2026-12-04\n\n### Added\n- Something a user can see.\n\n"


def release(repo: Path) -> subprocess.CompletedProcess[str]:
    """`make release` with this environment's tools (what `make test` installed)."""
    return subprocess.run(["make", "-s", "release", f"BIN={Path(sys.executable).parent}"],
                          cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True,
                          text=True, timeout=300, check=False)


def refused(repo: Path, why: str) -> None:
    done = release(repo)
    assert done.returncode != 0, done.stdout
    assert f"make release: {why}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert git(repo, "tag", "--list") == ""


def set_version(repo: Path, version: str) -> None:
    init = repo / "feedkit" / "__init__.py"
    text = init.read_text("utf-8")
    init.write_text(re.sub(r'^__version__ = ".*"$', f'__version__ = "{version}"', text,
                           flags=re.M), "utf-8")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository taken through the release steps of docs/release.md,
    each refusal on the way checked; the repository, released as VERSION."""
    repo = repository_of(tmp_path_factory.mktemp("feedkit-repo"), SOURCES)

    set_version(repo, f"{VERSION}.dev0")
    git(repo, "commit", "-q", "-am", "Between releases")
    refused(repo, f"{VERSION}.dev0 is not a release version: set __version__ in "
                  "feedkit/__init__.py")
    set_version(repo, VERSION)
    git(repo, "commit", "-q", "-am", VERSION)
    refused(repo, f"CHANGELOG.md has no section for {VERSION}: move what is under "
                  f"'## [Unreleased]' into a section '## [{VERSION}] - YYYY-MM-DD'")
    changelog = repo / "CHANGELOG.md"
    text = changelog.read_text("utf-8")
    changelog.write_text(text.replace("## [0.2.0]", SECTION + "## [0.2.0]", 1), "utf-8")
    refused(repo, "the tree has changes that aren't committed:\n M CHANGELOG.md")
    git(repo, "checkout", "-q", "-b", "prepare")
    git(repo, "commit", "-q", "-am", f"Changelog for {VERSION}")
    refused(repo, "releases are made from main, and HEAD is prepare")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "prepare")

    done = release(repo)
    assert done.returncode == 0, done.stdout + done.stderr
    head = git(repo, "rev-parse", "--short", "HEAD")
    assert f"make release: tagged v{VERSION} on {head}; built dist/feedkit_se-{VERSION}.tar.gz, " \
        f"dist/feedkit_se-{VERSION}-py3-none-any.whl" in done.stdout
    assert "PASSED" in done.stdout  # twine check, once for each file
    assert git(repo, "cat-file", "-t", f"v{VERSION}") == "tag"  # annotated
    assert git(repo, "rev-list", "-n1", f"v{VERSION}") == git(repo, "rev-parse", "HEAD")
    assert "- Something a user can see." in git(repo, "tag", "-l", "--format=%(contents)",
                                               f"v{VERSION}")
    again = release(repo)
    assert again.returncode != 0
    assert f"make release: the tag v{VERSION} exists already" in again.stderr
    return repo


def test_release_builds_sdist_and_wheel_and_tags(released: Path) -> None:
    dist = released / "dist"
    with zipfile.ZipFile(dist / f"feedkit_se-{VERSION}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"feedkit_se-{VERSION}.dist-info/METADATA").decode()
    assert {"feedkit/__init__.py", "feedkit/templates/feeds.html",
            "feedkit/locale/sv/LC_MESSAGES/feedkit.po"} <= names
    assert f"\nVersion: {VERSION}\n" in metadata and "Name: feedkit-se\n" in metadata
    with tarfile.open(dist / f"feedkit_se-{VERSION}.tar.gz") as sdist:
        members = set(sdist.getnames())
    assert {f"feedkit_se-{VERSION}/CHANGELOG.md", f"feedkit_se-{VERSION}/tools/release.py",
            f"feedkit_se-{VERSION}/templates/feeds.html"} <= members


def test_the_released_wheel_installs_and_runs(released: Path,
                                              tmp_path: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheels = wheelhouse(tmp_path / "wheels", project["project"]["dependencies"])
    env = offline_pip_env(wheels)
    env.pop("PYTHONPATH", None)  # what the fresh environment has must come from the wheels
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         str(released / "dist" / f"feedkit_se-{VERSION}-py3-none-any.whl")],
        env=env, capture_output=True, text=True, timeout=600, check=False)
    assert installed.returncode == 0, installed.stderr
    feedkit = venv / "bin" / "feedkit"
    run_env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path),
               "LANG": "C.UTF-8", "SOURCE_DATE_EPOCH": "1767225600", "TZ": "Europe/Stockholm"}

    def run(*args: str, cwd: Path = tmp_path) -> str:
        done = subprocess.run([str(feedkit), *args], cwd=cwd, env=run_env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    assert run("--version").strip() == f"feedkit {VERSION}"
    where = subprocess.run([str(python), "-c", "import feedkit; print(feedkit.__file__)"],
                           cwd=tmp_path, env=run_env, capture_output=True, text=True,
                           check=True).stdout
    assert where.startswith(str(venv))  # the installed copy, not this checkout
    run("init", "min sajt")
    site = tmp_path / "min sajt"
    run("new", "Vårt första möte", "--tag", "möten", cwd=site)
    posts = site / "posts.yaml"
    posts.write_text(posts.read_text("utf-8").replace("    draft: true\n", ""), "utf-8")
    run("build", cwd=site)
    assert (site / "out" / "atom.xml").is_file() and (site / "out" / "feeds.html").is_file()
    assert "Vårt första möte" in (site / "out" / "atom.xml").read_text("utf-8")
    assert "all valid" in run("validate", cwd=site).splitlines()[-1]


def test_the_documented_install_lines_fit_the_release(released: Path, tmp_path: Path) -> None:
    """docs/install.md's wheel and the CI workflow's vendored wheel name the file a
    release builds; `pip install git+file://...@vX.Y.Z` installs the tag."""
    from fnmatch import fnmatch

    from test_validate_ci import WHEEL

    built = f"feedkit_se-{VERSION}-py3-none-any.whl"
    install = (ROOT / "docs" / "install.md").read_text("utf-8")
    assert "pip install dist/feedkit_se-*-py3-none-any.whl" in install
    assert fnmatch(f"dist/{built}", "dist/feedkit_se-*-py3-none-any.whl")
    assert fnmatch(f"vendor/{built}", WHEEL)
    assert 'pip install "git+file:///srv/git/feedkit.git@v0.3.0"' in install
    target = tmp_path / "target"
    env = offline_pip_env(tmp_path / "no-wheels")
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
         "--no-build-isolation", "--target", str(target), f"git+file://{released}@v{VERSION}"],
        env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    init = (target / "feedkit" / "__init__.py").read_text("utf-8")
    assert f'\n__version__ = "{VERSION}"\n' in init
    assert (target / "feedkit" / "templates" / "feeds.html").is_file()
