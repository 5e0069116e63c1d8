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

With --postgres, feedkit serve runs a third time with its state on PostgreSQL
(Debian's server in a temporary cluster on 127.0.0.1, fsync and synchronous commit on,
the same subscribers copied in by `feedkit state migrate`).

Then (issue 20) the event loop under load: the p99 latency of a paced conditional
GET of out/atom.xml (304) alone, and again while 50 connections POST subscribe forms
continuously (each a new address: a state transaction and a confirmation message,
mailed to the Maildir outbox after the answer). Goal: loaded p99 at most 2x idle.
--only-loop runs just this part.

Prints requests/s, p99 latency and errors for each, and the ratios to the floor.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
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
    from feedkit.state import locate
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
    state = locate(None, registry).open()
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


def serve_feedkit(registry: Path, port: int, *state: str) -> subprocess.Popen[bytes]:
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
            "--log-level",
            "warning",  # no access line per request: the figures stay comparable
            *state,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(30)


def floor(folder: Path, tokens: Path, later: Path, args: argparse.Namespace
          ) -> dict[str, dict[str, float]]:
    """The bare app: one SQLite row per POST, saturated and paced, and 304s."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", FLOOR, str(port),
                               str(folder / "floor.sqlite")])
    wait_for(port)
    url = f"http://127.0.0.1:{port}/"
    lua = folder / "floor.lua"
    lua.write_text(POST_LUA % (tokens, "/unsubscribe"), encoding="utf-8")
    paced = folder / "floor-paced.lua"
    paced.write_text(POST_LUA % (later, "/unsubscribe") + PACE_LUA, encoding="utf-8")
    results = {
        "floor POST": wrk(url + "unsubscribe", args.seconds, args.connections, "-s", str(lua)),
        "floor paced": wrk(url + "unsubscribe", args.seconds, args.connections, "-s",
                           str(paced)),
        "floor 304": wrk(url + "atom.xml", args.seconds, args.connections, "-H",
                         'If-None-Match: "floor"'),
    }
    stop(server)
    return results


def measure(name: str, registry: Path, tokens: Path, later: Path, args: argparse.Namespace,
            *state: str) -> dict[str, dict[str, float]]:
    """feedkit serve (with `state` options): one-click paced and saturated, then 304s."""
    import urllib.request

    folder = registry.parent
    port = free_port()
    served = serve_feedkit(registry, port, *state)
    wait_for(port)
    base = f"http://127.0.0.1:{port}/dagbok/"
    lua = folder / f"{name}.lua"
    lua.write_text(POST_LUA % (tokens, "/dagbok/unsubscribe"), encoding="utf-8")
    paced = folder / f"{name}-paced.lua"
    paced.write_text(POST_LUA % (later, "/dagbok/unsubscribe") + PACE_LUA, encoding="utf-8")
    results = {
        f"{name} paced": wrk(base + "unsubscribe", args.seconds, args.connections, "-s",
                             str(paced)),
        f"{name} one-click": wrk(base + "unsubscribe", args.seconds, args.connections, "-s",
                                 str(lua)),
    }
    with urllib.request.urlopen(base + "atom.xml") as answer:
        etag = answer.headers["ETag"]
    results[f"{name} 304"] = wrk(base + "atom.xml", args.seconds, args.connections, "-H",
                                 f"If-None-Match: {etag}")
    stop(served)
    return results


def recorded(where: str, registry: Path) -> tuple[int, int]:
    """(unsubscribed subscribers, suppressed addresses) in the state at `where`."""
    from feedkit.state import locate

    state = locate(where, registry).open()
    try:
        return len(state.list_entries("unsubscribed")), len(state.suppressed())
    finally:
        state.close()


def report(name: str, results: dict[str, dict[str, float]], where: str, registry: Path,
           subscribers: int) -> None:
    unsubscribed, suppressed = recorded(where, registry)
    posted = int(results[f"{name} one-click"]["total"] + results[f"{name} paced"]["total"])
    print(f"{name} one-click: {posted} answered, {unsubscribed} unsubscribed in the state, "
          f"{suppressed} on the suppression list (distinct subscribers: "
          f"{min(posted, subscribers)})")


def main() -> None:
    from serve_loop import report_loop  # the event loop under load (issue 20)

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--subscribers", type=int, default=120_000)
    parser.add_argument("--postgres", action="store_true",
                        help="also run feedkit serve with its state on PostgreSQL")
    parser.add_argument("--only-loop", action="store_true",
                        help="only the event loop under load (issue 20)")
    parser.add_argument("--runs", type=int, default=3,
                        help="how many times the loop figures are taken (best of)")
    parser.add_argument("--limits", choices=("both", "on", "off"), default="both",
                        help="the loop with the default limits, with none, or both")
    parser.add_argument("--log-level", default="info",
                        help="feedkit serve's --log-level in the loop (info: one access "
                        "line per request, as served by default)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    folder = Path(tempfile.mkdtemp(prefix="feedkit-bench-serve-"))
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, folder, ignore_errors=True)
        registry, tokens, later = site(folder, args.subscribers)
        if args.only_loop:
            report_loop(registry, args)
            return
        sqlite_state = str(folder / ".feedkit" / "state.sqlite")
        states = {"feedkit": sqlite_state}
        if args.postgres:
            from pg import postgres_server

            from feedkit.jobs.statecopy import migrate_state

            states["postgres"] = cleanup.enter_context(postgres_server(durable=True))
            migrate_state(Path(sqlite_state), states["postgres"])
        results = floor(folder, tokens, later, args)
        for name, where in states.items():
            options = ("--state", where) if name == "postgres" else ()
            results |= measure(name, registry, tokens, later, args, *options)
        for name, figures in results.items():
            print(
                f"{name:<19} {figures['rate']:>9.0f} req/s  p99 {figures['p99_ms']:7.2f} ms  "
                f"requests {int(figures['total']):>7}  non-2xx/3xx {int(figures['non2xx'])}"
                f"  socket errors {int(figures['errors'])}"
            )
        for name, where in states.items():
            report(name, results, where, registry, args.subscribers)
        print(
            f"ratios: one-click / floor POST "
            f"{results['feedkit one-click']['rate'] / results['floor POST']['rate']:.2f}, "
            f"304 / floor 304 "
            f"{results['feedkit 304']['rate'] / results['floor 304']['rate']:.2f}"
        )
        if args.postgres:
            ratio = results["postgres one-click"]["rate"] / results["feedkit one-click"]["rate"]
            print(f"PostgreSQL / SQLite one-click {ratio:.2f}, "
                  f"paced p99 {results['postgres paced']['p99_ms']:.1f} ms vs "
                  f"{results['feedkit paced']['p99_ms']:.1f} ms")
        report_loop(registry, args)


if __name__ == "__main__":
    main()
