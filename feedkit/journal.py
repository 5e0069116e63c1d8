"""Committing a build into out/ the way a database commits: a lock, a journal, recovery.

While a build writes out/, it holds an flock() on out/.feedkit-build (the kernel
drops it when the process dies, even on SIGKILL). Its files are staged as
hidden temporary files beside their targets. To commit, it first writes the
list of renames and deletions to out/.feedkit-journal (fsynced), then carries
them out, then removes the journal. Whoever takes the lock next and finds a
journal rolls it forward, so out/ is always either the whole old build or the
whole new one once any feedkit command has touched it; temporary files that no
journal names are removed then too.

Fault injection for the crash tests: FEEDKIT_FAULT=commit:N makes the process
kill itself (SIGKILL) after N of the journal's steps.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import signal
from pathlib import Path

from .errors import OutputError

LOCK = ".feedkit-build"
JOURNAL = ".feedkit-journal"
MANIFEST = ".feedkit-manifest"
# What outputs.stage names its files: ".<name>.<8 random characters>.tmp".
TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
FAULT_ENV = "FEEDKIT_FAULT"

Step = tuple[str, str, str]  # ("rename", temp, target) or ("delete", path, "")
_HELD: set[int] = set()  # lock descriptors this process holds


def _close_in_child() -> None:
    """A forked worker must not keep out/'s lock alive after its parent died."""
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class OutLock:
    """The exclusive right to change out/; `take()` raises OutputError if a live
    feedkit build holds it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / LOCK
        self._fd: int | None = None

    def take(self) -> None:
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(f"can't write in {self.out_dir}: {_reason(exc)}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip()
                os.close(fd)
                who = f" (process {holder})" if holder.isdigit() else ""
                raise OutputError(f"another feedkit build is writing {self.out_dir}{who}; "
                                  "run this one again when it has finished") from None
            # The file may have been removed by the holder we waited for: lock anew.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        _HELD.add(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Remove the lock file and let go of it (no-op when not held)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        _HELD.discard(fd)
        os.close(fd)


def recover(out_dir: Path) -> list[str]:
    """Finish a killed build's commit and remove its temporary files (lock held).

    Returns the paths the journal still had to put in place.
    """
    finished: list[str] = []
    journal = out_dir / JOURNAL
    if journal.exists():
        steps = read_journal(journal)
        for kind, source, target in steps:
            if kind == "rename" and (out_dir / source).exists():
                os.replace(out_dir / source, out_dir / target)
                finished.append(target)
            elif kind == "delete":
                with contextlib.suppress(FileNotFoundError):
                    (out_dir / source).unlink()
                    finished.append(source)
        _sync_dirs(out_dir, steps)
        journal.unlink()
    remove_temps(out_dir)
    return finished


def remove_temps(out_dir: Path) -> None:
    """Remove every temporary file feedkit names in out/ (the lock must be held)."""
    for folder, _, names in os.walk(out_dir):
        for name in names:
            if TEMP.match(name):
                with contextlib.suppress(OSError):
                    (Path(folder) / name).unlink()


def settle(out_dir: Path) -> None:
    """Recover out/ if a killed build left it mid-commit and no build is running now."""
    if not ((out_dir / JOURNAL).exists() or (out_dir / LOCK).exists()):
        return
    lock = OutLock(out_dir)
    try:
        lock.take()
    except OutputError:
        return  # a build is running: it owns out/ now
    try:
        recover(out_dir)
    finally:
        lock.release()


def read_journal(path: Path) -> list[Step]:
    """The steps of a journal; a journal cut short (no end line) was never acted on."""
    lines = path.read_text("utf-8").splitlines()
    if not lines or lines[-1] != "end":
        return []
    steps: list[Step] = []
    for line in lines[1:-1]:
        kind, source, target = [*line.split("\t"), "", ""][:3]
        steps.append((kind, source, target))
    return steps


def commit(out_dir: Path, steps: list[Step]) -> None:
    """Journal the steps durably, carry them out, then drop the journal."""
    journal = out_dir / JOURNAL
    body = "feedkit journal 1\n" + "".join(f"{k}\t{s}\t{t}\n" for k, s, t in steps) + "end\n"
    fd = os.open(journal, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, body.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_path(out_dir)
    fault = _fault_after()
    for done, (kind, source, target) in enumerate(steps):
        if fault is not None and done == fault:
            os.kill(os.getpid(), signal.SIGKILL)
        if kind == "rename":
            os.replace(out_dir / source, out_dir / target)
        else:
            with contextlib.suppress(FileNotFoundError):
                (out_dir / source).unlink()
    _sync_dirs(out_dir, steps)
    journal.unlink()


def _fault_after() -> int | None:
    value = os.environ.get(FAULT_ENV, "")
    if value.startswith("commit:") and value[7:].isdigit():
        return int(value[7:])
    return None


def _sync_dirs(out_dir: Path, steps: list[Step]) -> None:
    folders = {(out_dir / source).parent for _, source, _ in steps} | {out_dir}
    for folder in sorted(folders):
        with contextlib.suppress(OSError):
            fsync_path(folder)


def fsync_path(path: Path) -> None:
    """Make a file's (or a folder's entries') bytes durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{exc.strerror} (is it read-only?)"
    return exc.strerror or str(exc)
