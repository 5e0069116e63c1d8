"""`feedkit validate` output read back by the ecosystem's own readers: SARIF 2.1.0
against the official OASIS JSON schema (tests/data), JUnit XML through junitparser;
and nothing validated (a typo, a file or folder without feeds) failing."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml
from typer.testing import CliRunner

from feedkit.cli import app

FEEDS = Path(__file__).resolve().parent / "feeds"
SCHEMA = json.loads((Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))
NOW = "2024-01-01T00:00:00+00:00"
BAD = FEEDS / "atom" / "atom-bad-date.xml"
WARNED = FEEDS / "atom" / "atom-missing-self.xml"
GOOD = FEEDS / "rss" / "valid-minimal.xml"


def run(*args: str):
    return CliRunner().invoke(app, ["validate", "--now", NOW, *args])


def sarif(*args: str) -> dict:
    result = run("--format", "sarif", *args)
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    return document


def test_sarif_is_valid_against_the_schema_and_places_each_result() -> None:
    document = sarif(str(BAD), str(WARNED), str(GOOD))
    (run_,) = document["runs"]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    assert {r["ruleId"] for r in results} == {"atom-bad-date", "atom-missing-self"}
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        path = Path(physical["artifactLocation"]["uri"])  # absolute paths as file: URIs
        assert physical["artifactLocation"]["uri"].startswith("file:///")
        region = physical["region"]
        line = Path(path.as_posix().removeprefix("file:")).read_text().splitlines()[
            region["startLine"] - 1]
        assert line[region["startColumn"] - 1] == "<"
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {"atom-bad-date": "error", "atom-missing-self": "warning"}
    by_id = {r["id"]: r for r in rules}
    assert by_id["atom-bad-date"]["properties"]["w3c"] == "InvalidRFC3339Date"
    assert run_["invocations"][0]["executionSuccessful"] is True
    strict = sarif("--strict", str(WARNED))
    assert [r["level"] for r in strict["runs"][0]["results"]] == ["error"]


def test_sarif_uris_are_relative_to_where_validate_ran(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "å ä"
    folder.mkdir()
    (folder / "feed.xml").write_bytes(BAD.read_bytes())
    monkeypatch.chdir(tmp_path)
    document = sarif("å ä/feed.xml")
    (result,) = document["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "%C3%A5%20%C3%A4/feed.xml"


def test_junit_is_read_by_junitparser(tmp_path: Path) -> None:
    result = run("--format", "junit", str(BAD), str(WARNED), str(GOOD))
    assert result.exit_code == 1
    report = tmp_path / "report.xml"
    report.write_text(result.stdout, encoding="utf-8")
    xml = JUnitXml.fromfile(str(report))
    (suite,) = list(xml)
    cases = {case.name: case for case in suite}
    assert set(cases) == {str(BAD), str(WARNED), str(GOOD)}
    assert suite.tests == 3 and suite.failures == 1
    (failure,) = cases[str(BAD)].result
    assert isinstance(failure, Failure)
    assert "[atom-bad-date]" in failure.text
    assert cases[str(GOOD)].is_passed and cases[str(WARNED)].is_passed
    assert "[atom-missing-self]" in cases[str(WARNED)].system_out
    strict = run("--format", "junit", "--strict", str(WARNED))
    report.write_text(strict.stdout, encoding="utf-8")
    (suite,) = list(JUnitXml.fromfile(str(report)))
    assert suite.failures == 1 and strict.exit_code == 1


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_nothing_validated_fails_and_says_what_was_skipped(tmp_path: Path, fmt: str) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("words\n")
    result = run("--format", fmt, "/etc/passwd", str(empty))
    assert result.exit_code == 2
    assert "/etc/passwd: skipped: not a feed: neither XML nor JSON" in result.stderr
    assert f"{empty}: skipped: a folder with no feed in it" in result.stderr
    assert "Error: nothing validated" in result.stderr
    if fmt == "json":
        document = json.loads(result.stdout)
        assert document["valid"] is False and len(document["skipped"]) == 2
    elif fmt == "sarif":
        document = json.loads(result.stdout)
        jsonschema.validate(document, SCHEMA)
        (invocation,) = document["runs"][0]["invocations"]
        assert invocation["executionSuccessful"] is False
        assert len(invocation["toolExecutionNotifications"]) == 2
    elif fmt == "junit":
        report = tmp_path / "report.xml"
        report.write_text(result.stdout, encoding="utf-8")
        (suite,) = list(JUnitXml.fromfile(str(report)))
        assert suite.failures == 1
    else:
        assert "nothing validated" in result.stdout


def test_a_sitemap_and_a_package_json_say_why_they_are_not_feeds(tmp_path: Path) -> None:
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?>\n<urlset xmlns="x"/>\n')
    package = tmp_path / "package.json"
    package.write_text('{"name": "site", "version": "1.0.0"}\n')
    result = run(str(sitemap), str(package))
    assert result.exit_code == 2
    assert "root element is <urlset>" in result.stderr
    assert "JSON, but not a JSON Feed" in result.stderr


def test_a_folder_stands_for_the_feeds_in_it(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "feed.xml").write_bytes(GOOD.read_bytes())
    (tmp_path / "bad.atom").write_bytes(BAD.read_bytes())
    (tmp_path / "sitemap.xml").write_text("<urlset/>\n")
    result = run(str(tmp_path))
    assert result.exit_code == 1
    assert "2 files checked" in result.stdout and "[atom-bad-date]" in result.stdout
