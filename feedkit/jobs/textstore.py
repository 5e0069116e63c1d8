"""The build's text store: each post's rendered texts (summary, content HTML) and its
Atom <entry>, kept on disk, so a build holds no bodies in memory and renders a post's
Markdown and entry once, not at every build.

Texts are found by the post's `source` (a digest of its lines in posts.yaml; the
build state checks the rest they follow from: the site section and feedkit's code).
They live in one file in .feedkit/cache/, appended to in whole batches with
O_APPEND (also by forked workers); where each record is, its length and CRC-32 are
in the index, which the build state keeps. The entry is read on its own (an archive page
joins its posts' entries as they are stored) and has a CRC-32 of its own. A record that
doesn't read back as written (a crash, a disk that lost it) raises
TextStoreError, and the build starts over from the registry alone.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

# offset, summary bytes, content bytes, their CRC-32, entry bytes (0: none), its CRC-32
Location = tuple[int, int, int, int, int, int]
# Entries read in one go when no more than _GAP bytes lie between them (another
# post's texts), up to _SPAN bytes at a time.
_GAP = 1 << 15
_SPAN = 1 << 20
# key, summary, content HTML, the Atom <entry> as UTF-8 (None: not kept)
Record = tuple[str, str, str, bytes | None]


class TextStoreError(Exception):
    """A record of the text store is missing or doesn't read back as written."""


class TextStore:
    """Texts by key, in the file at `path`, found through `index`."""

    def __init__(self, path: Path, index: dict[str, Location] | None = None) -> None:
        self.path = path
        self.index: dict[str, Location] = index if index is not None else {}
        self._fd: tuple[int, int] | None = None  # (process id, descriptor)

    def _reader(self) -> int:
        pid = os.getpid()
        if self._fd is None or self._fd[0] != pid:  # forked: a descriptor of its own
            try:
                self._fd = (pid, os.open(self.path, os.O_RDONLY))
            except OSError as exc:
                raise TextStoreError(f"{self.path}: {exc.strerror}") from None
        return self._fd[1]

    def __contains__(self, key: str) -> bool:
        return key in self.index

    def get(self, source: str) -> tuple[str, str]:
        """(summary, content HTML) stored for a post's `source` (its first 32 digits:
        the texts don't follow from a time the order spread)."""
        key = source[:32]
        try:
            offset, summary_size, content_size, crc, _, _ = self.index[key]
        except KeyError:
            raise TextStoreError(f"no texts for {key} in {self.path}") from None
        size = summary_size + content_size
        data = os.pread(self._reader(), size, offset)
        if len(data) != size or zlib.crc32(data) != crc:
            raise TextStoreError(f"{self.path}: the texts at {offset} don't read back")
        return (data[:summary_size].decode("utf-8", "surrogatepass"),
                data[summary_size:].decode("utf-8", "surrogatepass"))

    def entry(self, source: str) -> bytes | None:
        """The Atom <entry> stored for a post's `source` (UTF-8), or None when none was
        kept or the post's time was spread by the order (its entry differs)."""
        if "+" in source:
            return None
        try:
            offset, summary_size, content_size, _, size, crc = self.index[source]
        except KeyError:
            raise TextStoreError(f"no texts for {source} in {self.path}") from None
        if not size:
            return None
        data = os.pread(self._reader(), size, offset + summary_size + content_size)
        if len(data) != size or zlib.crc32(data) != crc:
            raise TextStoreError(f"{self.path}: the entry at {offset} doesn't read back")
        return data

    def entries(self, sources: list[str]) -> list[bytes | None]:
        """`entry` of each of `sources` (an archive page's posts): records that lie
        close together in the file, as posts next to one another in the registry
        do, are read in one go."""
        found: list[bytes | None] = [None] * len(sources)
        wanted = []
        for i, source in enumerate(sources):
            if "+" in source:
                continue
            try:
                offset, summary_size, content_size, _, size, crc = self.index[source]
            except KeyError:
                raise TextStoreError(f"no texts for {source} in {self.path}") from None
            if size:
                wanted.append((offset + summary_size + content_size, size, crc, i))
        wanted.sort()
        k = 0
        while k < len(wanted):
            start = wanted[k][0]
            end = start + wanted[k][1]
            j = k + 1
            while j < len(wanted) and wanted[j][0] - end <= _GAP and \
                    wanted[j][0] + wanted[j][1] - start <= _SPAN:
                end = max(end, wanted[j][0] + wanted[j][1])
                j += 1
            block = os.pread(self._reader(), end - start, start)
            if len(block) != end - start:
                raise TextStoreError(f"{self.path}: the entries at {start} don't read back")
            for at, size, crc, i in wanted[k:j]:
                data = block[at - start:at - start + size]
                if zlib.crc32(data) != crc:
                    raise TextStoreError(f"{self.path}: the entry at {at} doesn't read back")
                found[i] = data
            k = j
        return found

    def append(self, records: list[Record]) -> dict[str, Location]:
        """Append (key, summary, content, entry) records in one write; their locations
        (also added to this process's index)."""
        if not records:
            return {}
        blobs: list[bytes] = []
        sizes = []
        for _, summary, content, entry in records:
            head = summary.encode("utf-8", "surrogatepass")
            tail = content.encode("utf-8", "surrogatepass")
            blobs += (head, tail)
            sizes.append((len(head), len(tail), zlib.crc32(tail, zlib.crc32(head)),
                          len(entry) if entry else 0, zlib.crc32(entry) if entry else 0))
            if entry:
                blobs.append(entry)
        batch = b"".join(blobs)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = os.write(fd, batch)
            end = os.lseek(fd, 0, os.SEEK_CUR)
        finally:
            os.close(fd)
        if written != len(batch):
            raise TextStoreError(f"{self.path}: a short write")
        offset = end - len(batch)
        found: dict[str, Location] = {}
        for record, (head_size, tail_size, crc, size, entry_crc) in zip(records, sizes,
                                                                          strict=True):
            found[record[0]] = (offset, head_size, tail_size, crc, size, entry_crc)
            offset += head_size + tail_size + size
        self.index.update(found)
        return found

    def live_size(self, keys: set[str]) -> int:
        return sum(self.index[k][1] + self.index[k][2] + self.index[k][4] for k in keys
                   if k in self.index)

    def compacted(self, keys: set[str], path: Path) -> TextStore:
        """A new store at `path` holding only the records of `keys`."""
        fresh = TextStore(path)
        path.unlink(missing_ok=True)
        batch: list[Record] = []
        for key in sorted(keys & self.index.keys()):
            batch.append((key, *self.get(key), self.entry(key)))
            if len(batch) >= 512:
                fresh.append(batch)
                batch = []
        fresh.append(batch)
        return fresh

    def close(self) -> None:
        if self._fd is not None and self._fd[0] == os.getpid():
            os.close(self._fd[1])
        self._fd = None
