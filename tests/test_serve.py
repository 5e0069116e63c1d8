"""`feedkit serve` over real HTTP: a real server on a free 127.0.0.1 port, confirmation
mail through a real SMTP server (aiosmtpd), and `feedkit send` in between."""

from __future__ import annotations

import json
import re
import select
import sqlite3
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import httpx
import pytest
from send_helpers import SECRET, make_site, run
from serve_helpers import ONE_CLICK, form_token, local, serving, subscribe
from smtp_sink import SmtpSink
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.mail.tokens import make_token, sign


def _status(registry: Path) -> dict[str, dict[str, str | None]]:
    listed = CliRunner().invoke(app, ["subscribers", "list", "--registry", str(registry),
                                      "--format", "json"])
    assert listed.exit_code == 0, listed.output
    return {row["email"]: row for row in json.loads(listed.output)}


def _confirm_url(message) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"(https://\S+/confirm\?token=[a-z0-9]+)", text)
    assert found, text
    return found.group(1)


def test_subscribe_confirm_send_one_click_then_skipped(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    (tmp_path / "subscribers.csv").unlink()  # the list in the state is everyone
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url) as (base, _), \
            httpx.Client(timeout=10) as client:
        assert base.endswith("/dagbok/")
        answer = subscribe(client, base, email="Anna@Example.org", name="Anna Åberg",
                            language="en")
        assert answer.status_code == 200 and "Titta i din inkorg" in answer.text
        confirmation, = sink.wait(1)
        assert confirmation["To"].addresses[0].addr_spec == "Anna@Example.org"
        assert "Åberg" not in str(confirmation["To"])  # nothing the visitor typed
        assert "Confirm your subscription" in confirmation["Subject"]  # her language
        page = client.get(local(_confirm_url(confirmation), base))
        assert page.status_code == 200 and "anna@example.org" in page.text
        client.get(local(_confirm_url(confirmation), base))  # scanners prefetch: no change
        assert _status(registry)["Anna@Example.org"]["status"] == "pending"
        done = client.post(base + "confirm", data={
            "form_token": form_token(page.text),
            "token": _confirm_url(confirmation).split("token=")[1]})
        assert done.status_code == 200 and "Du prenumererar nu" in done.text
        assert _status(registry)["Anna@Example.org"]["status"] == "confirmed"

        sent = run(registry, "send", "--period", "week", "--now", "2020-02-10T12:00+01:00",
                   "--smtp", sink.url)
        assert sent.exit_code == 0 and "sent 1," in sent.output, sent.output
        digest = sink.messages()[-1]
        assert "2 new posts" in digest["Subject"]
        header = digest["List-Unsubscribe"]
        url = re.search(r"<(https://[^>]+)>", header).group(1)
        assert "anna" not in url.lower()  # the token names her only when decoded
        first = client.post(local(url, base), data=ONE_CLICK)
        again = client.post(local(url, base), files={"List-Unsubscribe": (None, "One-Click")})
        assert first.status_code == again.status_code == 200
        assert not first.cookies and "location" not in first.headers
        later = run(registry, "send", "--period", "week", "--now", "2020-02-25T08:00",
                    "--smtp", sink.url)
        assert later.exit_code == 0 and "sent 0, pending 0, failed 0" in later.output, \
            later.output
        assert len(sink.messages()) == 2
    row = _status(registry)["Anna@Example.org"]
    assert row["status"] == "unsubscribed"
    assert row["subscribed_at"] and row["confirmed_at"] and row["unsubscribed_at"]
    with sqlite3.connect(tmp_path / ".feedkit" / "state.sqlite") as conn:
        events = conn.execute("SELECT event, source, client, form_text FROM list_consent "
                              "ORDER BY id").fetchall()
    assert [e[:3] for e in events] == [("subscribed", "form", "127.0.0.1"),
                                       ("confirmed", "page", "127.0.0.1"),
                                       ("unsubscribed", "one-click", "127.0.0.1")]
    assert "Jag vill få nyhetsbrevet från Labbets dagbok" in events[0][3]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """One server for the refusal tests: (registry, base URL, SMTP sink)."""
    root = tmp_path_factory.mktemp("serve")
    registry = make_site(root, "email,name,language\nold@example.org,Old,\n")
    (root / "out").mkdir()
    (root / "out" / "atom.xml").write_text("<feed xmlns='http://www.w3.org/2005/Atom'>"
                                           + "<title>x</title>" * 100 + "</feed>")
    (root / "out" / ".atom.xml.tmp").write_text("partial")
    (root / "out" / "tags" / "a").mkdir(parents=True)
    (root / "out" / "tags" / "a" / "rss.xml").write_text("<rss/>")
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url) as (base, process):
        yield registry, base, sink
        process.terminate()
        assert "Traceback" not in process.communicate(timeout=10)[1]


