"""`feedkit schedule` and `feedkit send --if-new`: units that `systemd-analyze verify`
accepts and whose command really sends, crontab lines that run as cron runs them, a
GitHub workflow with secrets only by name; a period without posts sends nothing and
says so, and `--if-new` stops before taking the lock or recording a run."""

from __future__ import annotations

import configparser
import shlex
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import yaml
from send_helpers import SECRET, make_site, run, subscribers_csv
from typer.testing import CliRunner

from feedkit.cli import app

AFTER_W08 = "2020-02-25T08:00:00+01:00"  # the week of 17-23 February has a post
AFTER_W09 = "2020-03-03T08:00:00+01:00"  # the week of 24 February - 1 March has none


def _epoch(moment: str) -> str:
    return str(int(datetime.fromisoformat(moment).timestamp()))


def _schedule(registry: Path, *args: str):
    result = CliRunner().invoke(app, ["schedule", *args, "--registry", str(registry)])
    assert result.exit_code == 0, result.output
    return result.stdout


def _outbox(registry: Path) -> int:
    new = registry.parent / ".feedkit" / "outbox" / "new"
    return len(list(new.iterdir())) if new.is_dir() else 0


def _runs(registry: Path) -> int:
    with sqlite3.connect(registry.parent / ".feedkit" / "state.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM send_runs").fetchone()[0])


def test_systemd_units_verify_and_their_command_sends(tmp_path: Path) -> None:
    site = tmp_path / "my site 100%"
    site.mkdir()
    registry = make_site(site, subscribers_csv(2))
    (tmp_path / "feedkit.env").write_text(f"FEEDKIT_SECRET={SECRET}\n")
    units = tmp_path / "units"
    out = _schedule(registry, "systemd", "--out", str(units), "--maildir",
                    str(tmp_path / "Maildir"), "--env-file", str(tmp_path / "feedkit.env"))
    names = sorted(p.name for p in units.iterdir())
    assert names == [f"feedkit-lab-example-org-{w}.{k}" for w in ("inbox", "send")
                     for k in ("service", "timer")]
    assert sorted(out.splitlines()) == [f"wrote {units / name}" for name in names]
    verified = subprocess.run(["systemd-analyze", "verify", *sorted(units.iterdir())],
                              capture_output=True, text=True)
    assert verified.returncode == 0 and verified.stderr == "", verified.stderr
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(units / "feedkit-lab-example-org-send.service")
    timer = configparser.ConfigParser(interpolation=None)
    timer.read(units / "feedkit-lab-example-org-send.timer")
    assert timer["Timer"]["OnCalendar"] == "Mon *-*-* 07:00:00 Europe/Stockholm"
    calendar = subprocess.run(["systemd-analyze", "calendar", timer["Timer"]["OnCalendar"]],
                              capture_output=True, text=True)
    assert calendar.returncode == 0 and "Next elapse:" in calendar.stdout, calendar.stderr
    exec_start = service["Service"]["ExecStart"]
    assert "%%" in exec_start  # the folder's % escaped for systemd
    command = shlex.split(exec_start.replace("%%", "%"))
    assert command[2:5] == ["feedkit", "send", "--registry"]
    assert command[5] == str(registry)
    env = {"FEEDKIT_SECRET": SECRET, "SOURCE_DATE_EPOCH": _epoch(AFTER_W08), "PATH": "/usr/bin"}
    first = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert _outbox(registry) == 2
    again = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout.startswith("nothing new: "), again.stdout
    assert _outbox(registry) == 2


def test_crontab_lines_run_as_cron_runs_them(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    env_file = tmp_path / "feedkit.env"
    env_file.write_text(f"FEEDKIT_SECRET={SECRET}\nSOURCE_DATE_EPOCH={_epoch(AFTER_W08)}\n")
    lines = _schedule(registry, "cron", "--env-file", str(env_file), "--at",
                      "06:30").splitlines()
    assert "--quiet" in lines[-1]
    assert all(line.startswith("#") for line in lines[:-1])
    when, command = lines[-1][:11], lines[-1][11:].strip()
    assert when == "30 6 * * 1 "
    ran = subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")],
                         capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "", "")  # quiet on success
    assert _outbox(registry) == 1
    env_file.write_text(f"SOURCE_DATE_EPOCH={_epoch(AFTER_W08)}\n")  # no secret: it fails
    (tmp_path / ".feedkit" / "state.sqlite").unlink()
    failed = subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")],
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert failed.returncode == 1 and "FEEDKIT_SECRET is not set" in failed.stderr


def test_the_github_workflow_names_its_secrets_and_commits_nothing(tmp_path: Path,
                                                                    monkeypatch) -> None:
    (tmp_path / "site").mkdir()
    registry = make_site(tmp_path / "site", subscribers_csv(1))
    monkeypatch.chdir(tmp_path)
    text = _schedule(registry, "github")
    workflow = yaml.safe_load(text)
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"] == [{"cron": "0 6 * * 1"}]  # 07:00 Stockholm, in UTC
    assert "an hour later in summer time" in text
    steps = workflow["jobs"]["send"]["steps"]
    assert steps[-1]["run"] == "feedkit send --registry site/posts.yaml --period week --if-new"
    assert steps[-1]["env"]["FEEDKIT_STATE_URL"] == "${{ secrets.FEEDKIT_STATE_URL }}"
    assert all(v.startswith("${{ secrets.") for v in steps[-1]["env"].values())
    assert workflow["permissions"] == {"contents": "read"}
    assert "git commit" not in text and "git push" not in text
    # feedkit is not on an index yet: the wheel of this version, kept in the repository
    # (the file name `make release` gives it), with the postgres extra.
    import feedkit

    assert {"run": f'python -m pip install "./vendor/feedkit_se-{feedkit.__version__}'
                   '-py3-none-any.whl[postgres]"'} in steps


def test_a_period_without_posts_sends_nothing_and_says_so(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    assert run(registry, "send", "--period", "week", "--now", AFTER_W08).exit_code == 0
    assert _outbox(registry) == 2
    empty = run(registry, "send", "--period", "week", "--now", AFTER_W09)
    assert empty.exit_code == 0, empty.output
    assert "week 2020-02-24..2020-03-01: no posts; recorded as done, nothing sent" \
        in empty.output
    assert _outbox(registry) == 2


def test_if_new_stops_before_the_lock_and_records_no_run(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    first = run(registry, "send", "--period", "week", "--if-new", "--now", AFTER_W08)
    assert first.exit_code == 0 and _outbox(registry) == 2, first.output
    runs = _runs(registry)
    for moment in (AFTER_W08, AFTER_W09):  # the same week again; a week with no posts
        hourly = run(registry, "send", "--period", "week", "--if-new", "--now", moment)
        assert hourly.exit_code == 0
        assert hourly.output.startswith("nothing new: "), hourly.output
    assert hourly.output == ("nothing new: no posts in week 2020-02-24..2020-03-01; "
                             "nothing sent\n")
    assert _runs(registry) == runs and _outbox(registry) == 2
    quiet = run(registry, "send", "--period", "week", "--if-new", "--quiet", "--now",
                AFTER_W09)
    assert (quiet.exit_code, quiet.output) == (0, "")
