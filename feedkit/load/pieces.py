"""Reading posts.yaml in pieces: the `posts:` list cut at its items' first lines, and
a run of items parsed on its own, so that a build can parse only what changed, or
parse the halves of a large registry side by side.

A registry qualifies when its top level is `site:` then `posts:`, a block list
whose items are mappings starting on their "-" line (`  - title: ...`), with no
anchors or aliases, and a site section with no line breaks that YAML counts and
"\\n" doesn't (CR, NEL, LS, PS). A *candidate* is a line with the list's "-" at
the list's column; every item starts on one. A candidate inside a quoted or flow
scalar is not an item, but then the run ending there leaves the scalar open and
fails to parse: a run parsed on its own (its lines at their own numbers, under a
bare `posts:`) either gives the very items the whole file gives there, or an
error; a run whose line breaks YAML counts otherwise than "\\n" is refused too.
Any doubt (an error, a problem, another shape) is None, and the caller reads the
whole file as always.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

import yaml

from ..model import Post, Site
from .posts import _order, _post
from .reader import Node, Reader
from .yamlstream import posts_head, posts_run

# Line breaks of YAML 1.1 other than "\n" (UTF-8): with any of them, libyaml's line
# numbers are not the count of "\n", and the pieces would be misplaced.
_OTHER_BREAKS = (b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


@dataclass(frozen=True)
class Layout:
    """Where the items of a registry's posts list may start.

    `starts[k]` is the byte offset of candidate k and `lines[k]` its line (from 1);
    candidate 0 is the first item, right after the header (the site section and the
    `posts:` line). Candidate k runs to candidate k + 1, the last one to the end.
    """

    header: bytes
    site_node: Node | None  # None: the header is one a layout already read
    column: int
    starts: tuple[int, ...]
    lines: tuple[int, ...]
    size: int

    def end(self, k: int) -> int:
        return self.starts[k] if k < len(self.starts) else self.size


@dataclass(frozen=True, slots=True)
class Item:
    """One post as parsed from its piece: the candidate it starts on and where its
    piece ends (the next item's candidate)."""

    first: int
    after: int
    post: Post


def plain_breaks(data: bytes | memoryview) -> bool:
    """Whether "\\n" is the only line break in `data`."""
    return not any(b in data for b in _OTHER_BREAKS)


def layout(data: bytes) -> Layout | None:
    """The candidates of `data`, or None when the registry doesn't qualify."""
    try:
        head = posts_head(data)
    except yaml.YAMLError:
        return None
    if head is None:
        return None
    site_node, line, column = head
    header_end = 0
    for _ in range(line):
        header_end = data.find(b"\n", header_end) + 1
        if header_end == 0:
            return None
    return candidates(data, data[:header_end], line + 1, column, site_node)


def candidates(data: bytes, header: bytes, line: int, column: int,
               site_node: Node | None = None) -> Layout | None:
    """The candidates of `data` after `header` (whose bytes it starts with, as a
    layout found them), its first item on `line` at `column`."""
    end = len(header)
    if not plain_breaks(header):
        return None
    found = cut(data, end, len(data), line, column)
    if found is None:
        return None
    return Layout(header, site_node, column, *found, len(data))


def cut(data: bytes, start: int, end: int, line: int, column: int
        ) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The candidates from `start` (one, on `line`) up to `end`: their offsets and
    lines; None when no candidate starts at `start`."""
    dash = b" " * column + b"-"
    if not data.startswith(dash, start):
        return None
    pattern = re.compile(rb"\n" + re.escape(dash) + rb"[ \n]")
    starts = [start]
    lines = [line]
    count = data.count
    for match in pattern.finditer(data, start, end):
        at = match.start() + 1
        lines.append(lines[-1] + count(b"\n", starts[-1], at))
        starts.append(at)
    return tuple(starts), tuple(lines)


class RunReader:
    """A run of candidates as a stream for the YAML parser: its lines at their own
    numbers under a bare `posts:`, read through `read(offset, size)` a block at a
    time; `whole` turns False when the file ended early (it changed under us), and
    `breaks` counts the "\\n" read (YAML must count as many: parse_run)."""

    def __init__(self, read: Callable[[int, int], bytes], start: int, end: int,
                 line: int) -> None:
        self._read = read
        self._head = b"\n" * (line - 2) + b"posts:\n"
        self._at = start
        self._end = end
        self.whole = True
        self.breaks = line - 1

    def read(self, size: int) -> bytes:
        if self._head:
            block, self._head = self._head[:size], self._head[size:]
            return block
        size = min(size, self._end - self._at)
        if size <= 0:
            return b""
        block = self._read(self._at, size)
        if len(block) != size:
            self.whole = False
            return b""
        self._at += size
        self.breaks += block.count(b"\n")
        return block


class NotInPieces(Exception):
    """A run that can't be read on its own: the whole file must be read."""


def parse_run(read: Callable[[int, int], bytes], plan: Layout, first: int, after: int,
              site: Site, tz: ZoneInfo, path: str) -> Iterator[Item]:
    """The posts of candidates first..after-1 parsed on their own, one at a time (a
    caller keeps of each what it needs, not its body); NotInPieces, possibly after
    some items, when the run can't be read on its own. The registry's bytes come
    from `read(offset, size)`."""
    stream = RunReader(read, plan.starts[first], plan.end(after), plan.lines[first])
    at_line = {plan.lines[k]: k for k in range(first, after)}
    reader = Reader(path, [])
    held: tuple[int, Post] | None = None  # an item waits for the next one's line
    counted: list[int] = []
    try:
        for node in posts_run(stream, plan.column, counted):
            k = at_line.get(node.start_mark.line + 1)
            if k is None or (held is not None and k <= held[0]) or (held is None and k != first):
                raise NotInPieces(f"an item off its candidate at line {node.start_mark.line}")
            post = _post(reader, node, f"posts[{k}]", site, tz)
            if post is None or reader.problems:
                raise NotInPieces("a problem to report")
            if held is not None:
                yield Item(held[0], k, held[1])
            held = (k, post)
    except yaml.YAMLError as exc:
        raise NotInPieces(str(exc)) from None
    if held is None or not stream.whole or counted != [stream.breaks]:
        # no item, a file that changed under us, or a line break other than "\n"
        # (CR, NEL, LS, PS): YAML's lines would not be the candidates'
        raise NotInPieces("the run's lines don't hold")
    yield Item(held[0], after, held[1])


def site_of(plan: Layout, path: str) -> tuple[Site, ZoneInfo] | None:
    """The site the header describes and the posts' timezone, or None on a problem."""
    from .site import read_site, timezone_guess

    if plan.site_node is None:
        return None
    reader = Reader(path, [])
    site = read_site(reader, plan.site_node)
    if site is None or reader.problems:
        return None
    return site, timezone_guess(plan.site_node)


def ordered(posts: list[Post]) -> tuple[Post, ...] | None:
    """The posts in the registry's order, as read_posts gives them; None when two
    share a slug or an id (the whole file's reading reports it). A post whose time
    the order spread (posts sharing a timestamp) has "+SECONDS" added to its source:
    what its entries follow from."""
    slugs = {post.slug for post in posts}
    ids = {post.id for post in posts}
    if len(slugs) < len(posts) or len(ids) < len(posts):
        return None
    result = _order(posts)
    raw = {post.source: post.published for post in posts}
    return tuple(post if not post.source or post.published == raw[post.source] else replace(
        post, source=f"{post.source}+{int((post.published - raw[post.source]).total_seconds())}")
        for post in result)
