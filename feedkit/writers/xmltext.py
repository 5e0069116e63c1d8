"""XML written as text: escaping as libxml2 escapes, and the document's first lines.

The Atom and RSS writers emit their documents as text in the exact form lxml's
pretty printer gives (two spaces per level, empty elements closed with "/>"),
which the golden files and every feed published so far hold. Building elements
only to serialise them once cost more than the text itself.
"""

from __future__ import annotations

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"


def text(value: str) -> str:
    """Element text escaped as libxml2 escapes it."""
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return value


def attr(value: str) -> str:
    """An attribute value escaped as libxml2 escapes it (inside double quotes)."""
    value = text(value)
    if '"' in value:
        value = value.replace('"', "&quot;")
    if "\t" in value:
        value = value.replace("\t", "&#9;")
    if "\n" in value:
        value = value.replace("\n", "&#10;")
    return value


def cdata(value: str) -> str:
    """`value` as a CDATA section; a "]]>" inside (which sanitised HTML never has)
    is split across two sections instead of ending the first."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def element(indent: str, name: str, value: str) -> str:
    """One line: `<name>value</name>` with the value escaped."""
    return f"{indent}<{name}>{text(value)}</{name}>\n"


def head(stylesheet: str | None) -> str:
    """The XML declaration, then the xml-stylesheet instruction when there is one."""
    if stylesheet is None:
        return DECLARATION
    escaped = stylesheet.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'{DECLARATION}<?xml-stylesheet type="text/xsl" href="{escaped}"?>\n'
