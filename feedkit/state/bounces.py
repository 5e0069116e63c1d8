"""What came back (`feedkit inbox`): bounce reports per recipient, suppressing a
recipient whose mail bounces, and refusals aimed at the sender.

A report is recorded once (by a key of its bytes), so reading a mailbox twice
counts nothing twice. A soft bounce streak is counted over the recipient's most
recent sent digests: a digest that was sent and drew no bounce breaks the row.
A sender-side refusal (blocklist, DMARC, spam filter, rate limit) suppresses no
one: it is counted per recipient domain and per relay for `feedkit status`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .database import Database


@dataclass(frozen=True, slots=True)
class Refusals:
    """Sender-side refusals of one recipient domain (or one relay): how many, when the
    last came, and its status code and words."""

    key: str
    count: int
    last_at: str
    status: str
    detail: str


class BounceOps(Database):
    """Bounce records and bounce suppressions; SendState inherits them."""

    def record_bounce(self, report: str, recipient: str, period: str | None, kind: str,
                      status: str, at: str) -> bool:
        """Record one bounce report (`kind` hard or soft, `status` its x.y.z code) for
        `recipient` and the digest of `period` when known; False when this report was
        recorded before."""
        return self._exec("INSERT INTO send_bounces (report, recipient, period, kind, status, "
                          "at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                          (report, recipient, period, kind, status, at)) == 1

    def soft_bounce_streak(self, recipient: str, limit: int) -> int:
        """How many of the recipient's `limit` most recently sent digests, counted from
        the newest, drew a soft bounce, up to the first that drew none."""
        periods = [row[0] for row in self._all(
            "SELECT period FROM send_deliveries WHERE recipient = ? AND status = 'sent' "
            "ORDER BY sent_at DESC, period DESC LIMIT ?", (recipient, limit))]
        bounced = {row[0] for row in self._all(
            "SELECT DISTINCT period FROM send_bounces WHERE recipient = ? AND kind = 'soft' "
            "AND period IS NOT NULL", (recipient,))}
        streak = 0
        for period in periods:
            if period not in bounced:
                break
            streak += 1
        return streak

    def suppress_bounced(self, recipient: str, address: str, at: str, reason: str) -> bool:
        """Stop mailing `recipient` because mail to it bounces: on the suppression list,
        status `bounced` in the list (added there if only the subscribers file had it;
        an unsubscribed address stays unsubscribed) and a record of why. False when it
        was suppressed already."""
        with self.transaction():
            added = self._exec("INSERT INTO send_suppressed (recipient, added_at, source) "
                               "VALUES (?, ?, 'bounce') ON CONFLICT DO NOTHING",
                               (recipient, at))
            changed = self._exec(
                "INSERT INTO list_subscribers (recipient, address, status, updated_at) "
                "VALUES (?, ?, 'bounced', ?) ON CONFLICT (recipient) DO UPDATE SET "
                "status = 'bounced', updated_at = excluded.updated_at "
                "WHERE list_subscribers.status IN ('pending', 'confirmed')",
                (recipient, address, at))
            if added or changed:
                self._exec("INSERT INTO list_consent (recipient, event, at, source, form_text) "
                           "VALUES (?, 'bounced', ?, 'bounce', ?)", (recipient, at, reason))
        return bool(added or changed)

    def bounce_counts(self, recipient: str) -> dict[str, int]:
        """The recipient's recorded bounce reports by kind (hard, soft)."""
        return dict(self._all("SELECT kind, COUNT(*) FROM send_bounces WHERE recipient = ? "
                              "GROUP BY kind", (recipient,)))

    def find_delivery(self, message_id: str) -> tuple[str, str] | None:
        """(period, recipient) of the delivery that sent this Message-ID, if any."""
        row = self._one("SELECT period, recipient FROM send_deliveries WHERE message_id = ? "
                        "LIMIT 1", (message_id.strip(),))
        return (str(row[0]), str(row[1])) if row else None

    def record_refusal(self, report: str, domain: str, relay: str, remote: str,
                       status: str, detail: str, at: str) -> bool:
        """Record a refusal aimed at the sender (no subscriber is named: `detail` holds
        no address); False when this report was recorded before."""
        return self._exec(
            "INSERT INTO send_refusals (report, domain, relay, remote, status, detail, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (report, domain, relay, remote, status, detail, at)) == 1

    def refusals(self, by: str) -> list[Refusals]:
        """Sender-side refusals grouped `by` "domain" or "relay", most first."""
        if by not in ("domain", "relay") or not self.has_table("send_refusals"):
            return []
        rows = self._all(f"SELECT {by}, COUNT(*), MAX(at) FROM send_refusals GROUP BY {by} "
                         f"ORDER BY COUNT(*) DESC, {by}")
        found = []
        for key, count, last in rows:
            latest = self._one(f"SELECT status, detail FROM send_refusals WHERE {by} = ? "
                               "ORDER BY at DESC, id DESC LIMIT 1", (key,))
            found.append(Refusals(str(key), int(count), str(last),
                                  *(str(v) for v in (latest or ("", "")))))
        return found

    def complaint_count(self) -> int:
        """How many subscribers a feedback-loop complaint unsubscribed."""
        if not self.has_table("list_consent"):
            return 0
        row = self._one("SELECT COUNT(DISTINCT recipient) FROM list_consent WHERE "
                        "source = 'complaint'")
        return int(row[0]) if row else 0
