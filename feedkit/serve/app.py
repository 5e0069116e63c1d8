"""The app factory: one Starlette app built from the registry and the state.

Routes live here, all under the path of `site.url` (so a reverse proxy can
forward that prefix): the front page, `subscribe`, `confirm`, the path of
`site.unsubscribe_url`, and every file of out/ (Starlette's StaticFiles, gzip by its
GZipMiddleware). The views (views.py) parse, call the list's rules
(feedkit.subscriptions) in worker threads and render a page (pages.py); nothing
that blocks runs on the event loop. More middleware (metrics, request logs) goes
in `middleware()` or through `app.add_middleware`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..errors import StateError
from ..model import Site
from ..project import Project
from .config import MAX_BODY, ServeConfig

FORMS_AT_ONCE = 4  # form POSTs worked on at once (serve/batch.py's Admission)

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware

    from .context import Context


def mount_path(url: str) -> str:
    """The path a URL's routes live under, always ending in '/'."""
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


def unsubscribe_path(site: Site) -> str:
    """The path of the one-click endpoint: site.unsubscribe_url's, else `unsubscribe`
    under site.url's."""
    return urlsplit(site.unsubscribe_url or site.url + "unsubscribe").path or \
        mount_path(site.url) + "unsubscribe"


def _file_addresses(project: Project) -> list[str]:
    """The subscribers file's addresses (tokens mailed before issue 11 may name them)."""
    from ..load.subscribers import load_subscribers

    path = project.subscribers_file()
    return [s.email for s in load_subscribers(path)] if path else []


def build_context(config: ServeConfig) -> Context:
    """Load the registry, open the state, and make the threads and the mailer."""
    import time

    from ..load import load
    from ..mail.confirmation import MailLinks
    from ..mail.tokens import secret_from_env
    from ..state import locate
    from ..subscriptions import CONFIRM_DAYS, ListService
    from .batch import Offload
    from .context import Context, Links
    from .domains import DomainCheck
    from .mailer import Mailer, PostOffice
    from .pages import Pages
    from .static import OutFiles

    env = dict(os.environ if config.environ is None else config.environ)
    project = Project(config.registry)
    registry = load(config.registry)
    site = registry.site
    secret = secret_from_env(env)
    state = locate(config.state, config.registry).open(server=True)
    service = ListService(site, state, secret, config.limits, config.clock or time.time,
                          known=lambda: _file_addresses(project))
    base = mount_path(site.url)
    unsubscribe = unsubscribe_path(site)

    links = Links.of(site, config.local)
    office = PostOffice(site, MailLinks(links.url + "confirm", links.unsubscribe),
                        CONFIRM_DAYS, project.outbox.resolve(),
                        project.template_dirs(config.templates),
                        smtp_url=None if config.local else config.smtp_url,
                        environ={} if config.local else env, ca_file=config.smtp_ca)
    return Context(
        site=site, registry=registry, service=service, out=config.out, files=OutFiles(config.out),
        pages=Pages(site, project.template_dirs(config.templates), base),
        offload=Offload(state.max_threads), lookups=Offload(4, "feedkit-dns"),
        mailer=Mailer(office), links=links, unsubscribe_path=unsubscribe,
        domains=None if config.local or config.dns == "" else DomainCheck(config.dns))


def middleware(context: Context) -> list[Middleware]:
    """The app's middleware, outermost first."""
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware

    from .guard import BodyLimit

    return [Middleware(BodyLimit, limit=MAX_BODY,
                       refuse=lambda: context.pages.notice("too_large", 413)),
            Middleware(GZipMiddleware, minimum_size=512, compresslevel=6)]


def create_app(config: ServeConfig) -> Starlette:
    """Every route, over the context `build_context` makes."""
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute, Mount, Route

    from .batch import Admission
    from .views import Views

    context = build_context(config)
    views = Views(context)
    admit = Admission(FORMS_AT_ONCE)
    base = context.pages.base
    unsubscribe = context.unsubscribe_path
    routes: list[BaseRoute] = [
        Route(base, views.home, methods=["GET", "HEAD"]),
        Route(base + "subscribe", views.subscribe_page, methods=["GET", "HEAD"]),
        Route(base + "subscribe", admit(views.subscribe), methods=["POST"]),
        Route(base + "subscribe/embed", admit(views.embed), methods=["POST"]),
        Route(base + "embed", views.embed_page, methods=["GET", "HEAD"]),
        Route(base + "confirm", views.confirm_page, methods=["GET", "HEAD"]),
        Route(base + "confirm", admit(views.confirm), methods=["POST"]),
        Route(base + "privacy", views.privacy, methods=["GET", "HEAD"]),
        Route(base + "work.js", views.work_script, methods=["GET", "HEAD"]),
        Route(unsubscribe, views.unsubscribe_page, methods=["GET", "HEAD"]),
        Route(unsubscribe, views.unsubscribe, methods=["POST"]),
    ]
    if config.local:
        from .trial import routes as trial_routes

        routes += trial_routes(context, Project(config.registry).outbox)
    routes.append(Mount(base.rstrip("/"), app=context.files))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        context.mailer.start()
        yield
        context.close()
        context.service.state.close()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware(context),
                    exception_handlers={404: views.not_found, 405: views.not_allowed,
                                        StateError: views.unavailable,
                                        Exception: views.server_error})
    app.state.feedkit = views
    return app
