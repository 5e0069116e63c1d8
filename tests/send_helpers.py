"""Shared set-up for the send tests: a small registry, subscribers and a CLI runner."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from feedkit.cli import app

SECRET = "test-secret-0123456789abcdef"

REGISTRY = """\
site:
  title: Labbets dagbok
  url: https://lab.example.org/dagbok/
  language: sv
  timezone: Europe/Stockholm
  email: news@lab.example.org
  publisher:
    name: Labbet AB
    address: Box 1, 111 11 Stockholm
posts:
  - title: Veckans tredje inlägg
    date: 2020-02-19T09:00
    author: Eva Ek
    summary: Tredje.
  - title: Tack & hej <då>
    date: 2020-02-06T10:00
    author: {name: Lena Liljendahl, role: boendeexpert}
    summary: Nu är det dags att summera.
  - title: Fler kan göra mer!
    date: 2020-02-04T08:00
    id: tag:lab.example.org,2020:fler-kan-gora-mer
    author: Tomas Lindquist
    summary: Vad kan vi göra?
  - title: Januariinlägget
    date: 2020-01-28T08:00
    author: Tomas Lindquist
    summary: Januari.
"""


def make_site(root: Path, subscribers: str) -> Path:
    """Write posts.yaml and subscribers.csv under `root`; returns the registry path."""
    registry = root / "posts.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    (root / "subscribers.csv").write_text(subscribers, encoding="utf-8")
    return registry


def subscribers_csv(count: int, domain: str = "example.org") -> str:
    rows = ["email,name,language"]
    rows += [f"user{i}@{domain},User {i}," for i in range(count)]
    return "\n".join(rows) + "\n"


def run(registry: Path, *args: str, env: dict[str, str] | None = None):
    """`feedkit send`/`unsubscribe` in-process; returns typer's Result."""
    environment = {"FEEDKIT_SECRET": SECRET, "FEEDKIT_SMTP_URL": "",
                   "FEEDKIT_SMTP_USER": "", "FEEDKIT_SMTP_PASSWORD": ""}
    environment.update(env or {})
    command, *rest = args
    base = [command, "--registry", str(registry)]
    if command == "send":
        base += ["--retry-delay", "0.01"]
    return CliRunner().invoke(app, [*base, *rest], env=environment)


def deliveries(registry: Path) -> dict[tuple[str, str], tuple[str, int]]:
    """(period, recipient) -> (status, attempts) from the state database."""
    path = registry.parent / ".feedkit" / "state.sqlite"
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT period, recipient, status, attempts FROM send_deliveries")
        return {(p, r): (s, a) for p, r, s, a in rows}
