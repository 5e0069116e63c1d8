"""Benchmark several `feedkit send` workers on one PostgreSQL state (issue 13).

Each run sends one week's digest to the same subscribers through bench/send.py's
relay sink (its own process, PIPELINING, `--delay` before each 250: 50 ms, as a
real ESP relay), with DKIM on, as separate `feedkit send` processes started at
once: one worker on SQLite (the floor), one worker on PostgreSQL, then three
workers on PostgreSQL sharing one period. PostgreSQL is Debian's server in a
temporary cluster on 127.0.0.1 with fsync and synchronous commit on; each run
gets a database of its own. Every run is checked: the sink saw each subscriber
exactly once and the state marks every delivery sent.

    .venv/bin/python bench/workers.py [--subscribers 6000] [--connections 8] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from pg import postgres_server  # noqa: E402
from send import MINIMAL_SINK, write_registry  # noqa: E402

NOW = "2020-02-10T12:00+01:00"  # week 3-9 February 2020: four posts


def site(folder: Path, subscribers: int, dkim: bool) -> Path:
    """The example registry (with a DKIM key) and a subscribers file."""
    registry = write_registry(folder, dkim)
    rows = ["email,name,language"] + [f"reader{i}@example.org,Läsare {i},"
                                      for i in range(subscribers)]
    (folder / "subscribers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return registry


def database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def run(registry: Path, state: str, workers: int, connections: int, delay: float,
        subscribers: int) -> tuple[float, float]:
    """`workers` senders at once on `state`: messages per second, start to last exit, and
    how many cores the machine was busy on average (senders, sink, PostgreSQL)."""
    before = cpu_ticks()
    sink = subprocess.Popen([sys.executable, "-c", MINIMAL_SINK, str(delay)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert sink.stdin is not None and sink.stdout is not None
    port = int(sink.stdout.readline())
    env = {**os.environ, "FEEDKIT_SECRET": "benchmark-secret-0123456789",
           "FEEDKIT_STATE_URL": state}
    command = [sys.executable, "-c", "from feedkit.cli import main; main()", "send",
               "--registry", str(registry), "--period", "week", "--now", NOW,
               "--smtp", f"smtp://127.0.0.1:{port}", "--connections", str(connections),
               "--retry-delay", "0.01"]
    start = time.perf_counter()
    senders = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
               for _ in range(workers)]
    outputs = [s.communicate()[0] for s in senders]
    elapsed = time.perf_counter() - start
    sink.stdin.close()
    received, _, distinct, _ = (int(n) for n in sink.stdout.readline().split())
    sink.wait(10)
    busy, total = (a - b for a, b in zip(cpu_ticks(), before, strict=True))
    busy = busy / total * (os.cpu_count() or 1)
    assert all(s.returncode == 0 for s in senders), outputs
    assert received == distinct == subscribers, (received, distinct)
    assert sent_rows(registry, state) == subscribers
    return received / elapsed, busy


def cpu_ticks() -> tuple[int, int]:
    """(busy, all) clock ticks of every core since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(n) for n in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields) - idle, sum(fields)


def sent_rows(registry: Path, state: str) -> int:
    from feedkit.state import locate

    opened = locate(state, registry).open()
    try:
        return opened.counts("week:2020-02-03").get("sent", 0)
    finally:
        opened.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=6000)
    parser.add_argument("--connections", type=int, default=8, help="per worker")
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--no-dkim", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="feedkit-bench-workers-"))
    try:
        registry = site(folder, args.subscribers, not args.no_dkim)
        with postgres_server(durable=True) as server:
            figures = {
                "1 worker, SQLite": run(registry, str(folder / "state.sqlite"), 1,
                                        args.connections, args.delay, args.subscribers),
                "1 worker, PostgreSQL": run(registry, database(server, "one"), 1,
                                            args.connections, args.delay, args.subscribers),
                f"{args.workers} workers, PostgreSQL": run(
                    registry, database(server, "several"), args.workers, args.connections,
                    args.delay, args.subscribers),
            }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.subscribers} subscribers, {args.connections} connection(s) per worker, "
          f"{args.delay * 1000:.0f} ms relay, DKIM {not args.no_dkim}; each run: every "
          "subscriber exactly once, every delivery marked sent")
    one = figures["1 worker, PostgreSQL"][0]
    for name, (rate, busy) in figures.items():
        print(f"{name:<24} {rate:8.1f} messages/s  ({rate / one:.2f}x one PostgreSQL worker)"
              f"  machine busy {busy:.2f} of {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
