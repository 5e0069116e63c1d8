"""RSS 2.0: read back with feedparser, the W3C validator's rules, same ids as Atom."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree
from registry_factory import SITE_URL, render_one, write_registry

from feedkit.jobs.build import render
from feedkit.load.registry import load
from feedkit.writers.feeds import AtomWriter, Rss2Writer

NOW = datetime(2030, 1, 1, tzinfo=UTC)
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
                    r"Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$")
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC = "{http://purl.org/dc/elements/1.1/}creator"


def rss_of(registry: Path) -> bytes:
    return render_one(registry, Rss2Writer(), "rss.xml", NOW)


def test_example_rss_matches_golden(example_registry: Path, golden):
    golden("example/rss.xml", rss_of(example_registry))


def test_example_rss_reads_back_with_the_atom_ids(example_registry: Path):
    _, outputs = render(example_registry, now=NOW, writers=[AtomWriter(), Rss2Writer()])
    rss = feedparser.parse(outputs.files["rss.xml"])
    atom = feedparser.parse(outputs.files["atom.xml"])
    assert not rss.bozo and rss.version == "rss20"
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
    assert [e.title for e in rss.entries] == [e.title for e in atom.entries]
    assert [e.summary for e in rss.entries] == [e.summary for e in atom.entries]
    site = load(example_registry).site
    assert rss.feed.link == site.url
    assert rss.feed.language == "sv"
    assert rss.feed.subtitle == site.subtitle


def test_channel_and_items_follow_the_validator_rules(tmp_path: Path):
    registry = write_registry(tmp_path, 3, tags=lambda i: ["ett", "två"])
    root = etree.fromstring(rss_of(registry))
    channel = root.find("channel")
    assert channel.findtext("link") == SITE_URL
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("rel") == "self" and self_link.get("href") == SITE_URL + "rss.xml"
    assert self_link.get("type") == "application/rss+xml"
    assert channel.findtext("description") == "Inlägg för tester"
    assert channel.findtext("language") == "sv"
    assert RFC822.match(channel.findtext("lastBuildDate"))
    assert channel.findtext("lastBuildDate") == "Fri, 01 Jan 2021 02:00:00 +0100"
    items = channel.findall("item")
    assert len(items) == 3
    for item in items:
        assert RFC822.match(item.findtext("pubDate"))
        assert item.find("guid").get("isPermaLink") == "false"
        assert item.findtext("guid").startswith("tag:example.org,2021-01-01:")
        assert item.findtext(DC) in {"Åsa Öberg", "Bo Ek", "Cecilia Lind"}
        assert item.find("author") is None  # RSS author must be an email address
        assert [c.text for c in item.findall("category")] == ["ett", "två"]
        assert '<a href="https://example.org/sida-' in item.findtext(CONTENT)
        assert "inlägg" in item.findtext("description")
        assert "<" not in item.findtext("description")


def test_guid_is_a_permalink_only_when_the_id_is_the_post_url(tmp_path: Path):
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        f"site: {{title: T, url: '{SITE_URL}'}}\nposts:\n"
        f"  - {{title: A, date: 2021-01-01, author: X, body: a, id: '{SITE_URL}a/', url: a/}}\n"
        "  - {title: B, date: 2021-01-02, author: X, body: b}\n",
        encoding="utf-8",
    )
    items = etree.fromstring(rss_of(registry)).findall("channel/item")
    assert [i.find("guid").get("isPermaLink") for i in items] == ["false", "true"]
    assert etree.fromstring(rss_of(registry)).findtext("channel/description") == "T"


def test_hub_link_when_the_site_names_a_hub(tmp_path: Path):
    registry = write_registry(tmp_path, 2, hub="https://hub.example.net/")
    data = rss_of(registry)
    rels = {link.get("rel"): link.get("href")
            for link in etree.fromstring(data).findall(f"channel/{ATOM}link")}
    assert rels == {"self": SITE_URL + "rss.xml", "hub": "https://hub.example.net/"}
    assert not feedparser.parse(data).bozo


def test_same_registry_same_bytes(example_registry: Path):
    assert rss_of(example_registry) == rss_of(example_registry)
