"""`feedkit validate` through the CLI: exit codes, the three output formats, feedkit's own
feeds validating clean with --strict, --previous against a file and a local HTTP server."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedkit.cli import app

FEEDS = Path(__file__).resolve().parent / "feeds"
NOW = "2024-01-01T00:00:00+00:00"
TEXT_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info): "
                       r"(?P<msg>.+) \[(?P<rule>[a-z0-9-]+)\]$")
GITHUB_LINE = re.compile(r"^::(?P<sev>error|warning) file=(?P<file>[^,]+),line=(?P<line>\d+),"
                         r"col=(?P<col>\d+),title=(?P<rule>[a-z0-9-]+)::(?P<msg>.+)$")


def run(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def built(example_registry: Path, tmp_path: Path) -> Path:
    """A project folder: the example registry and the out/ that feedkit builds from it."""
    (tmp_path / "posts.yaml").write_bytes(example_registry.read_bytes())
    result = run("build", "--registry", str(tmp_path / "posts.yaml"),
                 "--out", str(tmp_path / "out"), "--now", NOW)
    assert result.exit_code == 0, result.output
    return tmp_path


def project_args(folder: Path) -> list[str]:
    return ["--registry", str(folder / "posts.yaml"), "--out", str(folder / "out"), "--now", NOW]


def test_feedkits_own_feeds_validate_clean_with_strict(built: Path) -> None:
    feeds = sorted(p for p in (built / "out").rglob("*")
                   if p.suffix in (".xml", ".json") and p.name != "feed.xsl")
    assert feeds, "the build wrote no feeds"
    result = run("validate", "--strict", "--now", NOW, *map(str, feeds))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("0 errors, 0 warnings; all valid")
    whole = run("validate", "--strict", *project_args(built))
    assert whole.exit_code == 0, whole.output
    assert f"{2 + len(feeds)} files checked" in whole.output  # and posts.yaml, posts.lock


def test_text_format_names_file_line_column_severity_and_rule() -> None:
    path = FEEDS / "atom" / "atom-missing-title.xml"
    result = run("validate", "--now", NOW, str(path))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    match = TEXT_LINE.match(lines[0])
    assert match, lines[0]
    assert (match["path"], match["line"], match["col"], match["sev"], match["rule"]) == (
        str(path), "2", "1", "error", "atom-missing-title")
    assert lines[-1] == "1 file checked: 1 error, 0 warnings; 1 invalid"


def test_json_format_lists_every_file_with_verdict_and_messages() -> None:
    good = FEEDS / "rss" / "valid-minimal.xml"
    warned = FEEDS / "rss" / "rss-missing-guid.xml"
    bad = FEEDS / "json" / "jsonfeed-bad-date.json"
    result = run("validate", "--format", "json", "--now", NOW, str(good), str(warned), str(bad))
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["valid"] is False
    files = {f["path"]: f for f in document["files"]}
    assert [files[str(p)]["verdict"] for p in (good, warned, bad)] == [
        "valid", "valid", "invalid"]
    assert [files[str(p)]["format"] for p in (good, warned, bad)] == ["rss", "rss", "json"]
    (message,) = files[str(bad)]["messages"]
    assert set(message) == {"path", "line", "column", "severity", "rule", "message"}
    assert (message["rule"], message["severity"]) == ("jsonfeed-bad-date", "error")
    lines = bad.read_text().splitlines()
    assert lines[message["line"] - 1][message["column"] - 1:] == '"6 Feb 2020"'
    strict = json.loads(run("validate", "-f", "json", "--strict", "--now", NOW,
                            str(warned)).output)
    assert strict["files"][0]["verdict"] == "invalid"


def test_github_format_prints_workflow_annotations() -> None:
    path = FEEDS / "atom" / "atom-relative-link.xml"
    result = run("validate", "--format", "github", "--now", NOW, str(path))
    assert result.exit_code == 0  # a warning only
    match = GITHUB_LINE.match(result.output.splitlines()[0])
    assert match, result.output
    assert (match["sev"], match["file"], match["rule"]) == (
        "warning", str(path), "atom-relative-link")
    assert int(match["line"]) == 13 and int(match["col"]) == 5


def test_github_format_escapes_newlines_and_percent() -> None:
    from feedkit.validate import FileReport, Message
    from feedkit.validate.report import as_github

    report = FileReport("a,b:c.xml", "atom", [
        Message("a,b:c.xml", 3, 4, "error", "xml-malformed", "50% broken\nsecond line")])
    first = as_github([report]).splitlines()[0]
    assert first == ("::error file=a%2Cb%3Ac.xml,line=3,col=4,title=xml-malformed::"
                     "50%25 broken%0Asecond line [xml-malformed]")


def test_exit_status_for_errors_warnings_strict_and_usage(tmp_path: Path) -> None:
    warning_only = str(FEEDS / "atom" / "atom-missing-self.xml")
    assert run("validate", "--now", NOW, warning_only).exit_code == 0
    assert run("validate", "--strict", "--now", NOW, warning_only).exit_code == 1
    assert run("validate", "--now", NOW, str(FEEDS / "atom" / "atom-bad-date.xml")).exit_code == 1
    missing = run("validate", "--now", NOW, str(tmp_path / "nope.xml"))
    assert missing.exit_code == 2
    assert "file-unreadable" in missing.output
    assert run("validate", "--format", "yaml", warning_only).exit_code == 2
    # A file that is not a feed (package.json, notes) beside a feed is passed over,
    # said with -v.
    unknown = tmp_path / "notes.txt"
    unknown.write_text("just words\n")
    result = run("validate", str(unknown), warning_only)
    assert result.exit_code == 0
    assert "[file-unknown-format]" not in result.output
    assert f"{unknown}: skipped: not a feed" in run("validate", "-v", str(unknown),
                                                    warning_only).stderr


def test_registry_problems_are_reported_with_lines(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        "site:\n  title: T\n  url: https://example.org/\nposts:\n"
        "  - title: A\n    date: 31 februari 2020\n    author: X\n    body: Hi\n"
        "  - title: B\n    date: 2020-02-01\n    body: Hi\n",
        encoding="utf-8",
    )
    result = run("validate", "--registry", str(registry), "--out", str(tmp_path / "out"),
                 "--now", NOW)
    assert result.exit_code == 1
    found = [TEXT_LINE.match(line) for line in result.output.splitlines()[:-1]]
    assert all(found), result.output
    assert [(m["line"], m["rule"]) for m in found] == [
        ("6", "registry-invalid"), ("9", "registry-invalid")]
    assert "posts[1].author: missing" in result.output


def test_registry_lint_future_post_and_empty_excerpt(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        "site:\n  title: T\n  url: https://example.org/\nposts:\n"
        "  - title: Later\n    date: 2030-01-01\n    author: X\n    summary: Soon.\n"
        "  - title: Picture\n    date: 2020-01-01\n    author: X\n"
        "    body: '![](https://example.org/a.png)'\n",
        encoding="utf-8",
    )
    result = run("validate", "--registry", str(registry), "--out", str(tmp_path / "out"),
                 "--now", NOW)
    assert result.exit_code == 0, result.output
    rules = [(m["line"], m["rule"]) for m in map(TEXT_LINE.match,
                                                 result.output.splitlines()[:-1])]
    # (and no posts.lock yet, though a post is published)
    assert rules == [("1", "lock-outdated"), ("5", "registry-future-date"),
                     ("9", "registry-empty-excerpt")]
    assert run("validate", "--strict", "--registry", str(registry), "--out",
               str(tmp_path / "out"), "--now", NOW).exit_code == 1


def test_a_scheduled_post_is_information_that_never_fails(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        "site:\n  title: T\n  url: https://example.org/\nposts:\n"
        "  - title: Later\n    date: 2030-01-01\n    author: X\n    summary: Soon.\n",
        encoding="utf-8",
    )
    args = ["--registry", str(registry), "--out", str(tmp_path / "out"), "--now", NOW]
    result = run("validate", "--strict", *args)
    assert result.exit_code == 0, result.output
    (line, summary) = result.output.splitlines()
    match = TEXT_LINE.match(line)
    assert match and (match["sev"], match["rule"]) == ("info", "registry-future-date")
    assert summary == "1 file checked: 0 errors, 0 warnings, 1 info; all valid"
    github = run("validate", "--strict", "--format", "github", *args)
    assert github.exit_code == 0
    assert github.output.startswith("::notice file=")
    document = json.loads(run("validate", "--strict", "-f", "json", *args).output)
    assert document["valid"] is True
    assert (document["files"][0]["infos"], document["files"][0]["warnings"]) == (1, 0)


def rename_slug(folder: Path) -> None:
    registry = folder / "posts.yaml"
    text = registry.read_text(encoding="utf-8")
    renamed = text.replace("  - title: Fler kan göra mer!\n",
                           "  - title: Fler kan göra mer!\n    slug: fler-kan\n", 1)
    assert renamed != text
    registry.write_text(renamed, encoding="utf-8")


def test_without_a_lock_a_renamed_slug_is_caught_against_out_atom_xml(built: Path) -> None:
    (built / "posts.lock").unlink()  # a site built before feedkit kept posts.lock
    rename_slug(built)
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    found = [m for m in map(TEXT_LINE.match, result.output.splitlines()) if m]
    (line,) = [m for m in found if m["path"].endswith("posts.yaml") and m["sev"] == "error"]
    assert line["rule"] == "registry-id-changed"
    assert {m["rule"] for m in found if m["path"].endswith(".xml")} == {"out-of-date"}
    text = (built / "posts.yaml").read_text(encoding="utf-8").splitlines()
    assert text[int(line["line"]) - 1] == "  - title: Fler kan göra mer!"
    assert "id: tag:www.allmannyttan.se,2020-02-03:fler-kan-gora-mer" in line["msg"]


def test_previous_file_reports_renamed_and_vanished_entries(built: Path) -> None:
    published = built / "published.xml"
    shutil.copy(built / "out" / "atom.xml", published)
    rename_slug(built)
    (built / "posts.lock").unlink()  # which would stop the build; --previous still tells
    registry = built / "posts.yaml"
    text = registry.read_text(encoding="utf-8")
    start = text.index("  - title: Många små steg")
    end = text.index("  - title:", start + 1)
    registry.write_text(text[:start] + text[end:], encoding="utf-8")
    assert run("build", *project_args(built)).exit_code == 0
    result = run("validate", "--previous", str(published), str(built / "out" / "atom.xml"),
                 "--now", NOW)
    assert result.exit_code == 1
    found = {m["rule"]: m for m in map(TEXT_LINE.match, result.output.splitlines()) if m}
    assert set(found) == {"previous-id-changed", "previous-entry-vanished"}
    assert "Många små steg" in found["previous-entry-vanished"]["msg"]
    atom = (built / "out" / "atom.xml").read_text(encoding="utf-8").splitlines()
    entry_line = int(found["previous-id-changed"]["line"])
    assert atom[entry_line - 1].strip() == "<entry>"
    assert "fler-kan</id>" in atom[entry_line]


class _FeedServer:
    """A real HTTP server on 127.0.0.1 serving one document; counts requests."""

    def __init__(self, body: bytes) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                status = 200 if self.path == "/atom.xml" else 404
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml")
                self.end_headers()
                if status == 200:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def feed_server(built: Path) -> Iterator[_FeedServer]:
    with _FeedServer((built / "out" / "atom.xml").read_bytes()) as server:
        yield server


def test_previous_url_catches_a_renamed_slug_after_rebuilding(
    built: Path, feed_server: _FeedServer
) -> None:
    rename_slug(built)
    (built / "posts.lock").unlink()  # which would stop the build
    assert run("build", *project_args(built)).exit_code == 0
    # out/ and the new posts.lock carry the new id, so only the published copy can tell.
    assert run("validate", *project_args(built)).exit_code == 0
    result = run("validate", "--previous", feed_server.url + "/atom.xml", *project_args(built))
    assert result.exit_code == 1, result.output
    assert "[registry-id-changed]" in result.output
    assert feed_server.requests == ["/atom.xml"]


def test_previous_url_that_fails_is_an_unreadable_input(
    built: Path, feed_server: _FeedServer
) -> None:
    result = run("validate", "--previous", feed_server.url + "/gone.xml", *project_args(built))
    assert result.exit_code == 2
    assert "[previous-unreadable]" in result.output
    assert "404" in result.output


def test_subscribers_file_beside_the_registry_is_checked(built: Path) -> None:
    (built / "subscribers.csv").write_text(
        "email,name\nann@example.org,Ann\nnot-an-address,Bo\n", encoding="utf-8")
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    found = [m for m in map(TEXT_LINE.match, result.output.splitlines()) if m]
    assert [(Path(m["path"]).name, m["line"], m["rule"]) for m in found] == [
        ("subscribers.csv", "3", "registry-subscribers")]
    (built / "subscribers.csv").write_text("email,name\nann@example.org,Ann\n", "utf-8")
    assert run("validate", "--strict", *project_args(built)).exit_code == 0


def test_every_feed_of_a_larger_site_validates_clean_with_strict(tmp_path: Path) -> None:
    from registry_factory import registry_yaml

    (tmp_path / "posts.yaml").write_text(
        registry_yaml(70, tags=lambda i: ["Ämne A"] if i % 2 else ["Ämne B", "C#"],
                      options={"feed_entries": 10, "archive_page_size": 25,
                               "feed_xsl": True},
                      hub="https://hub.example.org/"),
        encoding="utf-8")
    built = run("build", *project_args(tmp_path))
    assert built.exit_code == 0, built.output
    out = tmp_path / "out"
    assert (out / "archive" / "2.xml").is_file() and (out / "tags").is_dir()
    result = run("validate", "--strict", *project_args(tmp_path))
    assert result.exit_code == 0, result.output
    feeds = [p for p in out.rglob("*") if p.suffix in (".xml", ".json") and p.name != "feed.xsl"]
    assert f"{2 + len(feeds)} files checked" in result.output  # and posts.yaml, posts.lock
