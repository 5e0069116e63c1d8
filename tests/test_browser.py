"""The browser the page tests use really renders: a wide element overflows at 375 px."""

from __future__ import annotations


def test_chromium_measures_layout(browser) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 600})
    page.set_content("<!doctype html><body style='margin:0'><p style='width:500px'>x</p>")
    assert page.evaluate("document.documentElement.scrollWidth") == 500
    page.set_content("<!doctype html><body style='margin:0'><p>x</p>")
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    page.close()
