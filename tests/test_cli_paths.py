"""Every command x every path option, given the wrong kind of path: a folder where a
file is expected or a file where a folder is, a path through a file, a missing
parent, a place nobody may write, and a good path with spaces and å ä ö.

The commands and their path options are enumerated from the CLI itself, so a new
command or option is swept without editing this test. A wrong path is one
`Error: ...` line naming the option (exit 2, or 1), never a traceback; a good path
with spaces and letters beyond ASCII works as a plain one does.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import click
import pytest
import typer.main
from typer.testing import CliRunner

from feedkit.cli import app

ROOT_COMMAND = typer.main.get_command(app)
KINDS = ("wrong kind", "through a file", "missing parent", "unwritable")
UNWRITABLE = Path("/sys/feedkit-test")  # refused even to root
ENV = {"SOURCE_DATE_EPOCH": "1581325200", "FEEDKIT_SECRET": "a-secret-for-the-tests-only",
       "FEEDKIT_SMTP_URL": "", "FEEDKIT_STATE_URL": ""}
# What a few commands need that click can't say: doctor asks DNS (kept on 127.0.0.1);
# inbox reads one of -, --maildir, --mbox, --imap (a good Maildir, unless the path
# under test is another source).
NEEDS: dict[str, tuple[list[str], set[str]]] = {
    "doctor": (["--nameserver", "127.0.0.1:9", "--timeout", "0.2"], set()),
    "inbox": (["--maildir", "{maildir}"], {"maildir", "mbox"}),
}
REGISTRY = ("site:\n  title: Sajten\n  url: https://lab.example.org/dagbok/\n"
            "  timezone: Europe/Stockholm\nposts:\n  - title: Ett\n    date: 2020-02-10\n"
            "    author: Ann\n    body: Hej.\n")


def _is_path(param: click.Parameter) -> bool:
    metavar = param.metavar or ""
    return isinstance(param.type, click.Path) or "FILE" in metavar or "DIR" in metavar


def _wants_folder(param: click.Parameter) -> bool:
    if isinstance(param.type, click.Path):
        return not param.type.file_okay
    return "DIR" in (param.metavar or "") and "FILE" not in (param.metavar or "")


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(_commands(command, (*prefix, name)))
        else:
            found[" ".join((*prefix, name))] = command
    return found


assert isinstance(ROOT_COMMAND, click.Group)
COMMANDS = _commands(ROOT_COMMAND)
CASES = [(name, param.name or "") for name, command in COMMANDS.items()
         for param in command.params if _is_path(param)]


def test_the_sweep_finds_the_commands_and_their_paths() -> None:
    assert len(COMMANDS) >= 16 and len(CASES) >= 40
    assert ("init", "folder") in CASES and ("build", "out") in CASES
    assert ("send", "smtp_ca") in CASES and ("subscribers import", "path") in CASES


@functools.cache
def _ca_pem() -> bytes:
    import trustme

    return trustme.CA().cert_pem.bytes()


def _site(root: Path) -> dict[str, Path]:
    """A small site and a good value for each kind of path a command may want."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "posts.yaml").write_text(REGISTRY, "utf-8")
    (root / "subscribers.csv").write_text("email,name\nann@example.org,Ann\n", "utf-8")
    (root / "templates").mkdir(exist_ok=True)
    for sub in ("new", "cur", "tmp"):
        (root / "mail" / sub).mkdir(parents=True, exist_ok=True)
    (root / "ca.pem").write_bytes(_ca_pem())
    return {"registry": root / "posts.yaml", "subscribers": root / "subscribers.csv",
            "path": root / "subscribers.csv", "templates": root / "templates",
            "smtp_ca": root / "ca.pem", "ca": root / "ca.pem", "maildir": root / "mail",
            "folder": root / "new-site",
            "out": root / "out", "state": root / "state.sqlite", "source": root / "state.sqlite",
            "previous": root / "out" / "atom.xml"}


def _value(param: click.Parameter, site: dict[str, Path], root: Path) -> str:
    name = param.name or ""
    if name in site:
        return str(site[name])
    return str(root / ("a-folder" if _wants_folder(param) else "a-file"))


