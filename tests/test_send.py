"""`feedkit send` against a real SMTP server on 127.0.0.1, faults included."""

from __future__ import annotations

import mailbox
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date
from email import policy
from pathlib import Path

import pytest
from send_helpers import SECRET, deliveries, make_site, run, subscribers_csv
from smtp_sink import Faults, SmtpSink

from feedkit.mail.tokens import make_token, sign
from feedkit.periods import last_complete, plan

NOW = "2020-02-10T12:00+01:00"  # Monday: the last complete week is 3-9 February


def test_each_subscriber_gets_one_personal_message(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "email,name,language\n"
                                   "anna@example.org,Anna Åberg,sv\n"
                                   "Bob@Example.org,Bob Smith,en\n"
                                   "bob@example.org,Robert,\n")
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert result.exit_code == 0, result.output
        got = sink.by_recipient()
    assert sorted(got) == ["anna@example.org", "bob@example.org"]
    assert "sent 2, pending 0, failed 0, suppressed 0" in result.output
    anna, = got["anna@example.org"]
    bob, = got["bob@example.org"]
    assert anna["To"].addresses[0].display_name == "Anna Åberg"
    assert bob["To"].addresses[0].addr_spec == "Bob@Example.org"
    assert anna["From"].addresses[0].addr_spec == "news@lab.example.org"
    assert "2 nya inlägg" in anna["Subject"] and "3–9 februari 2020" in anna["Subject"]
    assert "2 new posts" in bob["Subject"] and "3–9 February 2020" in bob["Subject"]
    assert anna["Message-ID"] != bob["Message-ID"]
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for message, address in ((anna, "anna@example.org"), (bob, "bob@example.org")):
        token = sign("unsubscribe", address, SECRET.encode())
        url = f"https://lab.example.org/dagbok/unsubscribe?token={token}"
        assert f"<{url}>" in message["List-Unsubscribe"]
        assert "mailto:news@lab.example.org" in message["List-Unsubscribe"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert url in text.replace("\r\n", "\n").replace(" \n", "")  # format=flowed
        assert url in html
        assert "Tack &amp; hej &lt;då&gt;" in html
        assert "Januariinlägget" not in text  # January's week is not this period
    with sqlite3.connect(tmp_path / ".feedkit" / "state.sqlite") as conn:
        ids = dict(conn.execute("SELECT recipient, message_id FROM send_deliveries"))
    assert ids == {"anna@example.org": anna["Message-ID"].strip(),
                   "bob@example.org": bob["Message-ID"].strip()}


def test_rerun_sends_nothing(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    with SmtpSink() as sink:
        first = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        second = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        later = run(registry, "send", "--period", "week", "--now", "2020-02-12T08:00",
                    "--smtp", sink.url)
        assert len(sink.received) == 3
    assert first.exit_code == second.exit_code == later.exit_code == 0
    assert "nothing to send" in second.output
    assert "sent 0, pending 0" in later.output


def test_first_run_sends_one_period_then_catches_up_oldest_first(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    with SmtpSink() as sink:
        run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert len(sink.received) == 1  # not January's week: the first run sends one period
        result = run(registry, "send", "--period", "week", "--now", "2020-03-03T07:00",
                     "--smtp", sink.url)
        assert result.exit_code == 0, result.output
        subjects = [m["Subject"] for m in sink.messages()]
    # 10-16 Feb has no posts: recorded as done, nothing sent. 17-23 Feb has one post.
    assert len(subjects) == 2 and "17–23 februari 2020" in subjects[1]
    assert "week 2020-02-10..2020-02-16: no posts; recorded as done" in result.output
    with sqlite3.connect(tmp_path / ".feedkit" / "state.sqlite") as conn:
        periods = conn.execute("SELECT period, status, posts FROM send_periods "
                               "ORDER BY start").fetchall()
    assert periods == [("week:2020-02-03", "done", 2), ("week:2020-02-10", "done", 0),
                       ("week:2020-02-17", "done", 1), ("week:2020-02-24", "done", 0)]


def test_a_post_edited_or_moved_later_is_never_sent_again(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    with SmtpSink() as sink:
        run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        text = registry.read_text(encoding="utf-8")
        # Edit one post (updated); move the other (it keeps its explicit id) to the next week.
        text = text.replace("date: 2020-02-06T10:00", "date: 2020-02-06T10:00\n"
                            "    updated: 2020-02-12T10:00")
        text = text.replace("date: 2020-02-04T08:00", "date: 2020-02-11T08:00")
        registry.write_text(text, encoding="utf-8")
        result = run(registry, "send", "--period", "week", "--now", "2020-02-18T07:00",
                     "--smtp", sink.url)
        assert result.exit_code == 0, result.output
        assert len(sink.received) == 1
    assert "week 2020-02-10..2020-02-16: no posts" in result.output


def test_server_dropping_the_connection_mid_batch(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(6))
    faults = Faults(drop_before_message={3, 5})
    with SmtpSink(faults) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        got = sink.by_recipient()
    assert result.exit_code == 0, result.output
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(6)}
    assert "closed the connection" in result.output or "going away" in result.output


def test_421_and_451_then_success(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    faults = Faults(rcpt_replies={"user1@example.org": ["451 4.7.1 greylisted, try later",
                                                        "421 4.3.2 shutting down"]})
    with SmtpSink(faults) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        got = sink.by_recipient()
    assert result.exit_code == 0, result.output
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(3)}
    assert deliveries(registry)[("week:2020-02-03", "user1@example.org")] == ("sent", 3)
    assert "451 4.7.1 greylisted" in result.output


def test_550_fails_one_recipient_and_the_rest_go_on(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    faults = Faults(rcpt_replies={"user0@example.org": ["550 5.1.1 no such user"]})
    with SmtpSink(faults) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        got = sink.by_recipient()
    assert result.exit_code == 0, result.output  # failed for good is not pending
    assert sorted(got) == ["user1@example.org", "user2@example.org"]
    assert "sent 2, pending 0, failed 1, suppressed 0" in result.output
    assert deliveries(registry)[("week:2020-02-03", "user0@example.org")] == ("failed", 1)
    assert again.exit_code == 0 and "nothing to send" in again.output


def test_lasting_4xx_is_left_pending_for_the_next_run(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    faults = Faults(rcpt_replies={"user1@example.org": ["452 4.2.2 mailbox full"] * 4})
    with SmtpSink(faults) as sink:
        first = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                    "--retries", "2")
        assert first.exit_code == 75, first.output
        assert "pending 1" in first.output
        assert deliveries(registry)[("week:2020-02-03", "user1@example.org")] == ("pending", 3)
        second = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--retries", "2")
        got = sink.by_recipient()
    assert second.exit_code == 0, second.output
    assert {k: len(v) for k, v in got.items()} == {"user0@example.org": 1,
                                                  "user1@example.org": 1}


def test_connection_refused_leaves_everything_pending(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(50))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(registry, "send", "--period", "week", "--now", NOW,
                 "--smtp", f"smtp://127.0.0.1:{port}", "--retries", "1")
    # Nothing listening at the start is a set-up error (exit 1), said without retrying.
    assert result.exit_code == 1, result.output
    assert "sent 0, pending 50" in result.output
    assert "can't connect to 127.0.0.1" in result.output
    assert result.output.count("retrying") == 0
    with SmtpSink() as sink:
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert again.exit_code == 0 and len(sink.received) == 50


def _send_process(registry: Path, url: str, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "FEEDKIT_SECRET": SECRET}
    env.pop("FEEDKIT_SMTP_URL", None)
    command = [sys.executable, "-c", "from feedkit.cli import main; main()", "send",
               "--registry", str(registry), "--period", "week", "--now", NOW, "--smtp", url,
               *extra]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_killed_mid_batch_then_rerun_gives_exactly_one_copy_each(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(8))
    with SmtpSink(Faults(data_delay=0.3)) as sink:
        process = _send_process(registry, sink.url, "--connections", "1")
        # Kill while the server is working on message 4's DATA: three are delivered.
        _wait_for(lambda: sink.data_started >= 4)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        time.sleep(0.4)  # the server notices the dead client and drops message 4
        assert len(sink.received) == 3
        rows = deliveries(registry)
        statuses = sorted(s for s, _ in rows.values())
        assert statuses.count("sent") == 3 and "sending" in statuses
        # Only the message in flight had been tried; claimed ones wait untried.
        assert sorted(a for s, a in rows.values() if s != "sent") == [0] * 4 + [1]
        sink.faults.data_delay = 0
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        got = sink.by_recipient()
    assert result.exit_code == 0, result.output
    assert "were claimed or being handed over" in result.output
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(8)}


def test_two_sends_started_at_once_never_both_send(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(5))
    with SmtpSink(Faults(data_delay=0.1)) as sink:
        first, second = _send_process(registry, sink.url), _send_process(registry, sink.url)
        outputs = [p.communicate(timeout=60) for p in (first, second)]
        codes = sorted(p.returncode for p in (first, second))
        got = sink.by_recipient()
    assert codes == [0, 1], outputs
    assert any("another feedkit send is running" in err for _, err in outputs), outputs
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(5)}


def test_without_smtp_messages_go_to_a_maildir(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    result = run(registry, "send", "--period", "week", "--now", NOW)
    assert result.exit_code == 0, result.output
    # Subscriber data stays beside the state, never in the published out/ folder.
    assert not (tmp_path / "out").exists()
    box = mailbox.Maildir(tmp_path / ".feedkit" / "outbox", factory=None, create=False)
    messages = [box.get_message(key) for key in box.iterkeys()]
    recipients = sorted(m["To"] for m in messages)
    assert recipients == [f"User {i} <user{i}@example.org>" for i in range(3)]
    parsed = [m.as_bytes() for m in messages]
    from email import message_from_bytes

    first = message_from_bytes(parsed[0], policy=policy.default)
    assert first.get_content_type() == "multipart/alternative"
    assert "Fler kan göra mer!" in first.get_body(("plain",)).get_content()


def test_dry_run_lists_and_changes_nothing(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     "--dry-run", env={"FEEDKIT_SECRET": ""})
        assert sink.received == [] and sink.mail_commands == 0
    assert result.exit_code == 0, result.output
    assert "would send week 2020-02-03..2020-02-09 to user1@example.org" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts.yaml", "subscribers.csv"]
    # With a state already there: its bytes stay the same and no -wal/-shm appear.
    run(registry, "send", "--period", "week", "--now", NOW)
    state_dir = tmp_path / ".feedkit"
    before = {p.name: p.read_bytes() for p in state_dir.iterdir() if p.is_file()}
    later = run(registry, "send", "--period", "week", "--now", "2020-02-25T08:00", "--dry-run")
    assert "would send week 2020-02-17..2020-02-23 to user0@example.org" in later.output
    assert {p.name: p.read_bytes() for p in state_dir.iterdir() if p.is_file()} == before


def test_unsubscribed_addresses_are_never_sent_to(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    token = make_token("user1@example.org", SECRET.encode())
    by_token = run(registry, "unsubscribe", token)
    by_address = run(registry, "unsubscribe", "USER2@example.org")
    assert by_token.output.strip() == "unsubscribed user1@example.org"
    assert by_address.output.strip() == "unsubscribed user2@example.org"
    assert run(registry, "unsubscribe", "user2@example.org").output.strip() == \
        "user2@example.org was already unsubscribed"
    bad = run(registry, "unsubscribe", "not-a-token")
    assert bad.exit_code == 1 and "the token is not valid" in bad.output
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert sorted(sink.by_recipient()) == ["user0@example.org"]
    assert "sent 1, pending 0, failed 0, suppressed 2" in result.output


def test_missing_secret_is_a_clear_error_and_nothing_is_sent(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url,
                     env={"FEEDKIT_SECRET": ""})
        assert sink.mail_commands == 0
    assert result.exit_code == 1
    assert "Error: FEEDKIT_SECRET is not set" in result.output
    assert not (tmp_path / ".feedkit").exists()


def test_starttls_required_but_not_offered(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW,
                     "--smtp", sink.url + "?starttls=required")
        assert sink.mail_commands == 0
    assert result.exit_code == 1
    assert "does not offer STARTTLS" in result.output
    assert "pending 2" in result.output


def test_bad_subscribers_file_lists_every_problem(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "email,name,language\n"
                                   "ok@example.org,Ok,sv\n"
                                   "not-an-address,Bad,\n"
                                   ",No address,\n"
                                   "x@example.org,X,svenska!\n")
    result = run(registry, "send", "--period", "week", "--now", NOW)
    assert result.exit_code == 1
    assert (f"{tmp_path / 'subscribers.csv'}:3:1: email: 'not-an-address' needs exactly "
            "one '@'") in result.output
    assert f"{tmp_path / 'subscribers.csv'}:4:1: email: missing" in result.output
    assert f"{tmp_path / 'subscribers.csv'}:5:17: language: 'svenska!'" in result.output
    assert "3 problems found; nothing was sent." in result.output
    assert not (tmp_path / ".feedkit").exists()


def test_credentials_never_appear_in_output_or_state(tmp_path: Path) -> None:
    from aiosmtpd.smtp import AuthResult

    password = "pa55-w0rd-XYZZY"

    def authenticator(server, session, envelope, mechanism, data):
        ok = data.login == b"mailer" and data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    registry = make_site(tmp_path, subscribers_csv(2))
    plain = "?plaintext_login=yes"  # this test server has no TLS
    with SmtpSink(authenticator=authenticator) as sink:
        in_url = run(registry, "send", "--period", "week", "--now", NOW,
                     "--smtp", f"smtp://mailer:{password}@127.0.0.1:{sink.port}{plain}")
        wrong = run(registry, "send", "--period", "week", "--now", "2020-02-25T08:00",
                    "--smtp", sink.url + plain,
                    env={"FEEDKIT_SMTP_USER": "mailer",
                         "FEEDKIT_SMTP_PASSWORD": password + "-wrong"})
        from_env = run(registry, "send", "--period", "week", "--now", "2020-02-25T08:00",
                       "--smtp", sink.url + plain, env={"FEEDKIT_SMTP_USER": "mailer",
                                                        "FEEDKIT_SMTP_PASSWORD": password})
        assert len(sink.received) == 4
    assert in_url.exit_code == 0, in_url.output
    assert wrong.exit_code == 1 and "refused the login for user 'mailer'" in wrong.output
    assert from_env.exit_code == 0, from_env.output
    for result in (in_url, wrong, from_env):
        assert password not in result.output
    for path in (tmp_path / ".feedkit").iterdir():
        assert password.encode() not in path.read_bytes()


@pytest.mark.parametrize(("kind", "today", "expected"), [
    ("day", date(2020, 3, 1), (date(2020, 2, 29), date(2020, 2, 29))),
    ("week", date(2021, 1, 3), (date(2020, 12, 21), date(2020, 12, 27))),
    ("week", date(2021, 1, 4), (date(2020, 12, 28), date(2021, 1, 3))),
    ("month", date(2020, 3, 31), (date(2020, 2, 1), date(2020, 2, 29))),
    ("month", date(2021, 1, 1), (date(2020, 12, 1), date(2020, 12, 31))),
])
def test_last_complete_period(kind: str, today: date, expected: tuple[date, date]) -> None:
    window = last_complete(kind, today)
    assert (window.start, window.end) == expected


def test_plan_resumes_unfinished_then_catches_up_oldest_first() -> None:
    assert [p.key for p in plan("month", date(2020, 5, 15), [])] == ["month:2020-04-01"]
    recorded = [(date(2020, 1, 1), "done"), (date(2020, 2, 1), "sending")]
    keys = [p.key for p in plan("month", date(2020, 5, 15), recorded)]
    assert keys == ["month:2020-02-01", "month:2020-03-01", "month:2020-04-01"]
    assert plan("month", date(2020, 2, 15), [(date(2020, 1, 1), "done")]) == []


def test_the_log_names_recipients_by_reference_not_by_address(tmp_path: Path) -> None:
    """A refusal is logged with the recipient's reference; the server's reply, which
    quotes the address, is logged with the reference in its place."""
    from feedkit.addresses import reference

    registry = make_site(tmp_path, subscribers_csv(2))
    faults = Faults(rcpt_replies={"user0@example.org": [
        "550 5.1.1 <user0@example.org>: Recipient address rejected"]})
    with SmtpSink(faults) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
    assert result.exit_code == 0, result.output
    assert "user0@example.org" not in result.output
    assert f"{reference('user0@example.org')}: refused for good" in result.output
    # `subscribers list --format json` gives each subscriber's reference, to look one up.
    import json

    from typer.testing import CliRunner

    from feedkit.cli import app

    invoke = CliRunner().invoke
    assert invoke(app, ["subscribers", "import", str(tmp_path / "subscribers.csv"), "-r",
                        str(registry)]).exit_code == 0
    listed = invoke(app, ["subscribers", "list", "--format", "json", "-r", str(registry)])
    assert listed.exit_code == 0, listed.output
    refs = {row["email"]: row["ref"] for row in json.loads(listed.stdout)}
    assert refs["user0@example.org"] == reference("user0@example.org")
