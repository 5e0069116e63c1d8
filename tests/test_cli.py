"""The command line: exit codes, exact error lines, nothing written on bad input."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_registry import BAD_CASES
from typer.testing import CliRunner

from feedkit import __version__
from feedkit.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def build_fails(tmp_path: Path, text: str):
    """Build a registry holding `text` over an out/ with a previous feed: the result,
    after checking that out/ was left exactly as it was."""
    registry = tmp_path / "posts.yaml"
    registry.write_text(text, "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "atom.xml").write_bytes(b"previous feed")
    before = snapshot(out)
    result = run("build", "--registry", str(registry), "--out", str(out))
    assert result.exit_code == 1
    assert snapshot(out) == before
    return registry, result


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"feedkit {__version__}"


def command_names() -> list[str]:
    import typer.main

    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_every_command_is_listed_in_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "build" in command_names()
    for name in command_names():
        assert name in result.stdout


@pytest.mark.parametrize("command", command_names())
def test_help_on_every_command(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert "--help" in result.stdout


def test_build_writes_and_reports(example_registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", "--registry", str(example_registry), "--out", str(out),
                 "--now", "2026-01-01T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    # Many files: one summary line, not a line per file.
    lock = example_registry.with_suffix(".lock")
    assert result.stdout == f"{out}: 28 files, 28 written, 0 unchanged\nunchanged {lock}\n"
    again = run("build", "--registry", str(example_registry), "--out", str(out),
                "--now", "2026-01-01T00:00:00+00:00")
    assert again.stdout == f"{out}: 28 files, 0 written, 28 unchanged\nunchanged {lock}\n"
    quiet = run("build", "-q", "--registry", str(example_registry), "--out", str(out))
    assert quiet.exit_code == 0 and quiet.stdout == ""
    few = run("build", "--registry", str(example_registry), "--out", str(out),
              "--now", "2026-01-01T00:00:00+00:00", "--drafts")
    # The example has no drafts; a drafts build leaves posts.lock alone.
    assert few.stdout == f"{out}: 28 files, 0 written, 28 unchanged\n"


def test_bad_input_exits_1_lists_all_and_leaves_out_untouched(tmp_path: Path) -> None:
    registry, result = build_fails(
        tmp_path, "site:\n  title: T\n  url: example.org\n  timezone: Europe/Stockholm\n"
        "posts:\n  - titel: A\n    date: 31 februari 2020\n    author: A\n    body: x\n")
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{registry}:3:8: site.url: 'example.org' is not an absolute http(s) URL; write it "
        "like https://example.org/blog/",
        f"{registry}:6:5: posts[0].titel: unknown field; did you mean 'title'?",
        f"{registry}:6:5: posts[0].title: missing; this field is required",
        f"{registry}:7:11: posts[0].date: '31 februari 2020' does not exist (day is out of "
        "range for month)",
        "4 problems found; nothing was written.",
    ]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [
    ["build"], ["digest"], ["validate"], ["publish"], ["send", "--period", "week"],
    ["unsubscribe", "ann@example.org"], ["new", "Hej"],
])
def test_a_missing_registry_is_the_same_error_everywhere(tmp_path: Path, command) -> None:
    missing = tmp_path / "nope.yaml"
    result = run(*command, "--registry", str(missing))
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: {missing}: no such file; start a site with `feedkit "
                             "init`, or give --registry the path of posts.yaml\n")
    assert list(tmp_path.iterdir()) == []  # nothing made beside it


def test_usage_errors_exit_2(example_registry: Path) -> None:
    assert run("build", "--bogus").exit_code == 2
    bad_now = run("build", "--registry", str(example_registry), "--now", "soon")
    assert bad_now.exit_code == 2
    assert "not an ISO 8601 date-time" in bad_now.output


@pytest.mark.parametrize(("args", "error"), [
    (["bulid"], "Error: No such command 'bulid'. Did you mean 'build'?"),
    (["subscribers", "lst"], "Error: No such command 'lst'. Did you mean 'list'?"),
    (["build", "--out", "pyproject.toml"],
     "Error: Invalid value for '--out' / '-o': Directory 'pyproject.toml' is a file."),
])
def test_a_usage_error_is_one_plain_line_said_once(args: list[str], error: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == error
    assert len(lines) == 2 and lines[1].startswith("Try 'feedkit") and lines[1].endswith(
        " -h' for help.")


def test_check_reports_stale_and_fresh(example_registry: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--registry", str(example_registry), "--out", str(out), "--now", "2026-01-01"]
    stale = run("build", "--check", *args)
    assert stale.exit_code == 1
    assert f"would change {out / 'atom.xml'}" in stale.stdout
    assert not out.exists()
    assert run("build", *args).exit_code == 0
    fresh = run("build", "--check", *args)
    assert fresh.exit_code == 0, fresh.output
    assert "up to date" in fresh.stdout


def test_installed_command_runs_in_a_folder_with_only_posts_yaml(
    example_registry: Path, tmp_path: Path
) -> None:
    (tmp_path / "posts.yaml").write_bytes(example_registry.read_bytes())
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    feedkit = Path(sys.executable).with_name("feedkit")
    done = subprocess.run([str(feedkit), "build"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "atom.xml").read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_every_bad_input_exits_1_with_its_lines_and_out_untouched(
    name: str, tmp_path: Path
) -> None:
    text, expected = BAD_CASES[name]
    registry, result = build_fails(tmp_path, text)
    shown = [line.replace(str(registry), "posts.yaml") for line in result.stderr.splitlines()]
    assert shown[:-1] == expected
    assert shown[-1].endswith("found; nothing was written.")
