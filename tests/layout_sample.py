"""A site whose posts hold what breaks layouts: a long URL, a long unbroken word, a long
title and a long author role, with an image; shared by the layout tests and the
README screenshots (bench-free, no network: the image is a data-free local URL)."""

from __future__ import annotations

from pathlib import Path

LONG_URL = ("https://www.allmannyttan.se/innovationslabb/dagbok/tack-till-alla-vardagshjaltar-"
            "for-allt-ni-lart-mig/?utm_source=nyhetsbrev&utm_medium=epost&utm_campaign=vecka-6")
LONG_WORD = "Bostadsförsörjningsutvecklingsprojektsamordningsfunktionsansvarigheten" * 2
LONG_TITLE = ("Hyresgästföreningens och bostadsbolagens gemensamma kunskapsöverföringsprogram "
              "för trygghetsskapande åtgärder i stadsdelar med lång väntetid på bostad")
LONG_ROLE = ("nationell specialist på segregationsfrågor och boendeinflytande, "
             "Hyresgästföreningen Region Stockholm-Gotland-Uppsala-Västmanland-Södermanland")


def write_sample(folder: Path, *, web_digests: str = "week") -> Path:
    """posts.yaml with the example's real posts plus one hostile to layouts."""
    root = Path(__file__).resolve().parent.parent
    text = (root / "posts.yaml").read_text("utf-8")
    text = text.replace("    feed_entries: 20\n",
                        f"    feed_entries: 20\n    web_digests: {web_digests}\n")
    hostile = (
        f"  - title: \"{LONG_TITLE} {LONG_WORD}\"\n"
        "    date: 7 februari 2020\n"
        f"    author: {{name: Sophia Lövgren, role: \"{LONG_ROLE}\"}}\n"
        "    image: {url: 'https://www.allmannyttan.se/bilder/vardagshjaltar.jpg', "
        "alt: Boende och personal samlade på en gård, width: 1200, height: 675}\n"
        f"    summary: \"Läs rapporten på {LONG_URL} eller hos {LONG_WORD} innan mötet.\"\n\n"
    )
    text = text.replace("posts:\n", "posts:\n" + hostile, 1)
    path = folder / "posts.yaml"
    path.write_text(text, "utf-8")
    return path
