"""`--state` and FEEDKIT_STATE_URL on every command that touches the state: a
postgresql:// URL works like a file, and a wrong or unreachable one is a clear error
naming the option, exit 1, no traceback, never the password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pg import free_port
from send_helpers import SECRET, make_site, subscribers_csv
from typer.testing import CliRunner

from feedkit.cli import app

PASSWORD = "s3cret-Pa55"


def _cli(*args: str, env: dict[str, str] | None = None):
    environment = {"FEEDKIT_SECRET": SECRET, "FEEDKIT_STATE_URL": "", "FEEDKIT_SMTP_URL": ""}
    return CliRunner().invoke(app, list(args), env={**environment, **(env or {})})


COMMANDS = [
    ("subscribers", "list"),
    ("subscribers", "import", "SUBSCRIBERS"),
    ("subscribers", "remove", "ann@example.org"),
    ("unsubscribe", "ann@example.org"),
    ("send", "--period", "week", "--now", "2020-02-10T12:00+01:00"),
    ("send", "--period", "week", "--now", "2020-02-10T12:00+01:00", "--dry-run"),
    ("serve", "--port", "0"),
    ("status",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:3]) for c in COMMANDS])
def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path,
                                                              command: tuple[str, ...]) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    port = free_port()  # nothing listens there
    url = f"postgresql://feedkit:{PASSWORD}@127.0.0.1:{port}/list"
    args = [str(tmp_path / "subscribers.csv") if a == "SUBSCRIBERS" else a for a in command]
    result = _cli(*args, "--registry", str(registry), "--state", url)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.output.startswith(
        f"Error: --state postgresql://feedkit:***@127.0.0.1:{port}/list: can't connect to "
        "the PostgreSQL server: "), result.output
    assert PASSWORD not in result.output and "Traceback" not in result.output
    assert not (tmp_path / ".feedkit" / "state.sqlite").exists()


def test_a_missing_database_and_a_foreign_scheme(tmp_path: Path, postgres_url: str) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    server = postgres_url.rsplit("/", 1)[0].replace("feedkit@", f"feedkit:{PASSWORD}@")
    missing = _cli("subscribers", "list", "--registry", str(registry), "--state",
                   f"{server}/no_such_db?password={PASSWORD}")
    assert missing.exit_code == 1 and 'database "no_such_db" does not exist' in missing.output
    assert PASSWORD not in missing.output and "password=***" in missing.output
    foreign = _cli("subscribers", "list", "--registry", str(registry), "--state",
                   "mysql://feedkit@127.0.0.1/list")
    assert foreign.exit_code == 1
    assert foreign.output == ("Error: --state: 'mysql://' is not a state feedkit can use; "
                              "give a SQLite file's path or a postgresql://user@host/database "
                              "URL\n")
    bad_port = _cli("subscribers", "list", "--registry", str(registry), "--state",
                    f"postgresql://feedkit:{PASSWORD}@127.0.0.1:port/list")
    assert bad_port.exit_code == 1 and bad_port.output.startswith("Error: --state ")
    assert PASSWORD not in bad_port.output


def test_feedkit_state_url_is_every_command_s_state(tmp_path: Path, pg_state: str) -> None:
    registry = make_site(tmp_path, "email,name,language\nann@example.org,Ann,sv\n"
                                   "bo@example.org,Bo,\n")
    env = {"FEEDKIT_STATE_URL": pg_state}
    where = ["--registry", str(registry)]
    imported = _cli("subscribers", "import", str(tmp_path / "subscribers.csv"), *where, env=env)
    assert imported.output == "imported 2, already in the list 0\n"
    assert _cli("unsubscribe", "bo@example.org", *where, env=env).exit_code == 0
    listed = json.loads(_cli("subscribers", "list", "--format", "json", *where, env=env).output)
    assert [(r["email"], r["status"]) for r in listed] == [
        ("ann@example.org", "confirmed"), ("bo@example.org", "unsubscribed")]
    (tmp_path / "subscribers.csv").unlink()  # the list in PostgreSQL is everyone
    dry = _cli("send", "--period", "week", "--now", "2020-02-10T12:00+01:00", "--dry-run",
               *where, env=env)
    assert "would send week 2020-02-03..2020-02-09 to ann@example.org" in dry.output
    assert "bo@example.org" not in dry.output and "would send 1," in dry.output
    assert not (tmp_path / ".feedkit").exists()  # nothing went into a SQLite file
    empty = _cli("subscribers", "list", *where)  # without the variable: the file beside
    assert empty.exit_code == 0 and empty.output == ""
