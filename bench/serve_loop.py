"""The event loop of `feedkit serve` under load (issue 20), for bench/serve.py: the p99
latency of a paced conditional GET of out/atom.xml (304) alone, and while 50
connections POST subscribe forms continuously (with the default limits, and with
none), with wrk. Goal: loaded p99 at most 2x idle.

    .venv/bin/python bench/serve.py --only-loop [--seconds 8] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from serve import SECRET, free_port, stop, wait_for, wrk

SUBSCRIBE_LUA = r"""
local counter = 0
local id = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function request()
  counter = counter + 1
  local body = "form_token=%s&email=bench" .. id .. "x" .. counter .. "%%40example.org"
  return wrk.format("POST", "%s", {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Sec-Fetch-Site"] = "same-origin"}, body)
end
"""
# The probe: 4 connections, each waiting 20 ms between requests (about 200 a second),
# so that it measures latency, not its own load.
PROBE_LUA = "function delay() return 20 end\n"


def loop_under_load(registry: Path, args: argparse.Namespace, *, limits: bool
                    ) -> dict[str, dict[str, float]]:
    """p99 of paced 304s alone, then while 50 connections POST subscribes: with the
    default limits (an attack: after the client's ten, 429s) or without any (every
    POST a new pending subscriber and a confirmation message)."""
    folder = registry.parent
    fresh_day(registry)
    port = free_port()
    log = (folder / "serve.log").open("ab")  # the access log, as a file would take it
    env = {**os.environ, "FEEDKIT_SECRET": SECRET}
    env.pop("FEEDKIT_SMTP_URL", None)
    served = subprocess.Popen(
        [sys.executable, "-c", "from feedkit.cli import main; main()", "serve",
         "--registry", str(registry), "--out", str(folder / "out"), "--port", str(port),
         "--min-fill", "0", "--dns-server", "off", "--log-level", args.log_level,
         *(() if limits else ("--limit-client", "100000000", "--limit-domain", "100000000",
                              "--limit-site", "100000000"))],
        env=env, stdout=subprocess.DEVNULL, stderr=log)
    wait_for(port)
    base = f"http://127.0.0.1:{port}/dagbok/"
    with urllib.request.urlopen(base + "atom.xml") as answer:
        etag = answer.headers["ETag"]
    with urllib.request.urlopen(base + "subscribe") as answer:
        token = re.search(r'name="form_token" value="([a-z0-9]+)"',
                          answer.read().decode()).group(1)  # type: ignore[union-attr]
    probe = folder / "probe.lua"
    probe.write_text(PROBE_LUA, encoding="utf-8")
    posts = folder / "subscribe.lua"
    posts.write_text(SUBSCRIBE_LUA % (token, "/dagbok/subscribe"), encoding="utf-8")
    header = f"If-None-Match: {etag}"
    results = {"304 idle": wrk(base + "atom.xml", args.seconds, 4, "-s", str(probe),
                               "-H", header)}
    loaded: dict[str, dict[str, float]] = {}

    def load() -> None:
        loaded["subscribe POST"] = wrk(base + "subscribe", args.seconds + 2, 50, "-s",
                                       str(posts))

    poster = threading.Thread(target=load)
    poster.start()
    time.sleep(1)  # the load is on before the probe starts
    results["304 loaded"] = wrk(base + "atom.xml", args.seconds, 4, "-s", str(probe),
                                "-H", header)
    poster.join()
    results |= loaded
    stop(served)
    log.close()
    return results


def fresh_day(registry: Path) -> None:
    """Every run starts from the same list: no requests counted in the last hour, no
    pending subscribers (earlier runs' would make each run's state work larger)."""
    from feedkit.state import locate

    state = locate(None, registry).open()
    try:
        with state.transaction():
            state.prune_attempts("9999")  # every row is older than that
            state.expire_pending("9999")
    finally:
        state.close()


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def report_loop(registry: Path, args: argparse.Namespace) -> None:
    """The event loop under load, `args.runs` times; each run's figures and the best."""
    print(f"feedkit serve --log-level {args.log_level}")
    for limits in {"both": (True, False), "on": (True,), "off": (False,)}[args.limits]:
        kind = "default limits (429 past them)" if limits else "no limits (every POST mails)"
        ratios, idle, loaded = [], [], []
        for run in range(args.runs):
            print(f"loop, {kind}, run {run + 1}: {machine_load()}")
            figures = loop_under_load(registry, args, limits=limits)
            for name, got in figures.items():
                print(f"  {name:<15} {got['rate']:>8.0f} req/s  p99 {got['p99_ms']:7.2f} ms  "
                      f"non-2xx/3xx {int(got['non2xx'])}  socket errors {int(got['errors'])}")
            idle.append(figures["304 idle"]["p99_ms"])
            loaded.append(figures["304 loaded"]["p99_ms"])
            ratio = loaded[-1] / idle[-1]
            ratios.append(ratio)
            print(f"  p99 of a 304 under 50 subscribing connections / idle: {ratio:.2f}")
        print(f"{kind}: per run {min(ratios):.2f} to {max(ratios):.2f}; best loaded p99 "
              f"{min(loaded):.2f} ms / best idle p99 {min(idle):.2f} ms = "
              f"{min(loaded) / min(idle):.2f} (goal: <= 2)")
