"""`feedkit inbox`: act on what came back (bounces, complaints, `mailto:` unsubscribes)
from a Maildir, an mbox file, standard input or IMAP (mailboxes.py, imapbox.py).

- A hard bounce suppresses its recipient at once (status `bounced` in the list); a
  soft bounce is recorded, and SOFT_BOUNCES of them in a row (the recipient's last
  SOFT_BOUNCES sent digests each drew one) suppress too.
- A sender-side refusal (blocklist, DMARC, spam filter, rate limit) suppresses no
  one: it is recorded per domain and relay and `feedkit status` shows it loudly.
- A complaint (a feedback loop's ARF report) unsubscribes at once, with a consent
  record of source `complaint`.
- Auto-replies, delay warnings and anything else are left alone (unread in a Maildir,
  so a person still sees them), and so is a bounce that can't be tied to a
  subscriber: it is never guessed.

Each report is recorded once, keyed by a hash of its bytes, so a message read twice
(a run killed before it moved the file, an mbox read again) counts once. What the
run did is collected in one place, InboxSummary, one line per message.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..addresses import redact
from ..clock import recorded_at
from ..state import SendState, locate
from .mailboxes import Mailbox, MaildirBox

SOFT_BOUNCES = 3


@dataclass
class InboxSummary:
    """What `feedkit inbox` did, and one line per message (by its name)."""

    hard: int = 0
    soft: int = 0
    sender: int = 0
    complaints: int = 0
    unsubscribed: int = 0
    suppressed: int = 0
    auto_replies: int = 0
    ignored: int = 0
    unmatched: int = 0
    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        """Add a line about a message (addresses in it become references)."""
        self.lines.append(redact(line))

    def line(self) -> str:
        return (f"hard bounces {self.hard}, soft bounces {self.soft}, sender-side "
                f"{self.sender}, complaints {self.complaints}, unsubscribed "
                f"{self.unsubscribed}, suppressed {self.suppressed}, auto-replies "
                f"{self.auto_replies}, ignored {self.ignored}, left for a person "
                f"{self.unmatched}")

    def warnings(self) -> list[str]:
        """What needs a person, said loudly after the summary line."""
        if not self.sender:
            return []
        return [f"warning: {self.sender} message(s) refused because of how they were sent "
                "(blocklist, SPF/DKIM/DMARC, spam filter or rate limit); no subscriber was "
                "suppressed for it. See `feedkit status`."]


def read_inbox(maildir: Path, registry: Path, state_path: str | Path | None = None,
               environ: Mapping[str, str] | None = None) -> InboxSummary:
    """Read every message in `maildir`/new, act on it, move it to cur/."""
    return read_mailbox(MaildirBox(maildir), registry, state_path, environ)


def read_mailbox(box: Mailbox, registry: Path, state_path: str | Path | None = None,
                 environ: Mapping[str, str] | None = None) -> InboxSummary:
    """Read every message `box` gives, act on each, tell the box what was done."""
    from ..load import load
    from ..mail.tokens import secret_from_env

    try:
        site = load(registry).site
        secret = secret_from_env(dict(os.environ if environ is None else environ))
        state = locate(state_path, registry).open()
        try:
            inbox = _Inbox(state, secret, site.bounce_address)
            for name, data in box.messages():
                box.done(name, inbox.handle(name, data))
            return inbox.summary
        finally:
            state.close()
    finally:
        box.close()


class _Inbox:
    def __init__(self, state: SendState, secret: bytes, bounce_address: str) -> None:
        self.state, self.secret, self.bounce_address = state, secret, bounce_address
        self.summary = InboxSummary()
        self._known: list[str] | None = None
        self._tokens: dict[str, str] | None = None
        self.now = recorded_at()

    def known(self) -> list[str]:
        if self._known is None:
            self._known = sorted({a.lower() for a in self.state.known_addresses()}
                                 | {e.recipient for e in self.state.list_entries()})
        return self._known

    def directory(self) -> object:
        from ..mail.recipient import Directory
        from ..mail.verp import token_index

        if self._tokens is None:
            self._tokens = token_index(self.known(), self.secret)
        return Directory(self._tokens, self.state.find_delivery, set(self.known()),
                         self.secret)

    def handle(self, name: str, data: bytes) -> bool:
        """Act on one message; whether it was acted on."""
        from ..mail.bounces import classify
        from ..mail.recipient import Directory, find_recipient

        say = self.summary.say
        try:
            verdict = classify(data, self.bounce_address)
        except Exception as exc:  # a message no rule foresaw must not end the run
            self.summary.unmatched += 1
            say(f"{name}: left for a person: could not be read ({type(exc).__name__})")
            return False
        if verdict.action == "unsubscribe":
            return self._unsubscribe(name, verdict.token)
        if verdict.action in ("ignore", "auto-reply"):
            if verdict.action == "auto-reply":
                self.summary.auto_replies += 1
            else:
                self.summary.ignored += 1
            say(f"{name}: ignored: {verdict.reason}")
            return False
        report = hashlib.sha256(data).hexdigest()
        directory = self.directory()
        assert isinstance(directory, Directory)
        found = find_recipient(verdict, directory)
        if verdict.action == "sender":
            recipient = found.recipients[0][0] if found.recipients else None
            domain = verdict.domain or (recipient or "").rpartition("@")[2] or "unknown"
            new = self.state.record_refusal(report, domain, verdict.relay or "-",
                                            verdict.remote or "-", verdict.status or "-",
                                            verdict.detail, self.now)
            self.summary.sender += new
            say(f"{name}: {verdict.reason}; counted for {domain}, nobody suppressed"
                + ("" if new else " (read before)"))
            return True
        if not found.recipients:
            self.summary.unmatched += 1
            say(f"{name}: left for a person: {verdict.reason}, but {found.how}")
            return False
        if verdict.action == "complaint":
            return self._complaint(name, verdict.reason, [r for r, _ in found.recipients])
        for recipient, period in found.recipients:
            self._bounce(name, report, recipient, period, verdict.action, verdict.status,
                         verdict.reason)
        return True

    def _bounce(self, name: str, report: str, recipient: str, period: str | None,
                kind: str, status: str, reason: str) -> None:
        new = self.state.record_bounce(report, recipient, period, kind, status or "-",
                                       self.now)
        if kind == "hard":
            self.summary.hard += new
            why = f"hard bounce {status}".strip()
        else:
            self.summary.soft += new
            streak = self.state.soft_bounce_streak(recipient, SOFT_BOUNCES)
            self.summary.say(f"{name}: {reason}; {streak} of {SOFT_BOUNCES} in a row")
            if streak < SOFT_BOUNCES:
                return
            why = f"{SOFT_BOUNCES} soft bounces in a row"
        if self.state.suppress_bounced(recipient, recipient, self.now, why):
            self.summary.suppressed += 1
            self.summary.say(f"{name}: {why}: suppressed (status bounced)")

    def _complaint(self, name: str, reason: str, recipients: list[str]) -> bool:
        from ..state.listing import Consent

        for recipient in recipients:
            changed = self.state.unsubscribe_entry(
                recipient, recipient, Consent("unsubscribed", self.now, "complaint",
                                              form_text=reason))
            self.summary.complaints += 1
            self.summary.unsubscribed += changed
            self.summary.say(f"{name}: {reason}: "
                             f"{'unsubscribed' if changed else 'already unsubscribed'}")
        return True

    def _unsubscribe(self, name: str, token: str) -> bool:
        from ..mail.tokens import BadToken, find_address, is_legacy_token, verify
        from ..state.listing import Consent

        try:
            address: str | None = verify(token, "unsubscribe", self.secret)
        except BadToken as exc:
            address = find_address(token, self.known(), self.secret) if is_legacy_token(
                token) else None
            if address is None:
                self.summary.ignored += 1
                self.summary.say(f"{name}: ignored: an unsubscribe request whose token is "
                                 f"not valid ({exc})")
                return False
        assert address is not None
        changed = self.state.unsubscribe_entry(address.lower(), address,
                                               Consent("unsubscribed", self.now, "mailto"))
        self.summary.unsubscribed += changed
        self.summary.say(f"{name}: a mailto: unsubscribe: "
                         f"{'unsubscribed' if changed else 'already unsubscribed'}")
        return True
