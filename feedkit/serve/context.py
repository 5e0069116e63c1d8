"""What the views share: the site, the list, the pages, the worker threads, the
mail, and where links in mail point (site.url; in the local trial, this server)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..model import Registry, Site
from ..subscriptions import ListService
from ..subscriptions import Request as Who
from .batch import Batcher, Offload
from .domains import DomainCheck
from .mailer import Mailer
from .pages import CSP, Pages
from .static import OutFiles


@dataclass(frozen=True)
class Links:
    """Where links in the list's mail point. Built from site.url only (never from a
    request's Host header); `local` swaps in this server's own address, for a trial
    on one machine."""

    url: str
    unsubscribe: str

    @classmethod
    def of(cls, site: Site, local: str | None = None) -> Links:
        unsubscribe = site.unsubscribe_url or site.url + "unsubscribe"
        if local is None:
            return cls(site.url, unsubscribe)
        origin = local.rstrip("/")
        parts = urlsplit(site.url)
        return cls(origin + (parts.path or "/"),
                   origin + (urlsplit(unsubscribe).path or "/"))


@dataclass
class Context:
    """Everything a view needs; built once by the app factory."""

    site: Site
    registry: Registry
    service: ListService
    pages: Pages
    out: Path
    files: OutFiles
    offload: Offload  # the state's threads
    lookups: Offload  # DNS lookups, so a slow resolver never holds the state's threads
    mailer: Mailer
    links: Links
    unsubscribe_path: str
    domains: DomainCheck | None = None
    unsubscribes: Batcher[tuple[str, str, Who], bool] = field(init=False)
    script_headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.unsubscribes = Batcher(self.service.unsubscribe_many, self.offload)
        if self.service.limits.work_bits:  # the proof of work's script, our own file only
            self.script_headers = {"Content-Security-Policy": CSP + "; script-src 'self'"}

    def files_present(self, names: tuple[str, ...]) -> set[str]:
        """Which of these out/ files exist (blocking: call through `offload`)."""
        return {name for name in names if os.path.isfile(self.out / name)}

    def close(self) -> None:
        self.mailer.close()
        self.offload.close()
        self.lookups.close()
