"""The list in the state database: subscribers, their status and consent records.

Only SQL lives here; the rules (who may subscribe, when a token is good, rate
limits) are feedkit.subscriptions'. Every change that touches several tables is
one transaction, so a crash never leaves a status without its consent record.
An unsubscribe also adds the address to send_suppressed, the list `feedkit send`
re-reads every second, so a run already in progress skips it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .database import Database

STATUSES = ("pending", "confirmed", "unsubscribed", "bounced")


@dataclass(frozen=True, slots=True)
class Consent:
    """One consent event: what happened, when, how and from where."""

    event: str  # subscribed, confirmed, unsubscribed, imported, removed
    at: str  # ISO 8601, UTC
    source: str  # form, import, one-click, page, cli, address, token
    client: str | None = None
    user_agent: str | None = None
    form_text: str | None = None


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A subscriber as the store holds them."""

    recipient: str  # the lower-cased address: the key
    address: str
    name: str
    language: str | None
    status: str
    subscribed_at: str | None
    confirmed_at: str | None
    unsubscribed_at: str | None


def erased_mark(address: str) -> str:
    """What an erasure keeps of an address: a one-way hash, enough to suppress it."""
    return "erased:" + hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


class Suppressed(set[str]):
    """The suppression list: an address is in it by itself or by its erasure's hash."""

    def __contains__(self, address: object) -> bool:
        if super().__contains__(address):
            return True
        return isinstance(address, str) and self._erasures() and super().__contains__(
            erased_mark(address))

    def _erasures(self) -> bool:
        """Whether any erasure is in it (a send run asks for every recipient: hashing
        each address is only worth it then)."""
        size, found = getattr(self, "_seen", (-1, True))
        if size != len(self):
            found = any(key.startswith("erased:") for key in self)
            self._seen = (len(self), found)
        return found


_ENTRY = ("SELECT recipient, address, name, language, status, subscribed_at, confirmed_at, "
          "unsubscribed_at FROM list_subscribers")


