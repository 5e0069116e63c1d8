"""A JSON reader that remembers where each value starts, for line:column messages."""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

Path_ = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
MAX_DEPTH = 200
# Python refuses to turn longer digit strings into an int (sys.int_info); RFC 8259
# section 9 lets a parser limit the numbers it accepts.
MAX_DIGITS = 4300
_DECODER = json.JSONDecoder()


class JsonSyntax(ValueError):
    """Malformed JSON at a character offset."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class Located:
    """Parsed JSON plus the offset where each value (by its path) begins."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets: dict[Path_, int] = {}
        self._starts: list[int] | None = None

    def where(self, path: Path_) -> tuple[int, int]:
        """1-based line and column of the value at `path` (or its nearest parent)."""
        while path not in self.offsets and path:
            path = path[:-1]
        return self.line_col(self.offsets.get(path, 0))

    def line_col(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


def loads(text: str) -> tuple[Any, Located]:
    """Parse `text`; raise JsonSyntax with the offset of the first problem."""
    located = Located(text)
    value, end = _value(text, _skip(text, 0), (), located, 0)
    end = _skip(text, end)
    if end != len(text):
        raise JsonSyntax(end, "extra data after the JSON value")
    return value, located


def _skip(text: str, pos: int) -> int:
    found = _WS.match(text, pos)
    return found.end() if found else pos


def _value(text: str, pos: int, path: Path_, located: Located, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise JsonSyntax(pos, f"nested more than {MAX_DEPTH} levels deep")
    located.offsets[path] = pos
    char = text[pos:pos + 1]
    if char == "{":
        return _object(text, pos + 1, path, located, depth)
    if char == "[":
        return _array(text, pos + 1, path, located, depth)
    if char == '"':
        return _string(text, pos)
    for word, result in _LITERALS.items():
        if text.startswith(word, pos):
            return result, pos + len(word)
    number = _NUMBER.match(text, pos)
    if number:
        literal = number.group()
        if number.group(1) or number.group(2):
            return float(literal), number.end()
        if len(literal.lstrip("-")) > MAX_DIGITS:
            raise JsonSyntax(pos, f"a number {len(literal.lstrip('-'))} digits long; "
                                  f"numbers of more than {MAX_DIGITS} digits are not read")
        return int(literal), number.end()
    raise JsonSyntax(pos, "expected a value" if char else "unexpected end of the document")


def _string(text: str, pos: int) -> tuple[str, int]:
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise JsonSyntax(exc.pos, exc.msg) from None
    return str(value), end


def _object(text: str, pos: int, path: Path_, located: Located,
            depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    pos = _skip(text, pos)
    if text.startswith("}", pos):
        return result, pos + 1
    while True:
        if not text.startswith('"', pos):
            raise JsonSyntax(pos, "expected a property name in double quotes")
        key, pos = _string(text, pos)
        pos = _skip(text, pos)
        if not text.startswith(":", pos):
            raise JsonSyntax(pos, "expected ':' after the property name")
        pos = _skip(text, pos + 1)
        result[key], pos = _value(text, pos, (*path, key), located, depth + 1)
        pos, done = _after_member(text, pos, "}")
        if done:
            return result, pos


def _array(text: str, pos: int, path: Path_, located: Located,
           depth: int) -> tuple[list[Any], int]:
    result: list[Any] = []
    pos = _skip(text, pos)
    if text.startswith("]", pos):
        return result, pos + 1
    while True:
        value, pos = _value(text, pos, (*path, len(result)), located, depth + 1)
        result.append(value)
        pos, done = _after_member(text, pos, "]")
        if done:
            return result, pos


def _after_member(text: str, pos: int, close: str) -> tuple[int, bool]:
    """Past the ',' before the next member (False) or past the closing bracket (True)."""
    pos = _skip(text, pos)
    if text.startswith(",", pos):
        return _skip(text, pos + 1), False
    if text.startswith(close, pos):
        return pos + 1, True
    raise JsonSyntax(pos, f"expected ',' or '{close}'")