def _arguments(command: click.Command, under_test: str, value: str,
               site: dict[str, Path], root: Path) -> list[str]:
    """The command line: the path under test, good values for what else it requires,
    and the registry of the small site (with `under_test` empty: every path good)."""
    args: list[str] = []
    for param in command.params:
        if param.name == under_test:
            chosen = value
        elif param.required or param.name == "registry" or (
                not under_test and _is_path(param)):
            if _is_path(param):
                chosen = _value(param, site, root)
            elif "ADDRESS" in (param.metavar or ""):
                chosen = "ann@example.org"
            elif "|" in (param.metavar or ""):
                chosen = (param.metavar or "").split("|")[0]
            elif "URL" in (param.metavar or ""):
                chosen = "postgresql://127.0.0.1:9/feedkit"
            else:
                chosen = "Hej"
        else:
            continue
        if isinstance(param, click.Option):
            args += [param.opts[0], chosen]
        else:
            args.append(chosen)
    name = next(n for n, c in COMMANDS.items() if c is command)
    needed, unless = NEEDS.get(name, ([], set()))
    if under_test not in unless:
        args += [a.format(**{k: str(v) for k, v in site.items()}) for a in needed]
    return args


def _run(command: str, args: list[str], cwd: Path,
         monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    if command == "serve":  # a server: it either stops at once or says where it listens
        process = subprocess.Popen([sys.executable, "-m", "feedkit", "serve", "--port", "0",
                                    *args], cwd=cwd, env={**ENV, "PATH": "/usr/bin:/bin"},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        if first.startswith("feedkit serve: "):
            process.terminate()
            process.communicate(timeout=20)
            return 0, first, ""
        stdout, stderr = process.communicate(timeout=20)
        return process.returncode, first + stdout, stderr
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(app, [*command.split(), *args], env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"`feedkit {command} {' '.join(args)}` raised "
                             f"{result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


@functools.cache
def _plain_status(command: str) -> int:
    """The exit status of the command with good, plain paths (in a site of its own)."""
    root = Path(tempfile.mkdtemp(prefix="feedkit-plain-"))
    site = _site(root)
    here = os.getcwd()
    with pytest.MonkeyPatch.context() as monkeypatch:
        status = _run(command, _arguments(COMMANDS[command], "", "", site, root), root,
                      monkeypatch)[0]
    os.chdir(here)
    return status


def _bad_path(kind: str, folder: bool, root: Path) -> Path:
    (root / "a-folder").mkdir(exist_ok=True)
    (root / "a-file").write_text("not what you think\n", "utf-8")
    if kind == "wrong kind":
        return root / ("a-file" if folder else "a-folder")
    if kind == "through a file":
        return root / "a-file" / "sub"
    if kind == "missing parent":
        return root / "no" / "such" / "place"
    return UNWRITABLE / "place"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_good_paths_with_spaces_and_letters_beyond_ascii(
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "min sajt – åäö"
    spaced = _site(root)
    got = _run(command, _arguments(COMMANDS[command], "", "", spaced, root), root,
               monkeypatch)
    assert "Traceback" not in got[2]
    assert got[0] == _plain_status(command), got


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("command", "name"), CASES)
def test_a_path_option(command: str, name: str, kind: str, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    click_command = COMMANDS[command]
    param = next(p for p in click_command.params if p.name == name)
    site = _site(tmp_path)
    value = _bad_path(kind, _wants_folder(param), tmp_path)
    status, stdout, stderr = _run(command, _arguments(click_command, name, str(value), site,
                                                      tmp_path), tmp_path, monkeypatch)
    if status not in (0, 2) and _plain_status(command) == status:
        # A command that fails here with good paths too (doctor: no DNS to ask) can't
        # be judged by its status; it must still not break on the path.
        assert "Traceback" not in stderr
        return
    if kind in ("missing parent", "unwritable") and status == 0:
        # An output made with its folders, or an optional input that isn't there
        # (a missing out/ has no feeds to validate): fine, if nothing claims it was
        # written where nothing can be.
        assert not [line for line in stdout.splitlines()
                    if line.startswith("wrote") and str(UNWRITABLE) in line]
        return
    assert status in (1, 2), (status, stdout, stderr)
    assert "Traceback" not in stderr
    errors = [line for line in (stderr + stdout).splitlines()
              if line.startswith("Error") or ": error: " in line]
    assert len(errors) == 1, stderr
    names = [*param.opts, param.metavar or "", name.replace("_", "-")]
    assert any(n and n in errors[0] for n in names), (errors[0], names)
