"""Compose a registry's YAML with posts streamed one at a time, to keep memory flat.

PyYAML's composer builds the whole node tree (two Mark objects per node) before
anything can be checked; for a large registry that tree is several times the
file's size. Here the top-level mapping is walked event by event and the items
of its `posts` list are composed one by one, so each post's nodes can be dropped
as soon as the post is built.

Two limits keep a hostile file from costing more than a real one: nesting depth
(the composer recurses) and the text reachable through aliases (one alias of a
1 MB scalar, used a thousand times, would otherwise make a gigabyte).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as Loader  # type: ignore[assignment]


_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
MAX_DEPTH = 64
ALIAS_BUDGET = 10 * (1 << 20)  # characters reached through aliases, per document


class NotPlain(yaml.YAMLError):
    """An anchor or alias where the registry is read in pieces (feedkit.load.pieces)."""


class _Composer:
    """Builds nodes from the loader's events, within the depth and alias limits;
    `plain` refuses anchors and aliases (NotPlain)."""

    def __init__(self, loader: Any, *, plain: bool = False) -> None:
        self.loader = loader
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[str, int] = {}
        self.through_aliases = 0
        self.plain = plain

    def node(self, depth: int = 0) -> Node:
        # PyYAML's C loader is untyped; its events and marks are read as Any here.
        loader = self.loader
        event: Any = loader.get_event()
        start: Any = event.start_mark
        kind = type(event)
        if depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", start)
        if kind is AliasEvent:
            if self.plain:
                raise NotPlain(f"an alias at line {start.line + 1}")
            return self._alias(event.anchor, start)
        if kind is ScalarEvent:
            tag = event.tag
            if tag is None and self.plain:
                # What the registry's reader tells apart: null, or any other plain
                # scalar (read as its text whatever it resolves to); quoted: text.
                tag = _NULL if event.implicit[0] and event.value in _NULLS else _STR
            elif tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            node: Node = ScalarNode(tag, event.value, start, event.end_mark,
                                    style=event.style)
        elif kind is SequenceStartEvent:
            node = SequenceNode("tag:yaml.org,2002:seq", [], start, None)
            while not loader.check_event(SequenceEndEvent):
                node.value.append(self.node(depth + 1))
            node.end_mark = loader.get_event().end_mark
        elif kind is MappingStartEvent:
            node = MappingNode("tag:yaml.org,2002:map", [], start, None)
            while not loader.check_event(MappingEndEvent):
                key = self.node(depth + 1)
                node.value.append((key, self.node(depth + 1)))
            node.end_mark = loader.get_event().end_mark
        else:  # pragma: no cover - the parser only emits the events above here
            raise yaml.composer.ComposerError(None, None, f"unexpected {event}", start)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            if self.plain:
                raise NotPlain(f"an anchor at line {start.line + 1}")
            self.anchors[anchor] = node
        return node

    def _alias(self, anchor: str, start: Any) -> Node:
        if anchor not in self.anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {anchor!r}", start)
        if anchor not in self.sizes:
            self.sizes[anchor] = _size(self.anchors[anchor])
        self.through_aliases += self.sizes[anchor]
        if self.through_aliases > ALIAS_BUDGET:
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{anchor} and others) repeat more than "
                f"{ALIAS_BUDGET // (1 << 20)} MB of text; write it out or shorten it", start)
        found: Node = self.anchors[anchor]
        return found


def _size(node: Node) -> int:
    """Characters of text a node holds, counting every key and value."""
    if isinstance(node, ScalarNode):
        return len(node.value) + 1
    if isinstance(node, SequenceNode):
        return 1 + sum(_size(item) for item in node.value)
    if isinstance(node, MappingNode):
        return 1 + sum(_size(k) + _size(v) for k, v in node.value)
    return 1


class ItemStream:
    """The items of a YAML sequence, composed one at a time when iterated."""

    def __init__(self, composer: _Composer, start: SequenceStartEvent) -> None:
        self.start_mark = start.start_mark
        self._composer = composer

    def __iter__(self) -> Iterator[Node]:
        while not self._composer.loader.check_event(SequenceEndEvent):
            yield self._composer.node(1)

    def drain(self) -> None:
        for _ in self:
            pass
        self._composer.loader.get_event()


def compose(data: bytes) -> Node | None:
    """The whole document's node tree (None when empty), within the same limits."""
    loader: Any = Loader(data)
    try:
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # document start
        node = _Composer(loader).node()
        loader.get_event()  # document end
        if not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream", None,
                "but found another document", event.start_mark)
        return node
    finally:
        loader.dispose()


