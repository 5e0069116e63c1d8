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



_INLINE = """
import sys
{setup}
from feedkit.writers.digest import inline_css
html = ('<html><head><style>p {{ color: #333; font-size: 15px }} a {{ color: red }}'
        '@media (max-width: 600px) {{ p {{ font-size: 17px }} }}</style></head>'
        '<body><p>Hej <a href="https://a.se/">å ä ö</a></p></body></html>')
print(repr(inline_css(html)))
print(sorted(name for name in ("requests", "urllib.request", "http.client")
             if name in sys.modules))
import urllib.request
import requests
print(urllib.request.pathname2url("/a b"), requests.codes.ok, type(urllib.request).__name__)
"""


def test_premailer_is_imported_without_the_network_modules_and_inlines_the_same():
    """premailer and cssutils are imported with stand-ins for requests and urllib.request
    (writers/digest.py: half their import time); the CSS is inlined exactly as with
    the real modules imported first, and the real ones still import afterwards."""
    import subprocess
    import sys

    def run(setup: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", _INLINE.format(setup=setup)],
                             capture_output=True, text=True, check=True)
        return out.stdout.splitlines()

    lazily = run("")
    eagerly = run("import requests, urllib.request")
    assert lazily[0] == eagerly[0] and 'style="color:#333; font-size:15px"' in lazily[0]
    assert "@media" in lazily[0]
    assert lazily[1] == "[]"  # none of them imported by the inlining
    assert eagerly[1] == "['http.client', 'requests', 'urllib.request']"
    assert lazily[2] == eagerly[2] == "/a%20b 200 module"
