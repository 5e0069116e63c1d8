"""Prometheus metrics of `feedkit serve` (prometheus-client, in a registry of its own):
what the list's endpoints did (subscribe, confirm, unsubscribe by outcome), how long
requests took, and, read from the state at each scrape, what sending has done:
deliveries per period by status, suppressions, subscribers by status, the last
run's outcome and time. Off unless `--metrics` or `--metrics-port` asks for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

ACTIONS = ("subscribe", "confirm", "unsubscribe")
OUTCOMES = {200: "ok", 400: "invalid", 403: "cross_site", 429: "rate_limited",
            503: "unavailable"}
PERIODS_SHOWN = 12  # the most recent periods: a bounded number of series
DELIVERY_STATUSES = ("sent", "pending", "failed", "suppressed", "bounced")


def outcome(status: int) -> str:
    return OUTCOMES.get(status, "error" if status >= 500 else f"http_{status}")


class ServeMetrics:
    """The counters and histogram the access layer feeds, and the state collector."""

    def __init__(self, registry_path: Path, state: str | Path | None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry: CollectorRegistry = CollectorRegistry(auto_describe=True)
        self.actions = Counter("feedkit_list_requests", "Form and one-click posts of the "
                               "list, by action and outcome.", ("action", "outcome"),
                               registry=self.registry)
        self.latency = Histogram("feedkit_http_request_duration_seconds", "Time to answer "
                                 "a request, by route.", ("route", "method"),
                                 registry=self.registry)
        for action in ACTIONS:
            self.actions.labels(action, "ok")  # shown at 0 before the first one
        self.registry.register(_StateCollector(registry_path, state))

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.latency.labels(route, method).observe(seconds)
        if method == "POST" and route in ACTIONS:
            self.actions.labels(route, outcome(status)).inc()

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def serve_on(self, host: str, port: int) -> Callable[[], None]:
        """Answer /metrics on a port of its own (a thread); returns how to stop it."""
        from prometheus_client import start_http_server

        server, thread = start_http_server(port, addr=host, registry=self.registry)

        def stop() -> None:
            server.shutdown()
            thread.join(5)

        self.port = server.server_address[1]
        return stop


class _StateCollector:
    """Gauges read from the state (read-only) at each scrape."""

    def __init__(self, registry_path: Path, state: str | Path | None) -> None:
        self.registry_path, self.state = registry_path, state

    def describe(self) -> list[Any]:
        return []  # read at scrape time only

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        from ..errors import FeedkitError
        from ..state import locate

        up = GaugeMetricFamily("feedkit_state_up", "1 when the state could be read.")
        try:
            store = locate(self.state, self.registry_path).peek()
        except FeedkitError:
            up.add_metric([], 0)
            yield up
            return
        try:
            periods = store.period_statuses()[-PERIODS_SHOWN:]
            suppressed = len(store.suppressed())
            subscribers = store.subscriber_counts()
            last = store.last_run()
        except FeedkitError:
            up.add_metric([], 0)
            yield up
            return
        finally:
            store.close()
        up.add_metric([], 1)
        yield up
        deliveries = GaugeMetricFamily("feedkit_deliveries", "Deliveries of the recent "
                                       "periods by status.", labels=("period", "status"))
        for p in periods:
            found = p.deliveries
            values = {"sent": found.get("sent", 0),
                      "pending": found.get("pending", 0) + found.get("sending", 0),
                      "failed": found.get("failed", 0),
                      "suppressed": found.get("suppressed", 0) + found.get("removed", 0),
                      "bounced": p.bounced}
            for status in DELIVERY_STATUSES:
                deliveries.add_metric([p.period, status], values[status])
        yield deliveries
        total = GaugeMetricFamily("feedkit_suppressed", "Addresses on the suppression list.")
        total.add_metric([], suppressed)
        yield total
        people = GaugeMetricFamily("feedkit_subscribers", "The list's subscribers by "
                                   "status.", labels=("status",))
        for status in ("pending", "confirmed", "unsubscribed", "bounced"):
            people.add_metric([status], subscribers.get(status, 0))
        yield people
        yield from _last_run(last)


def _last_run(last: Any) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    when = GaugeMetricFamily("feedkit_last_run_timestamp_seconds", "When the last "
                             "feedkit send run finished (started, if it never finished).")
    result = GaugeMetricFamily("feedkit_last_run_outcome", "1 for the last run's outcome: "
                               "done, pending, stopped, error or unfinished.",
                               labels=("outcome",))
    if last is not None:
        moment = last.finished_at or last.started_at
        when.add_metric([], datetime.fromisoformat(moment).timestamp())
        kind = (last.outcome or "unfinished").split(":")[0].strip() or "unfinished"
        for name in ("done", "pending", "stopped", "error", "unfinished"):
            result.add_metric([name], 1 if kind == name else 0)
    yield when
    yield result
