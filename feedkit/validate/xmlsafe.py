"""Reading untrusted XML: entity declarations refused up front, then streamed with lxml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HEAD_BYTES = 65536
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_BASE = f"{{{XML_NS}}}base"
XML_LANG = f"{{{XML_NS}}}lang"

_DOCTYPE = re.compile(rb"<!DOCTYPE")
_SUBSET_END = re.compile(rb"\]\s*>")
_ELEMENT = re.compile(rb"<[A-Za-z_]")


class XmlRefused(ValueError):
    """A document refused before parsing; carries where and why."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _as_utf8(head: bytes) -> bytes:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace").encode("utf-8")
    return head


def precheck(path: Path) -> None:
    """Refuse the file at `path` if its DOCTYPE declares entities; see refuse_entities."""
    refuse_entities(_head(path))


def refuse_entities(head: bytes) -> None:
    """Refuse a DOCTYPE that declares entities (or is too long to look at), quickly.

    Entity declarations are how "billion laughs" and quadratic-blowup documents
    work; no feed needs them, so any internal ENTITY declaration is refused.
    """
    head = _as_utf8(head[:HEAD_BYTES])
    found = _DOCTYPE.search(head)
    first_element = _ELEMENT.search(head)
    if not found or (first_element and first_element.start() < found.start()):
        return
    line = head.count(b"\n", 0, found.start()) + 1
    rest = head[found.end():]
    bracket, close = rest.find(b"["), rest.find(b">")
    if bracket < 0 or (0 <= close < bracket):
        return  # no internal subset: nothing declared inside the document
    end = _SUBSET_END.search(rest, bracket)
    if end is None:
        raise XmlRefused(line, f"the DOCTYPE's internal subset runs past the first "
                               f"{HEAD_BYTES // 1024} KB; feeds need no DTD, remove it")
    if b"<!ENTITY" in rest[bracket:end.end()]:
        raise XmlRefused(line, "the DOCTYPE declares entities, which can expand into a "
                               "huge document (billion laughs); feeds need none, remove "
                               "the DOCTYPE")


def iterparse(path: Path, events: tuple[str, ...] = ("start", "end")) -> Iterator[Any]:
    """lxml's streaming parser with no entity expansion, no network and no DTD loading."""
    from lxml import etree

    parser: Iterator[Any] = etree.iterparse(
        str(path), events=events, resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False, remove_comments=True, remove_pis=True,
    )
    return parser


def parse_bytes(data: bytes) -> Any:
    """A whole small document (e.g. a previous feed) parsed with the same safety."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, remove_comments=True, remove_pis=True)
    return etree.fromstring(data, parser)


def syntax_position(exc: Exception, path: Path | None = None) -> tuple[int, int, str]:
    """Line, column and message of an lxml XMLSyntaxError.

    iterparse with resolve_entities=False can raise a vague "no element found" at
    0:0; the error log then holds the real (fatal, so last) parser error for `path`.
    """
    line, column = getattr(exc, "position", (1, 1)) or (1, 1)
    message = getattr(exc, "msg", None) or str(exc)
    log = getattr(exc, "error_log", None)
    fatal = [e for e in log or () if e.level_name == "FATAL" and e.domain_name == "PARSER"
             and (path is None or e.filename == str(path))]
    if fatal and (line < 1 or message == "no element found"):
        line, column, message = fatal[-1].line, fatal[-1].column, fatal[-1].message
    message = re.sub(r",? line \d+, column \d+$", "", message)
    return max(line, 1), max(column, 1), message


def entity_references(elem: Any) -> Iterator[Any]:
    """Entity references left in the tree: entities an unread external DTD would define."""
    from lxml import etree

    found: Iterator[Any] = elem.iter(etree.Entity)
    return found


def element_children(elem: Any) -> list[Any]:
    """Child elements only (no entity references)."""
    return [kid for kid in elem if isinstance(kid.tag, str)]


def qname(elem: Any) -> str:
    """The element's name as written (prefix:local), for finding its column."""
    local = elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else "?"
    return f"{elem.prefix}:{local}" if elem.prefix else local


def has_base(elem: Any) -> bool:
    """Whether an xml:base is in scope at `elem` (its own or an ancestor's)."""
    node = elem
    while node is not None:
        if node.get(XML_BASE) is not None:
            return True
        node = node.getparent()
    return False
