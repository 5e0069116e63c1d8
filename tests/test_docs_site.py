"""The documentation site builds with warnings as errors, and what it names exists:
the module paths of the architecture page, a section for every command, and every
option written after a `feedkit` command."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main
import yaml
from conftest import ROOT

from feedkit.cli import app

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
# A path of the repository written in code: feedkit/..., templates/..., tests/..., bench/...
PATH = re.compile(r"`((?:feedkit|templates|tests|bench|docs)/[\w./-]*)`")
# Code that starts with the command: `feedkit build --check` (may span a line break).
INLINE = re.compile(r"`(feedkit(?: [^`]*)?)`")
FENCE = re.compile(r"^```.*?$(.*?)^```", re.S | re.M)


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """A broken link or anchor, a page missing from the nav: mkdocs --strict fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(tmp_path / "site")], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "architecture" / "index.html").is_file()


def test_every_page_is_in_the_nav() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["nav"]

    def pages(node: object) -> set[str]:
        if isinstance(node, str):
            return {node}
        if isinstance(node, list):
            return set().union(*(pages(n) for n in node))
        if isinstance(node, dict):
            return set().union(*(pages(v) for v in node.values()))
        return set()

    assert pages(nav) == {p.name for p in PAGES}


def test_every_path_on_the_architecture_page_exists() -> None:
    text = (DOCS / "architecture.md").read_text("utf-8")
    named = set(PATH.findall(text))
    assert len(named) > 80
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"docs/architecture.md names paths that don't exist: {missing}"
    packages = {p.parent.relative_to(ROOT).as_posix() + "/"
                for p in (ROOT / "feedkit").rglob("__init__.py")} - {"feedkit/"}
    unnamed = sorted(p for p in packages if p not in named)
    assert not unnamed, f"docs/architecture.md doesn't describe: {unnamed}"


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda p: p.name)
def test_every_module_path_in_the_docs_exists(page: Path) -> None:
    named = {p for p in PATH.findall(page.read_text("utf-8")) if p.endswith(".py")}
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert not missing, f"{page.name} names files that don't exist: {missing}"


def _commands(group: click.Group, prefix: str = "feedkit") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        found[f"{prefix} {name}"] = command
        if isinstance(command, click.Group):
            found.update(_commands(command, f"{prefix} {name}"))
    return found


ROOT_COMMAND = typer.main.get_command(app)
assert isinstance(ROOT_COMMAND, click.Group)
COMMANDS = _commands(ROOT_COMMAND)


def test_every_command_has_its_section() -> None:
    text = (DOCS / "commands.md").read_text("utf-8")
    leaves = [name for name, c in COMMANDS.items() if not isinstance(c, click.Group)]
    assert len(leaves) >= 15
    # `feedkit subscribers import/list/remove` may share a row.
    missing = [name for name in leaves if f"`{name}" not in text and not (
        name.count(" ") > 1 and f"`{name.rpartition(' ')[0]} " in text)]
    assert not missing, f"docs/commands.md doesn't mention: {missing}"


def _options(command: click.Command) -> set[str]:
    names = {"--help", "-h"}
    for param in command.params:
        names.update(param.opts)
        names.update(param.secondary_opts)
    return names


def _problems(code: str) -> list[str]:
    """The words of one `feedkit ...` command that the CLI doesn't know."""
    try:
        words = shlex.split(code.replace("...", ""), comments=True)
    except ValueError:
        words = code.split()
    command: click.Command = ROOT_COMMAND
    problems = []
    for word in (w.strip("[]|") for w in words[1:]):
        if isinstance(command, click.Group) and not word.startswith("-"):
            if word.isupper() or not word or word.endswith(":"):
                return problems  # a placeholder (`feedkit COMMAND -h`), or output
            parts = word.split("/")
            known = [part for part in parts if part in command.commands]
            if len(known) != len(parts):
                return [*problems, f"no command '{word}'"]
            command = command.commands[parts[0]]
            continue
        if word.startswith("--") or (len(word) == 2 and word.startswith("-")):
            name = word.partition("=")[0]
            if name not in _options(command):
                problems.append(f"{command.name} has no option {name}")
    return problems


def _documented_commands(text: str) -> list[str]:
    """Every `feedkit ...` command the text shows, inline or in a block; commands
    joined with && or ; count one by one."""
    found = []
    lines = [" ".join(code.split()) for code in INLINE.findall(text)]
    for block in FENCE.findall(text):
        lines += [line.strip().removeprefix("$ ").removeprefix("- run: ")
                  for line in block.splitlines()]
    for line in lines:
        for part in re.split(r"\s*(?:&&|;)\s*", line):
            if part.startswith("feedkit ") or part.startswith(".venv/bin/feedkit "):
                found.append(part.removeprefix(".venv/bin/"))
    return found


@pytest.mark.parametrize("page", [*PAGES, ROOT / "README.md"], ids=lambda p: p.name)
def test_every_documented_option_exists(page: Path) -> None:
    commands = _documented_commands(page.read_text("utf-8"))
    problems = [f"`{code}`: {p}" for code in commands for p in _problems(code)]
    assert not problems, f"{page.name}:\n" + "\n".join(problems)


def test_the_option_check_finds_what_does_not_exist() -> None:
    assert _problems("feedkit build --check --no-cache -q") == []
    assert _problems("feedkit subscribers list --format csv") == []
    assert _problems("feedkit build --chekc") == ["build has no option --chekc"]
    assert _problems("feedkit bulid") == ["no command 'bulid'"]
    assert _problems("feedkit COMMAND -h") == []
    assert _documented_commands("`feedkit build && feedkit serve --lcal`") == [
        "feedkit build", "feedkit serve --lcal"]
