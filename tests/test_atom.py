"""The Atom feed: golden file, read back with feedparser, and its rules."""

from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree
from registry_factory import render_one

from feedkit.jobs.build import build
from feedkit.writers.feeds import AtomWriter

ATOM = "{http://www.w3.org/2005/Atom}"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def atom_bytes(registry: Path, now: datetime = NOW) -> bytes:
    return render_one(registry, AtomWriter(), "atom.xml", now)


def write_registry(tmp_path: Path, posts: str, options: str = "") -> Path:
    path = tmp_path / "posts.yaml"
    path.write_text(
        "site:\n  title: Blog\n  url: https://example.org/blog/\n  language: en\n"
        "  timezone: Europe/Stockholm\n" + options + "posts:\n" + posts, "utf-8"
    )
    return path


def test_golden_atom(example_registry: Path, golden) -> None:
    golden("atom.xml", atom_bytes(example_registry))


def test_same_registry_gives_identical_bytes(example_registry: Path, tmp_path: Path) -> None:
    first = atom_bytes(example_registry)
    assert atom_bytes(example_registry, datetime(2031, 5, 5, tzinfo=UTC)) == first
    build(example_registry, tmp_path, now=NOW)
    assert (tmp_path / "atom.xml").read_bytes() == first


def test_feedparser_reads_it_back(example_registry: Path) -> None:
    from feedkit.load.registry import load
    from feedkit.text.content import excerpt

    registry = load(example_registry)
    parsed = feedparser.parse(atom_bytes(example_registry))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.language == "sv"
    assert parsed.feed.title == registry.site.title
    assert [e.id for e in parsed.entries] == [p.id for p in registry.posts]
    assert [e.title for e in parsed.entries] == [p.title for p in registry.posts]
    assert [e.author for e in parsed.entries] == [p.author.name for p in registry.posts]
    assert [e.summary for e in parsed.entries] == [
        excerpt(p, registry.site.options) for p in registry.posts
    ]
    assert [tuple(e.updated_parsed)[:6] for e in parsed.entries] == [
        p.updated.astimezone(UTC).timetuple()[:6] for p in registry.posts
    ]
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == registry.site.feed_url
    assert links["alternate"] == registry.site.url
    assert parsed.entries[0].link == registry.posts[0].url
    assert parsed.entries[-1].tags[0].term == "Hyresgästföreningen"
    assert "Delegationen mot segregation" in parsed.entries[-1].content[0].value


def test_structure_the_validator_wants(example_registry: Path) -> None:
    root = etree.fromstring(atom_bytes(example_registry))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert root.find(f"{ATOM}generator").text == "feedkit"
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        link = entry.find(f"{ATOM}link")
        assert link.get("rel") == "alternate" and link.get("type") == "text/html"
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert len(set(updated)) == len(updated)
    assert updated == sorted(updated, reverse=True)
    assert root.find(f"{ATOM}updated").text == updated[0]
    assert updated[0] == "2020-02-06T00:00:02+01:00"


def test_future_posts_wait_for_their_time_and_limit_applies(tmp_path: Path) -> None:
    posts = "".join(
        f"  - {{title: P{n}, date: 2020-01-{n:02d}, author: A, body: text {n}}}\n"
        for n in range(1, 6)
    )
    registry = write_registry(tmp_path, posts, "  options: {feed_entries: 3}\n")
    early = feedparser.parse(atom_bytes(registry, datetime(2020, 1, 3, 12, tzinfo=UTC)))
    assert [e.title for e in early.entries] == ["P3", "P2", "P1"]
    late = feedparser.parse(atom_bytes(registry, datetime(2020, 2, 1, tzinfo=UTC)))
    assert [e.title for e in late.entries] == ["P5", "P4", "P3"]


def test_content_is_sanitized_with_absolute_urls(tmp_path: Path) -> None:
    body = (
        "|\n      Se [rapporten](../rapport.pdf) och ![bild](bild.png)\n\n"
        "      <script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\">x</a>\n"
    )
    registry = write_registry(
        tmp_path, f"  - title: \"<b>Tom & Jerry</b>\"\n    date: 2020-01-01\n"
        f"    author: {{name: \"Eve <eve@example.org>\"}}\n    body: {body}"
    )
    data = atom_bytes(registry)
    parsed = feedparser.parse(data)
    entry = parsed.entries[0]
    assert entry.title == "<b>Tom & Jerry</b>"
    content = entry.content[0].value
    assert 'href="https://example.org/blog/rapport.pdf"' in content
    assert 'src="https://example.org/blog/b-tom-jerry-b/bild.png"' in content
    assert "<script" not in content and "javascript:" not in content and "onclick" not in content
    root = etree.fromstring(data)
    assert root.find(f"{ATOM}entry/{ATOM}title").text == "<b>Tom & Jerry</b>"
