"""How fast `feedkit inbox` judges what comes back: the sample collection
(tests/data/bounces) read N times over, classified and tied to a recipient, against
a floor measured in the same run: only parsing each message with the email package
(what any reader of the mailbox must do).

    .venv/bin/python bench/inbox.py [ROUNDS]

Prints messages per second for both and the ratio; best of 3.
"""

from __future__ import annotations

import os
import sys
import time
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "tests" / "data" / "bounces").glob("*.eml"))


def best(job: object, rounds: int) -> float:
    assert callable(job)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from feedkit.mail.bounces import classify
    from feedkit.mail.recipient import Directory, find_recipient
    from feedkit.mail.verp import token_index

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    messages = [p.read_bytes() for p in SAMPLES]
    known = [f"user{i}@example.org" for i in range(10_000)]
    secret = b"bench-secret-0123456789"
    start = time.perf_counter()
    directory = Directory(token_index(known, secret), lambda _: None, set(known), secret)
    index = time.perf_counter() - start

    def parse() -> None:
        for data in messages:
            message_from_bytes(data)

    def judge() -> None:
        for data in messages:
            find_recipient(classify(data, "bounces@lab.example.org"), directory)

    judge()  # warm: imports, compiled patterns
    floor, work = best(parse, rounds), best(judge, rounds)
    count = rounds * len(messages)
    print(f"{len(messages)} samples x {rounds} rounds = {count} messages "
          f"(load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"parse only (floor): {count / floor:,.0f} messages/s")
    print(f"classify + recipient: {count / work:,.0f} messages/s, ratio {work / floor:.1f}x")
    print(f"VERP index of 10,000 subscribers: {index * 1000:.0f} ms (once per run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
