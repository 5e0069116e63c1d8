"""`feedkit build` with what the last build left: the build cache's answer if it
holds (jobs/cache.py), else the last build patched (jobs/patchbuild.py), else the
whole build (jobs/build.py). The one module above all three."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..project import Project
from .cache import (
    BuildSummary,
    Fingerprint,
    Fingerprinting,
    fingerprint_read,
    lookup,
    store,
    valid_span,
    vouch,
)


def build_cached(registry: Path, out: Path, *, templates: Path | None = None,
                 now: datetime | None = None, drafts: bool = False,
                 use_cache: bool = True, missed: Fingerprint | Fingerprinting | None = None,
                 data: list[bytes] | None = None) -> BuildSummary:
    """`build`, unless the cache shows that out/ already holds what it would write;
    the cache is refreshed either way (`use_cache=False` only skips the lookup).
    `missed`: the fingerprint, whose lookup the caller already made and missed (or
    which is being hashed: nothing was cached); `data`: a list holding the registry's
    bytes it hashed, emptied here (the build reads them instead of the file, and
    holds them no longer than it would its own)."""
    from ..clock import resolve_now
    from ..text.templating import keep_compiled

    moment = resolve_now(now)
    keep_compiled(Project(registry).cache_dir / "templates")
    key: Fingerprint | Fingerprinting | None = missed
    data = data if data is not None else []
    if missed is not None:
        use_cache = False
    else:
        try:
            key, read = fingerprint_read(registry, out,
                                         Project(registry).template_dirs(templates), drafts)
            data.append(read)
            del read
        except OSError:
            key = None  # the build says what is wrong
    if use_cache and isinstance(key, Fingerprint) and (
            hit := lookup(registry, out, key.key, moment, drafts)) is not None:
        vouch(registry, out, drafts, key)
        return hit
    patched = None
    if not drafts:
        patched = _patched(registry, out, templates, moment, data[0] if data else None)
    if patched is not None:
        data.clear()
        result, span = patched
    else:
        from .build import build  # only now: a cache hit loads none of the pipeline

        result = build(registry, out, templates=templates, now=moment, drafts=drafts,
                       data=data, settle=key.settle if isinstance(key, Fingerprinting)
                       else None)
        span = valid_span(result.registry, moment)
    if key is not None:
        store(registry, out, key if isinstance(key, Fingerprint) else key.fingerprint(),
              span, result.paths, drafts)
    return BuildSummary(result.paths, tuple(result.changed), removed=tuple(result.removed),
                        notes=tuple(result.lock_lines()), patched=patched is not None)


def _patched(registry: Path, out: Path, templates: Path | None, now: datetime,
             data: bytes | None) -> Any:
    """The build patched from the last one (jobs/patchbuild.py), or None: then the
    whole build runs. A patch that fails for any reason but a problem to report
    (FeedkitError: the whole build would say the same) leaves out/ as it was and
    gives None too."""
    from ..errors import FeedkitError
    from .patchbuild import patch_build

    try:
        return patch_build(registry, out, templates, now, data)
    except FeedkitError:
        raise
    except Exception:  # any doubt builds as always
        return None
