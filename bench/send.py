"""Benchmark `feedkit send`: 10,000 subscribers to a local SMTP sink on 127.0.0.1.

The sink runs in its own process (so it doesn't share the interpreter with the
sender); it accepts every message, counts it and offers PIPELINING. `--delay 0.05`
makes it wait 50 ms before answering each DATA, as a real ESP relay does. The
sender runs the real flow: state in SQLite (WAL, synchronous=NORMAL, a commit
before and after every message), one rendering per period and language, a
personal message per recipient, DKIM-signed with a 2048-bit key (`--no-dkim` to
leave it out), on `--connections` SMTP connections.

    .venv/bin/python bench/send.py [--subscribers N] [--delay 0.05] [--connections 32]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {True: 1000.0, False: 1500.0}  # messages/s (issue 19): a 50 ms relay, an instant sink

SINK = r"""
import asyncio, sys
from aiosmtpd.smtp import SMTP

class Counter:
    count = 0
    size = 0
    async def handle_DATA(self, server, session, envelope):
        Counter.count += 1
        Counter.size += len(envelope.content)
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Counter(), hostname="sink"),
                                      "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    print(Counter.count, Counter.size, flush=True)

asyncio.run(main())
"""

# A minimal SMTP responder: the same conversation, but DATA is read in one piece
# up to the terminating dot instead of line by line, as real MTAs do. It measures
# feedkit rather than aiosmtpd, whose Python line handling is the slower end of
# the pipe on a 2-core machine.
MINIMAL_SINK = r"""
import asyncio, sys

count = size = signed = 0
seen = set()
DELAY = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0

