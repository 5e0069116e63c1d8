"""`feedkit build` writes a digest preview of the newest posts, deterministically."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from feedkit.jobs.build import build


def test_build_writes_the_digest_preview(example_registry, tmp_path):
    now = datetime(2020, 3, 1, tzinfo=UTC)
    result = build(example_registry, tmp_path / "a", now=now)
    assert {"digest.html", "digest.txt", "digest.eml"} <= set(result.paths)
    build(example_registry, tmp_path / "b", now=datetime(2024, 1, 1, tzinfo=UTC))
    for name in ("digest.html", "digest.txt", "digest.eml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    msg = email.message_from_bytes((tmp_path / "a" / "digest.eml").read_bytes(),
                                   policy=email.policy.default)
    assert msg["Date"].datetime.isoformat() == "2020-02-06T00:00:02+01:00"  # newest post
    assert msg["To"] == "subscriber@example.invalid"
    text = (tmp_path / "a" / "digest.txt").read_text(encoding="utf-8")
    assert "Spännande bli en del av innovationslabben" in text
    lines = text.split("\n")
    assert lines.index("6 februari 2020") < lines.index("25 april 2019")


def test_preview_holds_the_newest_digest_entries_published_posts(tmp_path):
    path = tmp_path / "posts.yaml"
    path.write_text(
        "site:\n  title: T\n  url: https://example.org/\n  timezone: Europe/Stockholm\n"
        "posts:\n" + "".join(f"  - {{title: post {i:02d}, date: 2020-01-{i:02d}T12:00, "
                              "author: Ann, body: Text.}\n" for i in range(1, 16)),
        encoding="utf-8")
    result = build(path, tmp_path / "out", now=datetime(2020, 1, 14, tzinfo=UTC))
    assert "digest.txt" in result.changed
    text = (tmp_path / "out" / "digest.txt").read_text("utf-8")
    shown = [f"post {i:02d}" for i in range(1, 16) if f"post {i:02d}\n" in text]
    assert shown == [f"post {i:02d}" for i in range(4, 14)]  # 10 newest, none after now

