"""Writing outputs inside out/: each file replaced atomically, all or nothing.

OutputSet keeps a build's files in memory (for --check and for tests);
StagedOutputs writes each file to a temporary file beside its target as soon as
it is made, and puts them all in place only once every writer succeeded, so a
large build does not hold all of its outputs in memory at once. The commit is
journaled (feedkit.journal): a build killed while committing is finished by the
next one. A pruning build also removes the files the previous build wrote that
this one no longer makes (a removed tag's feeds), listed in out/.feedkit-manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

from .errors import OutputError
from .journal import MANIFEST, OutLock, Step, commit, fsync_path, recover, remove_temps


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
    kept: dict[str, str] = field(default_factory=dict)  # path -> SHA-256, left as it is

    def add(self, relpath: str, data: bytes) -> None:
        key = str(safe_relpath(relpath))
        if key in self.files or key in self.kept:
            raise OutputError(f"two outputs want the same path '{key}'")
        self.files[key] = data

    def keep(self, relpath: str, digest: str) -> None:
        key = str(safe_relpath(relpath))
        if key in self.files or key in self.kept:
            raise OutputError(f"two outputs want the same path '{key}'")
        self.kept[key] = digest

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
    """Files staged as hidden temporary files in out/, put in place by commit().

    Holds out/'s lock from creation to commit() or discard(). A file whose bytes
    are already on disk is not staged. commit() makes the staged files durable
    (fsync) and journals and carries out the renames (and, with `prune`, the
    removal of stale files); discard() removes what was staged (and folders made
    for it), leaving out/ as it was. Staging itself only writes (no threads, no
    fsync) so writers may fork worker processes meanwhile.
    """

    def __init__(self, out_dir: Path, *, prune: bool = False) -> None:
        self.out_dir = out_dir
        self.prune = prune
        self.paths: set[str] = set()
        self.digests: dict[str, str] = {}  # path -> SHA-256 of its bytes
        self.changed: list[str] = []
        self.removed: list[str] = []
        self.kept: list[str] = []  # files the last build wrote, left as they are
        self._staged: dict[str, Path] = {}
        self._made: list[Path] = []
        self._lock = OutLock(out_dir)
        self._mkdirs(out_dir)
        try:
            self._lock.take()
            recover(out_dir)
        except OSError as exc:
            self.discard()
            raise OutputError(f"can't tidy up {out_dir}: {_reason(exc)}") from None
        except BaseException:
            self.discard()
            raise
        self._root = out_dir.resolve()

    def add(self, relpath: str, data: bytes) -> None:
        self.adopt(prestage(self.out_dir, self._root, relpath, data))

    def keep(self, relpath: str, digest: str) -> None:
        """A file the last build wrote, left in out/ as it is."""
        self.adopt(Prestaged(str(safe_relpath(relpath)), digest, None))
        self.kept.append(relpath)

    def adopt(self, ready: Prestaged) -> None:
        """Take a file `prestage` made ready (here or in a worker) into this build."""
        if ready.key in self.paths or ready.key == MANIFEST:
            if ready.temp is not None:
                ready.temp.unlink(missing_ok=True)
            raise OutputError(f"two outputs want the same path '{ready.key}'")
        self.paths.add(ready.key)
        self.digests[ready.key] = ready.digest
        if ready.temp is not None:
            self._staged[ready.key] = ready.temp
        elif ready.data is not None:
            target = self.out_dir / ready.key
            self._mkdirs(target.parent)
            self._staged[ready.key] = _stage_or_fail(self.out_dir, target, ready.data)

    def worker_stager(self, folders: Iterable[str]) -> Callable[[str, bytes], Prestaged]:
        """Make `folders` (relative to out/), and return what stages a file there from a
        forked worker, so the bytes are written where they are made instead of being
        sent back; the worker's results go to `adopt`."""
        for folder in sorted(set(folders)):
            self._mkdirs(self.out_dir / folder)
        return partial(prestage, self.out_dir, self._root)

    def _mkdirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            try:
                path.mkdir()
            except FileExistsError:
                continue
            except OSError as exc:
                raise OutputError(f"can't create the folder {path}: {_reason(exc)}") from None
            self._made.append(path)

    def commit(self) -> list[str]:
        """Make the staged files durable, then put them in place through the journal;
        returns the paths that changed."""
        try:
            steps = self._steps()
            _sync_all([self.out_dir / temp for kind, temp, _ in steps if kind == "rename"])
            commit(self.out_dir, steps)
        except OSError as exc:
            raise OutputError(f"can't finish writing {self.out_dir}: {_reason(exc)}; the "
                              "next feedkit build completes it") from None
        finally:
            self._lock.release()
        self._remove_empty_folders()
        self.changed = sorted(key for key in self._staged if key != MANIFEST)
        return self.changed

    def _steps(self) -> list[Step]:
        if self.prune:
            manifest = self.out_dir / MANIFEST
            old = set(_read_lines(manifest))
            self.removed = sorted(p for p in old - self.paths
                                  if p != MANIFEST and (self.out_dir / p).is_file())
            listing = "".join(f"{p}\n" for p in sorted(self.paths)).encode("utf-8")
            if _read_bytes(manifest) != listing:
                self._staged[MANIFEST] = _stage_or_fail(self.out_dir, manifest, listing)
        steps: list[Step] = [("rename", str(Path(key).parent / temp.name), key)
                             for key, temp in sorted(self._staged.items())]
        return steps + [("delete", path, "") for path in self.removed]

    def _remove_empty_folders(self) -> None:
        folders = {(self.out_dir / p).parent for p in self.removed}
        for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
            while folder != self.out_dir and folder.is_relative_to(self.out_dir):
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent

    def discard(self) -> None:
        """Remove everything staged (workers' too) and every folder made for it."""
        for temp in self._staged.values():
            temp.unlink(missing_ok=True)
        if self._lock.held:
            remove_temps(self.out_dir)
        self._lock.release()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()


