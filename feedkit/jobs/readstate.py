"""The read state: what a build read from posts.yaml, kept for the next build.

For each piece of the registry (feedkit.load.pieces) parsed so far, under one
site section and feedkit's code: its post's fields but the body, and where its
texts are in the text store. The state is one file in .feedkit/cache/ and a file
of additions appended to it: a build that parsed a few pieces appends them (a
small write) instead of rewriting ten thousand; once the additions or the pieces
no longer used grow large, the state is written anew with only what is used, and
the text store with it.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ..model import Site
from .textstore import Location, TextStore

STATE_VERSION = 4
CHUNK = 500  # pieces pickled at a time
# A post's fields but its body, line and source.
Raw = tuple[Any, ...]
_LOAD_ERRORS = (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError,
                AttributeError, ImportError, IndexError)


@dataclass
class ReadState:
    """The pieces by source, under this header and code, and where their texts are;
    `token` names this state's file of additions."""

    code: str
    header: str  # SHA-256 of the header's bytes (the site section, the `posts:` line)
    store: str  # the text store's file name, in the cache folder
    pieces: dict[str, tuple[Raw, Location]] = field(default_factory=dict)
    # The header as read: its length, first item's line and column, the site.
    head: tuple[int, int, int, Site, ZoneInfo] | None = None
    token: str = ""
    additions: int = 0  # pieces in the file of additions


def load_state(path: Path) -> ReadState | None:
    """The state the last build left at `path` (None: none, unreadable, or older),
    with its additions."""
    try:
        with path.open("rb") as handle:
            version, state = pickle.load(handle)
            if version != STATE_VERSION or not isinstance(state, ReadState):
                return None
            while (chunk := pickle.load(handle)) is not None:
                state.pieces.update(chunk)
    except _LOAD_ERRORS:
        return None
    try:
        with path.with_suffix(".more").open("rb") as handle:
            while True:
                token, pieces = pickle.load(handle)
                if token == state.token:
                    state.pieces.update(pieces)
                    state.additions += len(pieces)
    except (EOFError, FileNotFoundError):
        pass
    except _LOAD_ERRORS:
        return None  # additions that don't read back: start afresh
    return state


def save_state(path: Path, state: ReadState, store: TextStore | None,
               previous: ReadState | None) -> None:
    """Keep `state` (the pieces this build used) for the next build; a cache: nothing
    is an error. Appended to `previous` when that is the state on disk and little
    changed; else written anew, the text store too when most of it is unused."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None and previous.token and previous.store == state.store:
            new = {s: v for s, v in state.pieces.items() if s not in previous.pieces}
            unused = len(previous.pieces) - (len(state.pieces) - len(new))
            if (previous.additions + len(new)) * 10 <= len(previous.pieces) + 1000 and \
                    unused * 5 <= len(state.pieces) + 100:
                if new:
                    with path.with_suffix(".more").open("ab") as handle:
                        pickle.dump((previous.token, new), handle,
                                    protocol=pickle.HIGHEST_PROTOCOL)
                return
        _rewrite(path, state, store)
    except OSError:
        pass


def _rewrite(path: Path, state: ReadState, store: TextStore | None) -> None:
    if store is not None:
        live = {source[:32] for source in state.pieces}
        size = store.path.stat().st_size if store.path.exists() else 0
        if size > 2 * store.live_size(live) + (1 << 22):
            fresh = store.compacted(live, store.path.with_name(
                f"{path.stem}-{os.urandom(4).hex()}.texts"))
            state.store = fresh.path.name
            state.pieces = {s: (raw, fresh.index[s]) for s, (raw, _) in state.pieces.items()}
    state.token = os.urandom(8).hex()
    state.additions = 0
    temp = path.with_suffix(".tmp")
    pieces = list(state.pieces.items())
    with temp.open("wb") as handle:
        # The pieces in chunks, the pickler's memo cleared after each: a memo of every
        # object at once would cost the build as much memory as the posts' fields.
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dump((STATE_VERSION, replace(state, pieces={})))
        for at in range(0, len(pieces), CHUNK):
            pickler.clear_memo()  # each load() starts with an empty memo
            pickler.dump(dict(pieces[at:at + CHUNK]))
        pickler.dump(None)
    os.replace(temp, path)
    path.with_suffix(".more").unlink(missing_ok=True)
    for old in path.parent.glob(f"{path.stem}-*.texts"):
        if old.name != state.store:
            old.unlink(missing_ok=True)
