"""CI integration as documented: the GitHub Actions example's shell commands, taken from
docs/ci.md, and the composite action's script, taken from action.yml, run against a
sample site with the `feedkit` installed in this environment."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from test_validate_cli import _FeedServer

ROOT = Path(__file__).resolve().parent.parent
FEEDKIT = Path(sys.executable).with_name("feedkit")
# What the workflow installs: the wheel of feedkit kept in the site's repository
# (tests/test_release.py checks that the pattern matches the wheel a release builds).
WHEEL = "vendor/feedkit_se-*-py3-none-any.whl"
PUBLISHED = "https://www.example.org/blog/atom.xml"


def yaml_blocks(markdown: str, heading: str) -> list[str]:
    """The ```yaml blocks of the section under `heading` (up to the next ## heading)."""
    section = markdown.split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, re.S)


def workflow_commands() -> list[str]:
    (workflow, *_) = yaml_blocks((ROOT / "docs" / "ci.md").read_text("utf-8"),
                                 "## GitHub Actions")
    steps = yaml.safe_load(workflow)["jobs"]["validate"]["steps"]
    return [step["run"] for step in steps if "run" in step]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{FEEDKIT.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def bash(script: str, cwd: Path, env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd,
                          env=env or environment(), capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def site(example_registry: Path, tmp_path: Path) -> Path:
    """A site as a repository holds it: posts.yaml and the out/ built from it."""
    shutil.copy(example_registry, tmp_path / "posts.yaml")
    built = bash("feedkit build", tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "out" / "atom.xml").is_file()
    return tmp_path


@pytest.fixture
def published(site: Path) -> Iterator[str]:
    """The site's feed as last published, served on 127.0.0.1."""
    with _FeedServer((site / "out" / "atom.xml").read_bytes()) as server:
        yield server.url + "/atom.xml"


def test_the_documented_workflow_runs_clean_on_a_sample_site(site: Path,
                                                             published: str) -> None:
    commands = workflow_commands()
    installs = [c for c in commands if c.startswith("pip install")]
    assert installs == [f"pip install {WHEEL}"]  # feedkit is not on PyPI yet
    rest = [c for c in commands if c not in installs]
    assert any("feedkit validate" in c and "--format github" in c for c in rest)
    for command in rest:
        # The only network use is --previous: point it at the local copy.
        assert "://" not in command.replace(PUBLISHED, "")
        result = bash(command.replace(PUBLISHED, published), site)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    last = bash(rest[-1].replace(PUBLISHED, published), site)
    assert last.stdout.splitlines()[-1].endswith("all valid")


def test_the_documented_workflow_fails_on_a_broken_feed(site: Path, published: str) -> None:
    atom = site / "out" / "atom.xml"
    atom.write_text(atom.read_text("utf-8").replace("<updated>", "<updated>x", 1), "utf-8")
    validate = [c for c in workflow_commands() if "feedkit validate" in c][-1]
    result = bash(validate.replace(PUBLISHED, published), site)
    assert result.returncode == 1
    assert re.search(r"^::error file=out/atom.xml,line=\d+,col=\d+,title=atom-bad-date::",
                     result.stdout, re.M), result.stdout


def action() -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    return loaded


def test_the_action_installs_from_its_own_checkout() -> None:
    runs = action()["runs"]
    assert isinstance(runs, dict) and runs["using"] == "composite"
    steps = runs["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert '"$GITHUB_ACTION_PATH"' in steps[1]["run"]
    assert set(action()["inputs"]) >= {"paths", "strict", "previous"}  # type: ignore[arg-type]


def run_action(site: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The action's validate step, with its inputs as the runner passes them."""
    declared = action()["inputs"]
    assert isinstance(declared, dict)
    step = action()["runs"]["steps"][-1]  # type: ignore[index]
    env = environment()
    for name, spec in declared.items():
        value = inputs.get(name, spec.get("default", ""))
        placeholder = "${{ inputs." + name + " }}"
        for key, template in step["env"].items():
            if template == placeholder:
                env[key] = value
    return bash(step["run"], site, env)


def test_the_action_checks_the_project_by_default(site: Path) -> None:
    result = run_action(site, strict="true")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "files checked" in result.stdout.splitlines()[-1]


def test_the_action_passes_paths_strict_and_previous(site: Path, published: str) -> None:
    feeds = "out/atom.xml out/rss.xml"
    assert run_action(site, paths=feeds, previous=published).returncode == 0
    (site / "out" / "rss.xml").write_text(
        (site / "out" / "rss.xml").read_text("utf-8").replace("<guid", "<guide", 1)
        .replace("</guid>", "</guide>", 1), "utf-8")
    failed = run_action(site, paths=feeds, strict="true")
    assert failed.returncode == 1
    assert "::error file=out/rss.xml," in failed.stdout
    assert "title=rss-undefined-element" in failed.stdout
