"""Benchmark: feedkit's Atom and RSS text writers against feedgen writing the same feeds.

feedgen (the design card's feed library) is the oracle the writers are tested
against (tests/test_feedgen_oracle.py, whose feedgen calls this reuses). Both write
every feed of a bench/corpus.py registry (2,000 posts, 40 tags: the site feed, tag
and author feeds, archive pages) from the same specs and the same post texts
(Markdown rendered once, before the timing), best of R rounds, CPU time.
Run: .venv/bin/python bench/writers_vs_feedgen.py [--posts N] [--rounds R]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import test_feedgen_oracle as oracle  # noqa: E402

from bench.corpus import generate  # noqa: E402
from feedkit.load import loads  # noqa: E402
from feedkit.text.content import post_texts  # noqa: E402
from feedkit.writers import entries  # noqa: E402
from feedkit.writers.catalogue import build_catalogue  # noqa: E402


def best(action: Callable[[], object], rounds: int) -> float:
    found = float("inf")
    for _ in range(rounds):
        entries.kept_entry.cache_clear()
        entries.kept_item.cache_clear()
        started = time.process_time()
        action()
        found = min(found, time.process_time() - started)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    registry = loads(generate(args.posts, seed=1, tags=40).encode("utf-8"))
    catalogue = build_catalogue(registry, datetime(2100, 1, 1, tzinfo=UTC))
    specs = [catalogue.site_feed, *catalogue.taxonomy, *catalogue.archive]
    options = registry.site.options
    texts = {post: post_texts(post, options) for spec in specs for post in spec.posts}

    def stored(post: object, _: object) -> tuple[str, str]:
        return texts[post]  # type: ignore[index]

    entries.post_texts = entries.kept_texts = oracle.post_texts = stored  # type: ignore
    rss = [spec for spec in specs if not spec.hub and len(spec.files) > 1]
    ours_atom = best(lambda: [entries.render_atom(spec) for spec in specs], args.rounds)
    theirs_atom = best(lambda: [oracle.atom_by_feedgen(spec) for spec in specs], args.rounds)
    ours_rss = best(lambda: [entries.render_rss(spec) for spec in rss], args.rounds)
    theirs_rss = best(lambda: [oracle.rss_by_feedgen(spec) for spec in rss], args.rounds)
    count = sum(len(spec.posts) for spec in specs)
    print(f"posts {args.posts}, best of {args.rounds}, load average {os.getloadavg()[0]:.1f}")
    print(f"Atom: {len(specs)} documents, {count} entries: feedkit {ours_atom * 1000:.0f} ms, "
          f"feedgen {theirs_atom * 1000:.0f} ms (x{theirs_atom / ours_atom:.1f}; entry links "
          "set back included)")
    print(f"RSS: {len(rss)} documents, {sum(len(s.posts) for s in rss)} items: feedkit "
          f"{ours_rss * 1000:.0f} ms, feedgen {theirs_rss * 1000:.0f} ms "
          f"(x{theirs_rss / ours_rss:.1f})")


if __name__ == "__main__":
    main()
