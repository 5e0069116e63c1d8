"""`feedkit status`: what the state says about sending, read-only.

Per period: deliveries sent, pending (pending or in flight), failed, suppressed
(unsubscribed or bounced before their turn) and bounced (recipients whose
digest of that period came back); the last run's time and outcome; the list's
subscribers by status; complaints; and, loudly, the refusals aimed at the sender
(blocklists, SPF/DKIM/DMARC, spam filters, rate limits) per recipient domain and per
relay: no subscriber was suppressed for them, the sending set-up needs a look.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..state import locate

FORMATS = ("text", "json")


def status_report(registry: Path, state: str | Path | None = None) -> dict[str, Any]:
    """The report as plain data (what --format json prints)."""
    store = locate(state, registry).peek()
    try:
        periods = [{
            "period": p.period, "kind": p.kind, "start": p.start, "end": p.end,
            "status": p.status, "sent": p.deliveries.get("sent", 0),
            "pending": p.deliveries.get("pending", 0) + p.deliveries.get("sending", 0),
            "failed": p.deliveries.get("failed", 0),
            "suppressed": p.deliveries.get("suppressed", 0) + p.deliveries.get("removed", 0),
            "bounced": p.bounced,
        } for p in store.period_statuses()]
        last = store.last_run()
        counts = store.subscriber_counts()
        by_domain, by_relay = store.refusals("domain"), store.refusals("relay")
        complaints = store.complaint_count()
    finally:
        store.close()
    run = None if last is None else {
        "started_at": last.started_at, "finished_at": last.finished_at, "kind": last.kind,
        "outcome": last.outcome or "unfinished (killed, or still running)",
        "sent": last.sent, "pending": last.pending, "failed": last.failed,
        "suppressed": last.suppressed}
    return {"periods": periods, "last_run": run,
            "subscribers": {s: counts.get(s, 0) for s in
                            ("pending", "confirmed", "unsubscribed", "bounced")},
            "complaints": complaints,
            "sender_side": {
                "total": sum(r.count for r in by_domain),
                "by_domain": [{"domain": r.key, "count": r.count, "last_at": r.last_at,
                               "status": r.status, "detail": r.detail} for r in by_domain],
                "by_relay": [{"relay": r.key, "count": r.count, "last_at": r.last_at}
                             for r in by_relay]}}


def render_status(report: dict[str, Any], fmt: str) -> str:
    if fmt not in FORMATS:
        raise UsageError("--format", f"'{fmt}' is not one of {', '.join(FORMATS)}")
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    lines = ["period                 status   sent  pending  failed  suppressed  bounced"]
    for p in report["periods"]:
        lines.append(f"{p['period']:<22} {p['status']:<7} {p['sent']:>5} {p['pending']:>8} "
                     f"{p['failed']:>7} {p['suppressed']:>11} {p['bounced']:>8}")
    if not report["periods"]:
        lines.append("(nothing sent yet)")
    run = report["last_run"]
    lines.append("last run: " + ("none" if run is None else
                                 f"{run['started_at']} ({run['kind']}): {run['outcome']}; "
                                 f"sent {run['sent']}, pending {run['pending']}, failed "
                                 f"{run['failed']}, suppressed {run['suppressed']}"))
    subs = report["subscribers"]
    lines.append("subscribers: " + ", ".join(f"{k} {v}" for k, v in subs.items()))
    lines.append(f"complaints (feedback loops): {report['complaints']}")
    return "\n".join(_sender_side(report["sender_side"]) + lines) + "\n"


def _sender_side(found: dict[str, Any]) -> list[str]:
    """The loud part: first in the output, upper-case, one line per domain and relay."""
    if not found["total"]:
        return []
    lines = [f"SENDER-SIDE REFUSALS: {found['total']} message(s) refused because of how "
             "they were sent (blocklist, SPF/DKIM/DMARC, spam filter, rate limit). No "
             "subscriber was suppressed for them: check the relay's reputation and the "
             "domain's SPF, DKIM and DMARC (feedkit doctor)."]
    for row in found["by_domain"]:
        lines.append(f"  to {row['domain']}: {row['count']}, last {row['last_at']} "
                     f"({row['status']}) {row['detail']}".rstrip())
    for row in found["by_relay"]:
        lines.append(f"  reported by {row['relay']}: {row['count']}, last {row['last_at']}")
    return [*lines, ""]
