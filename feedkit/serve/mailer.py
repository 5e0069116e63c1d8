"""The list's mail, made and sent after the answer by a process of its own.

A confirmation or an unsubscribe link is posted as a `Letter` (kind, address,
language, token): the view only puts it on a queue, so a visitor's answer takes the
same time whether a message goes out or not. A thread hands the queue to `python -m
feedkit.serve.mailer`, a fresh interpreter started at the first letter (pickles on
its standard input), which makes each message (mail.confirmation's ListLetters:
rendered once per language, personalised by substitution) and hands it over (SMTP,
or the Maildir outbox), one at a time, in the order posted, keeping a connection
open while letters are waiting. None of that holds the interpreter lock of the
process whose event loop answers requests, and the mail process runs at a lower
priority (nice 10), so it takes a core only when answering requests leaves one. A
message that can't be handed over is tried again twice, then named in one log line
by its recipient's reference, never the address. A mail process that ends is started
again for the next letter; the letters it had not answered for are named in the log
as not sent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..addresses import envelope_address, redact, reference
from ..mail.confirmation import MailLinks
from ..model import Site

if TYPE_CHECKING:
    from ..mail.handover import Transport

RETRY_WAITS = (2.0, 10.0)
STOP_SECONDS = 60.0  # what closing waits for the queued letters before stopping them
NICE = 10  # the mail process's priority below the server's
GATHER = 0.01  # seconds a woken feeder waits for more letters: one hand-over per burst
ANSWER_EVERY = 32  # the mail process answers at least this often (else when idle)


def log(line: str) -> None:
    logging.getLogger("feedkit.serve").warning(line)


@dataclass(frozen=True)
class Letter:
    """One message to make and send: `kind` "confirm" or "unsubscribe", its link
    carrying `token` (signed by the caller)."""

    kind: str
    address: str
    language: str | None
    token: str


@dataclass(frozen=True)
class PostOffice:
    """Everything the mail process needs (picklable): the site, where links point,
    the templates, and where mail goes (as for `feedkit send`)."""

    site: Site
    links: MailLinks
    days: int
    outbox: Path
    template_dirs: tuple[Path, ...] = ()
    smtp_url: str | None = None
    environ: dict[str, str] = field(default_factory=dict)
    ca_file: Path | None = None
    waits: tuple[float, ...] = RETRY_WAITS

    def transport(self) -> Transport:
        from ..mail.transport import open_transport

        return open_transport(self.smtp_url, self.outbox, self.environ, ca_file=self.ca_file)


class Mailer:
    """Posts letters to the mail process; `say` gets the log lines."""

    def __init__(self, office: PostOffice, *, say: Callable[[str], None] = log) -> None:
        self._office = office
        self._say = say
        self._letters: queue.SimpleQueue[Letter | None] = queue.SimpleQueue()
        self._feeder: threading.Thread | None = None
        self._worker: _Worker | None = None
        self._start_lock = threading.Lock()
        self.sent = 0  # letters the mail process answered for (sent or failed)

    @property
    def process_id(self) -> int | None:
        """The mail process's, once started."""
        return self._worker.pid if self._worker is not None else None

    def start(self) -> None:
        """Start the mail process now (else at the first letter), from a thread."""
        if self._feeder is None:
            with self._start_lock:
                if self._feeder is None:
                    self._feeder = threading.Thread(target=self._feed, name="feedkit-mail",
                                                    daemon=True)
                    self._feeder.start()

    def post(self, letter: Letter) -> None:
        """Queue `letter`; it is made and sent after the caller has answered."""
        self.start()
        self._letters.put(letter)

    def _feed(self) -> None:
        self._worker = _Worker(self._office, self._answered, self._say)
        stop = False
        while not stop:
            batch = [self._letters.get()]
            time.sleep(GATHER)  # the letters of a burst go together, with one wake-up
            with contextlib.suppress(queue.Empty):
                while True:
                    batch.append(self._letters.get_nowait())
            stop = None in batch
            letters = [letter for letter in batch if letter is not None]
            if letters and (not self._worker.alive() or not self._worker.send(letters)):
                self._worker = _Worker(self._office, self._answered, self._say)
                self._worker.send(letters)  # it ended meanwhile: a new one
        self._worker.close()

    def _answered(self, count: int, failures: list[str]) -> None:
        self.sent += count
        for failure in failures:
            self._say(failure)

    def close(self) -> None:
        """Send what is queued (waiting at most STOP_SECONDS), then stop."""
        if self._feeder is not None:
            self._letters.put(None)
            self._feeder.join()


