"""Where a `feedkit send` spends its time: each stage of one message timed alone, on
one thread, then a whole run's CPU per message, so the shares can be read.

    .venv/bin/python bench/sendstages.py [--messages 2000] [--subscribers 10000]

Stages (best of 3, per message): personalising the rendered digest (To, Message-ID,
token), the DKIM signature (and the RSA operation alone, which OpenSSL does without
the interpreter lock), the state's writes as the bookkeeper makes them (a claim per
64, `sending` and `sent` for a batch in one transaction, and, for comparison, one
commit each), and the SMTP hand-over's CPU on our side (PIPELINING, an instant sink in
its own process). Then a whole run to the instant sink: its CPU per message (all
threads) and wall time, so "the rest" is the pool, the threads and the interpreter
lock. The figures go into bench/README.md ("Where the time goes").
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from send import MINIMAL_SINK, write_registry  # noqa: E402

NOW = datetime.fromisoformat("2020-02-10T12:00+01:00")


def best(action: Callable[[], Any], rounds: int = 3) -> float:
    """The least CPU time (this process) of `rounds` runs: the machine is shared, and
    CPU time is what a stage costs whatever else runs."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        action()
        times.append(time.process_time() - started)
    return min(times)


def cpu() -> float:
    """CPU seconds of this process and of its children that ended (the payload
    process, once a run has closed it)."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    n = args.messages
    os.environ["FEEDKIT_SECRET"] = "benchmark-secret-0123456789"
    from feedkit.channels import Parcel, Recipient
    from feedkit.load import load
    from feedkit.mail.channel import EmailChannel
    from feedkit.mail.signing import load_signer
    from feedkit.mail.transport import SmtpTransport, parse_smtp_url
    from feedkit.periods import plan
    from feedkit.state.sqlite import SqliteState

    work = Path(tempfile.mkdtemp(prefix="feedkit-bench-stages-"))
    sink = subprocess.Popen([sys.executable, "-c", MINIMAL_SINK, "0"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None and sink.stdin is not None
        port = int(sink.stdout.readline())
        registry_path = write_registry(work, dkim=True)
        registry = load(registry_path)
        assert registry.site.dkim is not None
        signer = load_signer(registry.site.dkim, registry_path)
        period = plan("week", NOW.date(), [])[0]
        posts = tuple(p for p in registry.posts
                      if period.window.start <= p.published.date() <= period.window.end)
        transport = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{port}"))
        channel = EmailChannel(registry, period, posts, secret=b"benchmark-secret-0123456789",
                               transport=transport, signer=None, now=NOW,
                               log=lambda text: None)
        people = [Recipient(f"reader{i}@example.org", f"reader{i}@example.org",
                            f"Läsare {i}", None) for i in range(n)]
        rows: list[tuple[str, float]] = []
        rows.append(("render the digest (once per language)",
                     best(lambda: EmailChannel(registry, period, posts, secret=b"s" * 20,
                                               transport=transport, now=NOW,
                                               log=lambda t: None).letters("sv"), 1)))
        parcels = [channel.payload(p) for p in people]
        rows.append(("personalise (To, Message-ID, token)",
                     best(lambda: [channel.payload(p) for p in people]) / n))
        data = parcels[0].data
        rows.append(("DKIM signature, whole", best(lambda: [signer.sign(p.data)
                                                            for p in parcels]) / n))
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, utils

        key: Any = serialization.load_pem_private_key((work / "dkim.pem").read_bytes(), None)
        digest = b"x" * 32
        rows.append(("  of which the RSA-2048 operation (no GIL)",
                     best(lambda: [key.sign(digest, padding.PKCS1v15(),
                                            utils.Prehashed(hashes.SHA256()))
                                   for _ in range(n)]) / n))
        signed = signer.sign(data)
        for batch, label in ((64, "state: claim + sending + sent, batched per 64"),
                             (1, "state: the same, one commit and statement each")):
            state = SqliteState.open(work / f"state-{batch}.sqlite")
            state.start_period(period.key, "week", period.window.start.isoformat(),
                               period.window.end.isoformat(), ["p"],
                               [(p.key, p.address, p.name, None) for p in people])

            def write(state: SqliteState = state, batch: int = batch) -> None:
                while claimed := state.claim(period.key, "bench", 64):
                    for start in range(0, len(claimed), batch):
                        part = claimed[start:start + batch]
                        with state.transaction():  # as the bookkeeper writes them
                            state.mark_sending_many(period.key, [(d.recipient, "<id>")
                                                                 for d in part], "bench")
                        with state.transaction():
                            state.mark_sent_many(period.key, [d.recipient for d in part])

            rows.append((label, best(write, 1) / n))
            state.close()
        from feedkit.mail.smtplink import SmtpLink

        link = SmtpLink(transport)
        link.open()

        async def hand_over() -> None:
            for parcel in parcels:
                await link.hand_over(Parcel(parcel.recipient, parcel.ident, signed,
                                            parcel.sender, parcel.target))
            await link.close()

        began, wall = cpu(), time.perf_counter()
        asyncio.run(hand_over())
        rows.append(("SMTP hand-over on the loop, our CPU (PIPELINING, instant sink)",
                     (cpu() - began) / n))
        rows.append(("  its wall time on one connection", (time.perf_counter() - wall) / n))
        whole = run_whole(port, args.subscribers, work)
    finally:
        assert sink.stdin is not None
        sink.stdin.close()
        sink.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'stage':55} {'ms/message':>10}")
    for label, seconds in rows:
        print(f"{label:55} {seconds * 1000:10.3f}")
    print(f"whole run, {args.subscribers} subscribers, CPU of all threads per message "
          f"{whole[0] * 1000:.3f} ms; wall {whole[1] * 1000:.3f} ms "
          f"({1 / whole[1]:.0f} messages/s); load average {os.getloadavg()[0]:.2f}")


def run_whole(port: int, subscribers: int, work: Path) -> tuple[float, float]:
    """A whole `feedkit send` to the instant sink: (CPU per message, wall per message)."""
    from feedkit.jobs.send import SendRequest, run_send
    from feedkit.progress import PlainReporter
    from feedkit.retry import Backoff

    folder = work / "whole"
    folder.mkdir()
    registry = write_registry(folder, dkim=True)
    lines = ["email,name,language"] + [f"reader{i}@example.org,Läsare {i},"
                                       for i in range(subscribers)]
    (folder / "subscribers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    began, wall = cpu(), time.perf_counter()
    summary = run_send(SendRequest(registry, "week", NOW, smtp_url=f"smtp://127.0.0.1:{port}",
                                   retry=Backoff(retries=2, delay=0.01)),
                       PlainReporter(io.StringIO()))
    assert summary.sent == subscribers, summary
    return (cpu() - began) / subscribers, (time.perf_counter() - wall) / subscribers


if __name__ == "__main__":
    main()
