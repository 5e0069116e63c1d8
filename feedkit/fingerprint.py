"""What outputs depend on besides the registry: feedkit's version and code, and the
installed libraries; one fingerprint for the build cache and the archive memo.

Files are fingerprinted by path, size and modification time (no reading), and the
libraries by the modification time of the folders they are installed in, which
changes whenever a package is installed, upgraded or removed.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any


def hash_files(digest: Any, folder: Path, patterns: tuple[str, ...]) -> None:
    """Feed each matching file's relative path, size and mtime into `digest` (files
    under __pycache__ left out)."""
    from fnmatch import fnmatch

    found: list[tuple[str, int, int]] = []
    stack = [(str(folder), "")]
    while stack:
        where, relative = stack.pop()
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue
        for entry in entries:
            name = f"{relative}{entry.name}"
            if entry.is_dir():
                if entry.name != "__pycache__":
                    stack.append((entry.path, f"{name}/"))
            elif entry.is_file() and any(fnmatch(entry.name, p) for p in patterns):
                stat = entry.stat()
                found.append((name, stat.st_size, stat.st_mtime_ns))
    for name, size, mtime in sorted(found):
        digest.update(f"{name}\0{size}\0{mtime}\0".encode())


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

