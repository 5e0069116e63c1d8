"""The list's mail process (serve/mailer.py): letters made and handed over by a
process of its own at a lower priority, failures logged by reference, and a mail
process that dies replaced for the next letter, the letters it held named as lost."""

from __future__ import annotations

import email
import os
import signal
import time
from email import policy
from pathlib import Path

from send_helpers import REGISTRY
from smtp_sink import RawServer, SmtpSink

from feedkit.addresses import reference
from feedkit.load.registry import loads
from feedkit.mail.confirmation import MailLinks
from feedkit.mail.tokens import sign
from feedkit.serve.mailer import NICE, Letter, Mailer, PostOffice

SITE = loads(REGISTRY.encode("utf-8")).site
SECRET = b"secret-secret-secret"


def _office(tmp_path: Path, smtp: str | None = None) -> PostOffice:
    return PostOffice(SITE, MailLinks(SITE.url + "confirm", SITE.url + "unsubscribe"), 7,
                      tmp_path / "outbox", smtp_url=smtp, waits=(0.0, 0.0))


def _wait(condition, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_letters_go_out_from_a_process_of_its_own(tmp_path: Path) -> None:
    said: list[str] = []
    mailer = Mailer(_office(tmp_path), say=said.append)
    mailer.post(Letter("confirm", "ny@example.org", "en", sign("confirm", "ny@example.org",
                                                                  SECRET)))
    mailer.post(Letter("unsubscribe", "old@example.org", None,
                       sign("unsubscribe", "old@example.org", SECRET)))
    _wait(lambda: mailer.sent == 2)
    pid = mailer.process_id
    assert pid is not None and pid != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, pid) == min(
        19, os.getpriority(os.PRIO_PROCESS, 0) + NICE)
    mailer.close()
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted((tmp_path / "outbox" / "new").iterdir())]
    by_to = {str(m["To"]): m for m in messages}
    assert set(by_to) == {"ny@example.org", "old@example.org"} and said == []
    assert "confirm?token=" in by_to["ny@example.org"].get_content()
    assert by_to["old@example.org"]["Subject"].startswith("Din länk")  # the site's language


def test_a_failure_is_logged_by_reference_and_a_dead_process_replaced(tmp_path: Path
                                                                      ) -> None:
    said: list[str] = []
    with RawServer(b"") as silent:  # accepts, never greets: the letter waits in the process
        mailer = Mailer(_office(tmp_path, silent.url), say=said.append)
        mailer.post(Letter("confirm", "held@example.org", "en", sign("confirm", "held", SECRET)))
        _wait(lambda: silent.connections == 1)
        first = mailer.process_id
        assert first is not None
        os.kill(first, signal.SIGKILL)
        _wait(lambda: bool(said))
    assert said == [f"feedkit serve: Error: the mail process ended (exit status -9); not "
                    f"sent: {reference('held@example.org')}"]
    with SmtpSink() as sink:  # no longer the silent server: a new office, a new process
        mailer._office = _office(tmp_path, sink.url)
        mailer.post(Letter("confirm", "next@example.org", "en", sign("confirm", "next",
                                                                      SECRET)))
        sink.wait(1)
        assert mailer.process_id not in (None, first)
    refused = Mailer(_office(tmp_path, f"smtp://127.0.0.1:{_closed_port()}"),
                     say=said.append)
    refused.post(Letter("confirm", "nobody@example.org", "en", sign("confirm", "n", SECRET)))
    refused.close()
    mailer.close()
    assert said[-1].startswith(f"feedkit serve: Error: a message to "
                               f"{reference('nobody@example.org')} was not sent: ")
    assert all("@example.org" not in line for line in said)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
