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


def start(registry: Path, state: str | None, recipient: str,
          grace: float) -> subprocess.Popen[bytes]:
    """The janitor for `recipient`, ready (it has read its orders) when this returns.
    It removes the subscriber at once when the doctor is gone, and again `grace`
    seconds later, in case a request the doctor had in flight still reached the server."""
    process = subprocess.Popen([sys.executable, "-m", "feedkit.doctor.janitor"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               start_new_session=True, close_fds=True)
    assert process.stdin is not None and process.stdout is not None
    orders = {"registry": str(registry), "state": state, "recipient": recipient,
              "grace": grace}
    process.stdin.write(json.dumps(orders).encode("utf-8") + b"\n")
    process.stdin.flush()
    process.stdout.readline()  # "ready": its signal handlers are set
    return process


def finish(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """Tell the janitor the doctor finished its request, close the pipe and wait for
    the janitor; its exit status (0: removed)."""
    assert process.stdin is not None
    try:
        process.stdin.write(b"done")
        process.stdin.close()
    except OSError:
        pass
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        return -1


def main() -> int:
    import time

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    orders = json.loads(sys.stdin.buffer.readline() or b"{}")
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    finished = sys.stdin.buffer.read(4096) == b"done"
    while sys.stdin.buffer.read(4096):
        pass
    from ..state import locate

    for wait in (0.0,) if finished else (0.0, float(orders["grace"])):
        time.sleep(wait)
        try:
            state = locate(orders["state"], Path(orders["registry"])).open()
            try:
                state.forget_probes(orders["recipient"])
            finally:
                state.close()
        except Exception:  # the next doctor run removes it (forget_probes())
            return 1
    return 0


if __name__ == "__main__":
    os._exit(main())
