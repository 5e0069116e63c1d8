"""The list's pages in a real browser (Debian's Chromium): subscribe, confirm and
unsubscribe against a real `feedkit serve`, each page screenshotted at 375 and 1000 px."""

from __future__ import annotations

import re
from pathlib import Path

from send_helpers import SECRET, make_site
from serve_helpers import serving
from smtp_sink import SmtpSink

from feedkit.mail.tokens import sign

SITE = "https://lab.example.org/dagbok/"
WIDTHS = (375, 1000)


def _shoot(page, folder: Path, name: str) -> None:
    """Screenshot at each width; at 375 px nothing may stick out sideways."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        path = folder / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)


def test_subscribe_confirm_unsubscribe_in_chromium(browser, tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    (tmp_path / "subscribers.csv").unlink()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url) as (base, _):
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(base + "subscribe")
        assert page.title().startswith("Prenumerera")
        _shoot(page, shots, "subscribe")
        stops = []
        for _ in range(2):  # the site's link, then the address field; focus is visible
            page.keyboard.press("Tab")
            stops.append(page.evaluate("document.activeElement.id || "
                                       "document.activeElement.tagName"))
        assert stops == ["A", "email"]
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        page.get_by_label("E-postadress").fill("anna@example.org")
        page.get_by_label("Namn").fill("Anna <b>Åberg</b>")
        page.get_by_label("Språk i mejlen").select_option("sv")
        page.get_by_role("button", name="Prenumerera").click()
        page.wait_for_load_state()
        assert "Titta i din inkorg" in page.content(), page.content()
        page.wait_for_selector("h1:has-text('Titta i din inkorg')")
        _shoot(page, shots, "check-inbox")

        confirmation, = sink.wait(1)  # mailed after the answer
        text = confirmation.get_body(("plain",)).get_content()
        link = re.search(r"https://\S+confirm\?token=[a-z0-9]+", text).group(0)
        page.goto(base + link[len(SITE):])
        assert page.locator("p").filter(has_text="anna@example.org").count() == 1
        _shoot(page, shots, "confirm")
        page.get_by_role("button", name="Bekräfta").click()
        page.wait_for_selector("h1:has-text('Du prenumererar nu')")
        _shoot(page, shots, "confirmed")

        token = sign("unsubscribe", "anna@example.org", SECRET.encode())
        page.goto(f"{base}unsubscribe?token={token}")
        _shoot(page, shots, "unsubscribe")
        page.get_by_role("button", name="Avsluta prenumerationen").click()
        page.wait_for_selector("h1:has-text('Din prenumeration är avslutad')")
        _shoot(page, shots, "unsubscribed")
        assert page.context.cookies() == []  # no page of the list sets a cookie
        page.close()
    assert len(list(shots.glob("*.png"))) == 12
