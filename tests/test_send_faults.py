"""`feedkit send` faults from issue 10, through the CLI: servers that refuse service,
addresses the email package can't write, Maildir deliveries cut short, late posts."""

from __future__ import annotations

import mailbox
import os
import random
import signal
import subprocess
import sys
import time
from email import message_from_bytes, message_from_string, policy
from pathlib import Path

import pytest
from send_helpers import SECRET, deliveries, make_site, run, subscribers_csv
from smtp_sink import RawServer, SmtpSink

NOW = "2020-02-10T12:00+01:00"  # Monday: the last complete week is 3-9 February
WEEK = "week:2020-02-03"


@pytest.mark.parametrize("greeting", [b"554 No SMTP service here\r\n", b"x" * 9000 + b"\r\n"],
                         ids=["554", "garbage"])
def test_a_server_refusing_service_loses_no_period(tmp_path: Path, greeting: bytes) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    with RawServer(greeting) as server:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", server.url,
                     "--retries", "1")
    assert result.exit_code == 75, result.output
    assert "sent 0, pending 3, failed 0" in result.output
    assert "554 No SMTP service here" in result.output or "500" in result.output
    assert {status for status, _ in deliveries(registry).values()} == {"pending"}
    with SmtpSink() as sink:
        again = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        got = sink.by_recipient()
    assert again.exit_code == 0, again.output
    assert {k: len(v) for k, v in got.items()} == {f"user{i}@example.org": 1 for i in range(3)}


def test_international_addresses_without_smtputf8(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "email,name,language\n"
                                   "user@exämple.org,Åsa,\n"
                                   "jörg@example.org,Jörg,\n"
                                   "last@example.org,Last,\n")
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        received = list(sink.received)
    assert result.exit_code == 0, result.output  # failed for good is not pending
    assert "sent 2, pending 0, failed 1" in result.output
    assert sorted(r.rcpt_tos[0] for r in received) == ["last@example.org",
                                                       "user@xn--exmple-cua.org"]
    idn = next(r for r in received if r.rcpt_tos[0].startswith("user@"))
    assert idn.data.isascii()
    assert idn.parse()["To"].addresses[0].addr_spec == "user@xn--exmple-cua.org"
    assert idn.parse()["To"].addresses[0].display_name == "Åsa"
    # The log says which recipient and why, by reference: no address in it.
    from feedkit.addresses import reference

    assert f"{reference('jörg@example.org')}> has non-ASCII letters before the @, which " \
        "needs SMTPUTF8" in result.output
    assert "jörg@example.org" not in result.output
    assert deliveries(registry)[(WEEK, "jörg@example.org")][0] == "failed"


def test_international_addresses_with_smtputf8(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "email,name,language\n"
                                   "jörg@exämple.org,Jörg,\n"
                                   "plain@example.org,Plain,\n")
    with SmtpSink(enable_SMTPUTF8=True) as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        received = list(sink.received)
    assert result.exit_code == 0, result.output
    assert "sent 2, pending 0, failed 0" in result.output
    # aiosmtpd keeps the argument's bytes as surrogate escapes
    rcpts = {r.rcpt_tos[0].encode("utf-8", "surrogateescape").decode(): r for r in received}
    utf8 = rcpts["jörg@xn--exmple-cua.org"]
    assert utf8.smtputf8 and not rcpts["plain@example.org"].smtputf8
    message = message_from_string(utf8.data.decode("utf-8"), policy=policy.SMTPUTF8)
    assert message["To"].addresses[0].username == "jörg"
    assert message["To"].addresses[0].display_name == "Jörg"
    assert rcpts["plain@example.org"].data.isascii()  # only what needs UTF-8 has it


