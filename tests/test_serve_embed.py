"""The embeddable subscribe form (issue 20) in a real browser, pasted into a page of a
second origin: a person's click subscribes (one confirmation, mailed after the
answer); the same form submitted by that page's script, or posted by a bot, only
lands on the list's own form, filled in; nothing is mailed."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
from send_helpers import make_site
from serve_helpers import SITE, serving
from smtp_sink import SmtpSink


@contextmanager
def other_site(pages: dict[str, str]) -> Iterator[str]:
    """Another origin (http://localhost:PORT/, not 127.0.0.1: another site) serving
    `pages` by path; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path.lstrip("/"), "").encode("utf-8")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_the_snippet_on_another_site_subscribes_on_a_click_only(browser,
                                                                tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url) as (base, _), \
            httpx.Client(timeout=10) as client:
        shown = client.get(base + "embed")
        code = re.search(r"<code>(.*)</code>", shown.text, re.S)
        assert shown.status_code == 200 and code is not None
        snippet = html.unescape(code.group(1))
        assert "<script" not in snippet and f'action="{SITE}subscribe/embed"' in snippet
        snippet = snippet.replace(SITE, base)  # the list, as the test runs it
        blog = (f"<!DOCTYPE html><html><body><h1>A blog</h1>{snippet}</body></html>")
        forced = snippet.replace('type="email"', 'type="email" value="victim@example.org"')
        auto = (f"<!DOCTYPE html><html><body>{forced}"
                "<script>document.forms[0].submit()</script></body></html>")
        with other_site({"blog.html": blog, "auto.html": auto}) as origin:
            page = browser.new_page()
            page.goto(origin + "blog.html")
            page.get_by_placeholder("E-postadress").fill("reader@example.org")
            page.get_by_role("button", name="Prenumerera").click()
            page.wait_for_selector("h1:has-text('Titta i din inkorg')")
            assert page.url.startswith(base)
            mail, = sink.wait(1)
            assert mail["To"].addresses[0].addr_spec == "reader@example.org"

            page.goto(origin + "auto.html")  # no click: the page's own script sends it
            page.wait_for_url(base + "subscribe/embed")
            assert page.get_by_label("E-postadress").input_value() == "victim@example.org"
            assert page.get_by_role("button", name="Prenumerera").count() == 1
            page.close()
        bot = client.post(base + "subscribe/embed", data={"email": "bot@example.org"})
        trap = client.post(base + "subscribe/embed", data={"email": "trap@example.org",
                                                           "website": "x"},
                           headers={"Sec-Fetch-User": "?1"})
        time.sleep(0.3)
    assert bot.status_code == 200 and 'value="bot@example.org"' in bot.text
    assert trap.status_code == 200 and "Titta i din inkorg" in trap.text
    assert len(sink.received) == 1


def test_proof_of_work_in_the_browser_and_without_it(browser, tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url, "--proof-of-work",
                                     "10") as (base, _), httpx.Client(timeout=10) as client:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" else None)
        page.goto(base + "subscribe")
        page.get_by_label("E-postadress").fill("worker@example.org")
        page.get_by_role("button", name="Prenumerera").click()
        page.wait_for_selector("h1:has-text('Titta i din inkorg')")
        page.close()
        assert not [e for e in errors if "Content Security Policy" in e]  # ours may run
        assert sink.wait(1)[0]["To"].addresses[0].addr_spec == "worker@example.org"
        script = client.get(base + "work.js")
        token = re.search(r'name="form_token" value="([a-z0-9]+)"',
                          client.get(base + "subscribe").text).group(1)
        lazy = client.post(base + "subscribe", data={"form_token": token, "work": "1",
                                                     "email": "lazy@example.org"})
    assert script.headers["content-type"].startswith("text/javascript")
    assert lazy.status_code == 400 and "Formulärets kontroll blev inte klar" in lazy.text
    assert len(sink.received) == 1


def test_the_web_copy_of_a_digest_says_so_and_subscribes(browser, tmp_path: Path) -> None:
    """Issue 23: out/digests/ speaks to someone who never subscribed: it says it is the
    web copy and its form subscribes (through subscribe/embed, like the snippet)."""
    from send_helpers import REGISTRY, run

    registry = make_site(tmp_path, "")
    registry.write_text(REGISTRY.replace("  language: sv\n", "  language: sv\n  options:\n"
                                         "    web_digests: week\n"), encoding="utf-8")
    assert run(registry, "build", "--out", str(tmp_path / "out"), "--now",
               "2020-03-01T12:00+01:00").exit_code == 0
    copy = (tmp_path / "out" / "digests" / "2020-W06" / "index.html").read_text("utf-8")
    assert "eftersom du prenumererar" not in copy and "webbversionen" in copy
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url) as (base, _):
        page = browser.new_page()
        page.goto(base + "digests/2020-W06/")
        form = page.locator("form.subscribe")
        assert form.get_attribute("action") == SITE + "subscribe/embed"
        page.evaluate(f"document.querySelector('form.subscribe').action = "
                      f"'{base}subscribe/embed'")  # the list as the test runs it
        page.get_by_label("E-postadress").fill("reader@example.org")
        page.get_by_role("button", name="Prenumerera").click()
        page.wait_for_selector("h1:has-text('Titta i din inkorg')")
        page.close()
        assert sink.wait(1)[0]["To"].addresses[0].addr_spec == "reader@example.org"
