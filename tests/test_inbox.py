"""`feedkit inbox`: bounce reports and mailto: unsubscribes read from a real Maildir,
after a real send; `feedkit status` and `subscribers list` show the outcome."""

from __future__ import annotations

import json
import mailbox
import shutil
from pathlib import Path

import bounce_fixtures as fx
from send_helpers import SECRET, make_site, run, subscribers_csv
from smtp_sink import SmtpSink

from feedkit.mail.bounces import classify
from feedkit.mail.tokens import sign
from feedkit.state import locate

NOW = "2020-02-10T12:00+01:00"
BOUNCES = "bounces@lab.example.org"


def sent_site(tmp_path: Path, count: int) -> tuple[Path, dict[str, tuple[str, str]]]:
    """A site with site.bounce_address whose week was sent to `count` subscribers:
    recipient -> (VERP envelope sender, Message-ID)."""
    registry = make_site(tmp_path, subscribers_csv(count))
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("site:\n", f"site:\n  bounce_address: {BOUNCES}\n", 1),
                        encoding="utf-8")
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert result.exit_code == 0, result.output
        sent = {r.rcpt_tos[0]: (r.mail_from, r.parse()["Message-ID"]) for r in sink.received}
    return registry, sent


def maildir(path: Path, messages: dict[str, bytes]) -> Path:
    box = mailbox.Maildir(path, create=True)
    box.close()
    for name, data in messages.items():
        (path / "new" / name).write_bytes(data)
    return path


def inbox(registry: Path, box: Path):
    return run(registry, "inbox", "--maildir", str(box))


def statuses(registry: Path) -> dict[str, str]:
    from typer.testing import CliRunner

    from feedkit.cli import app

    listed = CliRunner().invoke(app, ["subscribers", "list", "--registry", str(registry),
                                      "--format", "json"])
    return {row["email"]: row["status"] for row in json.loads(listed.output)}


def test_reports_of_four_mail_systems_and_everything_else(tmp_path: Path) -> None:
    registry, sent = sent_site(tmp_path, 8)
    verp = {r: v for r, (v, _) in sent.items()}
    mid = {r: m for r, (_, m) in sent.items()}
    u = [f"user{i}@example.org" for i in range(8)]
    token = sign("unsubscribe", u[4], SECRET.encode())
    box = maildir(tmp_path / "Mail", {
        "1.postfix": fx.postfix(verp[u[0]], u[0], mid[u[0]]),
        "2.gmail": fx.gmail(verp[u[1]], u[1], mid[u[1]]),
        "3.exim": fx.exim(verp[u[2]], u[2], mid[u[2]]),
        "4.microsoft": fx.microsoft(BOUNCES, u[3], mid[u[3]]),
        "5.unsubscribe": fx.unsubscribe_request("news@lab.example.org", u[4], token),
        "6.delayed": fx.postfix(verp[u[5]], u[5], mid[u[5]], action="delayed",
                                status="4.4.1"),
        "7.exim-plain": fx.exim_plain(verp[u[6]], u[6]),
        "8.auto-reply": fx.auto_reply("news@lab.example.org"),
        "9.unrelated": fx.unrelated("news@lab.example.org"),
        "a.no-token": fx.unsubscribe_request("news@lab.example.org", u[7], ""),
        "b.forged": fx.unsubscribe_request("news@lab.example.org", u[7], "abc" * 20),
    })
    result = inbox(registry, box)
    assert result.exit_code == 0, result.output
    assert ("hard bounces 4, soft bounces 1, sender-side 0, complaints 0, unsubscribed 1, "
            "suppressed 4, auto-replies 1, ignored 4, left for a person 0" in result.output)
    assert "6.delayed: ignored: a delay warning (4.4.1)" in result.output
    assert "8.auto-reply: ignored: an auto-reply" in result.output
    assert "9.unrelated: ignored: not a bounce or an unsubscribe request" in result.output
    assert "a.no-token: ignored: an unsubscribe request without a token" in result.output
    assert "b.forged: ignored: an unsubscribe request whose token is not valid" in result.output
    assert "3.exim: a soft bounce (4.2.2): a temporary failure (mailbox full); 1 of 3 in a " \
        "row" in result.output
    for address in sent:  # personal data stays out of what inbox prints
        assert address not in result.output
    got = statuses(registry)
    assert {a: got[a] for a in (u[0], u[1], u[3], u[6])} == dict.fromkeys(
        (u[0], u[1], u[3], u[6]), "bounced")
    assert got[u[4]] == "unsubscribed"
    assert u[2] not in got and u[5] not in got and u[7] not in got  # still only in the file
    assert sorted(p.name for p in (box / "new").iterdir()) == []
    done = {p.name for p in (box / "cur").iterdir()}
    assert "1.postfix:2,S" in done and "9.unrelated:2," in done and len(done) == 11
    # The next send skips the suppressed and the unsubscribed.
    state = locate(None, registry).open()
    assert {u[0], u[1], u[3], u[4], u[6]} <= state.suppressed()
    state.close()
    status = run(registry, "status", "--format", "json")
    report = json.loads(status.output)
    assert report["periods"][0]["bounced"] == 5 and report["periods"][0]["sent"] == 8
    assert report["subscribers"]["bounced"] == 4
    # Idempotent: the same reports again (a run killed before moving them) count once.
    for name in ("1.postfix", "3.exim"):
        shutil.copy(box / "cur" / f"{name}:2,S", box / "new" / name)
    again = inbox(registry, box)
    assert "hard bounces 0, soft bounces 0, sender-side 0, complaints 0, unsubscribed 0, " \
        "suppressed 0" in again.output
    assert "3.exim: a soft bounce (4.2.2): a temporary failure (mailbox full); 1 of 3 in a " \
        "row" in again.output


