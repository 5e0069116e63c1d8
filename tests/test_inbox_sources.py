"""The whole sample collection through `feedkit inbox` on both state backends (read
from an mbox file), and one message on standard input as a mail server's pipe gives
it, with the exit statuses Postfix and Exim act on."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

from send_helpers import SECRET, make_site, run
from test_bounce_samples import ANSWERS, PERIOD, SAMPLES

from feedkit.state import locate
from feedkit.state.listing import Consent

BOUNCES = "bounces@lab.example.org"


def site(tmp_path: Path) -> Path:
    registry = make_site(tmp_path, "email,name,language\n")
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("site:\n", f"site:\n  bounce_address: {BOUNCES}\n", 1),
                        encoding="utf-8")
    return registry


def seed(state_at: str, registry: Path) -> list[str]:
    """Every sample's recipient confirmed on the list and sent PERIOD's digest, under
    the Message-ID the samples return."""
    recipients = [row["recipient"] for row in ANSWERS if row["recipient"]]
    state = locate(state_at, registry).open()
    at = "2020-02-01T00:00:00+00:00"
    state.import_entries([(r, r, "", None) for r in recipients],
                         Consent("imported", at, "import"))
    state.start_period(PERIOD, "week", "2020-02-03", "2020-02-09", ["p"],
                       [(r, r, "", None) for r in recipients])
    for row in ANSWERS:
        if row["recipient"]:
            mid = f"<digest.20200203-20200209.{row['sample']}@lab.example.org>"
            state.mark_sending(PERIOD, row["recipient"], mid)
            state.mark_sent(PERIOD, row["recipient"])
    state.close()
    return recipients


def test_the_collection_suppresses_only_hard_bounces_and_complaints(
        tmp_path: Path, state_at: str) -> None:
    registry = site(tmp_path)
    recipients = seed(state_at, registry)
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    for row in ANSWERS:
        box.add((SAMPLES / f"{row['sample']}.eml").read_bytes())
    box.close()
    result = run(registry, "inbox", "--mbox", str(tmp_path / "bounces.mbox"),
                 "--state", state_at)
    assert result.exit_code == 0, result.output
    decided = {row["recipient"]: row["decision"] for row in ANSWERS if row["recipient"]}
    hard = sum(1 for d in decided.values() if d == "hard")
    sender = sum(1 for row in ANSWERS if row["decision"] == "sender")
    assert (f"hard bounces {hard}, soft bounces 4, sender-side {sender}, complaints 4, "
            "unsubscribed 4, suppressed " in result.output)
    assert "left for a person 2" in result.output  # not-ours, two subscribers in text
    assert "warning: " in result.output and "no subscriber was suppressed" in result.output
    for address in recipients:
        assert address not in result.output  # personal data: references only
    state = locate(state_at, registry).open()
    status = {r: state.list_entry(r).status for r in recipients}  # type: ignore[union-attr]
    expected = {r: {"hard": "bounced", "complaint": "unsubscribed"}.get(d, "confirmed")
                for r, d in decided.items()}
    assert status == expected  # 0 wrongly suppressed, every hard bounce and complaint
    complaint = next(r for r, d in decided.items() if d == "complaint")
    assert state.consents(complaint)[-1].source == "complaint"
    state.close()

    report = json.loads(run(registry, "status", "--format", "json", "--state",
                            state_at).output)
    assert report["sender_side"]["total"] == sender and report["complaints"] == 4
    domains = {row["domain"]: row["count"] for row in report["sender_side"]["by_domain"]}
    assert domains["gmail.com"] == 2 and domains["lab.example.org"] == 1  # RFC 6591
    text = run(registry, "status", "--state", state_at).output
    assert text.startswith(f"SENDER-SIDE REFUSALS: {sender} message(s) refused")
    assert "  to gmail.com: 2, last " in text and "(5.7.1)" in text
    assert "anna.lind" not in text and "bo.berg" not in json.dumps(report)

    again = run(registry, "inbox", "--mbox", str(tmp_path / "bounces.mbox"),
                "--state", state_at)  # an mbox is read again whole: nothing counts twice
    assert "hard bounces 0, soft bounces 0, sender-side 0," in again.output
    assert json.loads(run(registry, "status", "--format", "json", "--state", state_at)
                      .output)["sender_side"]["total"] == sender


def test_a_pipe_from_the_mail_server(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from feedkit.cli import app

    registry = site(tmp_path)
    seed(str(tmp_path / ".feedkit" / "state.sqlite"), registry)
    env = {"FEEDKIT_SECRET": SECRET}

    def pipe(data: bytes, *extra: str):
        return CliRunner().invoke(app, ["inbox", "-", "--registry", str(registry), *extra],
                                  input=data, env=env)

    sample = (SAMPLES / "qmail-no-mailbox.eml").read_bytes()
    done = pipe(b"From MAILER-DAEMON Mon Feb 10 06:00:13 2020\n" + sample)
    assert done.exit_code == 0 and "hard bounces 1," in done.output, done.output
    assert pipe(b"").exit_code == 65  # EX_DATAERR: nothing to read
    # The state can't be had (a database server down): EX_TEMPFAIL, the MTA retries.
    gone = pipe(sample, "--state", "postgresql://feedkit@127.0.0.1:9/feedkit")
    assert gone.exit_code == 75, gone.output
    broken = tmp_path / "posts.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "  - title: [\n", encoding="utf-8")
    assert pipe(sample).exit_code == 75  # a registry mid-edit: try again later
    assert pipe(sample, "--mbox", "x").exit_code == 64  # EX_USAGE
