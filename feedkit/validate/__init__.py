"""`feedkit validate`: offline checks of Atom, RSS and JSON feeds and of the registry.

Each checked file gives a FileReport holding Messages; the CLI prints them with
feedkit.validate.report and turns the verdicts into an exit status. This module
only re-exports: the model is in messages, the entry points in run.
"""

from __future__ import annotations

from .messages import Collector, FileReport, Message
from .run import (
    PathsResult,
    validate_feeds,
    validate_file,
    validate_paths,
    validate_project,
)
from .sniff import detect, feed_kind
from .targets import FEED_SUFFIXES, Skipped, feeds_in

__all__ = [
    "FEED_SUFFIXES",
    "Collector",
    "FileReport",
    "Message",
    "PathsResult",
    "Skipped",
    "detect",
    "feed_kind",
    "feeds_in",
    "validate_feeds",
    "validate_file",
    "validate_paths",
    "validate_project",
]