def top_level(data: bytes | BinaryIO, stream_key: str, after: str
              ) -> Iterator[tuple[Node | None, Node | ItemStream]]:
    """(key node, value) pairs of the document's top-level mapping.

    The value of `stream_key` is an ItemStream when it is a list that comes after
    the key `after` (so everything it depends on is known); the caller must use
    it up before asking for the next pair. Any other value is a composed node. A
    document whose top level is not a mapping yields a single (None, node) pair;
    an empty document yields nothing.
    """
    loader: Any = Loader(data)
    composer = _Composer(loader)
    try:
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return
        loader.get_event()  # document start
        if not loader.check_event(MappingStartEvent):
            yield None, composer.node()
            return
        loader.get_event()
        seen_after = False
        while not loader.check_event(MappingEndEvent):
            key = composer.node(1)
            name = key.value if isinstance(key, ScalarNode) else None
            if name == stream_key and seen_after and loader.check_event(SequenceStartEvent):
                stream = ItemStream(composer, loader.get_event())
                yield key, stream
                stream.drain()
            else:
                yield key, composer.node(1)
            seen_after = seen_after or name == after
        loader.get_event()
        if not loader.check_event(DocumentEndEvent):  # pragma: no cover
            return
        loader.get_event()
        if not loader.check_event(StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream", None,
                "but found another document", event.start_mark,
            )
    finally:
        loader.dispose()


def posts_head(source: bytes | BinaryIO) -> tuple[Node, int, int] | None:
    """The site section's node, and the line and column (0-based) of the first "-" of
    the `posts:` list, when the document is a mapping of `site:` then `posts:` holding
    a block list whose first item is a mapping; None otherwise."""
    loader: Any = Loader(source)
    composer = _Composer(loader, plain=True)
    try:
        loader.get_event()  # stream start
        if not loader.check_event(yaml.events.DocumentStartEvent):
            return None
        loader.get_event()
        if not loader.check_event(MappingStartEvent):
            return None
        loader.get_event()
        site: Node | None = None
        while not loader.check_event(MappingEndEvent):
            key = composer.node(1)
            name = key.value if isinstance(key, ScalarNode) else None
            if name == "site" and site is None:
                site = composer.node(1)
                continue
            if name != "posts" or site is None or not loader.check_event(SequenceStartEvent):
                return None
            start: Any = loader.get_event()
            if start.flow_style or not loader.check_event(MappingStartEvent):
                return None
            return site, start.start_mark.line, start.start_mark.column
        return None
    finally:
        loader.dispose()


def posts_run(source: bytes | BinaryIO | Any, column: int,
              lines: list[int] | None = None) -> Iterator[Node]:
    """The items of a document that is only `posts:` and a block list at `column`,
    without anchors or aliases: a run of a registry's items parsed on its own
    (feedkit.load.pieces); then the line breaks YAML counted are added to `lines`.
    Anything else raises yaml.YAMLError."""
    loader: Any = Loader(source)
    composer = _Composer(loader, plain=True)
    try:
        for kind in (yaml.events.StreamStartEvent, yaml.events.DocumentStartEvent,
                     MappingStartEvent):
            if not loader.check_event(kind):
                raise NotPlain("not a run of posts")
            loader.get_event()
        key = composer.node(1)
        if not (isinstance(key, ScalarNode) and key.value == "posts"
                and loader.check_event(SequenceStartEvent)):
            raise NotPlain("not a run of posts")
        start: Any = loader.get_event()
        if start.flow_style or start.start_mark.column != column:
            raise NotPlain("the list is not at the items' column")
        while not loader.check_event(SequenceEndEvent):
            yield composer.node(1)
        loader.get_event()
        for ending in (MappingEndEvent, DocumentEndEvent, StreamEndEvent):
            if not loader.check_event(ending):
                raise NotPlain("more than the posts' list")
            last: Any = loader.get_event()
        if lines is not None:
            lines.append(last.end_mark.line)
    finally:
        loader.dispose()
