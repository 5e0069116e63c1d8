"""Every generated hostile input (tests/hostile_cases.py) through the CLI.

Refused registries: exit 1, every message located (FILE:LINE:COL), no traceback,
out/ unchanged. Built ones: no file outside out/, no live markup in any HTML or
feed, no header injection in the digest. Feeds: `feedkit validate` judges each
one (exit 0, 1 or 2) with located messages and no traceback.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

import pytest
from hostile_cases import feeds, registries
from lxml import etree, html
from typer.testing import CliRunner

from feedkit.cli import app

REGISTRIES = list(registries())
FEEDS = list(feeds())
NOW = "2030-01-01T00:00:00+00:00"
LOCATED = re.compile(r"^.+:\d+:\d+: ")
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
HEADERS = {"subject", "from", "to", "date", "message-id", "list-id", "list-unsubscribe",
           "list-unsubscribe-post", "mime-version", "content-type"}


def test_the_suite_is_big_enough() -> None:
    assert len(REGISTRIES) >= 100 and len(FEEDS) >= 30
    assert len({name for name, _, _ in REGISTRIES}) == len(REGISTRIES)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("name", "data", "expected"), REGISTRIES,
                         ids=[case[0] for case in REGISTRIES])
def test_hostile_registry(name: str, data: bytes, expected: str, tmp_path: Path) -> None:
    registry = tmp_path / "site" / "posts.yaml"
    registry.parent.mkdir()
    registry.write_bytes(data)
    out = tmp_path / "site" / "out"
    out.mkdir()
    (out / "atom.xml").write_bytes(b"the feed as published")
    before = tree(out)
    result = CliRunner().invoke(app, ["build", "-r", str(registry), "-o", str(out),
                                      "--now", NOW])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if expected == "refused":
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        assert lines and lines[-1].endswith("found; nothing was written."), result.stderr
        assert all(LOCATED.match(line) and line.startswith(str(registry))
                   for line in lines[:-1]), result.stderr
        assert tree(out) == before
        return
    assert result.exit_code == 0, result.output
    # Nothing outside out/ but the registry's posts.lock, and the build cache, the
    # memo of outputs, the read state with its texts, the snapshot with its copy of
    # the registry and the templates' compiled code, named by a hash
    # (feedkit/jobs/cache.py, feedkit/writers/memo.py, feedkit/jobs/reading.py,
    # feedkit/jobs/snapshot.py, feedkit/text/templating.py).
    beside = (registry, registry.with_suffix(".lock"))
    cache = registry.parent / ".feedkit" / "cache"
    outside = [p for p in tmp_path.rglob("*") if p.is_file()
               and not p.resolve().is_relative_to(out.resolve()) and p not in beside
               and not (p.parent == cache / "templates" and re.fullmatch(
                   r"[0-9a-f]{16}-[0-9a-f]{40}\.cache", p.name))
               and not (p.parent == cache and re.fullmatch(
                   r"(build|pages)-[0-9a-f]{16}\.json|read-[0-9a-f]{16}(\.state|\.more|-[0-9a-f]{8}"
                   r"\.texts)|snap-[0-9a-f]{16}(\.pickle|-[0-9a-f]{8}\.bytes)", p.name))]
    assert outside == []
    for relpath, content in tree(out).items():
        check_output(relpath, content)


def check_output(relpath: str, content: bytes) -> None:
    """No live markup where a reader renders HTML; no injected mail headers."""
    if relpath.endswith(".html"):
        assert_inert(html.fromstring(content))
    elif relpath.endswith(".xml"):
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False,
                                                         no_network=True))
        for elem in root.iter(f"{ATOM}content", f"{ATOM}summary", f"{ATOM}title",
                              f"{ATOM}subtitle", CONTENT):
            if elem.get("type", "html" if elem.tag == CONTENT else "text") == "html" and \
                    elem.text:
                assert_inert(html.fragment_fromstring(elem.text, create_parent="div"))
        for elem in root.iter("description"):
            # Escaped text: read as HTML it holds no element at all.
            fragment = html.fragment_fromstring(elem.text or "", create_parent="div")
            assert len(fragment) == 0, (relpath, elem.text)
    elif relpath.endswith(".json"):
        for item in json.loads(content)["items"]:
            if "content_html" in item:
                assert_inert(html.fragment_fromstring(item["content_html"],
                                                      create_parent="div"))
    elif relpath.endswith(".eml"):
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert {key.lower() for key in message} <= HEADERS, message.keys()
        for key, value in message.items():
            assert "\n" not in str(value) and "\r" not in str(value), (key, value)


def assert_inert(root: html.HtmlElement) -> None:
    for elem in root.iter():
        if not isinstance(elem.tag, str):
            continue
        assert elem.tag not in ("script", "iframe", "object", "embed"), elem.tag
        for attribute, value in elem.attrib.items():
            assert not attribute.lower().startswith("on"), (elem.tag, attribute)
            if attribute in ("href", "src"):
                assert not value.strip().lower().startswith(("javascript:", "data:")), value


@pytest.mark.parametrize(("name", "data", "suffix"), FEEDS, ids=[case[0] for case in FEEDS])
def test_hostile_feed(name: str, data: bytes, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(data)
    result = CliRunner().invoke(app, ["validate", "--now", NOW, "-v", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1, 2)
    messages = [line for line in result.stdout.splitlines() if line.startswith(str(path))]
    assert all(LOCATED.match(line) for line in messages), messages
    if result.exit_code == 1:
        assert messages, result.output