@pytest.mark.parametrize("token", [
    "", "x", "not-a-token", "<script>alert(1)</script>", "a" * 5000,
    sign("unsubscribe", "old@example.org", SECRET.encode())[:-3],  # cut short
    sign("unsubscribe", "old@example.org", b"another-secret-0123456789"),
    sign("confirm", "old@example.org", SECRET.encode()),  # another purpose
    make_token("nobody@example.org", SECRET.encode()),  # old style, unknown owner
], ids=["empty", "short", "word", "markup", "long", "truncated", "other-secret",
        "other-purpose", "legacy-unknown"])
def test_bad_unsubscribe_tokens_get_a_400_and_the_form_for_a_new_link(site, token: str
                                                                       ) -> None:
    registry, base, _ = site
    with httpx.Client(timeout=10) as client:
        page = client.get(base + "unsubscribe", params={"token": token})
        post = client.post(base + "unsubscribe", params={"token": token}, data=ONE_CLICK)
    for answer in (page, post):
        assert answer.status_code == (200 if answer is page and not token else 400)
        assert "<script>" not in answer.text and "Traceback" not in answer.text
    assert "Länken är inte giltig" in post.text
    # The page without a (good) token offers to mail a link (issue 23: no dead end).
    assert 'name="email"' in page.text and "Skicka en länk till mig" in page.text
    assert ("Länken är inte giltig" in page.text) == bool(token)
    assert "old@example.org" not in {a for a, r in _status(registry).items()
                                     if r["status"] == "unsubscribed"}


def test_legacy_tokens_in_sent_mail_keep_working(site) -> None:
    registry, base, _ = site
    run(registry, "send", "--period", "week", "--now", "2020-02-10T12:00+01:00")
    token = make_token("old@example.org", SECRET.encode())  # as mailed before issue 11
    with httpx.Client(timeout=10) as client:
        page = client.get(base + "unsubscribe", params={"token": token})
        assert page.status_code == 200 and "old@example.org" in page.text


def test_get_never_unsubscribes_and_post_needs_one_click(site) -> None:
    registry, base, _ = site
    token = sign("unsubscribe", "keep@example.org", SECRET.encode())
    with httpx.Client(timeout=10) as client:
        for _ in range(3):
            assert client.get(base + "unsubscribe", params={"token": token}).status_code == 200
        wrong = client.post(base + "unsubscribe", params={"token": token},
                            data={"List-Unsubscribe": "Yes"})
        assert wrong.status_code == 400
    assert "keep@example.org" not in _status(registry)


def test_cross_site_and_forged_forms_are_refused(site) -> None:
    registry, base, sink = site
    before = len(sink.received)
    with httpx.Client(timeout=10) as client:
        token = form_token(client.get(base + "subscribe").text)
        fields = {"form_token": token, "email": "victim@example.org"}
        evil = client.post(base + "subscribe", data=fields,
                           headers={"Origin": "https://evil.example"})
        fetch = client.post(base + "subscribe", data=fields,
                            headers={"Sec-Fetch-Site": "cross-site"})
        other = "1" if token.endswith("0") else "0"
        forged = client.post(base + "subscribe", data={**fields, "form_token": token[:-1] + other})
        missing = client.post(base + "subscribe", data={"email": "victim@example.org"})
    assert evil.status_code == fetch.status_code == 403
    assert "Formuläret skickades från en annan webbplats" in evil.text
    assert forged.status_code == missing.status_code == 400
    assert "Formuläret har gått ut" in forged.text
    assert len(sink.received) == before and "victim@example.org" not in _status(registry)


