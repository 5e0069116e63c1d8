"""WebSub pings against a real HTTP hub on 127.0.0.1: changed feeds only, retries, refusals."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from registry_factory import SITE_URL, write_registry
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.jobs.publish import HubError, ping, ping_changed, publish
from feedkit.retry import Backoff
from feedkit.state import locate

NOW = datetime(2030, 1, 1, tzinfo=UTC)


class Hub:
    """A hub that records publish pings and answers with scripted statuses (then 204)."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        self.content_types: list[str] = []
        self.statuses: list[int] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                form = parse_qs(self.rfile.read(length).decode("ascii"))
                hub.pings.append(form)
                hub.content_types.append(self.headers["Content-Type"])
                status = hub.statuses.pop(0) if hub.statuses else 204
                body = b"" if status == 204 else b"hub says no"
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                       daemon=True)

    def urls(self) -> list[str]:
        return [form["hub.url"][0] for form in self.pings]


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.thread.join()


def feed_count(n_tags: int, n_authors: int) -> int:
    return 3 * (1 + n_tags + n_authors)


def test_first_publish_pings_every_feed_then_only_changed_ones(tmp_path: Path, hub: Hub,
                                                               state_at: str):
    registry = write_registry(tmp_path, 6, tags=lambda i: ["udda"] if i % 2 else ["jämna"],
                              hub=hub.url)
    out = tmp_path / "out"
    _, report = publish(registry, out, now=NOW, state_path=state_at)
    assert report is not None and report.failed == ()
    assert len(hub.pings) == feed_count(2, 3)
    assert all(form["hub.mode"] == ["publish"] for form in hub.pings)
    assert set(hub.content_types) == {"application/x-www-form-urlencoded"}
    assert SITE_URL + "atom.xml" in hub.urls() and SITE_URL + "tags/udda/rss.xml" in hub.urls()
    assert not any("/archive/" in url for url in hub.urls())

    hub.pings.clear()
    _, report = publish(registry, out, now=NOW, state_path=state_at)
    assert hub.pings == [] and report.pinged == ()
    assert len(report.unchanged) == feed_count(2, 3)

    # A new post by Bo Ek tagged "jämna": the site, that tag and that author change.
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text + "  - title: Nytt\n    date: 2022-01-01\n    author: Bo Ek\n"
                        "    body: Ny text.\n    tags: [jämna]\n", encoding="utf-8")
    _, report = publish(registry, out, now=NOW, state_path=state_at)
    folders = {"", "tags/jamna/", "authors/bo-ek/"}
    expected = {SITE_URL + f + name for f in folders
                for name in ("atom.xml", "rss.xml", "feed.json")}
    assert set(hub.urls()) == expected == set(report.pinged)


def test_state_lives_beside_the_registry_in_its_own_table(tmp_path: Path, hub: Hub):
    state_path = tmp_path / ".feedkit" / "state.sqlite"
    state_path.parent.mkdir()
    with sqlite3.connect(state_path) as db:  # another command's table in the same file
        db.execute("CREATE TABLE send_log (id INTEGER PRIMARY KEY, note TEXT)")
        db.execute("INSERT INTO send_log (note) VALUES ('kept')")
    registry = write_registry(tmp_path, 2, hub=hub.url)
    publish(registry, tmp_path / "out", now=NOW)
    with sqlite3.connect(state_path) as db:
        assert db.execute("SELECT note FROM send_log").fetchall() == [("kept",)]
        rows = db.execute("SELECT hub, url FROM ping_feeds ORDER BY url").fetchall()
    assert (hub.url, SITE_URL + "atom.xml") in rows
    assert len(rows) == len(hub.pings)


def test_refused_ping_is_reported_and_tried_again_next_time(tmp_path: Path, hub: Hub):
    registry = write_registry(tmp_path, 2, hub=hub.url)
    state = tmp_path / "state.sqlite"
    hub.statuses = [400]
    args = ["publish", "--ping", "--registry", str(registry), "--out", str(tmp_path / "out"),
            "--state", str(state), "--now", "2030-01-01T00:00"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert f"Error: the hub {hub.url} refused the ping for " in result.stderr
    assert "HTTP 400" in result.stderr and "hub says no" in result.stderr
    assert "Traceback" not in result.output
    total = feed_count(0, 2)
    assert len(hub.pings) == total  # the others were still pinged
    refused = hub.urls()[0]

    hub.pings.clear()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert hub.urls() == [refused]
    assert f"pinged {refused}" in result.stdout
    assert f"1 pinged, {total - 1} unchanged, 0 failed" in result.stdout


def test_server_errors_are_retried_with_backoff(hub: Hub):
    hub.statuses = [503, 500]
    ping(hub.url, SITE_URL + "atom.xml", backoff=Backoff(retries=3, delay=0.01))
    assert len(hub.pings) == 3


def test_retries_are_bounded(hub: Hub):
    hub.statuses = [503] * 10
    with pytest.raises(HubError, match=r"after 3 attempts: HTTP 503"):
        ping(hub.url, SITE_URL + "atom.xml", backoff=Backoff(retries=2, delay=0.01))
    assert len(hub.pings) == 3


def test_unreachable_hub(tmp_path: Path, hub: Hub):
    address = hub.url
    hub.server.shutdown()
    hub.server.server_close()
    state = locate(str(tmp_path / "state.sqlite"), tmp_path / "posts.yaml").open()
    report = ping_changed(address, [(SITE_URL + "atom.xml", "0" * 64)], state,
                          backoff=Backoff(retries=1, delay=0.01))
    assert report.pinged == ()
    assert "can't connect" in report.failed[0]
    assert state.last_ping(address, SITE_URL + "atom.xml") is None
    state.close()


def test_ping_without_a_hub_is_a_clear_error(tmp_path: Path):
    registry = write_registry(tmp_path, 2)
    result = CliRunner().invoke(app, ["publish", "--ping", "--registry", str(registry),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "site.websub_hub is not set" in result.stderr


def test_publish_without_ping_only_builds(tmp_path: Path):
    registry = write_registry(tmp_path, 2)
    result = CliRunner().invoke(app, ["publish", "--registry", str(registry),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "rss.xml").exists()
    # No ping state: at most the build's cache (.feedkit/cache/).
    state = tmp_path / ".feedkit"
    assert not state.exists() or [p.name for p in state.iterdir()] == ["cache"]


def test_a_hub_that_never_answers_is_given_up_on_by_the_deadline(tmp_path: Path):
    """A hub that accepts connections and never replies: the run ends by the deadline
    (not 4 tries x 10 s per feed) and says which feeds were not pinged."""
    import socket
    import time

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    registry = write_registry(tmp_path, 2, hub=url)
    started = time.monotonic()
    result = CliRunner().invoke(app, ["publish", "--ping", "--ping-deadline", "1.5",
                                      "--registry", str(registry), "--out",
                                      str(tmp_path / "out"), "--now", "2030-01-01T00:00"])
    took = time.monotonic() - started
    silent.close()
    assert result.exit_code == 1
    assert took < 5, took
    assert "0 pinged, 0 unchanged, 9 failed" in result.stdout
    assert "ran out (--ping-deadline)" in result.stderr
    assert "timed out" in result.stderr
