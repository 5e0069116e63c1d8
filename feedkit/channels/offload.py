"""Payloads made in another process, so that the interpreter lock of the process
that hands them over is not spent on them (personalising and signing are most of
the CPU a message costs, and the pool's threads share one interpreter).

A channel that can be rebuilt elsewhere gives a `recipe()`: a picklable callable
that, given a function to log notes with, makes an object whose `payload()` gives
the same parcels the channel would. `Offload` starts `python -m
feedkit.channels.offload` (a fresh interpreter: the sending process has threads, so
it is not forked, and nothing of the caller's main module is run again), one or more
of them (each on a core of its own), sends each the recipe, then chunks of recipients
in turn, and hands back a future of each chunk's results, with the notes the maker
logged (a rendering's warning). Requests and answers are pickles on the child's
standard input and output. A process that ends early fails every open future, which
the pool turns into outcomes like any error.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import IO

from .contract import Parcel, Payloads, Recipient, Undeliverable, cause

Recipe = Callable[[Callable[[str], None]], Payloads]
# ("ok", ident, data, sender, target), or ("undeliverable" | "error", why, b"", "", "")
Made = tuple[str, str, bytes, str, str]
Chunk = tuple[list[Made], list[str]]


ENDED = "the process making the payloads ended"


class PayloadError(Exception):
    """Making a payload in the other process failed; the message is the cause."""


def parcel_of(recipient: Recipient, made: Made) -> Parcel:
    """The parcel, or the exception the channel raised, as if made here."""
    status, text, data, sender, target = made
    if status == "undeliverable":
        raise Undeliverable(text)
    if status != "ok":
        raise PayloadError(text)
    return Parcel(recipient, text, data, sender, target)


class Offload:
    """`processes` processes making payloads from `recipe`, a chunk of recipients at a
    time, the chunks dealt to them in turn."""

    CHUNK = 32
    TIMEOUT = 120.0  # seconds for one chunk, its start-up and first rendering included

    def __init__(self, recipe: Recipe, processes: int = 1) -> None:
        self._makers = [_Maker(recipe) for _ in range(max(1, processes))]
        self._turn = itertools.cycle(self._makers)

    def submit(self, recipients: Sequence[Recipient]) -> Future[Chunk]:
        return next(self._turn).submit(recipients)

    async def result(self, future: asyncio.Future[Chunk]) -> Chunk:
        """A chunk's answer; processes that take longer than TIMEOUT are stopped (then
        every chunk fails at once, rather than each link waiting for ever)."""
        if future.done():  # usually: the processes work ahead of the links
            return future.result()
        done, _ = await asyncio.wait({future}, timeout=self.TIMEOUT)
        if not done:
            for maker in self._makers:
                maker.kill()
            raise PayloadError(f"the process making the payloads took over {self.TIMEOUT:g} s "
                               f"for {self.CHUNK} of them; stopped")
        return future.result()

    def close(self) -> None:
        for maker in self._makers:
            maker.close()


_warm: list[subprocess.Popen[bytes]] = []  # started early, waiting for a recipe


def _spawn(modules: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen([sys.executable, "-m", __name__], env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin is not None
    pickle.dump((sys.path, list(modules)), process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
    process.stdin.flush()
    return process


def prewarm(count: int, modules: Sequence[str]) -> None:
    """Start `count` processes now, importing `modules` while the caller gets on with
    loading what it sends; the next Offload takes them (cool() ends those it didn't)."""
    while len(_warm) < count:
        _warm.append(_spawn(modules))


def cool() -> None:
    """End the processes started early that no Offload took."""
    while _warm:
        process = _warm.pop()
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.close()  # it ends at the end of its input
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class _Maker:
    """One process making payloads."""

    def __init__(self, recipe: Recipe) -> None:
        self._process = _warm.pop() if _warm else _spawn()
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to: IO[bytes] = self._process.stdin
        self._waiting: list[Future[Chunk]] = []  # in the order asked
        self._ended = False
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._send(recipe)
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,),
                                        name="feedkit-payloads", daemon=True)
        self._reader.start()

    def _send(self, item: object) -> None:
        pickle.dump(item, self._to, protocol=pickle.HIGHEST_PROTOCOL)
        self._to.flush()

    def submit(self, recipients: Sequence[Recipient]) -> Future[Chunk]:
        future: Future[Chunk] = Future()
        # The write may wait for the process, which may wait for the reader to take its
        # answers: the reader's lock is never held while writing (only the order lock).
        with self._writing:
            with self._lock:
                if self._ended:
                    future.set_exception(PayloadError(ENDED))
                    return future
                self._waiting.append(future)
            with contextlib.suppress(OSError, ValueError):  # gone: the reader fails it
                self._send([(r.key, r.address, r.name, r.language) for r in recipients])
        return future

    def kill(self) -> None:
        self._process.kill()

    def _read(self, answers: IO[bytes]) -> None:
        try:
            while True:
                chunk: Chunk = pickle.load(answers)
                with self._lock:
                    future = self._waiting.pop(0)
                future.set_result(chunk)
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        with self._lock:
            self._ended = True
            waiting, self._waiting = self._waiting, []
        for future in waiting:
            future.set_exception(PayloadError(ENDED))

    def close(self) -> None:
        with self._lock, contextlib.suppress(OSError):
            self._to.close()
        try:
            self._process.wait(30)  # it ends at the end of its input
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join()


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The other process: import what it is told to, read the recipe, then answer
    chunks until the input ends."""
    import importlib

    path, modules = pickle.load(requests)
    sys.path[:] = path
    for module in modules:
        importlib.import_module(module)
    try:
        recipe = pickle.load(requests)
    except EOFError:  # started early, and not needed after all
        return
    notes: list[str] = []
    maker = recipe(notes.append)
    while True:
        try:
            rows: list[tuple[str, str, str, str | None]] = pickle.load(requests)
        except EOFError:
            return
        made: list[Made] = []
        for recipient in (Recipient(*row) for row in rows):
            try:
                parcel = maker.payload(recipient)
            except Undeliverable as exc:
                made.append(("undeliverable", str(exc), b"", "", ""))
            except Exception as exc:  # the recipient's problem, told to the pool
                made.append(("error", cause(exc), b"", "", ""))
            else:
                made.append(("ok", parcel.ident, parcel.data, parcel.sender, parcel.target))
        pickle.dump((made, list(notes)), answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()
        notes.clear()


if __name__ == "__main__":
    _answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else prints goes to standard error, not into the answers
    sys.stdout = sys.stderr
    _serve(sys.stdin.buffer, _answers)
