"""What commands print about files and counts; free of the CLI framework, so the
fast path of an unchanged build (fastpath.py) prints the same lines."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def plural(count: int, word: str, words: str | None = None) -> str:
    """"1 post", "2 posts": a count with its word in the right number."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


# Past this many files a build prints one summary line instead of a line per file.
MANY_FILES = 20


def file_lines(out: Path, paths: Iterable[str], changed: Iterable[str],
               removed: Iterable[str] = ()) -> list[str]:
    """`wrote PATH` / `unchanged PATH` / `removed PATH` per file, or one summary line
    when there are many."""
    paths, changed, removed = list(paths), set(changed), list(removed)
    if len(paths) + len(removed) > MANY_FILES:
        gone = f", {len(removed)} removed" if removed else ""
        return [f"{out}: {plural(len(paths), 'file')}, {len(changed)} written, "
                f"{len(paths) - len(changed)} unchanged{gone}"]
    return [*(f"{'wrote' if p in changed else 'unchanged'} {out / p}" for p in paths),
            *(f"removed {out / p}" for p in removed)]
