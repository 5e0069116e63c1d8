"""Writing outputs inside out/: each file replaced atomically, all or nothing.

OutputSet keeps a build's files in memory (for --check and for tests);
StagedOutputs writes each file to a temporary file beside its target as soon as
it is made, and renames them all into place only once every writer succeeded,
so a large build does not hold all of its outputs in memory at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import OutputError


def safe_relpath(relpath: str) -> PurePosixPath:
    """A relative path that stays inside its output folder, or OutputError."""
    path = PurePosixPath(relpath)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise OutputError(f"refusing to write '{relpath}': outside the output folder")
    return path


@dataclass
class OutputSet:
    """Files a build produces, keyed by their path relative to out/."""

    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, relpath: str, data: bytes) -> None:
        key = str(safe_relpath(relpath))
        if key in self.files:
            raise OutputError(f"two outputs want the same path '{key}'")
        self.files[key] = data

    def stale(self, out_dir: Path) -> list[str]:
        """Paths whose bytes on disk differ from what this set would write."""
        changed = []
        for relpath, data in sorted(self.files.items()):
            target = out_dir / relpath
            try:
                same = target.read_bytes() == data
            except OSError:
                same = False
            if not same:
                changed.append(relpath)
        return changed


class StagedOutputs:
    """Files staged as hidden temporary files in out/, renamed into place by commit().

    A file whose bytes are already on disk is not staged. commit() makes the
    staged files durable (fsync) and renames them; discard() removes them (and
    folders made for them), leaving out/ as it was. Staging itself only writes
    (no threads, no fsync) so writers may fork worker processes meanwhile.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._root = out_dir.resolve()
        self.paths: set[str] = set()
        self.digests: dict[str, str] = {}  # path -> SHA-256 of its bytes
        self.changed: list[str] = []
        self._staged: dict[str, Path] = {}
        self._made: list[Path] = []
        _remove_leftovers(out_dir)

    def add(self, relpath: str, data: bytes) -> None:
        key = str(safe_relpath(relpath))
        if key in self.paths:
            raise OutputError(f"two outputs want the same path '{key}'")
        self.paths.add(key)
        self.digests[key] = hashlib.sha256(data).hexdigest()
        target = self.out_dir / key
        if not target.resolve().is_relative_to(self._root):
            raise OutputError(f"refusing to write '{key}': a link leads out of {self.out_dir}")
        try:
            if target.read_bytes() == data:
                return
        except OSError:
            pass
        self._mkdirs(target.parent)
        self._staged[key] = _stage(target, data)

    def _mkdirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir(exist_ok=True)
            self._made.append(path)

    def commit(self) -> list[str]:
        """Make the staged files durable, then rename each into place; returns the
        paths that changed."""
        if len(self._staged) > 8:
            # fsync waits on the disk, not the CPU: many files go faster side by side.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(_sync, self._staged.values()))
        else:
            for temp in self._staged.values():
                _sync(temp)
        for key in sorted(self._staged):
            os.replace(self._staged[key], self.out_dir / key)
        self.changed = sorted(self._staged)
        return self.changed

    def discard(self) -> None:
        """Remove everything staged and every folder made for it."""
        for temp in self._staged.values():
            temp.unlink(missing_ok=True)
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()


# What _stage names its files: ".<name>.<8 random characters>.tmp".
_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
# A temporary file older than this is left from a build that was killed.
_LEFTOVER_AGE = 3600.0


def _remove_leftovers(out_dir: Path) -> None:
    """Delete temporary files a killed build left in out/ (not a running build's)."""
    if not out_dir.is_dir():
        return
    cutoff = time.time() - _LEFTOVER_AGE
    for folder, _, names in os.walk(out_dir):
        for name in names:
            if _TEMP.match(name):
                path = Path(folder) / name
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()


def _stage(target: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(target: Path, data: bytes) -> None:
    """Replace one file outside out/ atomically (temporary file, fsync, rename), or
    OutputError; used for posts.lock."""
    try:
        temp = _stage(target, data)
        try:
            _sync(temp)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{target}: can't write it: {exc.strerror or exc}") from None


@contextlib.contextmanager
def staged(out_dir: Path) -> Iterator[StagedOutputs]:
    """Outputs for out_dir that all land when the block ends, or none if it fails."""
    outputs = StagedOutputs(out_dir)
    try:
        yield outputs
    except BaseException:
        outputs.discard()
        raise
    outputs.commit()
