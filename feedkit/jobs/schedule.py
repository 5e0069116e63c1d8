"""`feedkit schedule`: the files that run `feedkit send` (and `feedkit inbox`) unattended,
written for this site: systemd service and timer units, crontab lines, or a GitHub
Actions workflow that keeps the state in PostgreSQL and so commits nothing.

Every run uses `--if-new` (a run with nothing to send stops at once) and `--quiet`
where output would be mailed (cron); a run that fails exits non-zero, which systemd,
cron and GitHub each report. No secret is ever written: they stay in an environment
file (systemd, cron) or the repository's secrets (GitHub).
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import UsageError
from ..model import Site
from ..periods import PERIODS

KINDS = ("systemd", "cron", "github")
SECRETS = ("FEEDKIT_SECRET", "FEEDKIT_SMTP_URL", "FEEDKIT_SMTP_USER", "FEEDKIT_SMTP_PASSWORD")
INBOX_EVERY = 15  # minutes between inbox runs


@dataclass(frozen=True)
class Schedule:
    """What to schedule: the site (absolute paths), how often, and as whom."""

    registry: Path
    site: Site
    period: str = "week"
    at: str = "07:00"
    hourly: bool = False
    state: str | None = None
    maildir: Path | None = None
    env_file: Path | None = None
    user: str = ""
    python: str = sys.executable

    @property
    def name(self) -> str:
        """The units' prefix: feedkit-<the site's host>."""
        from urllib.parse import urlsplit

        host = urlsplit(self.site.url).hostname or "site"
        return "feedkit-" + re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")

    @property
    def environment(self) -> Path:
        return self.env_file or Path("/etc/feedkit") / f"{self.name}.env"

    def send_args(self) -> list[str]:
        args = [self.python, "-m", "feedkit", "send", "--registry", str(self.registry),
                "--period", self.period, "--if-new"]
        return args + (["--state", self.state] if self.state else [])

    def inbox_args(self) -> list[str]:
        assert self.maildir is not None
        args = [self.python, "-m", "feedkit", "inbox", "--registry", str(self.registry),
                "--maildir", str(self.maildir)]
        return args + (["--state", self.state] if self.state else [])

    def hour_minute(self) -> tuple[int, int]:
        found = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", self.at)
        if not found:
            raise UsageError("--at", f"'{self.at}' is not a time of day like 07:00")
        return int(found.group(1)), int(found.group(2))


def check(schedule: Schedule) -> None:
    if schedule.period not in PERIODS:
        raise UsageError("--period", f"'{schedule.period}' is not one of: {', '.join(PERIODS)}")
    schedule.hour_minute()


# -- systemd -------------------------------------------------------------------------
def _unit_word(value: str) -> str:
    """One word of a unit file's command line: % and $ escaped, quoted when needed."""
    value = value.replace("%", "%%").replace("$", "$$")
    if value and not re.search(r"[\s\"'\\;]", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unit_text(value: str) -> str:
    """A setting taken as it is (a description, a path): only % escaped."""
    return value.replace("\n", " ").replace("%", "%%")


def on_calendar(schedule: Schedule) -> str:
    """The timer's OnCalendar=, in the site's time zone."""
    if schedule.hourly:
        return f"*-*-* *:00:00 {schedule.site.timezone}"
    hour, minute = schedule.hour_minute()
    day = {"day": "*-*-*", "week": "Mon *-*-*", "month": "*-*-01"}[schedule.period]
    return f"{day} {hour:02d}:{minute:02d}:00 {schedule.site.timezone}"


def _service(schedule: Schedule, what: str, args: list[str]) -> str:
    folder = schedule.registry.parent
    writable = [folder, *([schedule.maildir] if schedule.maildir else [])]
    user = f"User={schedule.user}\n" if schedule.user else ""
    return f"""# {schedule.name}-{what}.service: written by `feedkit schedule systemd`
[Unit]
Description=feedkit {what}: {_unit_text(schedule.site.title)}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
{user}WorkingDirectory={_unit_text(str(folder))}
# FEEDKIT_SECRET, FEEDKIT_SMTP_URL, FEEDKIT_SMTP_USER, FEEDKIT_SMTP_PASSWORD
EnvironmentFile={_unit_text(str(schedule.environment))}
ExecStart={" ".join(_unit_word(a) for a in args)}
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths={" ".join(_unit_word(str(p)) for p in writable)}
TimeoutStartSec=6h
"""


def _timer(schedule: Schedule, what: str, calendar: str) -> str:
    return f"""# {schedule.name}-{what}.timer: written by `feedkit schedule systemd`
[Unit]
Description=Run {schedule.name}-{what}.service ({calendar})

[Timer]
OnCalendar={calendar}
Persistent=true
RandomizedDelaySec=2min

[Install]
WantedBy=timers.target
"""


def systemd_units(schedule: Schedule) -> dict[str, str]:
    """File name -> text of the service and timer units."""
    name = schedule.name
    units = {f"{name}-send.service": _service(schedule, "send", schedule.send_args()),
             f"{name}-send.timer": _timer(schedule, "send", on_calendar(schedule))}
    if schedule.maildir is not None:
        units[f"{name}-inbox.service"] = _service(schedule, "inbox", schedule.inbox_args())
        units[f"{name}-inbox.timer"] = _timer(
            schedule, "inbox", f"*-*-* *:00/{INBOX_EVERY}:00")
    return units


# -- cron ----------------------------------------------------------------------------
def _cron_command(schedule: Schedule, args: list[str]) -> str:
    env = shlex.quote(str(schedule.environment))
    line = (f"cd {shlex.quote(str(schedule.registry.parent))} && set -a && . {env} && "
            f"set +a && exec {shlex.join([*args, '--quiet'])}")
    return line.replace("%", "\\%")  # cron turns a bare % into a new line


def crontab(schedule: Schedule) -> str:
    hour, minute = schedule.hour_minute()
    when = {"day": f"{minute} {hour} * * *", "week": f"{minute} {hour} * * 1",
            "month": f"{minute} {hour} 1 * *"}[schedule.period]
    if schedule.hourly:
        when = "0 * * * *"
    lines = [f"# {schedule.name}: written by `feedkit schedule cron`; add with crontab -e",
             f"# as the user who owns {schedule.registry.parent}. Secrets ("
             f"{', '.join(SECRETS)}) go in {schedule.environment}, readable by that user only.",
             "# Times are the machine's time zone. Each run prints only when something fails,",
             "# so cron mails you exactly the failures.",
             f"{when} {_cron_command(schedule, schedule.send_args())}"]
    if schedule.maildir is not None:
        lines.append(f"*/{INBOX_EVERY} * * * * "
                     f"{_cron_command(schedule, schedule.inbox_args())}")
    return "\n".join(lines) + "\n"


# -- GitHub Actions ------------------------------------------------------------------
def _utc(schedule: Schedule) -> tuple[int, int, str]:
    """The --at time in UTC (as in January), and a note on summer time."""
    hour, minute = schedule.hour_minute()
    zone = ZoneInfo(schedule.site.timezone)
    local = datetime(2025, 1, 6, hour, minute, tzinfo=zone)  # a Monday in winter
    utc = local.astimezone(ZoneInfo("UTC"))
    summer = datetime(2025, 7, 7, hour, minute, tzinfo=zone).utcoffset()
    note = "" if summer == local.utcoffset() else ", an hour later in summer time"
    return utc.hour, utc.minute, f"{schedule.at} {schedule.site.timezone}{note}"


def github_workflow(schedule: Schedule, root: Path, version: str) -> str:
    """The workflow file; the registry named relative to the repository `root`."""
    try:
        registry = schedule.registry.relative_to(root.resolve())
    except ValueError:
        raise UsageError("--registry", f"{schedule.registry} is not inside {root}; run "
                         "feedkit schedule github from the repository's top folder") from None
    hour, minute, note = _utc(schedule)
    day = {"day": "*", "week": "*", "month": "1"}[schedule.period]
    weekday = "1" if schedule.period == "week" else "*"
    cron = "0 * * * *" if schedule.hourly else f"{minute} {hour} {day} * {weekday}"
    when = "every hour" if schedule.hourly else f"{note} (GitHub runs cron in UTC)"
    command = shlex.join(["feedkit", "send", "--registry", str(registry), "--period",
                          schedule.period, "--if-new"])
    env = "\n".join(f"          {name}: ${{{{ secrets.{name} }}}}"
                    for name in ("FEEDKIT_STATE_URL", *SECRETS))
    return f"""# .github/workflows/feedkit-send.yml: written by `feedkit schedule github`.
# The state lives in PostgreSQL (the secret FEEDKIT_STATE_URL), so a run commits
# nothing. Add the repository secrets named below; a run that fails marks the
# workflow failed (and GitHub mails you).
name: feedkit send
on:
  schedule:
    - cron: "{cron}"  # {when}
  workflow_dispatch: {{}}
permissions:
  contents: read
concurrency:
  group: feedkit-send
  cancel-in-progress: false
jobs:
  send:
    runs-on: ubuntu-latest
    timeout-minutes: 120
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      # feedkit's wheel, kept in this repository (not on PyPI yet: docs/install.md)
      - run: python -m pip install "./vendor/feedkit_se-{version}-py3-none-any.whl[postgres]"
      - name: feedkit send
        env:
{env}
        run: {command}
"""
