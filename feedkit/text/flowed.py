"""Plain text as format=flowed; DelSp=yes (RFC 3676): short lines that reflow losslessly.

Every physical line is at most `width` characters, except a URL longer than a
line: a URL is never cut (clients without format=flowed would show it broken), so
it stands on a line of its own, up to RFC 5322's 998. A long logical line is cut
into soft lines ending in a space that readers delete when they join them again.
"""

from __future__ import annotations

WIDTH = 78
_STUFF = (" ", ">", "From ")


def is_url(word: str) -> bool:
    """Whether a word holds a URL (possibly in brackets or followed by punctuation)."""
    return "://" in word or word.lower().lstrip("<(\"'").startswith("mailto:")


def wrap(text: str, width: int = WIDTH) -> str:
    """Cut each logical line of `text` into flowed lines of at most `width` characters."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(_wrap_line(line.rstrip(" "), width))
    return "\n".join(out)


def _wrap_line(line: str, width: int) -> list[str]:
    lines: list[str] = []
    rest = line
    while True:
        prefix = " " if rest.startswith(_STUFF) else ""
        budget = width - len(prefix)
        if len(rest) <= budget:
            lines.append(prefix + rest)
            return lines
        room = budget - 1  # one column for the soft break's space
        cut = rest.rfind(" ", 0, room)
        while cut > 0 and rest[cut - 1] == " ":
            cut -= 1
        # Break after a space between words; a word longer than a line is cut hard,
        # unless it is a URL, which keeps its line whole.
        k = cut + 1 if cut > 0 else room
        lead = len(rest) - len(rest.lstrip(" "))
        end = rest.find(" ", lead)
        if cut <= 0 and is_url(rest[lead:end] if end >= 0 else rest[lead:]):
            if end < 0:
                lines.append(prefix + rest)
                return lines
            while end < len(rest) and rest[end] == " ":
                end += 1
            k = end
        lines.append(prefix + rest[:k] + " ")
        rest = rest[k:]


def unwrap(text: str) -> str:
    """Join flowed lines back into logical lines (what a flowed-aware reader shows)."""
    out: list[str] = []
    pending = ""
    for raw in text.split("\n"):
        line = raw[1:] if raw.startswith(" ") else raw
        if line.endswith(" ") and line != "-- ":
            pending += line[:-1]
        else:
            out.append(pending + line)
            pending = ""
    if pending:
        out.append(pending)
    return "\n".join(out)
