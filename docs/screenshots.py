"""The README's pictures of the digest: light and dark at 600 px, and a phone at 375 px.

Run with `make screenshots`. Builds the example registry (its real posts) with
Debian's Chromium (tests/browser.py), headless, and writes docs/digest-light.png,
docs/digest-dark.png and docs/digest-phone.png.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

SHOTS = (("digest-light.png", 600, "light"), ("digest-dark.png", 600, "dark"),
         ("digest-phone.png", 375, "light"))


def main() -> None:
    from browser import chromium

    from feedkit.jobs.build import build

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build(ROOT / "posts.yaml", out, now=datetime(2020, 3, 1, tzinfo=UTC))
        html = (out / "digest.html").read_text("utf-8")
        with chromium() as browser:
            for name, width, scheme in SHOTS:
                page = browser.new_page(viewport={"width": width, "height": 900},
                                        color_scheme=scheme, device_scale_factor=1)
                page.set_content(html)
                page.screenshot(path=str(ROOT / "docs" / name), full_page=False)
                page.close()
                print(f"wrote docs/{name}")


if __name__ == "__main__":
    main()
