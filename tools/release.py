"""`make release`: check, build and tag one version of feedkit (docs/release.md).

The version is `__version__` in feedkit/__init__.py; pyproject.toml reads it from
there. The release is refused, saying what to do, unless the version is a release
(not a .dev one), CHANGELOG.md has its section, HEAD is main with a clean tree, and
the tag vX.Y.Z doesn't exist yet. Then the sdist and the wheel are built into dist/
by hatchling (no network, no build isolation), checked with `twine check --strict`,
and the annotated tag vX.Y.Z is made on HEAD. Pushing the tag and uploading to an
index are left to a person.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "feedkit_se"  # feedkit-se, as a file name
RELEASE = re.compile(r"^\d+\.\d+\.\d+$")


class Refused(Exception):
    """Why this tree can't be released, and what to do."""


def version() -> str:
    text = (ROOT / "feedkit" / "__init__.py").read_text("utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if not found:
        raise Refused("feedkit/__init__.py has no line __version__ = \"X.Y.Z\"")
    return found.group(1)


def changelog_section(release: str) -> str:
    """The text of CHANGELOG.md's section `## [release] - YYYY-MM-DD`."""
    path = ROOT / "CHANGELOG.md"
    text = path.read_text("utf-8") if path.is_file() else ""
    heading = re.search(rf"^## \[{re.escape(release)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text,
                        re.M)
    if not heading:
        raise Refused(f"CHANGELOG.md has no section for {release}: move what is under "
                      f"'## [Unreleased]' into a section '## [{release}] - YYYY-MM-DD' "
                      "(today's date), commit it on main, and run make release again")
    body = text[heading.end():].split("\n## ", 1)[0].strip()
    if not re.search(r"^- ", body, re.M):
        raise Refused(f"CHANGELOG.md's section for {release} lists no change")
    return body


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise Refused(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.rstrip()


def check_tree(tag: str) -> None:
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    if branch != "main":
        raise Refused(f"releases are made from main, and HEAD is {branch}: "
                      "land the release commit on main and run make release there")
    dirty = git("status", "--porcelain", "--untracked-files=normal")
    if dirty:
        raise Refused("the tree has changes that aren't committed:\n" + dirty +
                      "\ncommit them (or stash them) first: a release is a commit")
    if git("tag", "--list", tag):
        raise Refused(f"the tag {tag} exists already (on {git('rev-list', '-n1', tag)}): "
                      "raise __version__ in feedkit/__init__.py for a new release")


def build(release: str) -> list[Path]:
    """sdist and wheel of this tree in dist/, checked by twine."""
    dist = ROOT / "dist"
    made = [dist / f"{DISTRIBUTION}-{release}.tar.gz",
            dist / f"{DISTRIBUTION}-{release}-py3-none-any.whl"]
    for path in made:
        path.unlink(missing_ok=True)
    for target in ("sdist", "wheel"):
        subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", target,
                        "-d", str(dist)], cwd=ROOT, check=True)
    missing = [str(p.relative_to(ROOT)) for p in made if not p.is_file()]
    if missing:
        raise Refused(f"the build didn't make {', '.join(missing)}")
    checked = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                              *map(str, made)], cwd=ROOT, check=False)
    if checked.returncode != 0:
        raise Refused("twine check found problems in the distributions (above)")
    return made


def main() -> int:
    try:
        for module in ("hatchling", "twine"):
            try:
                __import__(module)
            except ImportError:
                raise Refused(f"{module} is not installed here: make release runs in the "
                              "test environment (make test installs it)") from None
        release = version()
        if not RELEASE.match(release):
            raise Refused(f"{release} is not a release version: set __version__ in "
                          "feedkit/__init__.py to X.Y.Z, run make golden (feeds name the "
                          "version), add its CHANGELOG.md section, and commit on main")
        notes = changelog_section(release)
        tag = f"v{release}"
        check_tree(tag)
        made = build(release)
        git("tag", "-a", tag, "-m", f"feedkit {release}\n\n{notes}\n")
    except Refused as exc:
        print(f"make release: {exc}", file=sys.stderr)
        return 1
    print(f"make release: tagged {tag} on {git('rev-parse', '--short', 'HEAD')}; built "
          + ", ".join(str(p.relative_to(ROOT)) for p in made))
    print(f"next: git push origin {tag}; once published, twine upload "
          + " ".join(str(p.relative_to(ROOT)) for p in made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