def test_soft_bounces_suppress_after_three_digests_in_a_row(state_at: str) -> None:
    state = locate(state_at, Path("posts.yaml")).open()
    for week in ("2020-01-06", "2020-01-13", "2020-01-20", "2020-01-27"):
        key = f"week:{week}"
        state.start_period(key, "week", week, week, ["p"], [("a@example.org",
                                                              "a@example.org", "", None)])
        state.mark_sent(key, "a@example.org")
    at = "2020-02-01T00:00:00+00:00"
    state.record_bounce("r1", "a@example.org", "week:2020-01-27", "soft", "4.2.2", at)
    state.record_bounce("r2", "a@example.org", "week:2020-01-20", "soft", "4.2.2", at)
    state.record_bounce("r3", "a@example.org", "week:2020-01-06", "soft", "4.2.2", at)
    assert state.soft_bounce_streak("a@example.org", 3) == 2  # 13 January went through
    assert state.record_bounce("r3", "a@example.org", None, "soft", "4.2.2", at) is False
    state.record_bounce("r4", "a@example.org", "week:2020-01-13", "soft", "4.2.2", at)
    assert state.soft_bounce_streak("a@example.org", 3) == 3
    assert state.suppress_bounced("a@example.org", "a@example.org", at, "3 soft") is True
    assert state.suppress_bounced("a@example.org", "a@example.org", at, "3 soft") is False
    assert state.list_entry("a@example.org").status == "bounced"
    assert state.consents("a@example.org")[-1].event == "bounced"
    state.close()


def test_classify_reads_each_kind() -> None:
    verp = "bounces+abcdefghijklmnopqrst-w20200203@lab.example.org"
    hard = classify(fx.postfix(verp, "x@example.org", "<m@x>"), BOUNCES)
    assert (hard.action, hard.status, hard.verp) == ("hard", "5.1.1",
                                                     ("abcdefghijklmnopqrst",
                                                      "week:2020-02-03"))
    assert hard.message_ids == ["<m@x>"]
    soft = classify(fx.exim(verp, "x@example.org", "<m@x>"), BOUNCES)
    assert (soft.action, soft.status) == ("soft", "4.2.2")
    assert classify(fx.exim_plain(verp, "x@example.org"), BOUNCES).addresses == [
        "x@example.org"]  # its X-Failed-Recipients
    assert classify(fx.auto_reply(BOUNCES), BOUNCES).action == "auto-reply"
    assert classify(fx.unsubscribe_request(BOUNCES, "x@example.org", "tok3n"),
                    BOUNCES).token == "tok3n"


def test_inbox_needs_a_maildir(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    result = inbox(registry, tmp_path / "nowhere")
    assert result.exit_code == 2
    assert f"--maildir: {tmp_path / 'nowhere'} is not a Maildir" in result.output
