"""A helper process forked as a large build starts: it imports what the digest writers
need (premailer, cssutils, Jinja2, Babel: a fifth of a second) while the build
reads the registry, then renders the files of the writers sent to it, given only
the posts they read and those posts' texts.

Forked while the build is still small, it also keeps those libraries out of the
build's own process (its peak memory). `feedkit build` forks it before it even
knows whether anything changed (`start_early`): a build that patches the last one
takes a few tenths of a second, and the helper's imports are most of them unless
they run beside the rest. A build that needs no helper ends it at once. It is a
plain fork with two pipes: the `multiprocessing` package would cost the build its
import time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_HEADER = struct.Struct("<Q")


def _warm() -> None:
    """Import what the digest writers use, before there is anything to write."""
    import importlib

    from .digest import _premailer

    _premailer()
    for name in ("jinja2", "jinja2.ext", "babel.dates", "babel.support", "feedkit.mail.preview",
                 "feedkit.writers.webdigests"):
        importlib.import_module(name)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int) -> bytes:
    """One message; EOFError when the other end closed first."""
    head = _read(fd, _HEADER.size)
    return _read(fd, _HEADER.unpack(head)[0])


def _read(fd: int, size: int) -> bytes:
    parts = []
    while size:
        block = os.read(fd, min(size, 1 << 20))
        if not block:
            raise EOFError
        parts.append(block)
        size -= len(block)
    return b"".join(parts)


class Helper:
    """The helper process; `submit` sends it work (a picklable callable). `warm` runs
    in it once the libraries are imported: a first rendering of what the build will
    send (templates compiled, the stylesheet parsed), so that the real one is quick."""

    def __init__(self, warm: Callable[[], object] | None = None) -> None:
        to_child, self._to_child = os.pipe()
        self._from_child, from_child = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's side (it never returns)
            os.close(self._to_child)
            os.close(self._from_child)
            code = 0
            try:
                _serve(to_child, from_child, warm)
            except BaseException:
                code = 1
            os._exit(code)
        os.close(to_child)
        os.close(from_child)
        self.pid = pid
        self._status: int | None = None
        self._released = False

    def submit(self, job: Callable[[], T]) -> Callable[[], T]:
        """Send `job`; the function returned waits for its result (or raises its error)."""
        _send(self._to_child, pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))

        def result() -> T:
            try:
                ok, value = pickle.loads(_receive(self._from_child))
            except EOFError:
                raise RuntimeError(f"the helper process died ({self._wait()})") from None
            if not ok:
                raise value
            return value  # type: ignore[no-any-return]

        return result

    def warm(self, job: Callable[[], object]) -> None:
        """Send `job` to run before the work that follows, with no answer: a first
        rendering whose result is thrown away, done while the build works out what
        to send (`_serve` says nothing back about it, nor about its errors)."""
        _send(self._to_child, pickle.dumps(_Quiet(job), protocol=pickle.HIGHEST_PROTOCOL))

    def release(self) -> None:
        """Tell the helper that no more work comes: it ends once it has answered what
        it has, while this process goes on (`close` then only waits for it)."""
        if not self._released:
            self._released = True
            with contextlib.suppress(OSError):
                _send(self._to_child, b"")

    def close(self) -> None:
        """Let the helper end (after the work it has), and wait for it."""
        self.release()
        self._shut()
        self._wait()

    def stop(self) -> None:
        """End the helper now: nothing will be sent to it."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        self._shut()
        self._wait()

    def _shut(self) -> None:
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _wait(self) -> str:
        if self._status is None:
            try:
                self._status = os.waitpid(self.pid, 0)[1]
            except ChildProcessError:
                self._status = 0
        return f"wait status {self._status}"


def _serve(incoming: int, outgoing: int, warm: Callable[[], object] | None
           ) -> None:  # pragma: no cover - in the child
    import gc

    gc.enable()  # the build may run without the cycle collector; the helper's work not
    with contextlib.suppress(Exception):  # the work itself reports what is missing
        _warm()
        if warm is not None:
            warm()
    while True:
        try:
            message = _receive(incoming)
        except EOFError:
            return
        if not message:
            return
        job = None
        try:
            job = pickle.loads(message)
            outcome: tuple[bool, Any] = (True, job())
        except BaseException as exc:  # the build raises it
            outcome = (False, exc)
        if isinstance(job, _Quiet):
            continue
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an error that doesn't pickle: its words do
            data = pickle.dumps((False, RuntimeError(repr(exc))))
        _send(outgoing, data)


class _Quiet:
    """A job whose result (or error) is not sent back (Helper.warm)."""

    def __init__(self, job: Callable[[], object]) -> None:
        self.job = job

    def __call__(self) -> None:
        with contextlib.suppress(Exception):
            self.job()


_early: list[Helper] = []


def start_early(warm: Callable[[], object] | None = None) -> None:
    """Fork the helper now, for the build about to run in this process (`take`)."""
    if not _early:
        _early.append(Helper(warm))


def warm_early(job: Callable[[], object]) -> None:
    """Have the helper `start_early` forked run `job` first, with no answer."""
    if _early:
        with contextlib.suppress(OSError):
            _early[0].warm(job)


def take() -> Helper | None:
    """The helper `start_early` forked, now the build's (None: none was)."""
    return _early.pop() if _early else None


def stop_early() -> None:
    """End the helper `start_early` forked, if no build took it."""
    while _early:
        _early.pop().stop()
