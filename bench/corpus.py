"""A seeded generator of large registries: N posts, ~2 KB Swedish-like bodies, 3 a day."""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta

_WORDS = (
    "allmännyttan bostadsbolag hyresgäster segregation innovationslabb metoder samtal "
    "workshop kommun stadsdel förtroendevalda delaktighet sammanhållning spridning "
    "följeforskning intervjuer område boende trygghet grannar möte projekt arbete "
    "utveckling kunskap erfarenhet samverkan framtid lärande nätverk vardagshjältar "
    "och att som för med på är det en av till i har inte kan vi de om så men"
).split()
_NAMES = ("Anna Kanervo", "Lena Liljendahl", "Martin Grander", "Tomas Lindquist",
          "Sophia Lövgren", "Åsa Öberg", "Örjan Ärlig")


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def generate(n_posts: int, seed: int = 1, tags: int = 0) -> str:
    """YAML text of a registry with `n_posts` posts; same arguments, same text."""
    rng = random.Random(seed)
    lines = [
        "site:",
        "  title: Benchmarkdagbok",
        "  url: https://bench.example.se/dagbok/",
        "  language: sv",
        "  timezone: Europe/Stockholm",
        "  email: info@example.se",
        "  publisher: {name: Exempelbolaget, address: Box 1, phone: 08-00 00 00}",
        "posts:",
    ]
    start = date(2000, 1, 1)
    for i in range(n_posts):
        day = start + timedelta(days=i // 3)
        body = []
        while sum(len(p) for p in body) < 2000:
            body.append(_paragraph(rng))
        lines.append(f"  - title: Inlägg {i} om {rng.choice(_WORDS)} och {rng.choice(_WORDS)}")
        lines.append(f"    date: {day.isoformat()}T{8 + i % 3:02d}:00")
        lines.append(f"    author: {{name: {rng.choice(_NAMES)}, role: skribent}}")
        if tags:
            chosen = sorted({f"ämne {rng.randrange(tags)}" for _ in range(3)})
            lines.append(f"    tags: [{', '.join(chosen)}]")
        lines.append("    body: |")
        for p in body:
            lines.append(f"      {p}")
            lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
