"""Runs of `feedkit send` and what `feedkit status` reports: per period, deliveries by
status and bounces; the last run's time and outcome; subscribers by status."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import recorded_at
from .database import Database


@dataclass(frozen=True, slots=True)
class RunRow:
    """One `feedkit send` run; `finished_at` is None for a run that was killed."""

    id: int
    worker: str
    kind: str
    started_at: str
    finished_at: str | None
    outcome: str | None
    sent: int
    pending: int
    failed: int
    suppressed: int


@dataclass(frozen=True, slots=True)
class PeriodStatus:
    """One recorded period with its deliveries by status and its bounces."""

    period: str
    kind: str
    start: str
    end: str
    status: str
    deliveries: dict[str, int]
    bounced: int


class RunOps(Database):
    """Run records and the status report's queries; SendState inherits them."""

    def start_run(self, worker: str, kind: str) -> int:
        """Record that a run of `worker` started sending `kind` digests; its id."""
        row = self._one("INSERT INTO send_runs (worker, kind, started_at) VALUES (?, ?, ?) "
                        "RETURNING id", (worker, kind, recorded_at()))
        return int(row[0]) if row else 0

    def finish_run(self, run: int, outcome: str, counts: tuple[int, int, int, int]) -> None:
        """Record how run `run` ended: `outcome` (done, pending, stopped: why) and its
        (sent, pending, failed, suppressed)."""
        self._exec("UPDATE send_runs SET finished_at = ?, outcome = ?, sent = ?, pending = ?, "
                   "failed = ?, suppressed = ? WHERE id = ?",
                   (recorded_at(), outcome, *counts, run))

    def last_run(self) -> RunRow | None:
        """The most recent run, finished or not."""
        if not self.has_table("send_runs"):
            return None
        row = self._one("SELECT id, worker, kind, started_at, finished_at, outcome, sent, "
                        "pending, failed, suppressed FROM send_runs ORDER BY id DESC LIMIT 1")
        return RunRow(*row) if row else None

    def period_statuses(self) -> list[PeriodStatus]:
        """Every recorded period, oldest first, with deliveries by status and bounces."""
        counts: dict[str, dict[str, int]] = {}
        for period, status, count in self._all(
                "SELECT period, status, COUNT(*) FROM send_deliveries GROUP BY period, status"):
            counts.setdefault(period, {})[status] = count
        bounced: dict[str, int] = {}
        if self.has_table("send_bounces"):
            bounced = dict(self._all("SELECT period, COUNT(DISTINCT recipient) FROM "
                                     "send_bounces WHERE period IS NOT NULL GROUP BY period"))
        rows = self._all('SELECT period, kind, start, "end", status FROM send_periods '
                         "ORDER BY start, kind")
        return [PeriodStatus(p, k, s, e, st, counts.get(p, {}), bounced.get(p, 0))
                for p, k, s, e, st in rows]

    def subscriber_counts(self) -> dict[str, int]:
        """The list's subscribers by status."""
        if not self.has_table("list_subscribers"):
            return {}
        return dict(self._all("SELECT status, COUNT(*) FROM list_subscribers GROUP BY status"))
