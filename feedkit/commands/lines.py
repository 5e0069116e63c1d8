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


def file_lines(out: Path, paths: Iterable[str], changed: Iterable[str]) -> list[str]:
    """`wrote PATH` / `unchanged PATH` per file, or one summary line for many files."""
    paths, changed = list(paths), set(changed)
    if len(paths) > MANY_FILES:
        return [f"{out}: {plural(len(paths), 'file')}, {len(changed)} written, "
                f"{len(paths) - len(changed)} unchanged"]
    return [f"{'wrote' if p in changed else 'unchanged'} {out / p}" for p in paths]
