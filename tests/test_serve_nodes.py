"""Several `feedkit serve` nodes on one PostgreSQL state: subscribe on one, confirm on
another, unsubscribe (RFC 8058 one-click) on a third, with `feedkit send` between
them; the rate limits count every node's requests, also when they race."""

from __future__ import annotations

import json
import re
import threading
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
from send_helpers import SECRET, make_site, run
from serve_helpers import ONE_CLICK, form_token, local, serving, subscribe
from smtp_sink import SmtpSink
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.load import load
from feedkit.state import locate
from feedkit.subscriptions import Limits, ListService, RateLimited, Request


def _listed(registry: Path, state: str) -> dict[str, str]:
    result = CliRunner().invoke(app, ["subscribers", "list", "--registry", str(registry),
                                      "--state", state, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {row["email"]: row["status"] for row in json.loads(result.output)}


def test_subscribe_confirm_unsubscribe_each_on_another_node(tmp_path: Path,
                                                           pg_state: str) -> None:
    registry = make_site(tmp_path, "")
    (tmp_path / "subscribers.csv").unlink()  # the list in PostgreSQL is everyone
    with SmtpSink() as sink, ExitStack() as nodes, httpx.Client(timeout=10) as client:
        first, second, third = (
            nodes.enter_context(serving(registry, "--smtp", sink.url, "--state", pg_state))[0]
            for _ in range(3))
        assert len({first, second, third}) == 3  # three processes, three ports
        answer = subscribe(client, first, email="Anna@Example.org")
        assert answer.status_code == 200 and "Titta i din inkorg" in answer.text
        confirmation, = sink.wait(1)
        link = re.search(r"(https://\S+/confirm\?token=[a-z0-9]+)",
                         confirmation.get_body(("plain",)).get_content())
        assert link is not None
        page = client.get(local(link.group(1), second))
        assert page.status_code == 200 and "anna@example.org" in page.text
        assert _listed(registry, pg_state) == {"Anna@Example.org": "pending"}
        done = client.post(second + "confirm", data={
            "form_token": form_token(page.text), "token": link.group(1).split("token=")[1]})
        assert done.status_code == 200 and "Du prenumererar nu" in done.text
        assert _listed(registry, pg_state) == {"Anna@Example.org": "confirmed"}

        sent = run(registry, "send", "--period", "week", "--now", "2020-02-10T12:00+01:00",
                   "--smtp", sink.url, "--state", pg_state)
        assert sent.exit_code == 0 and "sent 1," in sent.output, sent.output
        unsubscribe = re.search(r"<(https://[^>]+)>", sink.messages()[-1]["List-Unsubscribe"])
        assert unsubscribe is not None
        for node in (third, first):  # a second one-click, on another node, is 200 too
            gone = client.post(local(unsubscribe.group(1), node), data=ONE_CLICK)
            assert gone.status_code == 200 and not gone.cookies
        assert _listed(registry, pg_state) == {"Anna@Example.org": "unsubscribed"}
        later = run(registry, "send", "--period", "week", "--now", "2020-02-25T08:00",
                    "--smtp", sink.url, "--state", pg_state)
        assert later.exit_code == 0 and "sent 0, pending 0" in later.output, later.output
        assert len(sink.messages()) == 2
    with psycopg.connect(pg_state) as conn:
        events = conn.execute("SELECT event, source FROM list_consent ORDER BY id").fetchall()
        suppressed = conn.execute("SELECT recipient FROM send_suppressed").fetchall()
    assert events == [("subscribed", "form"), ("confirmed", "page"),
                      ("unsubscribed", "one-click")]
    assert suppressed == [("anna@example.org",)]
    assert not (tmp_path / ".feedkit" / "state.sqlite").exists()


def test_rate_limits_count_every_node(tmp_path: Path, pg_state: str) -> None:
    registry = make_site(tmp_path, "")
    with SmtpSink() as sink, ExitStack() as nodes, httpx.Client(timeout=10) as client:
        bases = [nodes.enter_context(serving(registry, "--smtp", sink.url, "--state",
                                             pg_state, "--limit-client", "3"))[0]
                 for _ in range(3)]
        answers = [subscribe(client, base, email=f"limit{i}@example.org").status_code
                   for i, base in enumerate((*bases, bases[0]))]
        assert answers == [200, 200, 200, 429]  # three requests an hour, on any node
        again = [subscribe(client, base, email="limit0@example.org").status_code
                 for base in bases]
        assert again == [429, 429, 429]
        assert len(sink.wait(3)) == 3


def test_racing_subscribes_on_several_nodes_never_pass_the_limit(tmp_path: Path,
                                                                 pg_state: str) -> None:
    site = load(make_site(tmp_path, "")).site
    limits = Limits(per_client=3)
    states = [locate(pg_state, tmp_path).open(server=True) for _ in range(4)]
    outcomes: list[str] = []

    def race(subscribe_one) -> None:
        start = threading.Barrier(8)

        def node(index: int) -> None:
            service = ListService(site, states[index % 4], SECRET.encode(), limits)
            start.wait()
            try:
                outcomes.append("mailed" if subscribe_one(service, index).mail else "quiet")
            except RateLimited:
                outcomes.append("limited")

        threads = [threading.Thread(target=node, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

    # One client, eight addresses: three admitted, whichever node each request hits.
    race(lambda service, i: service.subscribe({"email": f"race{i}@example.org"},
                                              Request("192.0.2.1")))
    assert sorted(outcomes) == ["limited"] * 5 + ["mailed"] * 3
    outcomes.clear()
    # Eight clients, one address: one confirmation pending, one message.
    race(lambda service, i: service.subscribe({"email": "same@example.org"},
                                              Request(f"192.0.2.{10 + i}")))
    assert sorted(outcomes) == ["mailed"] + ["quiet"] * 7
    assert len(states[0].consents("same@example.org")) == 1
    for state in states:
        state.close()


def test_a_database_that_goes_away_is_a_503_page_not_a_traceback(tmp_path: Path,
                                                                  pg_state: str) -> None:
    from feedkit.mail.tokens import sign

    registry = make_site(tmp_path, "")
    server, name = pg_state.rsplit("/", 1)
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url, "--state",
                                     pg_state) as (base, process), \
            httpx.Client(timeout=10) as client:
        assert subscribe(client, base, email="first@example.org").status_code == 200
        with psycopg.connect(f"{server}/feedkit", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        refused = subscribe(client, base, email="second@example.org")
        token = sign("unsubscribe", "first@example.org", SECRET.encode())
        click = client.post(base + "unsubscribe", params={"token": token}, data=ONE_CLICK)
        feed = client.get(base + "subscribe")  # what needs no state still works
        process.terminate()
        errors = process.communicate(timeout=10)[1]
    for answer in (refused, click):
        assert answer.status_code == 503, errors
        assert "The list is not available just now" in answer.text or \
            "Listan går inte att nå just nu" in answer.text
    assert feed.status_code == 200
    assert "Traceback" not in errors and "feedkit serve: Error: " in errors
    assert len(sink.messages()) == 1
