"""Reading untrusted XML: entity declarations refused up front, then streamed with lxml."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

HEAD_BYTES = 65536
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_BASE = f"{{{XML_NS}}}base"
XML_LANG = f"{{{XML_NS}}}lang"

_TOO_LONG = (f"the DOCTYPE runs past the first {HEAD_BYTES // 1024} KB; feeds need no "
             "DTD, remove it")


class PrologCut(Exception):
    """The bytes looked at end inside the prolog (a comment, PI or the DOCTYPE)."""


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


def precheck(path: Path) -> int | None:
    """Refuse the file at `path` if its DOCTYPE declares entities; see refuse_entities.
    Returns the DOCTYPE's line (None without one)."""
    return refuse_entities(_head(path))


def refuse_entities(head: bytes) -> int | None:
    """Refuse a DOCTYPE that declares entities (or is too long to look at), quickly;
    else return the DOCTYPE's line (None without one).

    Entity declarations are how "billion laughs" and quadratic-blowup documents
    work; no feed needs them, so any internal ENTITY declaration is refused. The
    prolog and the internal subset are tokenised as XML reads them (processing
    instructions, comments, quoted literals, declarations), so a "]>" or an
    element-like "<a" hidden inside one of those can't end the look early.
    """
    head = _as_utf8(head[:HEAD_BYTES]).removeprefix(b"\xef\xbb\xbf")
    try:
        _, doctype, declares = walk_prolog(head)
    except PrologCut:
        found = head.find(b"<!DOCTYPE")
        if found < 0:
            raise XmlRefused(head.count(b"\n") + 1, "a comment or processing instruction "
                             f"before the root element runs past the first "
                             f"{HEAD_BYTES // 1024} KB; remove it") from None
        raise XmlRefused(head.count(b"\n", 0, found) + 1, _TOO_LONG) from None
    if declares and doctype is not None:
        raise XmlRefused(head.count(b"\n", 0, doctype) + 1,
                         "the DOCTYPE declares entities, which can expand into a huge "
                         "document (billion laughs); feeds need none, remove the DOCTYPE")
    return None if doctype is None else head.count(b"\n", 0, doctype) + 1


def walk_prolog(head: bytes) -> tuple[int, int | None, bool]:
    """Read the prolog of a UTF-8 document as XML does.

    Returns where the root element should start, where the DOCTYPE starts (None
    without one) and whether its internal subset declares entities. Raises
    PrologCut when `head` ends inside the prolog.
    """
    pos, doctype, declares = 0, None, False
    while True:
        pos = _after_space(head, pos)
        if doctype is None and head.startswith(b"<!DOCTYPE", pos):
            doctype = pos
            pos, declares = _doctype(head, pos + len(b"<!DOCTYPE"))
        elif head.startswith(b"<?", pos):
            pos = _skip_to(head, pos + 2, b"?>")
        elif head.startswith(b"<!--", pos):
            pos = _skip_to(head, pos + 4, b"-->")
        else:
            return pos, doctype, declares
        if pos < 0:
            raise PrologCut


def _after_space(head: bytes, pos: int) -> int:
    while head[pos:pos + 1] in (b" ", b"\t", b"\r", b"\n"):
        pos += 1
    return pos


def _skip_to(head: bytes, pos: int, end: bytes) -> int:
    """The position just past `end` at or after `pos`; -1 when the head runs out first."""
    found = head.find(end, pos)
    return -1 if found < 0 else found + len(end)


def _doctype(head: bytes, pos: int) -> tuple[int, bool]:
    """From after '<!DOCTYPE': past its '>', and whether its subset declares entities."""
    while pos < len(head):
        char = head[pos:pos + 1]
        if char in (b'"', b"'"):
            pos = _skip_to(head, pos + 1, char)
            if pos < 0:
                break
        elif char == b"[":
            return _subset(head, pos + 1)
        elif char == b">":
            return pos + 1, False
        else:
            pos += 1
    raise PrologCut


def _subset(head: bytes, pos: int) -> tuple[int, bool]:
    """Walk an internal subset from after its '['; past the DOCTYPE's '>', and whether
    an ENTITY declaration was met."""
    declares = False
    while True:
        pos = _after_space(head, pos)
        if pos >= len(head):
            raise PrologCut
        if head.startswith(b"]", pos):
            end = _after_space(head, pos + 1)
            return (end + 1 if head.startswith(b">", end) else end), declares
        declares = declares or head.startswith(b"<!ENTITY", pos)
        if head.startswith(b"<?", pos):
            pos = _skip_to(head, pos + 2, b"?>")
        elif head.startswith(b"<!--", pos):
            pos = _skip_to(head, pos + 4, b"-->")
        elif head.startswith(b"<!", pos):
            pos = _declaration_end(head, pos + 2)
        elif head.startswith(b"%", pos):
            pos = _skip_to(head, pos + 1, b";")
        else:
            # Not XML, so the parser will refuse it; judge what follows anyway.
            return pos, declares or b"<!ENTITY" in head[pos:]
        if pos < 0:
            raise PrologCut


def _declaration_end(head: bytes, pos: int) -> int:
    """Past the '>' closing a markup declaration, skipping quoted literals; -1 if cut."""
    while pos < len(head):
        char = head[pos:pos + 1]
        if char in (b'"', b"'"):
            pos = _skip_to(head, pos + 1, char)
            if pos < 0:
                return -1
        elif char == b">":
            return pos + 1
        else:
            pos += 1
    return -1


def iterparse(path: Path, events: tuple[str, ...] = ("start", "end"),
              tags: tuple[str, ...] | None = None) -> Any:
    """lxml's streaming parser with no entity expansion, no network and no DTD loading;
    with `tags`, events come only for elements of those names (lxml's tag filter,
    "{*}name" for any namespace), which spares Python a call per element."""
    from lxml import etree

    parser: Iterator[Any] = etree.iterparse(
        str(path), events=events, resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False, remove_comments=True, remove_pis=True, tag=tags,
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


@cache
def _with_xml_attributes() -> Any:
    from lxml import etree

    return etree.XPath("descendant-or-self::*[@xml:lang or @xml:base]")


def xml_attributes(elem: Any) -> list[Any]:
    """`elem` and its descendants that carry xml:lang or xml:base (found by XPath, in C)."""
    found: list[Any] = _with_xml_attributes()(elem)
    return found


def element_children(elem: Any) -> list[Any]:
    """Child elements only (no entity references)."""
    return [kid for kid in elem if isinstance(kid.tag, str)]


def qname(elem: Any) -> str:
    """The element's name as written (prefix:local), for finding its column."""
    local = elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else "?"
    return f"{elem.prefix}:{local}" if elem.prefix else local


def base_uri(elem: Any) -> str | None:
    """The base URI xml:base gives `elem` (its own, resolved against its ancestors'),
    or None when no xml:base is in scope. It may still be relative."""
    bases: list[str] = []
    node = elem
    while node is not None:
        value = node.get(XML_BASE)
        if value is not None:
            bases.append(value.strip())
        node = node.getparent()
    if not bases:
        return None
    from urllib.parse import urljoin

    found: str = bases.pop()
    while bases:
        found = urljoin(found, bases.pop())
    return found
