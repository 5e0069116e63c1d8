"""Core benchmark: `feedkit build` on a 10,000-post registry against PyYAML's C loader.

Run with `make bench` (or `.venv/bin/python bench/run.py [N]`). Prints the figures
that bench/README.md records. Both timings are taken in the same run, as the
best of several rounds of CPU time, so the ratio holds on a busy machine.
"""

from __future__ import annotations

import resource
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


def best_cpu(action) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        action()
        best = min(best, time.process_time() - start)
    return best


def peak_rss_of(args: list[str]) -> int:
    """Peak resident set size (bytes) of a child process."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip()) * 1024


def main() -> None:
    import yaml

    from feedkit.build import build

    n_posts = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    feedkit = str(Path(sys.executable).with_name("feedkit"))
    with tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "posts.yaml"
        registry.write_text(generate(n_posts, seed=1), "utf-8")
        size = registry.stat().st_size
        out = Path(tmp) / "out"
        now = datetime(2100, 1, 1, tzinfo=UTC)
        load_s = best_cpu(lambda: yaml.load(registry.read_bytes(), Loader=yaml.CSafeLoader))
        build_s = best_cpu(lambda: build(registry, out, now=now))
        baseline = peak_rss_of([sys.executable, "-c", "import feedkit.build, feedkit.writers."
                                "atom, yaml, feedgen.feed, nh3, cmarkgfm"])
        peak = peak_rss_of([feedkit, "build", "-r", str(registry), "-o", str(out)])
    help_s = min(
        _wall(lambda: subprocess.run([feedkit, "--help"], capture_output=True, check=True))
        for _ in range(5)
    )
    print(f"posts: {n_posts}, registry: {size / 1e6:.1f} MB")
    print(f"PyYAML CSafeLoader load: {load_s:.2f} s CPU")
    print(f"feedkit build:           {build_s:.2f} s CPU  (ratio {build_s / load_s:.2f}, "
          "floor 1.5)")
    print(f"peak RSS of build:       {peak / 1e6:.0f} MB = {peak / size:.2f}x the file "
          f"({(peak - baseline) / size:.2f}x above the {baseline / 1e6:.0f} MB interpreter "
          "baseline; floor 4)")
    print(f"feedkit --help:          {help_s:.3f} s wall (floor 0.3)")
    print(f"(max rss of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} KB)")


def _wall(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
