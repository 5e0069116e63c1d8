"""Benchmark `feedkit send`: 10,000 subscribers to a local SMTP sink on 127.0.0.1.

The sink is aiosmtpd in its own process (so it doesn't share the interpreter with
the sender); it accepts every message and counts it. The sender runs the real
flow: state in SQLite (WAL, synchronous=NORMAL, a commit before and after every
message), one rendering per period and language, a personal message per
recipient, one reused SMTP connection.

    .venv/bin/python bench/send.py [--subscribers N]
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
TARGET = 300.0  # messages per second (issue 4)

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

count = size = 0

async def session(reader, writer):
    global count, size
    writer.write(b"220 sink ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await writer.drain()
            data = await reader.readuntil(b"\r\n.\r\n")
            count += 1
            size += len(data)
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
    print(count, size, flush=True)

asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--sink", choices=("minimal", "aiosmtpd"), default="minimal",
                        help="the SMTP server on 127.0.0.1 that accepts the messages")
    args = parser.parse_args()

    from feedkit.jobs.send import SendRequest, run_send
    from feedkit.progress import PlainReporter
    from feedkit.retry import Backoff

    work = Path(tempfile.mkdtemp(prefix="feedkit-bench-send-"))
    try:
        registry = work / "posts.yaml"
        shutil.copy(ROOT / "posts.yaml", registry)
        lines = ["email,name,language"]
        lines += [f"reader{i}@example.org,Läsare {i},{'en' if i % 10 == 0 else ''}"
                  for i in range(args.subscribers)]
        (work / "subscribers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        code = MINIMAL_SINK if args.sink == "minimal" else SINK
        sink = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        assert sink.stdout is not None and sink.stdin is not None
        port = int(sink.stdout.readline())
        os.environ["FEEDKIT_SECRET"] = "benchmark-secret-0123456789"
        now = datetime.fromisoformat("2020-02-10T12:00+01:00")  # week 3-9 Feb: 4 posts
        start = time.perf_counter()
        request = SendRequest(registry, "week", now, smtp_url=f"smtp://127.0.0.1:{port}",
                              retry=Backoff(retries=2, delay=0.01))
        summary = run_send(request, PlainReporter(io.StringIO()))
        elapsed = time.perf_counter() - start
        sink.stdin.close()
        received, size = (int(x) for x in sink.stdout.readline().split())
        sink.wait(10)
        with sqlite3.connect(work / ".feedkit" / "state.sqlite") as conn:
            sent_rows = conn.execute("SELECT COUNT(*) FROM send_deliveries "
                                     "WHERE status = 'sent'").fetchone()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert summary.sent == received == sent_rows == args.subscribers, (summary, received)
    rate = received / elapsed
    print(f"sink               {args.sink}")
    print(f"subscribers        {args.subscribers}")
    print(f"messages received  {received} ({size / received / 1024:.1f} KiB each)")
    print(f"rows marked sent   {sent_rows}")
    print(f"elapsed            {elapsed:.2f} s (load, render, send, commit)")
    print(f"messages/second    {rate:.0f} (target {TARGET:.0f}: {rate / TARGET:.2f}x)")


if __name__ == "__main__":
    main()
