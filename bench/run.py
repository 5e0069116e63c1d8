"""Core benchmark: building a 10,000-post registry against PyYAML's C loader alone.

Run with `make bench` (or `.venv/bin/python bench/run.py [N]`). Prints the figures
that bench/README.md records. The floors of the core issue are measured on the
core's build, the main Atom feed (as bench/feeds.py compares against); the whole
`feedkit build` (every feed, tag/author feeds, archives, digest preview) is
measured too, for the record. Timings are the best of several rounds, taken in
the same run, so the ratios hold on a busy machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.corpus import generate  # noqa: E402

ROUNDS = 3
NOW = datetime(2100, 1, 1, tzinfo=UTC)
ENV = {**__import__("os").environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
_added = [0]


def add_post(registry: Path) -> None:
    """A new post at the top of the list, as `feedkit new` would put it."""
    _added[0] += 1
    text = registry.read_text("utf-8")
    at = text.index("\n  - title:") + 1
    registry.write_text(text[:at] + f"  - title: Nytt inlägg {_added[0]}\n    date: "
                        "2099-12-31\n    author: Ann\n    body: Text.\n" + text[at:], "utf-8")


def best_wall(action) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def peak_rss_of(code: str, *args: str) -> int:
    """Peak resident set size (bytes) of a Python child running `code`, workers included."""
    wrapper = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-c", code, *args],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) * 1024


MAIN_FEED_BUILD = (
    "import sys; from pathlib import Path; from datetime import datetime, UTC; "
    "from feedkit.jobs.build import build; from feedkit.writers.feeds import AtomWriter; "
    "build(Path(sys.argv[1]), Path(sys.argv[2]), now=datetime(2100, 1, 1, tzinfo=UTC), "
    "writers=[AtomWriter()])"
)
FULL_BUILD = "import sys; from feedkit.cli import main; sys.argv[0] = 'feedkit'; main()"
BASELINE = ("import feedkit.jobs.build, feedkit.writers.feeds, yaml, feedgen.feed, nh3, "
            "markdown_it_pyrs, lxml.etree")


def main() -> None:
    import yaml

    from feedkit.jobs.build import build
    from feedkit.writers.feeds import AtomWriter

    n_posts = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    feedkit = str(Path(sys.executable).with_name("feedkit"))
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "posts.yaml"
        registry.write_text(generate(n_posts, seed=1), "utf-8")
        size = registry.stat().st_size
        load_s = best_wall(lambda: yaml.load(registry.read_bytes(), Loader=yaml.CSafeLoader))
        main_s = best_wall(lambda: build(registry, Path(tmp) / "main", now=NOW,
                                         writers=[AtomWriter()]))
        # Each round into a new folder: no archive page is kept from an earlier one.
        rounds = iter(range(ROUNDS))
        full_s = best_wall(lambda: build(registry, Path(tmp) / f"full{next(rounds)}", now=NOW))
        baseline = peak_rss_of(BASELINE)
        main_peak = peak_rss_of(MAIN_FEED_BUILD, str(registry), str(Path(tmp) / "m2"))
        full_peak = peak_rss_of(FULL_BUILD, "build", "--no-cache", "-r", str(registry),
                                "-o", str(Path(tmp) / "f2"))
        # The edit loop: `feedkit build` again with nothing changed (the build cache),
        # then after adding a post at the top (a whole build).
        edit = [feedkit, "build", "-q", "-r", str(registry), "-o", str(Path(tmp) / "e")]
        subprocess.run(edit, check=True, env=ENV)
        unchanged_s = best_wall(lambda: subprocess.run(edit, check=True, env=ENV))
        added_s = best_wall(lambda: (add_post(registry), subprocess.run(edit, check=True,
                                                                       env=ENV)))
    help_s = min(
        best_wall(lambda: subprocess.run([feedkit, "--help"], capture_output=True,
                                         check=True))
        for _ in range(2)
    )
    print(f"posts: {n_posts}, registry: {size / 1e6:.1f} MB")
    print(f"PyYAML CSafeLoader load:          {load_s:.2f} s")
    print(f"build, main feed (core):          {main_s:.2f} s  (ratio {main_s / load_s:.2f}, "
          "floor 1.5)")
    print(f"feedkit build, every output:      {full_s:.2f} s  (ratio {full_s / load_s:.2f})")
    print(f"peak RSS, main feed build:        {main_peak / 1e6:.0f} MB = "
          f"{main_peak / size:.2f}x the file (floor 4; interpreter with the libraries "
          f"loaded: {baseline / 1e6:.0f} MB)")
    print(f"peak RSS, feedkit build (all):    {full_peak / 1e6:.0f} MB = "
          f"{full_peak / size:.2f}x the file")
    print(f"feedkit --help:                   {help_s:.3f} s (floor 0.3)")
    print(f"feedkit build, nothing changed:   {unchanged_s:.3f} s (floor 0.2; build cache)")
    print(f"feedkit build, a post added:      {added_s:.2f} s  (ratio {added_s / load_s:.2f}, "
          "start-up included)")


if __name__ == "__main__":
    main()
