"""`feedkit inbox --maildir DIR`: act on what came back (bounces and `mailto:`
unsubscribes) and move each message read out of new/.

A hard bounce suppresses its recipient at once (status `bounced` in the list); a
soft bounce is recorded, and SOFT_BOUNCES of them in a row (the recipient's
last SOFT_BOUNCES sent digests each drew one) suppress too. Each report is
recorded once, keyed by a hash of its bytes, so a message read twice (a run
killed before it moved the file) counts once. Messages acted on go to cur/ as
read (`:2,S`); ignored ones to cur/ unread (`:2,`), so a person still sees them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..addresses import redact
from ..errors import UsageError
from ..state import SendState, locate

SOFT_BOUNCES = 3


@dataclass
class InboxSummary:
    """What `feedkit inbox` did, and one line per message (by file name)."""

    hard: int = 0
    soft: int = 0
    unsubscribed: int = 0
    suppressed: int = 0
    ignored: int = 0
    lines: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"hard bounces {self.hard}, soft bounces {self.soft}, unsubscribed "
                f"{self.unsubscribed}, suppressed {self.suppressed}, ignored {self.ignored}")


def read_inbox(maildir: Path, registry: Path, state_path: str | Path | None = None,
               environ: Mapping[str, str] | None = None) -> InboxSummary:
    """Read every message in `maildir`/new, act on it, move it to cur/."""
    from ..load import load
    from ..mail.tokens import secret_from_env

    if not (maildir / "new").is_dir() or not (maildir / "cur").is_dir():
        raise UsageError("--maildir", f"{maildir} is not a Maildir (it needs new/ and cur/)")
    site = load(registry).site
    secret = secret_from_env(dict(os.environ if environ is None else environ))
    state = locate(state_path, registry).open()
    try:
        inbox = _Inbox(state, secret, site.bounce_address)
        for name in sorted(os.listdir(maildir / "new")):
            if name.startswith("."):
                continue
            path = maildir / "new" / name
            acted = inbox.handle(name, path.read_bytes())
            os.replace(path, maildir / "cur" / f"{name.split(':')[0]}:2,{'S' if acted else ''}")
        return inbox.summary
    finally:
        state.close()


class _Inbox:
    def __init__(self, state: SendState, secret: bytes, bounce_address: str) -> None:
        self.state, self.secret, self.bounce_address = state, secret, bounce_address
        self.summary = InboxSummary()
        self._index: dict[str, str] | None = None
        self.now = datetime.now(UTC).isoformat(timespec="seconds")

    def known(self) -> list[str]:
        return sorted({a.lower() for a in self.state.known_addresses()}
                      | {e.recipient for e in self.state.list_entries()})

    def tokens(self) -> dict[str, str]:
        from ..mail.verp import token_index

        if self._index is None:
            self._index = token_index(self.known(), self.secret)
        return self._index

    def handle(self, name: str, data: bytes) -> bool:
        """Act on one message; whether it was acted on."""
        from ..mail.bounces import classify

        verdict = classify(data, self.bounce_address)

        def say(line: str) -> None:  # a report quotes addresses: log references instead
            self.summary.lines.append(redact(line))

        if verdict.action == "unsubscribe":
            return self._unsubscribe(name, verdict.token)
        if verdict.action == "ignore":
            self.summary.ignored += 1
            say(f"{name}: ignored: {verdict.reason}")
            return False
        report = hashlib.sha256(data).hexdigest()
        targets = self._recipients(verdict)
        if not targets:
            self.summary.ignored += 1
            say(f"{name}: ignored: {verdict.reason}, but for no recipient of this list")
            return False
        for recipient, period in targets:
            new = self.state.record_bounce(report, recipient, period, verdict.action,
                                           verdict.status or "-", self.now)
            if verdict.action == "hard":
                self.summary.hard += new
                why = f"hard bounce {verdict.status}".strip()
            else:
                self.summary.soft += new
                streak = self.state.soft_bounce_streak(recipient, SOFT_BOUNCES)
                say(f"{name}: {verdict.reason}; {streak} of {SOFT_BOUNCES} in a row")
                if streak < SOFT_BOUNCES:
                    continue
                why = f"{SOFT_BOUNCES} soft bounces in a row"
            if self.state.suppress_bounced(recipient, recipient, self.now, why):
                self.summary.suppressed += 1
                say(f"{name}: {why}: suppressed (status bounced)")
        return True

    def _recipients(self, verdict: object) -> list[tuple[str, str | None]]:
        """(recipient, period) pairs the report is about: by VERP, by the returned
        Message-ID, else by the addresses it names that the list knows."""
        from ..mail.bounces import Verdict

        assert isinstance(verdict, Verdict)
        if verdict.verp is not None:
            token, period = verdict.verp
            recipient = self.tokens().get(token)
            if recipient is not None:
                return [(recipient, period)]
        for message_id in verdict.message_ids:
            found = self.state.find_delivery(message_id)
            if found is not None:
                return [(found[1], found[0])]
        known = set(self.known())
        return [(a, None) for a in verdict.addresses if a in known]

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
                self.summary.lines.append(redact(f"{name}: ignored: an unsubscribe request "
                                                 f"whose token is not valid ({exc})"))
                return False
        assert address is not None
        changed = self.state.unsubscribe_entry(address.lower(), address,
                                               Consent("unsubscribed", self.now, "mailto"))
        self.summary.unsubscribed += changed
        self.summary.lines.append(f"{name}: a mailto: unsubscribe: "
                                  f"{'unsubscribed' if changed else 'already unsubscribed'}")
        return True
