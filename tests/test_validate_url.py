"""`feedkit validate URL` against a real HTTP server on 127.0.0.1: what the web serves
is checked (content type, charset against the XML declaration), ETags make a second
fetch conditional, and a 404, a redirect loop and a slow answer are each one line."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedkit.cli import app

FEEDS = Path(__file__).resolve().parent / "feeds"
NOW = "2024-01-01T00:00:00+00:00"
ATOM = (FEEDS / "atom" / "valid-minimal.xml").read_bytes()
LATIN = ATOM.replace(b"<title>Example</title>", "<title>Exempel på svenska</title>"
                     .encode(), 1)
ROUTES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/atom.xml": (200, {"Content-Type": "application/atom+xml", "ETag": '"v1"'}, ATOM),
    "/page.xml": (200, {"Content-Type": "text/html; charset=utf-8"}, ATOM),
    "/latin.xml": (200, {"Content-Type": "text/xml; charset=iso-8859-1"}, LATIN),
    "/bare.xml": (200, {"Content-Type": "text/xml"}, LATIN),
    "/loop-a": (302, {"Location": "/loop-b"}, b""),
    "/loop-b": (301, {"Location": "/loop-a"}, b""),
    "/moved": (301, {"Location": "/atom.xml"}, b""),
}


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str | None, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, self.headers.get("Accept"),
                                       self.headers.get("If-None-Match")))
                if self.path == "/slow":
                    time.sleep(1.5)
                status, headers, body = ROUTES.get(self.path, (404, {}, b"gone"))
                if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    started = Server()
    started.thread.start()
    yield started
    started.http.shutdown()
    started.http.server_close()


def validate(*args: str):
    return CliRunner().invoke(app, ["validate", "--now", NOW, *args])


def test_a_published_feed_is_fetched_as_a_reader_would_and_checked(server: Server) -> None:
    result = validate("--strict", server.url + "/atom.xml")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1].endswith("all valid")
    (path, accept, _), = server.requests
    assert path == "/atom.xml" and accept.startswith("application/atom+xml")
    again = validate("--strict", server.url + "/moved")  # a redirect, then the 304
    assert again.exit_code == 0, again.output
    assert server.requests[-1] == ("/atom.xml", server.requests[0][1], '"v1"')


def test_a_feed_served_as_html_is_warned_about(server: Server) -> None:
    result = validate(server.url + "/page.xml")
    assert result.exit_code == 0
    (line, _) = result.stdout.splitlines()
    assert line.startswith(f"{server.url}/page.xml:1:1: warning: served as 'text/html'")
    assert line.endswith("[http-content-type]")
    assert validate("--strict", server.url + "/page.xml").exit_code == 1


@pytest.mark.parametrize("path, http", [("/latin.xml", "iso-8859-1"), ("/bare.xml", "us-ascii")])
def test_a_charset_that_disagrees_with_the_xml_declaration(server: Server, path: str,
                                                           http: str) -> None:
    result = validate(server.url + path)
    assert f"HTTP says the charset is {http}, the XML declaration says utf-8" in result.stdout
    assert "[http-charset]" in result.stdout


@pytest.mark.parametrize("path, said", [
    ("/missing.xml", "HTTP 404 Not Found from {url}/missing.xml"),
    ("/loop-a", "redirect loop: {url}/loop-a -> {url}/loop-b -> {url}/loop-a"),
    ("/slow", "no answer from {url}/slow within 0.5 s (a timeout); try again, or raise "
              "--timeout"),
])
def test_a_url_that_gives_no_feed_is_one_clear_line(server: Server, path: str,
                                                   said: str) -> None:
    result = validate("--timeout", "0.5", server.url + path)
    assert result.exit_code == 2
    (line, summary) = result.stdout.splitlines()
    assert line == (f"{server.url}{path}:1:1: error: {said.format(url=server.url)} "
                    "[http-error]")
    assert "Traceback" not in result.output and summary.endswith("1 invalid")