@pytest.mark.parametrize(("fields", "field"), [
    ({"email": "a@example.org\r\nBcc: x@example.org"}, "email"),
    ({"email": "<b>@example.org"}, "email"),
    ({"email": "x" * 300 + "@example.org"}, "email"),
    ({"email": "ok1@example.org", "name": "A\r\nBcc: x@example.org"}, "name"),
    ({"email": "ok2@example.org", "name": "N" * 10_000}, "name"),
    ({"email": "ok3@example.org", "language": "xx-<b>"}, "language"),
], ids=["crlf-email", "markup-email", "long-email", "crlf-name", "10kb-name", "language"])
def test_hostile_fields_are_refused_on_the_form(site, fields: dict[str, str],
                                                field: str) -> None:
    _, base, sink = site
    before = len(sink.received)
    with httpx.Client(timeout=10) as client:
        answer = subscribe(client, base, **fields)
    assert answer.status_code == 400
    assert 'role="alert"' in answer.text and 'aria-invalid="true"' in answer.text
    assert "<b>" not in answer.text.split("<form")[1]  # escaped when shown again
    assert len(sink.received) == before


def test_markup_and_encoded_words_in_a_name_stay_text(site) -> None:
    registry, base, sink = site
    before = len(sink.received)
    name = "<img src=x onerror=alert(1)> =?utf-8?q?A=0D=0AB?="
    with httpx.Client(timeout=10) as client:
        answer = subscribe(client, base, email="mark@example.org", name=name)
    assert answer.status_code == 200
    sink.wait(before + 1)
    data = sink.received[-1].data
    raw = message_from_bytes(data)["To"]
    shown = str(make_header(decode_header(raw)))
    assert shown == "mark@example.org"  # the confirmation carries nothing they typed
    assert b"onerror" not in data and b"=?utf-8?q?A" not in data
    assert _status(registry)["mark@example.org"]["name"] == name  # kept, as given


def test_non_utf8_and_oversized_bodies(site) -> None:
    _, base, _ = site
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with httpx.Client(timeout=10) as client:
        latin1 = client.post(base + "subscribe", content=b"email=%E5%E4@example.org&x=\xff",
                             headers=headers)
        huge = client.post(base + "subscribe", content=b"email=" + b"a" * 200_000,
                           headers=headers)
        json_body = client.post(base + "subscribe", json={"email": "a@example.org"})
    assert latin1.status_code == 400 and "Begäran kunde inte läsas" in latin1.text
    assert huge.status_code == 413 and "Begäran är för stor" in huge.text  # a page
    assert huge.headers["content-type"].startswith("text/html")
    assert json_body.status_code == 400


def test_honeypot_pretends_and_does_nothing(site) -> None:
    registry, base, sink = site
    before = len(sink.received)
    with httpx.Client(timeout=10) as client:
        answer = subscribe(client, base, email="bot@example.org", website="http://spam")
    assert answer.status_code == 200 and "Titta i din inkorg" in answer.text
    assert len(sink.received) == before and "bot@example.org" not in _status(registry)


def test_rate_limits_per_address_and_per_client(site) -> None:
    _, base, sink = site
    before = len(sink.received)
    with httpx.Client(timeout=10) as client:
        answers = [subscribe(client, base, email="target@example.org") for _ in range(4)]
        # One pending confirmation per address: repeats mail nothing, and say so to
        # nobody (the same page, so the form tells no one who is on the list).
        assert {(a.status_code, a.text) for a in answers} == {(200, answers[0].text)}
        sink.wait(before + 1)
        more = [subscribe(client, base, email=f"many{i}@example.org") for i in range(10)]
    assert len(sink.by_recipient()["target@example.org"]) == 1
    limited = [a for a in more if a.status_code == 429]
    assert limited  # this client has asked ten times within the hour
    assert "För många förfrågningar" in limited[0].text
    assert 1 <= int(limited[0].headers["retry-after"]) <= 3600