@dataclass(frozen=True, slots=True)
class Prestaged:
    """A file made ready for a build: its path and SHA-256, and the temporary file
    holding it, or None when out/ already has these bytes; `data` when its folder
    didn't exist yet (the build makes it and stages the bytes itself)."""

    key: str
    digest: str
    temp: Path | None
    data: bytes | None = None


def prestage(out_dir: Path, root: Path, relpath: str, data: bytes) -> Prestaged:
    """Check a file's path, hash it, and stage it beside its target unless the same
    bytes are there already. Safe to call in a worker forked from the build."""
    key = str(safe_relpath(relpath))
    target = out_dir / key
    if not target.resolve().is_relative_to(root):
        raise OutputError(f"refusing to write '{key}': a link leads out of {out_dir}")
    digest = hashlib.sha256(data).hexdigest()
    try:
        if target.read_bytes() == data:
            return Prestaged(key, digest, None)
    except OSError:
        pass
    if not target.parent.is_dir():
        return Prestaged(key, digest, None, data)
    return Prestaged(key, digest, _stage_or_fail(out_dir, target, data))


def _stage_or_fail(out_dir: Path, target: Path, data: bytes) -> Path:
    try:
        return _stage(target, data)
    except OSError as exc:
        raise OutputError(f"can't write {target}: {_reason(exc)}; {out_dir} was left as "
                          "it was") from None


def stale_files(out_dir: Path, paths: set[str]) -> list[str]:
    """Files the last pruning build wrote that a build making `paths` would remove."""
    return sorted(p for p in set(_read_lines(out_dir / MANIFEST)) - paths
                  if (out_dir / p).is_file())


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _read_lines(path: Path) -> list[str]:
    data = _read_bytes(path)
    return [line for line in (data or b"").decode("utf-8", "replace").splitlines() if line]


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


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


def _sync_all(paths: list[Path]) -> None:
    if len(paths) <= 8:
        for path in paths:
            fsync_path(path)
        return
    # fsync waits on the disk, not the CPU: many files go faster side by side, on
    # eight plain threads (concurrent.futures would cost its import, and logging's).
    import threading

    failed: list[OSError] = []

    def sync(share: list[Path]) -> None:
        try:
            for path in share:
                fsync_path(path)
        except OSError as exc:
            failed.append(exc)

    threads = [threading.Thread(target=sync, args=(paths[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        raise failed[0]


def replace_file(target: Path, data: bytes) -> None:
    """Replace one file outside out/ atomically (temporary file, fsync, rename), or
    OutputError; used for posts.lock."""
    try:
        temp = _stage(target, data)
        try:
            fsync_path(temp)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        fsync_path(target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: can't write it: {exc.strerror or exc}") from None


@contextlib.contextmanager
def staged(out_dir: Path, *, prune: bool = False) -> Iterator[StagedOutputs]:
    """Outputs for out_dir that all land when the block ends, or none if it fails."""
    outputs = StagedOutputs(out_dir, prune=prune)
    try:
        yield outputs
    except BaseException:
        outputs.discard()
        raise
    outputs.commit()
