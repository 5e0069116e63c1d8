"""Logging for the long-running and scheduled commands (serve, send, inbox): the
standard `logging` machinery under the "feedkit" logger, as text or as one JSON
object per line (`--log-format json`, for log shippers), at a chosen level.

Whatever a record carries goes through `scrub` on its way out: an address becomes
its reference (as `feedkit subscribers list --format json` shows it) and a token in
a URL becomes `token=…`, so no log line holds either, whoever wrote the message.
Fields travel as `extra={"fields": {...}}` and become JSON keys (text: key=value).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error")
LOGGER = "feedkit"
_TOKEN = re.compile(r"(?i)(token=)[^&\s\"']+")


def scrub(text: str) -> str:
    """`text` without addresses (their references instead) or URL tokens."""
    from .addresses import redact

    return _TOKEN.sub(r"\1…", redact(text))


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, "fields", None)
    if not isinstance(fields, dict):
        return {}
    return {k: scrub(v) if isinstance(v, str) else v for k, v in fields.items()}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": scrub(record.getMessage())}
        entry.update(_fields(record))
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = scrub(f"{type(record.exc_info[1]).__name__}: "
                                   f"{record.exc_info[1]}")
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The message, then key=value for each field; a level word unless it is info."""

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        fields = " ".join(f"{k}={v}" for k, v in _fields(record).items())
        message = scrub(record.getMessage())
        return f"{level}{message}{' ' + fields if fields and message else fields}"


def configure(fmt: str = "text", level: str = "info", stream: TextIO | None = None
              ) -> logging.Logger:
    """Send the "feedkit" logger's records to `stream` (default stderr) as `fmt`, at
    `level` and above; calling it again replaces the earlier set-up."""
    from .errors import UsageError

    if fmt not in FORMATS:
        raise UsageError("--log-format", f"'{fmt}' is not one of {', '.join(FORMATS)}")
    if level not in LEVELS:
        raise UsageError("--log-level", f"'{level}' is not one of {', '.join(LEVELS)}")
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
    return logger


def get(name: str) -> logging.Logger:
    """The logger of one part: get("serve") is "feedkit.serve"."""
    return logging.getLogger(f"{LOGGER}.{name}")


class LogReporter:
    """`feedkit send`'s progress as log records (--log-format json): the run's lines,
    and one record per delivery outcome naming the recipient by reference."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or get("send")
        self._label = ""
        self._total = self._count = 0

    def log(self, text: str) -> None:
        self.logger.info(text)

    def start(self, label: str, total: int) -> None:
        self._label, self._total, self._count = label, total, 0
        self.logger.info(f"{label}: sending to {total} recipient(s)",
                         extra={"fields": {"event": "period_start", "period": label,
                                           "recipients": total}})

    def advance(self) -> None:
        self._count += 1

    def outcome(self, period: str, recipient: str, status: str,
                reason: str | None = None) -> None:
        fields: dict[str, Any] = {"event": "delivery", "period": period,
                                  "recipient": recipient, "status": status}
        if reason:
            fields["reason"] = reason
        level = logging.WARNING if status == "failed" else logging.INFO
        self.logger.log(level, f"{recipient}: {status}", extra={"fields": fields})

    def done(self) -> None:
        self.logger.info(f"{self._label}: handled {self._count}/{self._total}",
                         extra={"fields": {"event": "period_end", "period": self._label,
                                           "handled": self._count}})