def test_a_lone_surrogate_is_located_by_send_and_validate(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    (tmp_path / "subscribers.csv").unlink()
    listed = tmp_path / "subscribers.yaml"
    listed.write_text('- email: ok@example.org\n- email: x@example.org\n  name: "\\ud83c"\n',
                      encoding="utf-8")
    result = run(registry, "send", "--period", "week", "--now", NOW)
    assert result.exit_code == 1
    # Refused by the YAML reader (an escape that is no character) or the name check.
    assert f"{listed}:3:" in result.output and "Unicode" in result.output
    assert not (tmp_path / ".feedkit").exists()
    checked = run(registry, "validate")
    assert checked.exit_code == 1
    assert f"{listed}:3:" in checked.output and "Unicode" in checked.output


def test_encoded_words_in_the_site_title_and_names_stay_text(tmp_path: Path) -> None:
    hostile = "=?utf-8?q?A=0D=0AB?="
    registry = make_site(tmp_path, f'email,name,language\na@example.org,"{hostile}",\n')
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("title: Labbets dagbok", f'title: "{hostile}"'),
                        encoding="utf-8")
    with SmtpSink() as sink:
        result = run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        message, = sink.messages()
    assert result.exit_code == 0, result.output
    raw = sink.received[0].data
    assert b"\r\nB <" not in raw and b"\r\nB\r\n" not in raw  # no header of its own
    assert message["From"].addresses[0].display_name.replace("\u200b", "") == hostile
    assert message["To"].addresses[0].display_name.replace("\u200b", "") == hostile
    out = tmp_path / "out"
    digest = run(registry, "digest", "--until", "2020-02-09", "--out", str(out),
                 "--to", f"{hostile} <b@example.org>")
    assert digest.exit_code == 0, digest.output
    eml = message_from_bytes((out / "digest.eml").read_bytes(), policy=policy.default)
    assert eml["To"].addresses[0].display_name.replace("\u200b", "") == hostile
    assert eml["To"].addresses[0].addr_spec == "b@example.org"
    for to in ("nobody", "jörg@example.org"):
        bad = run(registry, "digest", "--until", "2020-02-09", "--out", str(out), "--to", to)
        assert bad.exit_code == 2 and f"--to: '{to}'" in bad.output


@pytest.mark.parametrize("now", ["0001-01-01T00:00+14:00", "0001-01-01T00:30+00:00",
                                 "9999-12-31T23:00-01:00"])
def test_now_at_the_ends_of_the_calendar(tmp_path: Path, now: str) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    result = run(registry, "send", "--period", "week", "--now", now, "--dry-run")
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code == 2:
        assert "--now" in result.output


def test_a_late_post_goes_into_the_next_digest_under_its_own_date(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    with SmtpSink() as sink:
        run(registry, "send", "--period", "week", "--now", NOW, "--smtp", sink.url)
        assert len(sink.received) == 2
        text = registry.read_text(encoding="utf-8")
        registry.write_text(text.replace("posts:\n", "posts:\n  - title: Sent i veckan\n"
                                         "    date: 2020-02-08T23:00\n"
                                         "    author: Eva Ek\n    summary: Sen.\n"),
                            encoding="utf-8")
        result = run(registry, "send", "--period", "week", "--now", "2020-02-18T07:00",
                     "--smtp", sink.url)
        again = run(registry, "send", "--period", "week", "--now", "2020-03-03T07:00",
                    "--smtp", sink.url)
        messages = sink.messages()
    assert result.exit_code == 0 and again.exit_code == 0, result.output + again.output
    assert len(messages) == 6  # 2 + the late post's week + 17-23 Feb's post
    late = [m for m in messages if "Sent i veckan" in m.get_body(("plain",)).get_content()]
    assert len(late) == 2 and all("10–16 februari 2020" in m["Subject"] for m in late)
    body = late[0].get_body(("plain",)).get_content()
    assert "8 februari 2020" in body and "Fler kan göra mer!" not in body


def test_an_empty_outbox_folder_is_made_a_maildir(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    (tmp_path / ".feedkit" / "outbox").mkdir(parents=True)
    result = run(registry, "send", "--period", "week", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert len(mailbox.Maildir(tmp_path / ".feedkit" / "outbox", create=False)) == 2


def _maildir_process(registry: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FEEDKIT_SECRET": SECRET}
    env.pop("FEEDKIT_SMTP_URL", None)
    return subprocess.Popen([sys.executable, "-c", "from feedkit.cli import main; main()",
                             "send", "--registry", str(registry), "--period", "week",
                             "--now", NOW], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_sigkill_during_maildir_delivery_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    count = 400
    registry = make_site(tmp_path, subscribers_csv(count))
    outbox = tmp_path / ".feedkit" / "outbox"
    rng = random.Random(10)
    kills = 0
    for _ in range(40):
        process = _maildir_process(registry)
        new = outbox / "new"
        before = len(os.listdir(new)) if new.exists() else 0
        deadline = time.monotonic() + 30
        # Kill once this run has delivered a few messages, at a random moment after.
        while (len(os.listdir(new)) if new.exists() else 0) < before + 3:
            if process.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        kills += 1
        if kills == 12:
            break
    assert kills >= 5
    final = _maildir_process(registry)
    assert final.wait(60) == 0
    box = mailbox.Maildir(outbox, create=False)
    recipients = sorted(m["To"].split("<")[1].rstrip(">") for m in box)
    assert recipients == sorted(f"user{i}@example.org" for i in range(count))
    assert os.listdir(outbox / "tmp") == []
    assert {s for s, _ in deliveries(registry).values()} == {"sent"}
