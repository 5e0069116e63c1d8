"""validate_feeds: the files given are sniffed, and those that are not feeds (a site's
package.json, a sitemap) are passed over and listed, not failed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from feedkit.validate import feed_kind, validate_feeds, validate_file, validate_paths
from feedkit.validate.report import skipped_lines

NOW = datetime(2024, 1, 1, tzinfo=UTC)
FEEDS = Path(__file__).resolve().parent / "feeds"


def site(tmp_path: Path) -> dict[str, Path]:
    files = {
        "package.json": json.dumps({"name": "site", "version": "1.0.0"}),
        "tsconfig.json": "[1, 2]",
        "sitemap.xml": '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/'
                       'schemas/sitemap/0.9"><url><loc>https://e.org/</loc></url></urlset>',
        "feed.json": json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                 "title": "T", "items": []}),
        "broken.json": '{"version": "https://jsonfeed.org/version/1.1", "title": ',
    }
    paths = {}
    for name, text in files.items():
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    paths["atom.xml"] = FEEDS / "atom" / "valid-minimal.xml"
    paths["rss.xml"] = FEEDS / "rss" / "atom-is-not-this.xml"  # missing on purpose
    return paths


def test_only_feeds_are_checked_and_the_rest_listed(tmp_path: Path) -> None:
    paths = site(tmp_path)
    given = [paths[n] for n in ("package.json", "tsconfig.json", "sitemap.xml", "feed.json",
                                "broken.json", "atom.xml", "rss.xml")]
    result = validate_feeds(given, now=NOW)
    assert [Path(s.path) for s in result.skipped] == [
        paths["package.json"], paths["tsconfig.json"], paths["sitemap.xml"]]
    kinds = {Path(r.path).name: r.kind for r in result.reports}
    assert kinds == {"feed.json": "json", "broken.json": "json", "valid-minimal.xml": "atom",
                     "atom-is-not-this.xml": "unknown"}
    verdicts = {Path(r.path).name: r.verdict() for r in result.reports}
    assert verdicts["broken.json"] == "invalid"  # a feed that is broken is still reported
    lines = skipped_lines(result.skipped).splitlines()
    assert [line.split(": skipped: not a feed: ")[0] for line in lines] == [
        str(paths[n]) for n in ("package.json", "tsconfig.json", "sitemap.xml")]
    assert lines[2].endswith("XML whose root element is <urlset>, not <feed>, <rss> or "
                             "<rdf:RDF>"), lines
    assert skipped_lines([]) == ""
    unreadable = [r for r in result.reports if r.unreadable]
    assert [Path(r.path).name for r in unreadable] == ["atom-is-not-this.xml"]


def test_validate_paths_still_checks_whatever_it_is_given(tmp_path: Path) -> None:
    paths = site(tmp_path)
    package, sitemap = validate_paths([paths["package.json"], paths["sitemap.xml"]], now=NOW)
    assert (package.kind, package.verdict()) == ("json", "invalid")
    assert [m.rule for m in sitemap.messages] == ["file-unknown-format"]


def test_feed_kind_sniffs_content_not_names(tmp_path: Path) -> None:
    rss = tmp_path / "feed.json"
    rss.write_bytes((FEEDS / "rss" / "valid-minimal.xml").read_bytes())
    assert feed_kind(rss) == "rss"
    assert feed_kind(FEEDS / "json" / "valid-minimal.json") == "json"
    bom = tmp_path / "bom.xml"
    bom.write_bytes(b"\xef\xbb\xbf" + (FEEDS / "atom" / "valid-minimal.xml").read_bytes())
    assert feed_kind(bom) == "atom"


def test_a_json_feed_with_a_5000_digit_number_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('{"version": "https://jsonfeed.org/version/1.1", "title": "T",\n'
                    ' "_ext": {"n": ' + "9" * 5000 + '},\n "items": []}', encoding="utf-8")
    assert feed_kind(path) == "json"
    report = validate_file(path, now=NOW)
    (message,) = report.messages
    assert (message.rule, message.line, message.column) == ("json-malformed", 2, 16)
    assert "5000 digits" in message.message
    result = validate_feeds([path], now=NOW, previous=str(path))
    assert [r.verdict() for r in result.reports] == ["invalid"]
