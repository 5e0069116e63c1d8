"""Load the subscriber list (CSV or YAML), reporting every problem with its line."""

from __future__ import annotations

import csv
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
    rows, problems = _read(path)
    subscribers = _merged(_checked(rows, str(path), problems))
    if problems:
        raise SubscribersError(problems)
    return subscribers


class SubscriberFile:
    """A subscribers file checked whole (every problem listed, as load_subscribers does)
    but not held: iterating reads it again, one row at a time, and yields the same
    subscribers load_subscribers would, in the same order. What stays in memory is each
    address's key and the line of its first row, and the rows of addresses given more
    than once. `key in file` says whether the file holds an address."""

    def __init__(self, path: str | Path) -> None:
        import hashlib

        self.path = path
        data = read_input(path, "subscribers file", SUBSCRIBERS_LIMIT)
        rows, problems = _read(path, data)
        self._first: dict[str, int] = {}
        self._later: dict[str, list[Subscriber]] = {}
        for subscriber in _checked(rows, str(path), problems):
            key = subscriber.key
            if key in self._first:
                self._later.setdefault(key, []).append(subscriber)
            else:
                self._first[key] = subscriber.line
        if problems:
            raise SubscribersError(problems)
        self._digest = hashlib.sha256(data).digest()

    def __len__(self) -> int:
        return len(self._first)

    def __contains__(self, key: object) -> bool:
        return key in self._first

    def keys(self) -> Iterable[str]:
        return self._first.keys()

    def __iter__(self) -> Iterator[Subscriber]:
        import hashlib

        data = read_input(self.path, "subscribers file", SUBSCRIBERS_LIMIT)
        changed = hashlib.sha256(data).digest() != self._digest
        rows, problems = _read(self.path, data)
        for subscriber in _checked(rows, str(self.path), problems, check=changed):
            key = subscriber.key
            if self._first.get(key) != subscriber.line:
                continue  # a later row of an address, or one the file didn't hold at first
            for later in self._later.get(key, ()):
                subscriber = _merge(subscriber, later)
            yield subscriber
        if problems:  # changed meanwhile, and now broken
            raise SubscribersError(problems)


def _read(path: str | Path, data: bytes | None = None) -> tuple[Iterable[_Row], list[Problem]]:
    shown = str(path)
    if data is None:
        data = read_input(path, "subscribers file", SUBSCRIBERS_LIMIT)
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SubscribersError([Problem(shown, line, 1, "not UTF-8; save the file as UTF-8")])\
            from None
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        problems: list[Problem] = []
        # streamed: a row at a time, decoded as it is read (a StringIO of the whole
        # text would hold four bytes a character)
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        return _csv_rows(text, shown, problems), problems
    if suffix in (".yaml", ".yml"):
        return _yaml_rows(data, shown)
    raise FeedkitError(f"{shown}: unknown subscribers format '{suffix}'; use .csv or .yaml")


# A row as read: field name -> (value, line, column); plus the row's own position.
_Row = tuple[dict[str, tuple[str, int, int]], int, int]


def _csv_rows(text: Iterable[str], path: str, problems: list[Problem]) -> Iterator[_Row]:
    """The file's rows one at a time; problems are added to `problems` as found."""
    reader = csv.reader(text, strict=True)
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
            import difflib  # only when there is a suggestion to make
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
                import difflib  # only when there is a suggestion to make
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


def _checked(rows: Iterable[_Row], path: str, problems: list[Problem], *, check: bool = True
             ) -> Iterator[Subscriber]:
    """Each valid row as a subscriber (problems added to `problems`); `check=False` for
    rows checked before, which are only normalised."""
    for fields, line, col in rows:
        email, eline, ecol = fields.get("email", ("", line, col))
        email = email.strip()
        if not email:
            problems.append(Problem(path, eline, ecol, "email: missing; every subscriber "
                                    "needs an address"))
            continue
        why = address_problem(email) if check else None
        if why:
            problems.append(Problem(path, eline, ecol, f"email: '{email}' {why}"))
            continue
        name, nline, ncol = fields.get("name", ("", line, col))
        name = " ".join(name.split())
        why = name_problem(name) if check else None
        if why:
            problems.append(Problem(path, nline, ncol, f"name: {why}"))
            continue
        raw_language, lline, lcol = fields.get("language", ("", line, col))
        language = raw_language.strip() or None
        if check and language and not is_language_tag(language):
            problems.append(Problem(path, lline, lcol, f"language: '{language}' is not a "
                                    "language tag such as sv or en"))
            continue
        yield Subscriber(email=email, name=name, language=language, line=eline)


def _merge(first: Subscriber, later: Subscriber) -> Subscriber:
    """The same address twice: the first row wins, a later one fills what it lacks."""
    return Subscriber(email=first.email, name=first.name or later.name,
                      language=first.language or later.language, line=first.line)


def _merged(subscribers: Iterable[Subscriber]) -> tuple[Subscriber, ...]:
    """Duplicate addresses (case-insensitive) merged, first one wins."""
    merged: dict[str, Subscriber] = {}
    for subscriber in subscribers:
        first = merged.get(subscriber.key)
        merged[subscriber.key] = subscriber if first is None else _merge(first, subscriber)
    return tuple(merged.values())
