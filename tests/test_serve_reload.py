"""`feedkit serve --reload`: out/ rebuilt (incrementally) when posts.yaml changes, and
a page open in a real browser (Chromium) reloaded with the new content."""

from __future__ import annotations

import select
import subprocess
from pathlib import Path

import httpx
from send_helpers import make_site
from serve_helpers import serving


def rebuilt(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The next "rebuilt ..." line the server prints (other lines are passed over)."""
    assert process.stdout is not None
    while True:
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        assert ready, "no rebuild in time"
        line = process.stdout.readline()
        assert line, "the server ended"
        if line.startswith(("rebuilt ", "Error: ")):
            return line


def edit(registry: Path, old: str, new: str) -> None:
    text = registry.read_text("utf-8")
    assert old in text
    registry.write_text(text.replace(old, new), "utf-8")


def test_a_page_in_the_browser_reloads_when_the_registry_changes(tmp_path: Path,
                                                                  browser) -> None:
    registry = make_site(tmp_path, "email\na@example.org\n")
    with serving(registry, "--reload") as (base, process), httpx.Client(timeout=10) as client:
        # Not a title: out/ was built as the server started, and a new title would
        # give a published post another id (posts.lock refuses it).
        edit(registry, "summary: Tredje.", "summary: Den tredje.")
        assert rebuilt(process).startswith("rebuilt ")
        served = client.get(base + "feeds.html")
        assert served.status_code == 200 and "EventSource" in served.text
        on_disk = (tmp_path / "out" / "feeds.html").read_text("utf-8")
        assert "EventSource" not in on_disk and "Eva Ek" in on_disk  # nothing of it in out/
        page = browser.new_page()
        try:
            page.goto(base + "feeds.html")
            assert "Eva Ekström" not in page.content()
            edit(registry, "author: Eva Ek\n", "author: Eva Ekström\n")
            assert rebuilt(process).startswith("rebuilt ")
            page.wait_for_function("document.body.textContent.includes('Eva Ekström')",
                                   timeout=20_000)
        finally:
            page.close()
        # A registry with a problem: said, out/ left as it was, the server goes on.
        edit(registry, "date: 2020-02-19T09:00", "date: den trettonde")
        assert rebuilt(process).startswith("Error: ")
        assert client.get(base + "feeds.html").status_code == 200
        assert "Eva Ekström" in (tmp_path / "out" / "feeds.html").read_text("utf-8")
