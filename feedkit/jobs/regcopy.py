"""The registry as the last build read it, kept in .feedkit/cache/ to find what changed.

A build compares posts.yaml with these bytes (jobs/patch.py): the bytes both share
at the start and at the end are unchanged, so are the posts in them, and only the
stretch between needs reading. Comparing bytes is a memcmp; hashing every post to
find the changed ones would cost ten times more.

The copy is one append-only file: a build that read the registry whole writes it
all; a build that patched appends only the stretch it read. `segments` (file
offset, length) put the copy together in order. A file that doesn't hold what the
segments say (shorter: a crash, a disk) makes `open` give None; bytes that differ
from the registry's only send more of the file to be read.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from dataclasses import dataclass
from pathlib import Path

Segment = tuple[int, int]  # offset in the copy's file, length
BLOCK = 1 << 16  # bytes compared at a time
MAX_SEGMENTS = 64  # past this many (or a file twice the registry), a copy is written anew


@dataclass(frozen=True)
class CopyRef:
    """Where the copy is: its file (in the cache folder) and its segments."""

    name: str
    segments: tuple[Segment, ...]

    @property
    def size(self) -> int:
        return sum(length for _, length in self.segments)


class OpenCopy:
    """A copy mapped for reading (the whole file: reading a stretch of it costs what
    comparing it does)."""

    def __init__(self, ref: CopyRef, view: mmap.mmap | bytes) -> None:
        self.ref = ref
        self._view = view

    def close(self) -> None:
        if isinstance(self._view, mmap.mmap):
            self._view.close()

    def _pieces(self) -> list[tuple[int, int, int]]:
        """(position in the copy, offset in the file, length) of each segment."""
        at = 0
        pieces = []
        for offset, length in self.ref.segments:
            pieces.append((at, offset, length))
            at += length
        return pieces

    def common_suffix(self, data: bytes, limit: int) -> int:
        """How many bytes `data` ends with that the copy ends with too (at most `limit`)."""
        view = self._view
        found = 0
        end = len(data)
        for _, offset, length in reversed(self._pieces()):
            stop = offset + length
            while stop > offset and found < limit:
                size = min(BLOCK, stop - offset, limit - found)
                if data[end - found - size:end - found] != view[stop - size:stop]:
                    return found + _tail_match(data[end - found - size:end - found],
                                               view[stop - size:stop])
                found += size
                stop -= size
            if found >= limit:
                break
        return found

    def common_prefix(self, data: bytes, limit: int) -> int:
        """How many bytes `data` starts with that the copy starts with too (at most
        `limit`)."""
        view = self._view
        found = 0
        for _, offset, length in self._pieces():
            start = offset
            stop = offset + length
            while start < stop and found < limit:
                size = min(BLOCK, stop - start, limit - found)
                if data[found:found + size] != view[start:start + size]:
                    return found + _head_match(data[found:found + size],
                                               view[start:start + size])
                found += size
                start += size
            if found >= limit:
                break
        return found


def _head_match(a: bytes, b: bytes) -> int:
    """The length of the common start of two blocks that differ."""
    low, high = 0, min(len(a), len(b))
    while low < high:  # a binary search: each step is a memcmp
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _tail_match(a: bytes, b: bytes) -> int:
    """The length of the common end of two blocks that differ."""
    return _head_match(a[::-1], b[::-1])


def open_copy(folder: Path, ref: CopyRef) -> OpenCopy | None:
    """The copy `ref` describes, mapped; None when its file is missing or too short."""
    try:
        with (folder / ref.name).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if any(offset + length > size for offset, length in ref.segments):
                return None
            view: mmap.mmap | bytes = (mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                                       if size else b"")
    except (OSError, ValueError):
        return None
    return OpenCopy(ref, view)


def write_copy(folder: Path, stem: str, data: bytes) -> CopyRef:
    """A new copy holding `data` (a file of its own; OSError when it can't be written)."""
    name = f"{stem}-{os.urandom(4).hex()}.bytes"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("wb") as handle:
        handle.write(data)
    return CopyRef(name, ((0, len(data)),) if data else ())


def patched_copy(folder: Path, stem: str, ref: CopyRef, data: bytes, start: int, end: int,
                 old_end: int) -> CopyRef:
    """The copy of `data`, which is the old copy with its bytes old_end.. moved to
    end.. and data[start:end] new between: those appended to the copy's file (a new
    copy when the segments grow many)."""
    segments = [*_slice(ref.segments, 0, start)]
    if end > start:
        path = folder / ref.name
        size = path.stat().st_size
        if len(ref.segments) >= MAX_SEGMENTS or size + end - start > 2 * len(data) + BLOCK:
            return write_copy(folder, stem, data)
        with path.open("ab") as handle:
            handle.write(data[start:end])
        segments.append((size, end - start))
    segments += _slice(ref.segments, old_end, ref.size)
    return CopyRef(ref.name, tuple(_merged(segments)))


def _slice(segments: tuple[Segment, ...], start: int, stop: int) -> list[Segment]:
    """The segments of the copy's bytes start..stop."""
    found = []
    at = 0
    for offset, length in segments:
        low, high = max(start, at), min(stop, at + length)
        if low < high:
            found.append((offset + low - at, high - low))
        at += length
    return found


def _merged(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for offset, length in segments:
        if merged and merged[-1][0] + merged[-1][1] == offset:
            merged[-1] = (merged[-1][0], merged[-1][1] + length)
        else:
            merged.append((offset, length))
    return merged


def remove_copies(folder: Path, stem: str, keep: str) -> None:
    """Remove the copies other than `keep` (a cache: what can't go stays)."""
    for old in folder.glob(f"{stem}-*.bytes"):
        if old.name != keep:
            with contextlib.suppress(OSError):
                old.unlink()
