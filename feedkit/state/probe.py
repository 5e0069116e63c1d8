"""The doctor's test subscriber: added as pending (never mailed: `feedkit send` mails
confirmed subscribers only) and removed again from the list, the suppression list
and the deliveries. The consent log keeps its line, as it keeps every change of the
list (it is append-only: a trigger refuses deletes)."""

from __future__ import annotations

from .database import Database

PROBE_DOMAIN = "doctor.invalid"  # RFC 2606: never a real mailbox
PROBE_TABLES = ("send_suppressed", "send_deliveries", "list_subscribers")


class ProbeOps(Database):
    """Operations of `feedkit doctor`'s one-click check."""

    def add_probe(self, recipient: str, at: str) -> None:
        """A pending subscriber `recipient` (an address at PROBE_DOMAIN)."""
        assert recipient.endswith("@" + PROBE_DOMAIN), recipient
        with self.transaction():
            self._exec("INSERT INTO list_subscribers (recipient, address, name, language, "
                       "status, subscribed_at, updated_at) VALUES (?, ?, '', NULL, "
                       "'pending', ?, ?) ON CONFLICT DO NOTHING", (recipient, recipient, at, at))

    def forget_probes(self, recipient: str | None = None) -> int:
        """Remove the test subscriber `recipient` (None: every one a killed doctor may
        have left) from the list, the suppression list and the deliveries; the number
        of list rows removed."""
        where, args = ("recipient = ?", (recipient,)) if recipient else (
            "recipient LIKE ?", (f"%@{PROBE_DOMAIN}",))
        if recipient is not None:
            assert recipient.endswith("@" + PROBE_DOMAIN), recipient
        removed = 0
        with self.transaction():
            for table in PROBE_TABLES:
                if self.has_table(table):
                    removed = self._exec(f"DELETE FROM {table} WHERE {where}", args)
        return removed
