"""RFC 5005 archives: which posts go on which page; pages never change once full.

Every published post that is not in the main feed belongs to exactly one page.
Page 1 holds the oldest; a page holds `archive_page_size` posts once full and
from then on its bytes depend only on its own entries (and the site's settings).
A full page always links next-archive to the page after it, so that page is
written too, even while it is still empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Post, Site

FOLDER = "archive"


@dataclass(frozen=True, slots=True)
class ArchivePage:
    """One archive document: its number (1 = oldest) and posts, newest first."""

    number: int
    posts: tuple[Post, ...]
    full: bool

    @property
    def path(self) -> str:
        return page_path(self.number)


def page_path(number: int) -> str:
    """Where archive page `number` is in out/."""
    return f"{FOLDER}/{number}.xml"


def archive_pages(visible: Sequence[Post], feed_entries: int, page_size: int) -> list[ArchivePage]:
    """Split the posts older than the main feed's into pages, oldest page first."""
    older = visible[feed_entries:][::-1]  # oldest first
    if not older:
        return []
    chunks = [older[i : i + page_size] for i in range(0, len(older), page_size)]
    if len(chunks[-1]) == page_size:
        chunks.append(())
    return [
        ArchivePage(number, tuple(chunk[::-1]), len(chunk) == page_size)
        for number, chunk in enumerate(chunks, start=1)
    ]


def page_url(site: Site, number: int) -> str:
    return f"{site.url}{FOLDER}/{number}.xml"


def newest_archive_url(site: Site, pages: Sequence[ArchivePage]) -> str:
    """Where the main feed's prev-archive points: the newest page holding posts."""
    newest = pages[-1] if pages[-1].posts else pages[-2]
    return page_url(site, newest.number)