class ListOps(Database):
    """The list's operations; SendState inherits them."""

    def list_entry(self, recipient: str) -> ListEntry | None:
        row = self._one(f"{_ENTRY} WHERE recipient = ?", (recipient,))
        return ListEntry(*row) if row else None

    def list_entries(self, status: str | None = None) -> list[ListEntry]:
        """Subscribers in the order they first appeared, optionally of one status."""
        where, args = ("WHERE status = ?", (status,)) if status else ("", ())
        return [ListEntry(*row) for row in self._all(f"{_ENTRY} {where} ORDER BY {self.ROW_ORDER}",
                                                     args)]

    def consents(self, recipient: str) -> list[Consent]:
        rows = self._all("SELECT event, at, source, client, user_agent, form_text FROM "
                         "list_consent WHERE recipient = ? ORDER BY id", (recipient,))
        return [Consent(*row) for row in rows]

    def count_consents(self, event: str, since: str, *, recipient: str | None = None,
                       client: str | None = None) -> int:
        """How many `event` records since `since` for one recipient or one client."""
        column, value = ("recipient", recipient) if recipient is not None else ("client", client)
        row = self._one(f"SELECT COUNT(*) FROM list_consent WHERE {column} = ? AND event = ? "
                        "AND at >= ?", (value, event, since))
        return int(row[0]) if row else 0

    # -- GDPR: everything kept about one address, and its erasure -------------------
    def personal_data(self, recipient: str) -> dict[str, object]:
        """Everything the state keeps about one (lower-cased) address."""
        entry = self.list_entry(recipient)
        deliveries = self._all("SELECT period, status, sent_at, message_id FROM "
                               "send_deliveries WHERE recipient = ? ORDER BY period",
                               (recipient,))
        bounces = self._all("SELECT kind, status, at FROM send_bounces WHERE recipient = ? "
                            "ORDER BY at", (recipient,))
        suppressed = self._one("SELECT added_at, source FROM send_suppressed WHERE "
                               "recipient = ?", (recipient,))
        return {
            "subscriber": next(entries_iter([entry]), None) if entry else None,
            "consents": [{"event": c.event, "at": c.at, "source": c.source,
                          "client": c.client, "user_agent": c.user_agent,
                          "text": c.form_text} for c in self.consents(recipient)],
            "deliveries": [dict(zip(("period", "status", "sent_at", "message_id"), row,
                                    strict=True)) for row in deliveries],
            "bounces": [dict(zip(("kind", "status", "at"), row, strict=True))
                        for row in bounces],
            "suppressed": dict(zip(("added_at", "source"), suppressed, strict=True))
            if suppressed else None,
        }

    def erase(self, recipient: str, at: str) -> bool:
        """Erase an address: its subscriber row and consent records go, its deliveries
        and bounces keep only the hash, and the hash is suppressed (nothing is sent to
        it again); one consent record, under the hash, says when. False when the state
        knew nothing of it."""
        mark = erased_mark(recipient)
        with self.transaction():
            known = any(self._one(f"SELECT 1 FROM {table} WHERE recipient = ?", (recipient,))
                        for table in ("list_subscribers", "list_consent", "send_deliveries",
                                      "send_suppressed", "send_bounces"))
            self._exec("INSERT INTO send_meta (key, value) VALUES ('erasing', ?) ON CONFLICT "
                       "(key) DO UPDATE SET value = excluded.value", (recipient,))
            self._exec("DELETE FROM list_consent WHERE recipient = ?", (recipient,))
            self._exec("DELETE FROM send_meta WHERE key = 'erasing'")
            self._exec("DELETE FROM list_subscribers WHERE recipient = ?", (recipient,))
            self._exec("UPDATE send_deliveries SET recipient = ?, address = ?, name = '' "
                       "WHERE recipient = ?", (mark, mark, recipient))
            self._exec("UPDATE send_bounces SET recipient = ? WHERE recipient = ?",
                       (mark, recipient))
            self._exec("DELETE FROM send_suppressed WHERE recipient = ?", (recipient,))
            self._exec("INSERT INTO send_suppressed (recipient, added_at, source) VALUES "
                       "(?, ?, 'erased') ON CONFLICT DO NOTHING", (mark, at))
            self._append(mark, Consent("erased", at, "cli"))
        return known

    # -- rate limits (feedkit.limits) ----------------------------------------------
    def count_attempts(self, scope: str, key: str, since: str, cap: int | None = None
                       ) -> tuple[int, str | None]:
        """How many requests were admitted in (scope, key) since `since` (counted up to
        `cap` at most: a limit's check reads no more rows than the limit), and the
        oldest."""
        where = "FROM list_attempts WHERE scope = ? AND key = ? AND at >= ?"
        row = self._one(f"SELECT (SELECT COUNT(*) FROM (SELECT 1 {where} LIMIT ?) AS capped), "
                        f"(SELECT MIN(at) {where})",
                        (scope, key, since, 2 ** 62 if cap is None else cap, scope, key, since))
        return (int(row[0]), row[1]) if row else (0, None)

    def record_attempts(self, rows: list[tuple[str, str, str]]) -> None:
        self._many("INSERT INTO list_attempts (scope, key, at) VALUES (?, ?, ?)", rows)

    def prune_attempts(self, before: str) -> int:
        return self._exec("DELETE FROM list_attempts WHERE at < ?", (before,))

    def _append(self, recipient: str, consent: Consent) -> None:
        self._exec("INSERT INTO list_consent (recipient, event, at, source, client, "
                   "user_agent, form_text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (recipient, consent.event, consent.at, consent.source, consent.client,
                    consent.user_agent, consent.form_text))

    def request_subscription(self, recipient: str, address: str, name: str,
                             language: str | None, consent: Consent) -> None:
        """Record a pending subscriber (or refresh a pending or former one)."""
        with self.transaction():
            self._exec(
                "INSERT INTO list_subscribers (recipient, address, name, language, status, "
                "subscribed_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?) "
                "ON CONFLICT (recipient) DO UPDATE SET address = excluded.address, "
                "name = excluded.name, language = excluded.language, status = 'pending', "
                "subscribed_at = excluded.subscribed_at, confirmed_at = NULL, updated_at = "
                "excluded.updated_at WHERE list_subscribers.status != 'confirmed'",
                (recipient, address, name, language, consent.at, consent.at))
            self._append(recipient, consent)

    def confirm_subscription(self, recipient: str, consent: Consent) -> bool:
        """Make a pending subscriber confirmed and lift any suppression; False when there
        was no pending subscriber (already confirmed, expired, unsubscribed since)."""
        with self.transaction():
            if not self._exec(
                    "UPDATE list_subscribers SET status = 'confirmed', confirmed_at = ?, "
                    "unsubscribed_at = NULL, updated_at = ? WHERE recipient = ? AND "
                    "status = 'pending'", (consent.at, consent.at, recipient)):
                return False
            self._exec("DELETE FROM send_suppressed WHERE recipient IN (?, ?)",
                       (recipient, erased_mark(recipient)))
            self._append(recipient, consent)
        return True

    def unsubscribe_entry(self, recipient: str, address: str, consent: Consent) -> bool:
        """Unsubscribe (also an address only the subscribers file knows): the store says
        so, the suppression list holds it and the consent record proves it. False when
        it already was unsubscribed: nothing is written then."""
        return self.unsubscribe_entries([(recipient, address, consent)])[0]

    def unsubscribe_entries(self, items: list[tuple[str, str, Consent]]) -> list[bool]:
        """unsubscribe_entry for many at once, in one transaction (one commit)."""
        with self.transaction():
            return [self._unsubscribe(*item) for item in items]

    def _unsubscribe(self, recipient: str, address: str, consent: Consent) -> bool:
        added = self._exec(
            "INSERT INTO send_suppressed (recipient, added_at, source) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING", (recipient, consent.at, consent.source))
        changed = self._exec(
            "INSERT INTO list_subscribers (recipient, address, status, unsubscribed_at, "
            "updated_at) VALUES (?, ?, 'unsubscribed', ?, ?) ON CONFLICT (recipient) DO "
            "UPDATE SET status = 'unsubscribed', unsubscribed_at = excluded.updated_at, "
            "updated_at = excluded.updated_at WHERE list_subscribers.status != 'unsubscribed'",
            (recipient, address, consent.at, consent.at))
        if not (added or changed):
            return False
        self._append(recipient, consent)
        return True

    def import_entries(self, rows: Iterable[tuple[str, str, str, str | None]],
                       consent: Consent) -> tuple[int, int]:
        """Add (recipient, address, name, language) as confirmed; an address already in
        the store keeps its status (an unsubscribe is never undone by an import).
        Returns (added, kept)."""
        added = kept = 0
        with self.transaction():
            for recipient, address, name, language in rows:
                if self._exec(
                        "INSERT INTO list_subscribers (recipient, address, name, language, "
                        "status, subscribed_at, confirmed_at, updated_at) VALUES "
                        "(?, ?, ?, ?, 'confirmed', ?, ?, ?) ON CONFLICT DO NOTHING",
                        (recipient, address, name, language, consent.at, consent.at,
                         consent.at)):
                    added += 1
                    self._append(recipient, consent)
                else:
                    kept += 1
        return added, kept

    def expire_pending(self, before: str) -> int:
        """Forget pending subscribers who asked before `before` and never confirmed
        (their consent records stay)."""
        return self._exec("DELETE FROM list_subscribers WHERE status = 'pending' AND "
                          "subscribed_at < ?", (before,))


def entries_iter(entries: Iterable[ListEntry]) -> Iterator[dict[str, str | None]]:
    """Entries as plain mappings (for JSON and CSV listings)."""
    for entry in entries:
        yield {"email": entry.address, "name": entry.name, "language": entry.language,
               "status": entry.status, "subscribed_at": entry.subscribed_at,
               "confirmed_at": entry.confirmed_at, "unsubscribed_at": entry.unsubscribed_at}
