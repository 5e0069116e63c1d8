"""Load the subscriber list (CSV or YAML), reporting every problem with its line."""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..addresses import address_problem, is_unicode
from ..errors import FeedkitError, Problem, SubscribersError
from ..inputs import SUBSCRIBERS_LIMIT, read_input
from ..text.i18n import is_language_tag

COLUMNS = ("email", "name", "language")
MAX_NAME = 200
_CONTROL = re.compile("[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One recipient. `key` (the lower-cased address) identifies them in the state."""

    email: str
    name: str = ""
    language: str | None = None
    line: int = 0

    @property
    def key(self) -> str:
        return self.email.lower()


def load_subscribers(path: str | Path) -> tuple[Subscriber, ...]:
    """Read a .csv or .yaml/.yml subscribers file; raise SubscribersError listing problems."""
    shown = str(path)
    data = read_input(path, "subscribers file", SUBSCRIBERS_LIMIT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SubscribersError([Problem(shown, line, 1, "not UTF-8; save the file as UTF-8")])\
            from None
    suffix = Path(path).suffix.lower()
    rows: Iterable[_Row]
    if suffix == ".csv":
        problems: list[Problem] = []
        rows = _csv_rows(text, shown, problems)  # streamed: one row in memory at a time
    elif suffix in (".yaml", ".yml"):
        rows, problems = _yaml_rows(data, shown)
    else:
        raise FeedkitError(f"{shown}: unknown subscribers format '{suffix}'; use .csv or .yaml")
    subscribers = _check(rows, shown, problems)
    if problems:
        raise SubscribersError(problems)
    return subscribers


# A row as read: field name -> (value, line, column); plus the row's own position.
_Row = tuple[dict[str, tuple[str, int, int]], int, int]


def _csv_rows(text: str, path: str, problems: list[Problem]) -> Iterator[_Row]:
    """The file's rows one at a time; problems are added to `problems` as found."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line = start
            start = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = _csv_header(record, path, line, problems)
                if header is None:
                    return
                continue
            if len(record) > len(header):
                problems.append(Problem(path, line, 1, f"{len(record)} fields but the header "
                                        f"has {len(header)}; quote values holding commas"))
                continue
            fields: dict[str, tuple[str, int, int]] = {}
            column = 1
            for name, cell in zip(header, record, strict=False):
                fields[name] = (cell, line, column)
                column += len(cell) + 1
            yield fields, line, 1
    except csv.Error as exc:
        problems.append(Problem(path, reader.line_num or 1, 1, f"malformed CSV: {exc}"))
    if header is None and not problems:
        problems.append(Problem(path, 1, 1, "the file is empty; start with the header line "
                                "'email,name,language'"))


def _csv_header(record: list[str], path: str, line: int, problems: list[Problem]) \
        -> list[str] | None:
    header = [cell.strip().lower() for cell in record]
    column = 1
    for cell, raw in zip(header, record, strict=True):
        if cell not in COLUMNS:
            hint = difflib.get_close_matches(cell, COLUMNS, n=1)
            fix = f"did you mean '{hint[0]}'?" if hint else "known: email, name, language"
            problems.append(Problem(path, line, column, f"unknown column '{raw}'; {fix}"))
        column += len(raw) + 1
    for name in sorted(set(header)):
        if header.count(name) > 1:
            problems.append(Problem(path, line, 1, f"column '{name}' appears twice; keep one"))
    if "email" not in header:
        problems.append(Problem(path, line, 1, "the header has no 'email' column; the first "
                                "line must name the columns, e.g. 'email,name,language'"))
    return None if problems else header


def _yaml_rows(data: bytes, path: str) -> tuple[list[_Row], list[Problem]]:
    import yaml

    from .yamlstream import compose

    try:
        root = compose(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [], [Problem(path, line, col, f"malformed YAML: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return [], [Problem(path, 1, 1, f"malformed YAML: {exc}")]
    if isinstance(root, yaml.MappingNode):
        items = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        root = items.get("subscribers")
    if not isinstance(root, yaml.SequenceNode):
        return [], [Problem(path, 1, 1, "must be a list of subscribers ('- email: ...'), "
                            "alone or under 'subscribers:'")]
    rows: list[_Row] = []
    problems: list[Problem] = []
    for item in root.value:
        line, col = item.start_mark.line + 1, item.start_mark.column + 1
        if isinstance(item, yaml.ScalarNode):
            rows.append(({"email": (item.value, line, col)}, line, col))
            continue
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem(path, line, col, "each subscriber is an address or a "
                                    "mapping with email, name and language"))
            continue
        fields: dict[str, tuple[str, int, int]] = {}
        for key, value in item.value:
            kline, kcol = key.start_mark.line + 1, key.start_mark.column + 1
            name = str(key.value).lower() if isinstance(key, yaml.ScalarNode) else ""
            if name not in COLUMNS:
                hint = difflib.get_close_matches(name, COLUMNS, n=1)
                fix = f"did you mean '{hint[0]}'?" if hint else "known: email, name, language"
                problems.append(Problem(path, kline, kcol, f"unknown field '{key.value}'; {fix}"))
            elif not isinstance(value, yaml.ScalarNode):
                problems.append(Problem(path, kline, kcol, f"{name}: must be text"))
            elif name in fields:
                problems.append(Problem(path, kline, kcol, f"{name}: given twice; keep one"))
            else:
                fields[name] = (value.value, value.start_mark.line + 1,
                                value.start_mark.column + 1)
        rows.append((fields, line, col))
    return rows, problems


def name_problem(name: str) -> str | None:
    """Why a subscriber's name can't go into a To header (or the state), if it can't."""
    if _CONTROL.search(name):
        return "contains control characters"
    if not is_unicode(name):
        return "contains a character that is not valid Unicode (a lone surrogate)"
    if len(name) > MAX_NAME:
        return f"longer than {MAX_NAME} characters"
    return None


def _check(rows: Iterable[_Row], path: str, problems: list[Problem]
           ) -> tuple[Subscriber, ...]:
    """Validate each row; merge duplicate addresses (case-insensitive), first one wins."""
    merged: dict[str, Subscriber] = {}
    for fields, line, col in rows:
        email, eline, ecol = fields.get("email", ("", line, col))
        email = email.strip()
        if not email:
            problems.append(Problem(path, eline, ecol, "email: missing; every subscriber "
                                    "needs an address"))
            continue
        why = address_problem(email)
        if why:
            problems.append(Problem(path, eline, ecol, f"email: '{email}' {why}"))
            continue
        name, nline, ncol = fields.get("name", ("", line, col))
        name = " ".join(name.split())
        why = name_problem(name)
        if why:
            problems.append(Problem(path, nline, ncol, f"name: {why}"))
            continue
        raw_language, lline, lcol = fields.get("language", ("", line, col))
        language = raw_language.strip() or None
        if language and not is_language_tag(language):
            problems.append(Problem(path, lline, lcol, f"language: '{language}' is not a "
                                    "language tag such as sv or en"))
            continue
        key = email.lower()
        first = merged.get(key)
        if first is None:
            merged[key] = Subscriber(email=email, name=name, language=language, line=eline)
        else:
            merged[key] = Subscriber(email=first.email, name=first.name or name,
                                     language=first.language or language, line=first.line)
    return tuple(merged.values())