def test_out_is_served_with_types_etags_304_and_gzip(site) -> None:
    _, base, _ = site
    with httpx.Client(timeout=10) as client:
        feed = client.get(base + "atom.xml")
        assert feed.status_code == 200
        assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
        assert feed.headers["content-encoding"] == "gzip"  # httpx asks for it
        assert feed.text.startswith("<feed")
        etag, modified = feed.headers["etag"], feed.headers["last-modified"]
        assert client.get(base + "atom.xml", headers={"If-None-Match": etag}).status_code \
            == 304
        assert client.get(base + "atom.xml", headers={"If-Modified-Since": modified}
                          ).status_code == 304
        plain = client.get(base + "atom.xml", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers and plain.content == feed.content
        assert client.get(base + "tags/a/rss.xml").headers["content-type"] == \
            "application/rss+xml; charset=utf-8"
        for hidden in (".atom.xml.tmp", "../posts.yaml", "%2e%2e/posts.yaml", "tags/../../x",
                       "nothing.xml"):
            assert client.get(base + hidden).status_code == 404, hidden
        assert client.get(base.replace("/dagbok/", "/other/") + "atom.xml").status_code == 404


def test_reload_builds_out_as_it_starts_and_again_when_posts_change(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "email\na@example.org\n")
    with serving(registry, "--reload") as (base, process), httpx.Client(timeout=10) as client:
        # out/ is built before the first page is served, as Hugo's server does.
        assert process.stdout is not None
        told = process.stdout.readline()  # where mail goes: nothing to do with the build
        assert "feedkit serve --local" in told, told
        built = process.stdout.readline()
        assert built.startswith(f"built {tmp_path / 'out'}: ") and "changed" in built, built
        first = client.get(base + "atom.xml")
        assert first.status_code == 200 and "Veckans tredje inlägg" in first.text
        # (A title, not the slug and id: the start-up build published the posts.)
        text = registry.read_text(encoding="utf-8")
        registry.write_text(text.replace("title: Fler kan göra mer!", "title: Omdöpt inlägg"),
                            encoding="utf-8")
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "no rebuild within 30 s"
        line = process.stdout.readline()  # "rebuilt ...", once watchfiles saw the change
        assert line.startswith("rebuilt "), line
        feed = client.get(base + "atom.xml")
    assert feed.status_code == 200 and "Omdöpt inlägg" in feed.text


def test_one_click_during_a_send_in_progress_is_honoured(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    from send_helpers import subscribers_csv
    from smtp_sink import Faults

    registry = make_site(tmp_path, subscribers_csv(6))
    with SmtpSink(Faults(data_delay=0.3)) as sink, serving(registry) as (base, _), \
            httpx.Client(timeout=10) as client:
        env = {**os.environ, "FEEDKIT_SECRET": SECRET}
        sending = subprocess.Popen(
            [sys.executable, "-c", "from feedkit.cli import main; main()", "send",
             "--registry", str(registry), "--period", "week", "--now",
             "2020-02-10T12:00+01:00", "--smtp", sink.url, "--connections", "1"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while sink.data_started < 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        token = sign("unsubscribe", "user5@example.org", SECRET.encode())
        assert client.post(f"{base}unsubscribe?token={token}", data=ONE_CLICK).status_code \
            == 200
        out, err = sending.communicate(timeout=60)
        got = sink.by_recipient()
    assert sending.returncode == 0, out + err
    assert "sent 5, pending 0, failed 0, suppressed 1" in out
    assert sorted(got) == [f"user{i}@example.org" for i in range(5)]


def test_an_english_site_gets_english_pages(tmp_path: Path) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from feedkit.serve import ServeConfig, create_app

    registry = make_site(tmp_path, "email\na@example.org\n")
    registry.write_text(registry.read_text(encoding="utf-8").replace("language: sv",
                                                                     "language: en"),
                        encoding="utf-8")
    app = create_app(ServeConfig(registry, tmp_path / "out",
                                 environ={"FEEDKIT_SECRET": SECRET}))
    async def fetch() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)  # in-process, as datasette's tests do
        async with httpx.AsyncClient(transport=transport,
                                     base_url="https://lab.example.org") as client:
            return (await client.get("/dagbok/subscribe"),
                    await client.get("/dagbok/unsubscribe", params={"token": "nope"}))

    # A thread of its own: the session's browser (Playwright) keeps a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        page, bad = pool.submit(asyncio.run, fetch()).result(30)
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Subscribe to Labbets dagbok" in page.text and "Email address" in page.text
    assert bad.status_code == 400 and "This link is not valid" in bad.text
