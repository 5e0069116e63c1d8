"""Walking a registry's YAML nodes: fields read one by one, every problem collected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..errors import Problem
from ..urls import host_to_ascii
from .yamlstream import ItemStream

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Scalar styles whose text is the file's characters as written (no escapes), which
# YAML's reader has already checked (libyaml and PyYAML refuse C0 controls,
# U+FFFE, U+FFFF and surrogates in a stream): plain, single-quoted, literal and
# folded. Only a double-quoted scalar can make one, through an escape.
_UNESCAPED_STYLES = frozenset({"", "'", "|", ">"})
# Line breaks of every kind, and the C1 controls, have no place in a one-line field
# (a title becomes a mail header; a URL an attribute).
_BREAKS = re.compile("[\r\n\x7f-\x9f\u2028\u2029]")
# The longest text each kind of field takes (characters): generous for real sites,
# small enough that a hostile registry can't make huge outputs from one field.
LIMITS = {"line": 1_000, "url": 2_048, "text": 10_000, "body": 1_000_000}
# Characters RFC 3987 allows nowhere in an IRI.
_NOT_IRI = re.compile('[\\s<>"{}|\\\\^`\x00-\x1f\x7f-\x9f\u2028\u2029]')
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

Node = yaml.Node
# The tags a plain scalar is resolved to: all of them are read as its text.
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in
                         ("str", "int", "float", "bool", "null", "timestamp", "merge", "value"))


def _field(where: str, key: str) -> str:
    """The field's name in a message ("posts[3].title"); made only for a message."""
    return f"{where}.{key}" if where else key


@dataclass(slots=True)
class Reader:
    """Walks the YAML node tree, collecting problems instead of stopping."""

    path: str
    problems: list[Problem]

    def add(self, node: Node | ItemStream | None, message: str) -> None:
        mark: Any = node.start_mark if node is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.problems.append(Problem(self.path, line, col, message))

    def mapping(
        self, node: Node, where: str, allowed: tuple[str, ...]
    ) -> dict[str, Node] | None:
        """Keys to value nodes; unknown and duplicate keys are reported."""
        if not isinstance(node, yaml.MappingNode):
            self.add(node, f"{where}: must be a mapping of 'key: value' lines")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.add(key_node, f"{where}: keys must be plain words")
                continue
            name = f"{where}.{key}" if where else key
            if key not in allowed:
                import difflib  # only when there is a suggestion to make
                hint = difflib.get_close_matches(key, allowed, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(allowed)}"
                self.add(key_node, f"{name}: unknown field; {fix}")
            elif key in out:
                first = out[key].start_mark.line + 1
                self.add(key_node, f"{name}: given twice (first on line {first}); keep one")
            else:
                out[key] = value_node
        return out

    def text(
        self, fields_: dict[str, Node], key: str, where: str, *, required: bool = False,
        parent: Node | None = None, kind: str = "line",
    ) -> str | None:
        """A text field, stripped; None when absent or empty (reported if required).

        `kind` is "line" (one line, the default), "url", "text" (line breaks allowed)
        or "body"; each has its length limit (LIMITS).
        """
        node = fields_.get(key)
        if node is None:
            if required:
                self.add(parent, f"{_field(where, key)}: missing; this field is required")
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.add(node, f"{_field(where, key)}: must be text, not a list or mapping")
            return None
        if node.tag not in _SCALAR_TAGS:
            self.add(node, f"{_field(where, key)}: the YAML tag {node.tag} isn't read here; "
                           "remove it and write the text itself")
            return None
        value = node.value if node.tag != "tag:yaml.org,2002:null" else ""
        bad = None if node.style in _UNESCAPED_STYLES else _XML_ILLEGAL.search(value)
        if bad:
            self.add(
                node,
                f"{_field(where, key)}: contains the control character U+{ord(bad.group()):04X}, "
                "which XML can't carry; remove it",
            )
            return None
        value = value.strip()
        if not value:
            if required:
                self.add(node, f"{_field(where, key)}: is empty; this field is required")
            return None
        if len(value) > LIMITS[kind]:
            self.add(node, f"{_field(where, key)}: is {len(value):,} characters long; at most "
                           f"{LIMITS[kind]:,} are allowed here")
            return None
        if kind in ("line", "url") and (brk := _BREAKS.search(value)):
            self.add(node, f"{_field(where, key)}: holds a line break or control character "
                           f"(U+{ord(brk.group()):04X}); keep it on one line")
            return None
        return value


    def absolute_url(self, node: Node | None, name: str, value: str) -> str | None:
        """`value` if it is an absolute http(s) URL (an IRI: non-ASCII letters are
        fine); else reported and None."""
        bad = _NOT_IRI.search(value)
        if bad:
            shown = "a space" if bad.group().isspace() else f"'{bad.group()}'"
            self.add(node, f"{name}: '{value}' holds {shown}, which a URL can't; "
                           "percent-encode it (%20 for a space)")
            return None
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
            _ = parts.port
        except ValueError:
            self.add(node, f"{name}: '{value}' has a host or port that can't be read; "
                           "write it like https://example.org/blog/")
            return None
        try:
            host_to_ascii(host)
        except ValueError as exc:
            self.add(node, f"{name}: {exc}")
            return None
        if parts.scheme not in ("http", "https") or not host:
            self.add(node, f"{name}: '{value}' is not an absolute http(s) URL; "
                           "write it like https://example.org/blog/")
            return None
        return value
