"""What outputs depend on besides the registry: feedkit's version and code, and the
installed libraries; one fingerprint for the build cache and the archive memo.

Files are fingerprinted by path, size and modification time (no reading), and the
libraries by the modification time of the folders they are installed in, which
changes whenever a package is installed, upgraded or removed.
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any


def hash_files(digest: Any, folder: Path, patterns: tuple[str, ...]) -> None:
    """Feed each matching file's relative path, size and mtime into `digest`."""
    for pattern in patterns:
        for path in sorted(folder.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0"
                              f"{stat.st_mtime_ns}\0".encode())


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over feedkit's version, its code and catalogs, and the library folders."""
    import feedkit

    digest = hashlib.sha256(f"{feedkit.__version__}\0{sys.version}\0".encode())
    hash_files(digest, Path(feedkit.__file__).parent, ("*.py", "*.po"))
    for entry in sorted(set(sys.path)):
        if entry.endswith(("site-packages", "dist-packages")):
            try:
                digest.update(f"{entry}\0{Path(entry).stat().st_mtime_ns}\0".encode())
            except OSError:
                continue
    return digest.hexdigest()

