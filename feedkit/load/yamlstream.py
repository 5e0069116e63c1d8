"""Compose a registry's YAML with posts streamed one at a time, to keep memory flat.

PyYAML's composer builds the whole node tree (two Mark objects per node) before
anything can be checked; for a large registry that tree is several times the
file's size. Here the top-level mapping is walked event by event and the items
of its `posts` list are composed one by one, so each post's nodes can be dropped
as soon as the post is built.
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


class ItemStream:
    """The items of a YAML sequence, composed one at a time when iterated."""

    def __init__(self, loader: Any, start: SequenceStartEvent, anchors: dict[str, Node]
                 ) -> None:
        self.start_mark = start.start_mark
        self._loader = loader
        self._anchors = anchors

    def __iter__(self) -> Iterator[Node]:
        while not self._loader.check_event(SequenceEndEvent):
            yield _compose(self._loader, self._anchors)

    def drain(self) -> None:
        for _ in self:
            pass
        self._loader.get_event()


def _compose(loader: Any, anchors: dict[str, Node]) -> Node:
    # PyYAML's C loader is untyped; its events and marks are read as Any here.
    event: Any = loader.get_event()
    start: Any = event.start_mark
    kind = type(event)
    if kind is AliasEvent:
        if event.anchor not in anchors:
            raise yaml.composer.ComposerError(
                None, None, f"found undefined alias {event.anchor!r}", start
            )
        found: Node = anchors[event.anchor]
        return found
    if kind is ScalarEvent:
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(ScalarNode, event.value, event.implicit)
        node: Node = ScalarNode(tag, event.value, start, event.end_mark,
                                style=event.style)
    elif kind is SequenceStartEvent:
        node = SequenceNode("tag:yaml.org,2002:seq", [], start, None)
        while not loader.check_event(SequenceEndEvent):
            node.value.append(_compose(loader, anchors))
        node.end_mark = loader.get_event().end_mark
    elif kind is MappingStartEvent:
        node = MappingNode("tag:yaml.org,2002:map", [], start, None)
        while not loader.check_event(MappingEndEvent):
            key = _compose(loader, anchors)
            node.value.append((key, _compose(loader, anchors)))
        node.end_mark = loader.get_event().end_mark
    else:  # pragma: no cover - the parser only emits the events above here
        raise yaml.composer.ComposerError(None, None, f"unexpected {event}", start)
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        anchors[anchor] = node
    return node


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
    try:
        loader.get_event()  # stream start
        if loader.check_event(StreamEndEvent):
            return
        loader.get_event()  # document start
        anchors: dict[str, Node] = {}
        if not loader.check_event(MappingStartEvent):
            yield None, _compose(loader, anchors)
            return
        loader.get_event()
        seen_after = False
        while not loader.check_event(MappingEndEvent):
            key = _compose(loader, anchors)
            name = key.value if isinstance(key, ScalarNode) else None
            if name == stream_key and seen_after and loader.check_event(SequenceStartEvent):
                stream = ItemStream(loader, loader.get_event(), anchors)
                yield key, stream
                stream.drain()
            else:
                yield key, _compose(loader, anchors)
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
