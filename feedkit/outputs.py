"""Writing outputs: staged in memory, then each file replaced atomically inside out/."""

from __future__ import annotations

import os
import tempfile
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

    def write(self, out_dir: Path) -> list[str]:
        """Write every file whose bytes changed; returns every path, changed or not."""
        root = out_dir.resolve()
        targets = []
        for relpath in self.stale(out_dir):
            target = out_dir / relpath
            if not target.resolve().is_relative_to(root):
                raise OutputError(f"refusing to write '{relpath}': a link leads out of {out_dir}")
            targets.append((target, self.files[relpath]))
        if len(targets) > 8:
            # fsync waits on the disk, not the CPU: many files go faster side by side.
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(lambda item: write_atomic(*item), targets))
        else:
            for target, data in targets:
                write_atomic(target, data)
        return sorted(self.files)


def write_atomic(target: Path, data: bytes) -> None:
    """Replace `target` with `data` so readers see the old file or the new, never a part."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
