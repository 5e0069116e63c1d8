"""`feedkit build` run before the CLI framework starts.

typer validates its parameters through pydantic, whose import alone costs more
than an unchanged rebuild may take (bench/README.md, "edit loop"). When the
command line is a plain build (only the options below), the cache is asked
first, and on a miss the build runs here too (an incremental build is a fraction
of a second). Anything else, or a build that fails, goes to the full command,
which parses, builds and reports as always.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..jobs.cache import BuildSummary, Fingerprint

_VALUED = {"-r": "registry", "--registry": "registry", "-o": "out", "--out": "out",
           "--now": "now"}
_FLAGS = {"-q": "quiet", "--quiet": "quiet", "--drafts": "drafts"}


def _parse(args: list[str]) -> dict[str, str | bool] | None:
    found: dict[str, str | bool] = {}
    rest = iter(args)
    for arg in rest:
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _FLAGS and not eq:
            found[_FLAGS[name]] = True
        elif name in _VALUED:
            found[_VALUED[name]] = value if eq else next(rest, "")
        else:
            return None
    return found if all(found.get(k, "x") for k in ("registry", "out", "now")) else None


def _build(registry: Path, out: Path, now: datetime, drafts: bool, key: Fingerprint,
           data: list[bytes]) -> BuildSummary | None:
    """The build the cache didn't answer; None when it failed (FeedkitError). A large
    one has the digest's helper forked first, if it isn't yet."""
    from ..errors import FeedkitError
    from ..jobs.rebuild import build_cached

    if _large(registry):
        _start_helper()
    try:
        return build_cached(registry, out, now=now, drafts=drafts, missed=key, data=data)
    except FeedkitError:
        return None
    finally:
        from ..writers.helper import stop_early

        stop_early()  # no build took it


def _start_helper() -> None:
    from ..writers.helper import start_early

    start_early()


def _large(registry: Path) -> bool:
    """Whether a build of `registry` starts a helper process (jobs/build.py)."""
    from ..jobs.cache import HELPER_FROM

    try:
        return registry.stat().st_size >= HELPER_FROM
    except OSError:
        return False


def cached_build(args: list[str]) -> bool:
    """True when `feedkit build ARGS` was done here (its lines already printed)."""
    options = _parse(args)
    if options is None:
        return False
    from ..clock import resolve_now
    from ..errors import FeedkitError
    from ..jobs.cache import (
        cannot_hit,
        fingerprint_read,
        lookup,
        quick_key,
        surely_changed,
        vouch,
    )
    from ..project import Project

    registry = Path(str(options.get("registry", "posts.yaml")))
    out = Path(str(options.get("out", "out")))
    drafts = bool(options.get("drafts"))
    try:
        now = resolve_now(str(options["now"]) if "now" in options else None)
    except FeedkitError:
        return False  # the full command reports it
    from ..text.templating import keep_compiled

    keep_compiled(Project(registry).cache_dir / "templates")  # the helper's too
    template_dirs = Project(registry).template_dirs()
    quick = quick_key(registry, out, template_dirs, drafts)
    if quick is not None and (done := lookup(registry, out, quick, now, drafts)) is not None:
        _print(options, out, done)  # the registry's stat vouches for its bytes: not read
        return True
    early = _large(registry) and surely_changed(registry, out, drafts)
    if early:  # a build will run: its helper imports its libraries beside the rest
        _start_helper()
    try:
        if early and cannot_hit(registry, out, drafts) and registry.is_file():
            # No lookup can hit: the fingerprint is hashed while the build reads.
            done = _unhashed_build(registry, out, now, drafts)
            if done is None:
                return False  # the full command builds again and reports
            _print(options, out, done)
            return True
        try:
            key, read = fingerprint_read(registry, out, template_dirs, drafts)
        except (FeedkitError, OSError):
            return False  # the full command reports it
        done = lookup(registry, out, key.key, now, drafts)
        if done is not None:
            vouch(registry, out, drafts, key)
        else:
            if not registry.is_file():
                return False  # the command says how to start a site
            data = [read]  # build_cached empties it: a whole build doesn't hold the bytes
            del read
            done = _build(registry, out, now, drafts, key, data)
            if done is None:
                return False  # nothing was written: the command builds again and reports
    finally:
        if early:
            from ..writers.helper import stop_early

            stop_early()  # no build took it
    _print(options, out, done)
    return True


def _print(options: dict[str, str | bool], out: Path, done: BuildSummary) -> None:
    if not options.get("quiet"):
        from .lines import file_lines

        print("\n".join([*file_lines(out, done.paths, done.changed, done.removed),
                         *done.notes]))


def _unhashed_build(registry: Path, out: Path, now: datetime, drafts: bool
                    ) -> BuildSummary | None:
    """A build no lookup can answer (jobs/cache.py, cannot_hit): the registry read
    once, its fingerprint hashed in a thread beside the build's (or the patch's) own
    work on those bytes; None when it failed."""
    from ..errors import FeedkitError
    from ..jobs.cache import Fingerprinting, read_settled
    from ..jobs.rebuild import build_cached
    from ..project import Project

    try:
        data, settled = read_settled(registry)
    except FeedkitError:
        return None
    key = Fingerprinting(out, Project(registry).template_dirs(), drafts, data, settled)
    holder = [data]
    del data
    try:
        return build_cached(registry, out, now=now, drafts=drafts, missed=key, data=holder)
    except FeedkitError:
        return None

