"""`feedkit schedule systemd|cron|github`: run `feedkit send` (and inbox) unattended."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer

from .common import REGISTRY, STATE, VERBOSE, require_registry, run

KIND = typer.Argument(..., metavar="systemd|cron|github", help="What runs it: systemd "
                      "units, crontab lines, or a GitHub Actions workflow.")
MAILDIR = typer.Option(None, "--maildir", metavar="DIR", file_okay=False, help="Also read "
                       "bounces from this Maildir every 15 minutes (feedkit inbox).")
OUT = typer.Option(None, "--out", "-o", metavar="DIR", file_okay=False, help="Write the "
                   "files into DIR (e.g. /etc/systemd/system) instead of printing them.")

ENV_FILE = typer.Option(None, "--env-file", metavar="FILE", help="Where the secrets are kept "
                        "(default /etc/feedkit/feedkit-HOST.env).")


def schedule_command(
    kind: str = KIND,
    period: str = typer.Option("week", "--period", metavar="day|week|month",
                               help="Which digest to send."),
    at: str = typer.Option("07:00", "--at", metavar="HH:MM", help="When, in the site's "
                           "time zone, once the period has ended."),
    hourly: bool = typer.Option(False, "--hourly", help="Run every hour instead; a run "
                                "with nothing new stops at once (--if-new)."),
    registry: Path = REGISTRY, state: str | None = STATE, maildir: Path | None = MAILDIR,
    env_file: Path | None = ENV_FILE,
    user: str = typer.Option("", "--user", metavar="NAME", help="systemd: the user the "
                             "units run as."),
    out: Path | None = OUT, verbose: bool = VERBOSE,
) -> None:
    """Print systemd units, crontab lines or a GitHub workflow that run `feedkit send`
    on a schedule (and `feedkit inbox`, with --maildir). Secrets are never written."""
    from .. import __version__
    from ..jobs import schedule as jobs
    from ..load import load

    if kind not in jobs.KINDS:
        raise typer.BadParameter(f"'{kind}' is not one of {', '.join(jobs.KINDS)}",
                                 param_hint="KIND")
    require_registry(registry)
    site = run(lambda: load(registry), verbose).site
    plan = jobs.Schedule(registry.resolve(), site, period, at, hourly,
                         state, maildir.resolve() if maildir else None,
                         env_file.resolve() if env_file else None, user)
    run(lambda: jobs.check(plan), verbose)
    if kind == "systemd":
        files = jobs.systemd_units(plan)
    elif kind == "cron":
        files = {f"{plan.name}.crontab": jobs.crontab(plan)}
    else:
        files = {"feedkit-send.yml": run(lambda: jobs.github_workflow(
            plan, Path.cwd(), __version__), verbose)}
    if out is None:
        typer.echo("\n".join(files.values()), nl=False)
        return
    from ..outputs import replace_file

    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        run(partial(replace_file, out / name, text.encode("utf-8")), verbose)
        typer.echo(f"wrote {out / name}")
