"""Benchmark: every feed format, tag/author feeds and archives vs. the main feed alone.

10,000 posts with 200 tags from bench/corpus.py (the core benchmark's corpus);
both builds run in the same process on the same registry, and the ratio
(full / main feed only) is printed. The issue's bound is 3x.
Run: .venv/bin/python bench/feeds.py [--posts N] [--runs R]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import generate  # noqa: E402
from feedkit.jobs.build import build, default_writers  # noqa: E402
from feedkit.writers.feeds import AtomWriter  # noqa: E402
from feedkit.writers.isolated import Isolated  # noqa: E402


def clear_caches() -> None:
    """Forget every per-post cache so each timed build starts cold."""
    from feedkit.text.content import render_markdown
    from feedkit.writers import entries, jsonfeed

    for cached in (render_markdown, entries.kept_texts, entries.kept_entry, entries.kept_item,
                   jsonfeed.kept_item):
        cached.cache_clear()


def timed(registry: Path, out: Path, writers) -> float:
    clear_caches()
    started = time.perf_counter()
    build(registry, out, now=datetime(2030, 1, 1, tzinfo=UTC), writers=writers())
    return time.perf_counter() - started


def feed_writers() -> list:
    """Every writer of `feedkit build` that makes a feed or feed page (not the digest)."""
    return [w for w in default_writers() if not isinstance(w, Isolated)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        registry = folder / "posts.yaml"
        registry.write_text(generate(args.posts, args.seed, tags=200), encoding="utf-8")
        main_times, full_times = [], []
        for run in range(args.runs):
            # Fresh output folders each run, so every file is really written.
            main_times.append(timed(registry, folder / f"main{run}", lambda: [AtomWriter()]))
            full_times.append(timed(registry, folder / f"full{run}", feed_writers))
        files = sum(1 for p in (folder / "full0").rglob("*") if p.is_file())
    main_s, full_s = min(main_times), min(full_times)
    print(f"posts={args.posts} runs={args.runs} files={files}")
    print(f"main feed only: {main_s:.2f} s (best of runs)")
    print(f"every feed:     {full_s:.2f} s (best of runs)")
    print(f"ratio:          {full_s / main_s:.2f}x (bound: 3x)")


if __name__ == "__main__":
    main()
