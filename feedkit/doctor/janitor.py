"""The test subscriber's janitor: a process of its own that removes the doctor's test
subscriber once the doctor is gone, however it went (finished, interrupted, killed).

The doctor starts it before it adds the subscriber and writes one JSON line on its
stdin (registry, state, recipient: never on the command line, where a PostgreSQL
password would show); the janitor then waits for end of file, which comes when the
doctor closes the pipe or dies, and removes the subscriber. It ignores SIGINT and
SIGTERM (and runs in a session of its own), so stopping the doctor never stops it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path


def start(registry: Path, state: str | None, recipient: str) -> subprocess.Popen[bytes]:
    """The janitor for `recipient`, ready (it has read its orders) when this returns."""
    process = subprocess.Popen([sys.executable, "-m", "feedkit.doctor.janitor"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               start_new_session=True, close_fds=True)
    assert process.stdin is not None and process.stdout is not None
    orders = {"registry": str(registry), "state": state, "recipient": recipient}
    process.stdin.write(json.dumps(orders).encode("utf-8") + b"\n")
    process.stdin.flush()
    process.stdout.readline()  # "ready": its signal handlers are set
    return process


def finish(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """Close the pipe and wait for the janitor; its exit status (0: removed)."""
    assert process.stdin is not None
    process.stdin.close()
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        return -1


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    orders = json.loads(sys.stdin.buffer.readline() or b"{}")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while sys.stdin.buffer.read(4096):
        pass
    from ..state import locate

    state = locate(orders["state"], Path(orders["registry"])).open()
    try:
        state.forget_probes(orders["recipient"])
    finally:
        state.close()
    return 0


if __name__ == "__main__":
    os._exit(main())
