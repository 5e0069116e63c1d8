"""A site with nothing published yet (an empty `posts:` list, or only drafts): every
command that reads the registry works; the feeds are valid and empty, and the digest
says there is nothing new."""

from __future__ import annotations

from pathlib import Path

import click
import feedparser
import httpx
import pytest
import typer.main
from serve_helpers import serving
from typer.testing import CliRunner

from feedkit.cli import app

runner = CliRunner()
SITE = ("site:\n  title: Tyst blogg\n  url: https://lab.example.org/dagbok/\n"
        "  language: sv\n  timezone: Europe/Stockholm\n")
REGISTRIES = {
    "empty list": SITE + "posts: []\n",
    "only a draft": SITE + "posts:\n  - title: Utkast\n    date: 2020-02-03\n"
                           "    author: Åsa\n    body: Inte klart.\n    draft: true\n",
}
ENV = {"SOURCE_DATE_EPOCH": "1581325200", "FEEDKIT_SECRET": "a-secret-for-the-tests-only",
       "FEEDKIT_SMTP_URL": "", "FEEDKIT_STATE_URL": ""}

# Each command that reads the registry, with what it needs besides it, and the exit
# status that means "done, nothing to do" (3: nothing to send).
INVOCATIONS: dict[str, tuple[list[str], int]] = {
    "new": (["Första inlägget", "--date", "2020-02-04"], 0),
    "build": (["--out", "{site}/out"], 0),
    "digest": (["--period", "week"], 3),
    "validate": (["--out", "{site}/out"], 0),
    "pin-ids": ([], 0),
    "publish": (["--out", "{site}/out"], 0),
    "send": (["--period", "week"], 0),
    "unsubscribe": (["ann@example.org"], 0),
    "status": ([], 0),
    "inbox": (["--maildir", "{site}/mail"], 0),
    "subscribers import": (["{site}/subscribers.csv"], 0),
    "subscribers list": ([], 0),
    "subscribers remove": (["ann@example.org"], 0),
    "subscribers export": (["ann@example.org"], 0),
    "subscribers erase": (["ann@example.org"], 0),
    "schedule": (["cron"], 0),
    # Nothing answers at site.url in a test: the checks fail (1), and say so.
    "doctor": (["--only", "list", "--timeout", "0.5", "--nameserver", "127.0.0.1:9"], 1),
    "serve": ([], 0),  # run as a server below
}


def _reading_the_registry(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _reading_the_registry(command, f"{prefix}{name} ")
        elif any("--registry" in p.opts for p in command.params):
            names.append(prefix + name)
    return sorted(names)


COMMANDS = _reading_the_registry(typer.main.get_command(app))  # type: ignore[arg-type]


def test_every_command_that_reads_the_registry_is_covered() -> None:
    assert len(COMMANDS) >= 13
    assert sorted(INVOCATIONS) == COMMANDS


def _site(tmp_path: Path, registry: str) -> Path:
    (tmp_path / "posts.yaml").write_text(registry, "utf-8")
    (tmp_path / "subscribers.csv").write_text("email,name\nann@example.org,Ann\n", "utf-8")
    for sub in ("new", "cur", "tmp"):
        (tmp_path / "mail" / sub).mkdir(parents=True)
    return tmp_path


@pytest.mark.parametrize("kind", REGISTRIES)
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "serve"])
def test_the_command_works_with_nothing_published(tmp_path: Path, kind: str,
                                                  command: str) -> None:
    site = _site(tmp_path, REGISTRIES[kind])
    args, status = INVOCATIONS[command]
    result = runner.invoke(app, [*command.split(), *(a.format(site=site) for a in args),
                                 "--registry", str(site / "posts.yaml")], env=ENV)
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    if command == "digest":
        assert result.stderr == "Error: no posts between 2020-02-10 and 2020-02-16\n"


@pytest.mark.parametrize("kind", REGISTRIES)
def test_the_feeds_of_a_site_with_nothing_published_are_valid_and_empty(
        tmp_path: Path, kind: str) -> None:
    site = _site(tmp_path, REGISTRIES[kind])
    registry = str(site / "posts.yaml")
    built = runner.invoke(app, ["build", "-r", registry, "-o", str(site / "out")], env=ENV)
    assert built.exit_code == 0, built.output
    names = sorted(p.name for p in (site / "out").iterdir() if not p.name.startswith("."))
    assert names == ["atom.xml", "feed.json", "feeds.html", "rss.xml"]
    atom = feedparser.parse((site / "out" / "atom.xml").read_bytes())
    assert not atom.bozo and atom.entries == [] and atom.feed.title == "Tyst blogg"
    # Nothing published, nothing to date the feed by: the epoch, never the build time.
    assert atom.feed.updated == "1970-01-01T01:00:00+01:00"
    strict = runner.invoke(app, ["validate", "--strict", "-r", registry,
                                 "-o", str(site / "out")], env=ENV)
    assert strict.exit_code == 0, strict.output
    check = runner.invoke(app, ["build", "--check", "-r", registry, "-o",
                                str(site / "out")], env=ENV)
    assert check.exit_code == 0, check.output


def test_the_list_serves_a_site_with_nothing_published(tmp_path: Path) -> None:
    site = _site(tmp_path, REGISTRIES["empty list"])
    built = runner.invoke(app, ["build", "-r", str(site / "posts.yaml"),
                                "-o", str(site / "out")], env=ENV)
    assert built.exit_code == 0, built.output
    with serving(site / "posts.yaml") as (base, _):
        assert httpx.get(base + "atom.xml").status_code == 200
        assert httpx.get(base + "subscribe").status_code == 200
