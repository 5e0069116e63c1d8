"""The views of `feedkit serve`: each parses the request, calls the list's rules
(feedkit.subscriptions) and renders a page. State changes only on POST."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import FeedkitError
from ..mail.tokens import BadToken, token_from
from ..model import Registry
from ..project import Project
from ..subscriptions import CONFIRM_DAYS, ListService, RateLimited, Refused, consent_text
from ..subscriptions import Request as Who
from .batch import Batcher
from .pages import NOTICES, Pages, read_form, same_origin
from .static import OutFiles, accepts_gzip, not_modified

if TYPE_CHECKING:
    from .config import ServeConfig

ONE_CLICK = ("List-Unsubscribe", "One-Click")


class Views:
    """Every endpoint, sharing the loaded registry, the list and the page renderer."""

    def __init__(self, config: ServeConfig, registry: Registry, service: ListService,
                 project: Project, environ: Mapping[str, str]) -> None:
        self.config = config
        self.site = registry.site
        self.service = service
        self.project = project
        self.environ = environ
        self.pages = Pages(self.site, project.template_dirs(config.templates))
        self.files = OutFiles(config.out)
        self.unsubscribes: Batcher[tuple[str, str, Who], bool] = Batcher(
            service.unsubscribe_many)
        self._check_pages()

    def _check_pages(self) -> None:
        """Render every page once, so that a broken template stops `feedkit serve` at
        start (TemplateError naming FILE:LINE) instead of failing a visitor."""
        self._form()
        for kind in NOTICES:
            self.pages.notice(kind, 200)
        sample = {"address": "reader@example.org", "token": "t", "form_token": "f",
                  "action": "confirm"}
        self.pages.render("confirm", 200, sample)
        self.pages.render("unsubscribe", 200, sample)

    # -- subscribing -------------------------------------------------------------
    async def subscribe_page(self, request: Request) -> Response:
        return self._form()

    def _form(self, fields: Mapping[str, str] | None = None, error: str = "",
              field: str = "", status: int = 200) -> Response:
        values = fields or {}
        return self.pages.render("subscribe", status, {
            "action": "subscribe", "form_token": self.service.form_token("subscribe"),
            "email": values.get("email", "")[:254], "name": values.get("name", "")[:200],
            "language": values.get("language", ""), "languages": self.pages.languages,
            "consent": consent_text(self.site, self.site.language), "error": error,
            "error_field": field})

    async def _posted(self, request: Request) -> dict[str, str] | Response:
        """A form posted from this site's page, or the page refusing it."""
        fields = await read_form(request)
        if fields is None:
            return self.pages.notice("bad_request", 400)
        if not same_origin(request, self.site.url):
            return self.pages.notice("cross_site", 403)
        return fields

    async def subscribe(self, request: Request) -> Response:
        fields = await self._posted(request)
        if isinstance(fields, Response):
            return fields
        try:
            self.service.check_form(fields.get("form_token", ""), "subscribe")
            wanted = self.service.subscribe(fields, _who(request))
        except RateLimited:
            return self.pages.notice("rate_limited", 429)
        except Refused as exc:
            return self._form(fields, self.pages.translate_refusal(exc), exc.field, 400)
        if wanted.mail:
            try:
                await run_in_threadpool(self._send_confirmation, wanted.address, wanted.name,
                                        wanted.language, wanted.token)
            except FeedkitError:
                return self.pages.notice("mail_failed", 503)
        return self.pages.notice("check_inbox", 200)

    def _send_confirmation(self, address: str, name: str, language: str | None,
                           token: str) -> None:
        from ..addresses import envelope_address
        from ..mail.confirmation import confirmation_message
        from ..mail.message import sender_address
        from ..mail.transport import open_transport

        data = confirmation_message(
            self.site, address=address, name=name, language=language or self.site.language,
            confirm_url=f"{self.site.url}confirm?token={token}", days=CONFIRM_DAYS,
            now=datetime.now(UTC), template_dirs=self.pages.template_dirs)
        transport = open_transport(self.config.smtp_url, self.project.outbox, self.environ,
                                   ca_file=self.config.smtp_ca)
        try:
            transport.send(data, sender_address(self.site), envelope_address(address))
        finally:
            transport.close()

    # -- confirming --------------------------------------------------------------
    async def confirm_page(self, request: Request) -> Response:
        token = token_from(request.query_params.get("token", ""))
        try:
            address = self.service.confirmation_address(token)
        except BadToken:
            return self.pages.notice("bad_link", 400)
        return self.pages.render("confirm", 200, {
            "action": "confirm", "token": token, "address": address,
            "form_token": self.service.form_token("confirm")})

    async def confirm(self, request: Request) -> Response:
        fields = await self._posted(request)
        if isinstance(fields, Response):
            return fields
        try:
            self.service.check_form(fields.get("form_token", ""), "confirm")
            self.service.confirm(token_from(fields.get("token", "")), _who(request))
        except BadToken:
            return self.pages.notice("bad_link", 400)
        except Refused:
            return self.pages.notice("expired_form", 400)
        return self.pages.notice("confirmed", 200)

    # -- unsubscribing (RFC 8058) -----------------------------------------------
    async def unsubscribe_page(self, request: Request) -> Response:
        try:
            address = self.service.unsubscribe_address(
                token_from(request.query_params.get("token", "")))
        except BadToken:
            return self.pages.notice("bad_link", 400)
        return self.pages.render("unsubscribe", 200, {"address": address})

    async def unsubscribe(self, request: Request) -> Response:
        """One-click: no cookie, no login, no redirect; 200 every time it is asked."""
        fields = await read_form(request)
        token = token_from(request.query_params.get("token", "")
                           or (fields or {}).get("token", ""))
        if fields is None or fields.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            return self.pages.notice("not_one_click", 400)
        try:
            address = self.service.unsubscribe_address(token)
        except BadToken:
            return self.pages.notice("bad_link", 400)
        await self.unsubscribes.submit((address, "one-click", _who(request)))
        return self.pages.notice("unsubscribed", 200)

    # -- out/ --------------------------------------------------------------------
    async def out_file(self, request: Request) -> Response:
        entry = self.files.get(request.path_params.get("path", ""))
        if entry is None:
            return await self.not_found(request, None)
        headers = request.headers
        gzipped = entry.gzipped is not None and accepts_gzip(headers.get("accept-encoding"))
        common = {"ETag": entry.gzip_etag if gzipped else entry.etag,
                  "Last-Modified": entry.last_modified, "Cache-Control": "no-cache",
                  "Vary": "Accept-Encoding"}
        if not_modified(entry, headers.get("if-none-match"), headers.get("if-modified-since")):
            return Response(status_code=304, headers=common)
        body = entry.gzipped if gzipped and entry.gzipped is not None else entry.data
        if gzipped:
            common["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            common["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=common, media_type=entry.content_type)
        return Response(body, headers=common, media_type=entry.content_type)

    async def not_found(self, request: Request, exc: Exception | None) -> Response:
        return self.pages.notice("not_found", 404)

    async def not_allowed(self, request: Request, exc: Exception | None) -> Response:
        return PlainTextResponse("Method Not Allowed", 405)

    async def unavailable(self, request: Request, exc: Exception) -> Response:
        """The state failed (a PostgreSQL server that went away): a page for the visitor,
        one line (never a password) for the operator, nothing changed."""
        print(f"feedkit serve: Error: {exc}", file=sys.stderr, flush=True)
        return self.pages.notice("unavailable", 503)


def _who(request: Request) -> Who:
    return Who(request.client.host if request.client else "",
               request.headers.get("user-agent", ""))

