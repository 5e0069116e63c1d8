"""Benchmark: every feed format, tag/author feeds and archives vs. the main feed alone.

10,000 posts with 200 tags from a seeded generator; both builds run in the same
process on the same registry, and the ratio (full / main feed only) is printed.
The issue's bound is 3x. Run: .venv/bin/python bench/feeds.py [--posts N] [--runs R]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from feedkit.build import build, default_writers  # noqa: E402
from feedkit.writers.atom import AtomWriter  # noqa: E402

WORDS = (
    "bostad", "hyresgäst", "kvarter", "samtal", "metod", "trygghet", "skola", "arbete",
    "förening", "segregation", "boende", "granne", "innovation", "labb", "stad", "kommun",
)


def generate(n_posts: int, seed: int, n_tags: int = 200, n_authors: int = 40) -> str:
    """A registry as YAML text: n_posts posts, one every 3 hours, tags drawn from n_tags."""
    rng = random.Random(seed)
    tags = [f"Ämne {i}" for i in range(n_tags)]
    authors = [f"Skribent {i}" for i in range(n_authors)]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    lines = ["site:", "  title: Bänkblogg", "  subtitle: Prestandatest",
             "  url: https://bench.example.org/", "  language: sv",
             "  timezone: Europe/Stockholm", "  websub_hub: https://hub.example.org/",
             "posts:"]
    for i in range(n_posts):
        words = [rng.choice(WORDS) for _ in range(rng.randint(60, 160))]
        body = " ".join(words[:40]) + "\n\n**" + " ".join(words[40:50]) + "** " + \
            " ".join(words[50:]) + f" [mer](/sida-{i}/)"
        post_tags = rng.sample(tags, rng.randint(1, 3))
        date = start + timedelta(hours=3 * i)
        lines += [
            f"  - title: Inlägg {i} om {words[0]}",
            f"    date: {date.isoformat()}",
            f"    author: {rng.choice(authors)}",
            f"    tags: [{', '.join(post_tags)}]",
            "    body: |",
            *(f"      {line}" if line else "" for line in body.splitlines()),
        ]
    return "\n".join(lines) + "\n"


def clear_caches() -> None:
    """Forget every per-post cache so each timed build starts cold."""
    from feedkit.content import render_markdown
    from feedkit.writers import atom, jsonfeed, rss, texts

    for cached in (render_markdown, texts.entry_texts, atom.atom_entry_element,
                   rss.rss_item_element, jsonfeed._item):
        cached.cache_clear()


def timed(registry: Path, out: Path, writers) -> float:
    import feedkit.build as build_module

    clear_caches()
    original = build_module.default_writers
    build_module.default_writers = lambda: writers()
    try:
        started = time.perf_counter()
        build(registry, out, now=datetime(2030, 1, 1, tzinfo=UTC))
        return time.perf_counter() - started
    finally:
        build_module.default_writers = original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        registry = folder / "posts.yaml"
        registry.write_text(generate(args.posts, args.seed), encoding="utf-8")
        main_times, full_times = [], []
        for run in range(args.runs):
            # Fresh output folders each run, so every file is really written.
            main_times.append(timed(registry, folder / f"main{run}", lambda: [AtomWriter()]))
            full_times.append(timed(registry, folder / f"full{run}", default_writers))
        files = sum(1 for p in (folder / "full0").rglob("*") if p.is_file())
    main_s, full_s = statistics.median(main_times), statistics.median(full_times)
    print(f"posts={args.posts} runs={args.runs} files={files}")
    print(f"main feed only: {main_s:.2f} s (median)")
    print(f"every feed:     {full_s:.2f} s (median)")
    print(f"ratio:          {full_s / main_s:.2f}x (bound: 3x)")


if __name__ == "__main__":
    main()
