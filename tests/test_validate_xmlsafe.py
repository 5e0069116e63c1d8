"""Hostile XML: entity bombs refused before parsing, no external entities, no network."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from feedkit.validate import validate_file
from feedkit.validate.xmlsafe import XmlRefused, refuse_entities

NOW = datetime(2024, 1, 1, tzinfo=UTC)
BODY = """<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:example.org,2020:feed</id>
  <title>{title}</title>
  <updated>2020-02-06T09:30:00+01:00</updated>
  <author><name>Lena</name></author>
  <link rel="self" href="https://example.org/atom.xml"/>
</feed>
"""


def billion_laughs() -> str:
    lines = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        lines.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return "<!DOCTYPE feed [\n" + "\n".join(lines) + "\n]>\n" + BODY.format(title="&lol9;")


def quadratic_blowup() -> str:
    big = "A" * 50_000
    return (f'<!DOCTYPE feed [<!ENTITY a "{big}">]>\n'
            + BODY.format(title="&a;" * 20_000))


def external_entity() -> str:
    return ('<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
            + BODY.format(title="&secret;"))


@pytest.mark.parametrize("make", [billion_laughs, quadratic_blowup, external_entity])
def test_entity_declarations_are_refused_with_a_clear_error(make, tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n' + make(), encoding="utf-8")
    report = validate_file(path, now=NOW)
    (message,) = report.messages
    assert message.rule == "xml-entity-declaration"
    assert (message.line, message.column) == (2, 1)
    assert "declares entities" in message.message
    assert "root:" not in message.message  # nothing of /etc/passwd leaks


def test_utf16_documents_are_checked_too() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?>\n' + billion_laughs()
    with pytest.raises(XmlRefused):
        refuse_entities(text.encode("utf-16"))


def test_a_doctype_without_entities_is_read_normally(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text('<!DOCTYPE feed>\n' + BODY.format(title="T"), encoding="utf-8")
    assert validate_file(path, now=NOW).messages == []


def test_an_undeclared_entity_is_malformed_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(BODY.format(title="caf&eacute;"), encoding="utf-8")
    (message,) = validate_file(path, now=NOW).messages
    assert message.rule == "xml-malformed"
    assert message.line == 3
    assert "eacute" in message.message


def test_an_external_dtd_is_never_fetched(tmp_path: Path) -> None:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY title "from the network">')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        path = tmp_path / "feed.xml"
        path.write_text(f'<!DOCTYPE feed SYSTEM "http://127.0.0.1:{port}/feed.dtd">\n'
                        + BODY.format(title="&title;"), encoding="utf-8")
        report = validate_file(path, now=NOW)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert hits == []
    assert [m.rule for m in report.messages] == ["xml-malformed"]