async def session(reader, writer):
    global count, size, signed
    rcpt = b""
    writer.write(b"220 sink ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await writer.drain()
            data = await reader.readuntil(b"\r\n.\r\n")
            if DELAY:
                await asyncio.sleep(DELAY)
            count += 1
            size += len(data)
            signed += data.startswith(b"DKIM-Signature:")
            seen.add(rcpt)
            writer.write(b"250 OK\r\n")
        elif verb == b"RCPT":
            rcpt = line
            writer.write(b"250 OK\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(session, "127.0.0.1", 0, limit=1 << 24)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    import time
    print(count, size, len(seen), signed, time.process_time(), flush=True)

asyncio.run(main())
"""


def write_registry(folder: Path, dkim: bool) -> Path:
    """The example registry in `folder`, signing with a fresh 2048-bit key when `dkim`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    text = (ROOT / "posts.yaml").read_text(encoding="utf-8")
    if dkim:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (folder / "dkim.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        text = text.replace("site:\n", "site:\n  dkim: {selector: bench, key_file: dkim.pem}\n",
                            1)
    registry = folder / "posts.yaml"
    registry.write_text(text, encoding="utf-8")
    return registry


def measure(subscribers: int, delay: float, connections: int, dkim: bool,
            sink_kind: str = "minimal") -> dict[str, float]:
    """One run of `feedkit send` into a fresh sink process; its figures."""
    import resource

    from feedkit.jobs.send import SendRequest, run_send
    from feedkit.progress import PlainReporter
    from feedkit.retry import Backoff

    work = Path(tempfile.mkdtemp(prefix="feedkit-bench-send-"))
    try:
        registry = write_registry(work, dkim)
        with open(work / "subscribers.csv", "w", encoding="utf-8") as out:  # not held: the
            out.write("email,name,language\n")  # peak RSS figure is the sender's
            for i in range(subscribers):
                out.write(f"reader{i}@example.org,Läsare {i},{'en' if i % 10 == 0 else ''}\n")
        code = MINIMAL_SINK if sink_kind == "minimal" else SINK
        sink = subprocess.Popen([sys.executable, "-c", code, str(delay)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        assert sink.stdout is not None and sink.stdin is not None
        port = int(sink.stdout.readline())
        os.environ["FEEDKIT_SECRET"] = "benchmark-secret-0123456789"
        now = datetime.fromisoformat("2020-02-10T12:00+01:00")  # week 3-9 Feb: 4 posts
        start = time.perf_counter()
        cpu_before = _cpu()
        request = SendRequest(registry, "week", now, smtp_url=f"smtp://127.0.0.1:{port}",
                              retry=Backoff(retries=2, delay=0.01), connections=connections)
        summary = run_send(request, PlainReporter(io.StringIO()))
        elapsed = time.perf_counter() - start
        cpu_after = _cpu()
        sink.stdin.close()
        numbers = sink.stdout.readline().split()
        sink.wait(10)
        with sqlite3.connect(work / ".feedkit" / "state.sqlite") as conn:
            sent_rows = conn.execute("SELECT COUNT(*) FROM send_deliveries "
                                     "WHERE status = 'sent'").fetchone()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    received, size, distinct = int(numbers[0]), int(numbers[1]), int(numbers[2])
    signed = int(numbers[3]) if len(numbers) > 3 else 0
    assert summary.sent == received == distinct == sent_rows == subscribers, (summary, numbers)
    assert signed == (received if dkim else 0), numbers
    sink_cpu = float(numbers[4]) if len(numbers) > 4 else 0.0
    return {"rate": received / elapsed, "elapsed": elapsed, "received": received,
            "cpu_sender": (cpu_after[0] - cpu_before[0]) / received * 1000,
            "cpu_payloads": (cpu_after[1] - cpu_before[1]) / received * 1000,
            "cpu_sink": sink_cpu / received * 1000,
            "size": size / received / 1024, "rss": resource.getrusage(
                resource.RUSAGE_SELF).ru_maxrss / 1024}


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its children that ended (the processes
    making payloads, closed at the end of a run)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--sink", choices=("minimal", "aiosmtpd"), default="minimal",
                        help="the SMTP server on 127.0.0.1 that accepts the messages")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds the sink waits before answering each DATA")
    parser.add_argument("--connections", type=int, default=None)
    parser.add_argument("--no-dkim", action="store_true")
    parser.add_argument("--no-offload", action="store_true",
                        help="make the payloads in the sending process's threads")
    parser.add_argument("--processes", type=int, default=None, metavar="N",
                        help="make the payloads in N processes whatever the list's size")
    parser.add_argument("--rounds", type=int, default=1, help="runs; the best is shown")
    parser.add_argument("--floor", type=int, default=0, metavar="N",
                        help="first measure one connection on N subscribers (the old loop)")
    args = parser.parse_args()
    if args.floor:
        floor = measure(args.floor, args.delay, 1, not args.no_dkim, args.sink)
        print(f"floor: 1 connection, {args.floor} subscribers: {floor['rate']:.1f} messages/s")
    if args.no_offload:
        from feedkit.jobs import sendrun

        sendrun.OFFLOAD_FROM = 10**12
    elif args.processes is not None:
        from feedkit.jobs import sendrun

        sendrun.payload_processes = lambda deliveries: args.processes  # type: ignore
        from feedkit.jobs import send

        send.payload_processes = sendrun.payload_processes
    runs = [measure(args.subscribers, args.delay, args.connections, not args.no_dkim,
                    args.sink) for _ in range(args.rounds)]
    got = max(runs, key=lambda r: r["rate"])
    rate = got["rate"]
    target = TARGETS[args.delay > 0]
    print(f"sink               {args.sink}, {args.delay * 1000:.0f} ms per message")
    print(f"connections        {args.connections or 'default'}; DKIM {not args.no_dkim}")
    print(f"subscribers        {args.subscribers}, each received exactly once")
    print(f"message size       {got['size']:.1f} KiB")
    print(f"elapsed            {got['elapsed']:.2f} s (load, render, sign, send, commit)")
    every = ", ".join(f"{r['rate']:.0f}" for r in runs)
    print(f"messages/second    {rate:.0f}, best of {args.rounds} (all: {every}; floor "
          f"{target:.0f}: {rate / target:.2f}x)")
    print(f"load average       {os.getloadavg()[0]:.2f} (2 cores, shared)")
    print(f"CPU per message    sender {got['cpu_sender']:.3f} ms, payload processes "
          f"{got['cpu_payloads']:.3f} ms, sink {got['cpu_sink']:.3f} ms")
    print(f"peak RSS (sender)  {got['rss']:.0f} MB")


if __name__ == "__main__":
    main()
