"""Logs and metrics an operator can watch: `feedkit serve --metrics` scraped with
prometheus-client's own parser, one JSON log line per request and per delivery
outcome, and never an address or a token in any of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from send_helpers import SECRET, make_site, run, subscribers_csv
from serve_helpers import ONE_CLICK, serving

from feedkit.logs import scrub
from feedkit.mail.tokens import sign

AFTER = "2020-02-25T08:00:00+01:00"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _clean(lines: list[str]) -> None:
    for line in lines:
        assert not ADDRESS.search(line), line
        assert not re.search(r"token=[a-z0-9]", line), line


def test_serve_metrics_and_one_log_line_per_request(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(2))
    sent = run(registry, "send", "--period", "week", "--now", AFTER)
    assert sent.exit_code == 0, sent.output
    with serving(registry, "--metrics", "--log-format", "json") as (base, process), \
            httpx.Client(timeout=10) as client:
        assert process.stdout is not None
        said = process.stdout.readline().split()
        assert said[:3] == ["feedkit", "serve:", "metrics"]
        forged = sign("unsubscribe", "user0@example.org", b"another-secret-0123456789")
        real = sign("unsubscribe", "user0@example.org", SECRET.encode())
        answers = [client.post(f"{base}unsubscribe?token={forged}", data=ONE_CLICK),
                   client.post(f"{base}unsubscribe?token={real}", data=ONE_CLICK),
                   client.get(f"{base}confirm?token=nonsense")]
        assert [a.status_code for a in answers] == [400, 200, 400]
        scrape = client.get(said[-1])
        process.terminate()
        errors = process.communicate(timeout=10)[1]
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    got = _samples(scrape.text)
    assert got[("feedkit_list_requests_total",
                (("action", "unsubscribe"), ("outcome", "invalid")))] == 1
    assert got[("feedkit_list_requests_total",
                (("action", "unsubscribe"), ("outcome", "ok")))] == 1
    assert got[("feedkit_list_requests_total",
                (("action", "subscribe"), ("outcome", "ok")))] == 0
    assert got[("feedkit_http_request_duration_seconds_count",
                (("method", "POST"), ("route", "unsubscribe")))] == 2
    week = (("period", "week:2020-02-17"),)
    assert got[("feedkit_deliveries", (*week, ("status", "sent")))] == 2
    assert got[("feedkit_deliveries", (*week, ("status", "failed")))] == 0
    assert got[("feedkit_suppressed", ())] == 1
    assert got[("feedkit_subscribers", (("status", "unsubscribed"),))] == 1
    assert got[("feedkit_last_run_outcome", (("outcome", "done"),))] == 1
    assert got[("feedkit_state_up", ())] == 1
    lines = [json.loads(line) for line in errors.splitlines() if line.startswith("{")]
    requests = [entry for entry in lines if entry.get("event") == "request"]
    assert [(r["method"], r["status"]) for r in requests] == [
        ("POST", 400), ("POST", 200), ("GET", 400), ("GET", 200)]
    assert all(r["path"].endswith(("unsubscribe", "confirm", "/metrics")) for r in requests)
    assert all(isinstance(r["duration_ms"], float) for r in requests)
    _clean(errors.splitlines())


def test_metrics_on_a_port_of_their_own(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    with serving(registry, "--metrics-port", "0", "--log-level", "warning") as (
            base, process), httpx.Client(timeout=10) as client:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        assert url.endswith("/metrics") and not base.startswith(url.rsplit("/", 1)[0])
        own = client.get(url)
        main = client.get(base.split("/dagbok/")[0] + "/metrics")
        process.terminate()
        errors = process.communicate(timeout=10)[1]
    assert own.status_code == 200 and "feedkit_list_requests_total" in own.text
    assert main.status_code == 404
    assert errors == ""  # --log-level warning: no request lines


def test_send_logs_one_json_line_per_delivery_outcome(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(3))
    unsubscribed = run(registry, "unsubscribe", "user1@example.org")
    assert unsubscribed.exit_code == 0
    result = run(registry, "send", "--period", "week", "--now", AFTER, "--log-format", "json")
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    outcomes = sorted(e["status"] for e in entries if e.get("event") == "delivery")
    assert outcomes == ["sent", "sent", "suppressed"]
    assert all(e["recipient"].startswith("recipient ") for e in entries
               if e.get("event") == "delivery")
    summary = [e for e in entries if e.get("event") == "summary"]
    assert [(s["sent"], s["suppressed"], s["level"]) for s in summary] == [(2, 1, "info")]
    _clean(result.stdout.splitlines())


def test_scrub_takes_out_addresses_and_tokens() -> None:
    text = scrub("refused <Eva.Ek@Example.org>: see /unsubscribe?token=abc123&x=1")
    assert "Eva" not in text and "abc123" not in text
    assert "token=…&x=1" in text and "recipient " in text


def test_inbox_logs_its_summary_as_json(tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    for part in ("new", "cur", "tmp"):
        (tmp_path / "Maildir" / part).mkdir(parents=True)
    (tmp_path / "Maildir" / "new" / "1.note").write_bytes(
        b"From: someone@example.org\r\nSubject: hello\r\n\r\nJust a note.\r\n")
    result = run(registry, "inbox", "--maildir", str(tmp_path / "Maildir"),
                 "--log-format", "json")
    assert result.exit_code == 0, result.output
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in entries] == ["message", "summary"]
    assert entries[-1]["ignored"] == 1
    _clean(result.stdout.splitlines())
    quiet = run(registry, "inbox", "--maildir", str(tmp_path / "Maildir"), "--quiet")
    assert (quiet.exit_code, quiet.output) == (0, "")
