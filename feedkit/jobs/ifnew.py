"""`feedkit send --if-new`: whether a run would send anything, asked before it starts.

For runs from an hourly timer: when every complete period is done, or the ones left
hold no post, the run stops at once, says so and exits 0, without taking the
sender's lock, recording a run or reaching the relay. Read-only (the state is only
peeked at); empty periods are recorded as done by the next run that sends.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..periods import PERIODS, last_complete
from .sending import planned, posts_for


def nothing_new(registry_path: Path, kind: str, now: datetime,
                state: str | Path | None = None) -> str | None:
    """Why a send of `kind` would send nothing now, or None when it has work."""
    from ..load import load
    from ..state import locate

    if kind not in PERIODS:
        return None  # the send itself says what is wrong
    registry = load(registry_path)
    today = now.astimezone(registry.site.tz).date()
    store = locate(state, registry_path).peek()
    try:
        periods = planned(store, kind, today)
        for period in periods:
            posts, started = posts_for(registry, store, period)
            if posts or started:
                return None
    finally:
        store.close()
    last = last_complete(kind, today)
    if not periods:
        return (f"nothing new: every {kind} up to {last.end} is sent" if last else
                f"nothing new: no {kind} has ended yet")
    labels = ", ".join(p.label for p in periods)
    return f"nothing new: no posts in {labels}; nothing sent"
