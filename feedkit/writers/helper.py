"""A helper process forked as a large build starts: it imports what the digest writers
need (premailer, cssutils, Jinja2, Babel: a fifth of a second) while the build
reads the registry, then renders the files of the writers sent to it, given only
the posts they read and those posts' texts.

Forked while the build is still small, it also keeps those libraries out of the
build's own process (its peak memory).
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _warm() -> None:
    """Import what the digest writers use, before there is anything to write."""
    import importlib

    from .digest import _premailer

    _premailer()
    for name in ("jinja2", "jinja2.ext", "babel.dates", "babel.support", "feedkit.mail.preview",
                 "feedkit.writers.webdigests"):
        importlib.import_module(name)


class Helper:
    """The helper process; `submit` sends it work (a picklable callable)."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=True)
        self._process = context.Process(target=_serve, args=(child_end,), daemon=True)
        self._process.start()
        child_end.close()
        self._busy = False

    def submit(self, job: Callable[[], T]) -> Callable[[], T]:
        """Send `job`; the function returned waits for its result (or raises its error)."""
        self._conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        self._busy = True

        def result() -> T:
            try:
                ok, value = pickle.loads(self._conn.recv_bytes())
            except EOFError:
                raise RuntimeError(f"the helper process died (exit "
                                   f"{self._process.exitcode})") from None
            finally:
                self._busy = False
            if not ok:
                raise value
            return value  # type: ignore[no-any-return]

        return result

    def close(self) -> None:
        """Let the helper end (after the work it has), and wait for it."""
        with contextlib.suppress(OSError):
            self._conn.send_bytes(b"")
        self._conn.close()
        self._process.join(10)
        if self._process.is_alive():  # pragma: no cover - a helper stuck in its work
            self._process.kill()
            self._process.join()


def _serve(conn: Any) -> None:
    with contextlib.suppress(Exception):  # the work itself reports what is missing
        _warm()
    while True:
        try:
            message = conn.recv_bytes()
        except EOFError:
            return
        if not message:
            return
        try:
            outcome: tuple[bool, Any] = (True, pickle.loads(message)())
        except BaseException as exc:  # the build raises it
            outcome = (False, exc)
        conn.send_bytes(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
