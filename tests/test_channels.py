"""A second channel plugs into a send run without a queue, retries or bookkeeping of its
own: a webhook channel written here, POSTing JSON to a real HTTP server on 127.0.0.1
that answers 200, 503 (retry later) or 410 (gone: suppress the recipient)."""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from send_helpers import make_site, subscribers_csv

from feedkit.channels import ACCEPTED, FAILED, GONE, RETRY, Answer, Parcel, Recipient
from feedkit.jobs.sending import SendReport
from feedkit.jobs.sendrun import SendRun
from feedkit.load import load
from feedkit.load.subscribers import load_subscribers
from feedkit.progress import PlainReporter
from feedkit.retry import Backoff
from feedkit.state import locate

NOW = "2020-02-10T12:00+01:00"


class Inbox(BaseHTTPRequestHandler):
    """Answers by recipient: 'flaky' gets 503 twice, 'gone' 410, 'bad' 400, others 200."""

    posts: Counter[str] = Counter()
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        who = body["to"].split("@")[0]
        with self.lock:
            self.posts[who] += 1
            tries = self.posts[who]
        code = {"gone": 410, "bad": 400}.get(who, 503 if who == "flaky" and tries <= 2 else 200)
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class WebhookLink:
    def __init__(self, url: str) -> None:
        self.url = url
        self.client = httpx.Client(timeout=5)

    def open(self) -> None:
        pass

    def hand_over(self, parcel: Parcel) -> Answer:
        try:
            reply = self.client.post(self.url, content=parcel.data,
                                     headers={"Idempotency-Key": parcel.ident})
        except httpx.TransportError as exc:
            return Answer(RETRY, str(exc), connection=True)
        if reply.status_code < 300:
            return ACCEPTED
        if reply.status_code == 410:
            return Answer(GONE, "410 Gone")
        verdict = RETRY if reply.status_code >= 500 or reply.status_code == 429 else FAILED
        return Answer(verdict, f"{reply.status_code} {reply.reason_phrase}")

    def close(self) -> None:
        self.client.close()


class WebhookChannel:
    """One period's posts as a JSON document per recipient."""

    def __init__(self, url: str, period_key: str, post_ids: list[str]) -> None:
        self.url, self.period_key, self.post_ids = url, period_key, post_ids
        self.description = url

    def payload(self, recipient: Recipient) -> Parcel:
        data = json.dumps({"to": recipient.address, "posts": self.post_ids}).encode()
        return Parcel(recipient, f"{self.period_key}/{recipient.key}", data, "", self.url)

    def recipe(self) -> None:
        return None  # its payloads are cheap: made in the pool's threads

    def connect(self) -> WebhookLink:
        return WebhookLink(self.url)

    def connections(self, wanted: int) -> int:
        return wanted


def test_a_webhook_channel_gets_retries_suppression_and_exactly_once(tmp_path: Path) -> None:
    from datetime import datetime

    names = ["ann", "flaky", "gone", "bad", "bo"]
    registry_path = make_site(tmp_path, "email,name,language\n" + "".join(
        f"{n}@example.org,{n.title()},\n" for n in names))
    (tmp_path / "subscribers.csv").write_text(subscribers_csv(0) + "".join(
        f"{n}@example.org,{n.title()},\n" for n in names), encoding="utf-8")
    registry = load(registry_path)
    subscribers = load_subscribers(tmp_path / "subscribers.csv")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Inbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/inbox"
    location = locate(None, registry_path)
    out = io.StringIO()

    def send() -> SendRun:
        state = location.open(threads=True)
        run = SendRun(registry, subscribers, state,
                      lambda period, posts, report: WebhookChannel(url, period.key,
                                                                   [p.id for p in posts]),
                      SendReport(PlainReporter(out)), Backoff(retries=3, delay=0.01),
                      connections=3, worker="test")
        try:
            run.run("week", datetime.fromisoformat(NOW))
        finally:
            state.close()
        return run

    try:
        first = send()
        second = send()
    finally:
        server.shutdown()
    assert (first.summary.sent, first.summary.failed, first.summary.pending) == (3, 2, 0)
    assert dict(Inbox.posts) == {"ann": 1, "flaky": 3, "gone": 1, "bad": 1, "bo": 1}
    state = location.open()
    try:
        assert state.suppressed() == {"gone@example.org"}  # 410: never again
        counts = state.counts("week:2020-02-03")
    finally:
        state.close()
    assert counts == {"sent": 3, "failed": 2}
    assert second.summary.sent == 0 and "nothing to send" in out.getvalue()
    assert "example.org" not in out.getvalue()  # the log names recipients by reference
