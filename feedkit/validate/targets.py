"""What `feedkit validate FEED...` was given: files, folders (every feed inside) and,
later on, URLs; and what was passed over, with the reason, so that an empty result
can say why nothing was validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .sniff import sniff

FEED_SUFFIXES = (".xml", ".atom", ".rss", ".json", ".rdf")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that is not a feed, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: skipped: {self.reason}"


@dataclass(slots=True)
class Targets:
    """The feed files to check (with their kind) and the inputs passed over."""

    feeds: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)


def feeds_in(out_dir: Path) -> list[Path]:
    """Files in out_dir (recursively) with a feed's suffix, hidden ones left out, sorted."""
    if not out_dir.is_dir():
        return []
    found = []
    for path in sorted(out_dir.rglob("*")):
        if (path.is_file() and path.suffix in FEED_SUFFIXES
                and not any(part.startswith(".") for part in path.relative_to(out_dir).parts)):
            found.append(path)
    return found


def choose(inputs: list[Path] | list[str]) -> Targets:
    """Sniff each file; a folder stands for the feed files in it; http(s) URLs are kept
    to be fetched.

    A file that can't be read is kept (its report says so); a folder with no feed
    in it is passed over with that reason.
    """
    targets = Targets()
    for given in inputs:
        if isinstance(given, str) and given.startswith(("http://", "https://")):
            targets.urls.append(given)
            continue
        path = Path(given)
        if path.is_dir():
            before = len(targets.feeds)
            for inner in feeds_in(path):
                _sniffed(inner, targets, quiet=True)
            if len(targets.feeds) == before:
                targets.skipped.append(Skipped(str(path), "a folder with no feed in it "
                                               f"(looked at its {', '.join(FEED_SUFFIXES)} "
                                               "files)"))
        else:
            _sniffed(path, targets, quiet=False)
    return targets


def _sniffed(path: Path, targets: Targets, *, quiet: bool) -> None:
    try:
        kind, reason = sniff(path)
    except OSError:
        kind, reason = "unreadable", ""
    if kind is not None:
        targets.feeds.append((path, kind))
    elif not quiet:
        targets.skipped.append(Skipped(str(path), f"not a feed: {reason}"))
