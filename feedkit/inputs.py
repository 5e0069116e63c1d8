"""Input files opened safely: regular files only, never larger than a documented limit.

A FIFO or a device given as --registry would hang a command or feed it without
end; a file past the limit is refused before it is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import FeedkitError

MB = 1 << 20
REGISTRY_LIMIT = 512 * MB  # the 100,000-post benchmark registry is about 250 MB
SUBSCRIBERS_LIMIT = 256 * MB


def check_input_file(path: str | Path, what: str, limit: int) -> int:
    """The size of the regular file at `path`; FeedkitError naming it otherwise."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FeedkitError(f"{path}: can't read the {what}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FeedkitError(f"{path}: can't read the {what}: it is {kind}; give the file "
                           "itself")
    if info.st_size > limit:
        raise FeedkitError(f"{path}: the {what} is {info.st_size / MB:,.0f} MB; feedkit reads "
                           f"at most {limit // MB:,} MB")
    return info.st_size


def read_input(path: str | Path, what: str, limit: int) -> bytes:
    """The bytes of a regular input file of at most `limit` bytes."""
    check_input_file(path, what, limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise FeedkitError(f"{path}: can't read the {what}: {exc.strerror}") from None
    if len(data) > limit:
        raise FeedkitError(f"{path}: the {what} grew past {limit // MB:,} MB while read")
    return data
