"""Core benchmark: `feedkit build` of a large registry against PyYAML's C loader alone.

Run with `make bench` (or `.venv/bin/python bench/run.py [N] [--rounds R]`; N is 10,000
posts by default, bench/corpus.py). Prints the figures bench/README.md records, all
measured in this one run, best of R rounds (the machine is shared: ratios of figures
taken side by side hold better than seconds):

- the floor: PyYAML's CSafeLoader loading the file (in process);
- `feedkit build` from nothing (a fresh folder: no out/, no cache), as a process
  (start-up included), and its peak memory (the largest of its processes);
- the edit loop, as processes: nothing changed (the registry just written, then
  settled), one post added at the top, the newest post's body edited (the build
  timed, not the edit of the file before it);
- the machine's load average, and the CPU time the build's processes took.

feedkit's modules are compiled to bytecode first, as `pip install` leaves them.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.corpus import generate  # noqa: E402

NOW = "2100-01-01T00:00:00+00:00"
_added = [0]


def add_post(registry: Path) -> None:
    """A new post at the top of the list, as `feedkit new` would put it."""
    _added[0] += 1
    text = registry.read_text("utf-8")
    at = text.index("\n  - title:") + 1
    registry.write_text(text[:at] + f"  - title: Nytt inlägg {_added[0]}\n    date: "
                        "2099-12-31\n    author: Ann\n    body: Text.\n" + text[at:], "utf-8")


def edit_post(registry: Path) -> None:
    """The newest post's body edited (a word added to its first line)."""
    _added[0] += 1
    text = registry.read_text("utf-8")
    at = text.index("    body: ") + len("    body: ")
    registry.write_text(text[:at] + f"Ändrad {_added[0]}. " + text[at:], "utf-8")


def best_cpu(action, rounds: int) -> float:
    """The least CPU time of this process over `rounds` runs of `action`."""
    found = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        action()
        found = min(found, time.process_time() - started)
    return found


def best(action, rounds: int, prepare=None) -> tuple[float, float]:
    """(best wall seconds, CPU seconds of that round's child processes); `prepare`
    runs before each round, untimed (the edit before a rebuild)."""
    found = (float("inf"), 0.0)
    for _ in range(rounds):
        if prepare is not None:
            prepare()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        action()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        found = min(found, (wall, cpu))
    return found


def peak_rss(command: list[str]) -> int:
    """Peak resident set size (bytes) of the largest process of `command`."""
    wrapper = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
               "stdout=subprocess.DEVNULL); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True,
                         text=True, check=True)
    return int(out.stdout.strip()) * 1024


def main() -> None:
    import yaml

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("posts", nargs="?", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rounds = args.rounds
    # feedkit's bytecode compiled, as pip leaves an installed package: an editable
    # install under PYTHONDONTWRITEBYTECODE compiles every module at every build.
    import compileall

    compileall.compile_dir(HERE.parent / "feedkit", quiet=1)
    feedkit = str(Path(sys.executable).with_name("feedkit"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "4102444800"}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "corpus.yaml"
        source.write_text(generate(args.posts, seed=1), "utf-8")
        size = source.stat().st_size
        def floor() -> None:
            yaml.load(source.read_bytes(), Loader=yaml.CSafeLoader)

        load_cpu = best_cpu(floor, rounds)
        fresh = iter(range(2 * rounds + 1))

        def from_nothing() -> list[str]:
            site = Path(tmp) / f"fresh{next(fresh)}"
            site.mkdir()
            shutil.copy(source, site / "posts.yaml")
            return [feedkit, "build", "-q", "-r", str(site / "posts.yaml"), "-o",
                    str(site / "out"), "--now", NOW]

        # The floor and the build from nothing take turns, each round one of each, so
        # that both see the machine as it is at that moment (a shared machine's speed
        # drifts by a fifth within minutes); each is its best, and the pairs' ratios
        # are given too.
        pairs = []
        for _ in range(rounds):
            load = best(floor, 1)[0]
            pairs.append((load, *best(lambda: subprocess.run(from_nothing(), check=True,
                                                              env=env), 1)))
        load_s = min(load for load, _, _ in pairs)
        full_s, full_cpu = min((full, cpu) for _, full, cpu in pairs)
        ratios = sorted(full / load for load, full, _ in pairs)
        full_peak = peak_rss(from_nothing())
        site = Path(tmp) / "site"
        site.mkdir()
        registry = site / "posts.yaml"
        shutil.copy(source, registry)
        edit = [feedkit, "build", "-q", "-r", str(registry), "-o", str(site / "out"),
                "--now", NOW]
        subprocess.run(edit, check=True, env=env)
        unchanged = best(lambda: subprocess.run(edit, check=True, env=env), rounds)
        # Once posts.yaml has settled (last changed over 2 s before a build read it),
        # its stat vouches for its bytes and an unchanged build doesn't read them.
        time.sleep(2.1)
        subprocess.run(edit, check=True, env=env)  # hashes it, and records its stat
        settled = best(lambda: subprocess.run(edit, check=True, env=env), rounds)
        def rebuild() -> None:
            subprocess.run(edit, check=True, env=env)

        added = best(rebuild, rounds, lambda: add_post(registry))
        edited = best(rebuild, rounds, lambda: edit_post(registry))
        added_peak = (add_post(registry), peak_rss(edit))[1]
    print(f"posts: {args.posts}, registry: {size / 1e6:.1f} MB, best of {rounds}, "
          f"load average {os.getloadavg()[0]:.2f} (2 cores are {os.cpu_count()})")
    print(f"PyYAML CSafeLoader load (floor):   {load_s:.2f} s (CPU {load_cpu:.2f} s)")
    goal = 1.2 if args.posts >= 100_000 else 1.3
    print(f"feedkit build from nothing:        {full_s:.2f} s  ratio {full_s / load_s:.2f} "
          f"(goal {goal}; CPU of all its processes {full_cpu:.2f} s = {full_cpu / load_cpu:.2f}x "
          "the floor's)")
    print(f"  each round's ratio (build / floor taken just before it): "
          f"{', '.join(f'{r:.2f}' for r in ratios)}; median {ratios[len(ratios) // 2]:.2f}")
    print(f"peak RSS, build from nothing:      {full_peak / 1e6:.0f} MB = "
          f"{full_peak / size:.2f}x the file (goal 2.5)")
    print(f"feedkit build, nothing changed:    {unchanged[0]:.3f} s (goal 0.1; the registry "
          f"just written: hashed), {settled[0]:.3f} s (settled: its stat vouches)")
    print(f"feedkit build, a post added:       {added[0]:.3f} s (goal 0.3; CPU "
          f"{added[1]:.2f} s, peak RSS {added_peak / 1e6:.0f} MB)")
    print(f"feedkit build, a post edited:      {edited[0]:.3f} s (goal 0.3; CPU "
          f"{edited[1]:.2f} s)")


if __name__ == "__main__":
    main()
