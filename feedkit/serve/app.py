"""The app factory: one Starlette app built from the registry and the state.

Routes live here, all under the path of `site.url` (so a reverse proxy can
forward that prefix): `subscribe`, `confirm`, the path of `site.unsubscribe_url`,
and every file of out/. The views (views.py) parse, call the list's rules
(feedkit.subscriptions) and render a page (pages.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import StateError
from ..project import Project
from .config import MAX_BODY, ServeConfig

if TYPE_CHECKING:
    from starlette.applications import Starlette


def mount_path(url: str) -> str:
    """The path a URL's routes live under, always ending in '/'."""
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


def _file_addresses(project: Project) -> list[str]:
    """The subscribers file's addresses (tokens mailed before issue 11 may name them)."""
    from ..load.subscribers import load_subscribers

    path = project.subscribers_file()
    return [s.email for s in load_subscribers(path)] if path else []


def create_app(config: ServeConfig) -> Starlette:
    """Load the registry, open the state and build every route."""
    import time

    from starlette.applications import Starlette
    from starlette.routing import Route

    from ..load import load
    from ..mail.tokens import secret_from_env
    from ..state import locate
    from ..subscriptions import ListService
    from .views import Views

    env = dict(os.environ if config.environ is None else config.environ)
    project = Project(config.registry)
    registry = load(config.registry)
    secret = secret_from_env(env)
    state = locate(config.state, config.registry).open(server=True)
    service = ListService(registry.site, state, secret, config.limits,
                          config.clock or time.time, known=lambda: _file_addresses(project))
    views = Views(config, registry, service, project, env)
    site = registry.site
    base = mount_path(site.url)
    unsubscribe = urlsplit(site.unsubscribe_url or site.url + "unsubscribe").path or \
        base + "unsubscribe"
    routes = [
        Route(base + "subscribe", views.subscribe_page, methods=["GET", "HEAD"]),
        Route(base + "subscribe", views.subscribe, methods=["POST"]),
        Route(base + "confirm", views.confirm_page, methods=["GET", "HEAD"]),
        Route(base + "confirm", views.confirm, methods=["POST"]),
        Route(unsubscribe, views.unsubscribe_page, methods=["GET", "HEAD"]),
        Route(unsubscribe, views.unsubscribe, methods=["POST"]),
        Route(base + "{path:path}", views.out_file, methods=["GET", "HEAD"]),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        state.close()

    app = Starlette(routes=routes, lifespan=lifespan, max_body_size=MAX_BODY,
                    exception_handlers={404: views.not_found, 405: views.not_allowed,
                                        StateError: views.unavailable})
    app.state.feedkit = views
    return app
