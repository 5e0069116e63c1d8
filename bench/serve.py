"""Benchmark `feedkit serve` under load (issue 11) against a bare floor, with wrk.

    apt-get install wrk                   # Debian's package; not needed by `make test`
    .venv/bin/python bench/serve.py [--seconds 10] [--connections 100]

Both servers run as one uvicorn process each (uvloop, httptools, no access log) on
127.0.0.1, one after the other, with wrk (2 threads, keep-alive) as the client:

- the floor: a bare Starlette app that writes one SQLite row per POST (WAL,
  synchronous=NORMAL) and answers a conditional GET with 304;
- feedkit serve: one-click unsubscribes (RFC 8058 POSTs, each for another
  subscriber, every one checked in the state afterwards) and conditional GETs of
  out/atom.xml (304).

Prints requests/s, p99 latency and errors for each, and the ratios to the floor.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
SECRET = "bench-secret-0123456789abcdef"

FLOOR = r"""
import sqlite3, sys
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
import uvicorn

conn = sqlite3.connect(sys.argv[2], isolation_level=None, check_same_thread=False)
conn.execute("PRAGMA journal_mode=WAL"); conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, token TEXT, at REAL)")
ETAG = '"floor"'

async def post(request):
    body = await request.body()
    conn.execute("INSERT INTO hits (token, at) VALUES (?, julianday('now'))",
                 (request.query_params.get("token", ""),))
    return Response(b"ok", media_type="text/plain")

async def get(request):
    if request.headers.get("if-none-match") == ETAG:
        return Response(status_code=304, headers={"ETag": ETAG})
    return Response(b"<feed/>", headers={"ETag": ETAG}, media_type="application/atom+xml")

app = Starlette(routes=[Route("/unsubscribe", post, methods=["POST"]),
                        Route("/atom.xml", get)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False,
            log_level="warning")
"""

POST_LUA = r"""
local tokens = {}
for line in io.lines("%s") do tokens[#tokens + 1] = line end
local counter = 1
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads - 1)
end
function init(args)
  counter = offset + 1
end
function request()
  local token = tokens[counter]
  counter = counter + 2
  if counter > #tokens then counter = offset + 1 end
  return wrk.format("POST", "%s?token=" .. token,
    {["Content-Type"] = "application/x-www-form-urlencoded"}, "List-Unsubscribe=One-Click")
end
"""
# Paced: each connection waits 40 ms before its next request, so 100 connections
# offer about 100 / (0.040 s + latency), over 2,000 requests/s: the latency
# at that load, rather than the queueing of a saturated server.
PACE_LUA = "function delay() return 40 end\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def wrk(url: str, seconds: int, connections: int, *extra: str) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rate": rate,
        "total": total,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


def site(folder: Path, subscribers: int) -> tuple[Path, Path, Path]:
    from send_helpers import REGISTRY

    from feedkit.mail.tokens import sign
    from feedkit.state import SendState
    from feedkit.state.listing import Consent

    registry = folder / "posts.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1600000000"}
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from feedkit.cli import main; main()",
            "build",
            "--registry",
            str(registry),
            "--out",
            str(folder / "out"),
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    state = SendState.open(folder / ".feedkit" / "state.sqlite")
    addresses = [f"reader{i}@example.org" for i in range(subscribers)]
    state.import_entries(
        ((a, a, "", None) for a in addresses),
        Consent("imported", "2020-01-01T00:00:00+00:00", "import"),
    )
    state.close()
    signed = [sign("unsubscribe", a, SECRET.encode()) for a in addresses]
    first, later = folder / "tokens.txt", folder / "tokens-paced.txt"
    cut = len(signed) * 2 // 3  # the saturated run's share; the paced run gets the rest
    first.write_text("\n".join(signed[:cut]) + "\n", encoding="ascii")
    later.write_text("\n".join(signed[cut:]) + "\n", encoding="ascii")
    return registry, first, later


def serve_feedkit(registry: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FEEDKIT_SECRET": SECRET}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from feedkit.cli import main; main()",
            "serve",
            "--registry",
            str(registry),
            "--out",
            str(registry.parent / "out"),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--subscribers", type=int, default=120_000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="feedkit-bench-serve-"))
    try:
        registry, tokens, later = site(folder, args.subscribers)
        results: dict[str, dict[str, float]] = {}

        port = free_port()
        floor = subprocess.Popen(
            [sys.executable, "-c", FLOOR, str(port), str(folder / "floor.sqlite")]
        )
        wait_for(port)
        lua = folder / "floor.lua"
        lua.write_text(POST_LUA % (tokens, "/unsubscribe"), encoding="utf-8")
        results["floor POST"] = wrk(
            f"http://127.0.0.1:{port}/unsubscribe", args.seconds, args.connections, "-s", str(lua)
        )
        paced = folder / "floor-paced.lua"
        paced.write_text(POST_LUA % (later, "/unsubscribe") + PACE_LUA, encoding="utf-8")
        results["floor paced"] = wrk(
            f"http://127.0.0.1:{port}/unsubscribe", args.seconds, args.connections, "-s", str(paced)
        )
        results["floor 304"] = wrk(
            f"http://127.0.0.1:{port}/atom.xml",
            args.seconds,
            args.connections,
            "-H",
            'If-None-Match: "floor"',
        )
        stop(floor)

        port = free_port()
        served = serve_feedkit(registry, port)
        wait_for(port)
        base = f"http://127.0.0.1:{port}/dagbok/"
        lua = folder / "feedkit.lua"
        lua.write_text(POST_LUA % (tokens, "/dagbok/unsubscribe"), encoding="utf-8")
        paced = folder / "paced.lua"
        paced.write_text(POST_LUA % (later, "/dagbok/unsubscribe") + PACE_LUA, encoding="utf-8")
        results["feedkit paced"] = wrk(
            base + "unsubscribe", args.seconds, args.connections, "-s", str(paced)
        )
        results["feedkit one-click"] = wrk(
            base + "unsubscribe", args.seconds, args.connections, "-s", str(lua)
        )
        import urllib.request

        with urllib.request.urlopen(base + "atom.xml") as answer:
            etag = answer.headers["ETag"]
        results["feedkit 304"] = wrk(
            base + "atom.xml", args.seconds, args.connections, "-H", f"If-None-Match: {etag}"
        )
        stop(served)
        with sqlite3.connect(folder / ".feedkit" / "state.sqlite") as conn:
            recorded = conn.execute(
                "SELECT COUNT(*) FROM list_subscribers WHERE status = 'unsubscribed'"
            ).fetchone()[0]
            suppressed = conn.execute("SELECT COUNT(*) FROM send_suppressed").fetchone()[0]
        posted = int(results["feedkit one-click"]["total"] + results["feedkit paced"]["total"])
        for name, figures in results.items():
            print(
                f"{name:<18} {figures['rate']:>9.0f} req/s  p99 {figures['p99_ms']:7.2f} ms  "
                f"requests {int(figures['total']):>7}  non-2xx/3xx {int(figures['non2xx'])}"
                f"  socket errors {int(figures['errors'])}"
            )
        print(
            f"one-click: {posted} answered, {recorded} unsubscribed in the state, "
            f"{suppressed} on the suppression list (distinct subscribers: "
            f"{min(posted, args.subscribers)})"
        )
        print(
            f"ratios: one-click / floor POST "
            f"{results['feedkit one-click']['rate'] / results['floor POST']['rate']:.2f}, "
            f"304 / floor 304 "
            f"{results['feedkit 304']['rate'] / results['floor 304']['rate']:.2f}"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