class _Worker:
    """One mail process and the thread that reads its answers."""

    def __init__(self, office: PostOffice, answered: Callable[[int, list[str]], None],
                 say: Callable[[str], None]) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self._process = subprocess.Popen([sys.executable, "-m", __name__], env=env,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to: IO[bytes] = self._process.stdin
        self.pid = self._process.pid
        self._say = say
        self._answered = answered
        self._waiting: list[str] = []  # references of the letters not answered for yet
        self._lock = threading.Lock()
        self._closing = False
        self._ended = False
        self._write((sys.path, office))
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,),
                                        name="feedkit-mail-answers", daemon=True)
        self._reader.start()

    def alive(self) -> bool:
        return self._process.poll() is None

    def _write(self, item: object) -> None:
        with contextlib.suppress(OSError, ValueError):  # gone: the reader says so
            pickle.dump(item, self._to, protocol=pickle.HIGHEST_PROTOCOL)
            self._to.flush()

    def send(self, letters: list[Letter]) -> bool:
        """Hand `letters` over; False when the process has already ended."""
        with self._lock:
            if self._ended:
                return False
            self._waiting += [reference(letter.address) for letter in letters]
        self._write(letters)
        return True

    def _read(self, answers: IO[bytes]) -> None:
        try:
            while True:
                count, failures = pickle.load(answers)
                with self._lock:
                    del self._waiting[:count]
                self._answered(count, failures)
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        with self._lock:
            lost, self._waiting = self._waiting, []
            self._ended = True
        if lost:
            code = self._process.wait()
            self._say(f"feedkit serve: Error: the mail process "
                      f"{'was stopped' if self._closing else f'ended (exit status {code})'}"
                      f"; not sent: {', '.join(lost)}")

    def close(self) -> None:
        """Let the process send what it was given, then end it."""
        with contextlib.suppress(OSError):
            self._to.close()
        try:
            self._process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._closing = True
            self._process.kill()
            self._process.wait()
        self._reader.join()


# -- the mail process ----------------------------------------------------------------
def deliver(office: PostOffice, letters: queue.SimpleQueue[Letter | None],
            answer: Callable[[int, list[str]], None]) -> None:
    """Make and send each letter until None; answer (how many were handled, the log
    lines of those that failed) when no letter is waiting, or every ANSWER_EVERY. The
    transport stays open while more letters are waiting."""
    from datetime import UTC, datetime

    from ..errors import FeedkitError
    from ..mail.confirmation import ListLetters
    from ..mail.message import sender_address

    made = ListLetters(office.site, office.links, days=office.days,
                       template_dirs=office.template_dirs)
    with contextlib.suppress(Exception):  # ready for the first letter: modules, template
        made.message("confirm", "reader@example.org", None, "a" * 70)
    sender = sender_address(office.site)
    transport: Transport | None = None
    handled, failures = 0, []
    while (letter := letters.get()) is not None:
        failure: Exception | None = None
        for wait in (0.0, *office.waits):
            time.sleep(wait)
            try:
                data = made.message(letter.kind, letter.address, letter.language,
                                    letter.token, datetime.now(UTC))
                if transport is None:
                    transport = office.transport()
                transport.send(data, sender, envelope_address(letter.address))
                failure = None
                break
            except Exception as exc:  # a bug must not stop the list's mail
                failure = exc if isinstance(exc, FeedkitError) else \
                    FeedkitError(f"{type(exc).__name__}: {exc}")
                transport = _close(transport)
        handled += 1
        if failure is not None:
            failures.append(f"feedkit serve: Error: a message to {reference(letter.address)} "
                            f"was not sent: {redact(str(failure))}")
        if letters.empty():  # nothing waiting: don't hold a connection open
            transport = _close(transport)
        if letters.empty() or handled >= ANSWER_EVERY:
            answer(handled, failures)
            handled, failures = 0, []
    _close(transport)
    if handled:
        answer(handled, failures)


def _close(transport: Transport | None) -> Transport | None:
    """Close `transport` if there is one; None, to forget it."""
    if transport is not None:
        with contextlib.suppress(Exception):
            transport.close()
    return None


def _main(requests: IO[bytes], answers: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.nice(NICE)  # background work: answering requests comes first
    path, office = pickle.load(requests)
    sys.path[:] = path
    letters: queue.SimpleQueue[Letter | None] = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                for letter in pickle.load(requests):
                    letters.put(letter)
        except (EOFError, OSError, pickle.UnpicklingError):
            letters.put(None)

    def answer(count: int, failures: list[str]) -> None:
        pickle.dump((count, failures), answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()

    threading.Thread(target=read, daemon=True).start()
    deliver(office, letters, answer)


if __name__ == "__main__":
    _answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else prints goes to standard error, not into the answers
    sys.stdout = sys.stderr
    _main(sys.stdin.buffer, _answers)
