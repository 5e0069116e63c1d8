"""The optional feed.xsl: linked from Atom and RSS, readable in a browser, optional."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree
from registry_factory import write_registry

from feedkit.jobs.build import build

NOW = datetime(2030, 1, 1, tzinfo=UTC)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
PI = b'<?xml-stylesheet type="text/xsl" href="%s"?>'


def test_feed_xsl_is_written_and_linked(tmp_path: Path):
    registry = write_registry(tmp_path, 3, tags=lambda i: ["ett"], options={"feed_xsl": True})
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    assert (out / "feed.xsl").exists()
    for path, href in [("atom.xml", b"feed.xsl"), ("rss.xml", b"feed.xsl"),
                       ("tags/ett/atom.xml", b"../../feed.xsl"),
                       ("authors/bo-ek/rss.xml", b"../../feed.xsl")]:
        data = (out / path).read_bytes()
        first, second = data.split(b"\n")[:2]
        assert first == b"<?xml version='1.0' encoding='UTF-8'?>"
        assert second == PI % href, path
        parsed = feedparser.parse(data)
        assert not parsed.bozo and len(parsed.entries) >= 1


def test_stylesheet_turns_atom_and_rss_into_a_page(tmp_path: Path):
    registry = write_registry(tmp_path, 3, options={"feed_xsl": True})
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    transform = etree.XSLT(etree.parse(str(out / "feed.xsl"), PARSER))
    for name in ("atom.xml", "rss.xml"):
        page = transform(etree.parse(str(out / name), PARSER))
        text = str(page)
        assert "<h1>Testblogg</h1>" in text, name
        assert text.count("<article>") == 3
        assert "Inlägg nummer 2" in text and "Text för inlägg 2" in text


def test_without_the_option_there_is_no_stylesheet(tmp_path: Path):
    registry = write_registry(tmp_path, 3)
    out = tmp_path / "out"
    build(registry, out, now=NOW)
    assert not (out / "feed.xsl").exists()
    assert b"xml-stylesheet" not in (out / "atom.xml").read_bytes()
    assert b"xml-stylesheet" not in (out / "rss.xml").read_bytes()


def test_feed_xsl_must_be_true_or_false(tmp_path: Path):
    from typer.testing import CliRunner

    from feedkit.cli import app

    registry = write_registry(tmp_path, 1, options={"feed_xsl": "kanske"})
    result = CliRunner().invoke(app, ["build", "-r", str(registry), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "site.options.feed_xsl: must be true or false" in result.stderr
    assert f"{registry}:" in result.stderr
