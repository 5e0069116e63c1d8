"""What lives beside posts.yaml: templates, the subscribers file, the lock of published ids
and the state folder.

One place knows the project's layout; every command asks it instead of building
paths of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SUBSCRIBER_FILES = ("subscribers.csv", "subscribers.yaml", "subscribers.yml")
STATE_DIR = ".feedkit"


@dataclass(frozen=True)
class Project:
    """A site's folder, found from its registry file."""

    registry: Path

    @property
    def folder(self) -> Path:
        return self.registry.parent

    def template_dirs(self, explicit: Path | None = None) -> tuple[Path, ...]:
        """Template folders that override the shipped ones, most specific first:
        --templates, then templates/ beside the registry."""
        dirs = [] if explicit is None else [explicit]
        beside = self.folder / "templates"
        if beside.is_dir():
            dirs.append(beside)
        return tuple(dirs)

    @property
    def lock_path(self) -> Path:
        """posts.lock beside posts.yaml (named after the registry): the published ids, a
        file to commit with the registry."""
        return self.registry.with_suffix(".lock")

    @property
    def state_dir(self) -> Path:
        """.feedkit/ beside the registry: private state, never published."""
        return self.folder / STATE_DIR

    @property
    def state_path(self) -> Path:
        """The state database: .feedkit/state.sqlite."""
        return self.state_dir / "state.sqlite"

    @property
    def digest_dir(self) -> Path:
        """Where `feedkit digest` writes its files: private, apart from out/ (which
        `feedkit build` owns and which gets published)."""
        return self.state_dir / "digest"

    @property
    def cache_dir(self) -> Path:
        """The build cache: what the last build wrote, to skip an unchanged rebuild."""
        return self.state_dir / "cache"

    @property
    def outbox(self) -> Path:
        """The Maildir `feedkit send` writes to when no SMTP server is configured."""
        return self.state_dir / "outbox"

    def subscribers_file(self) -> Path | None:
        """subscribers.csv (or .yaml/.yml) beside the registry, if there is one."""
        for name in SUBSCRIBER_FILES:
            candidate = self.folder / name
            if candidate.exists():
                return candidate
        return None
