"""The views of `feedkit serve`: each parses the request, calls the list's rules
(feedkit.subscriptions) in a worker thread and renders a page. State changes only on
POST; mail goes out after the answer (serve/mailer.py), so every answer takes the
same time whether an address is on the list or not."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from ..mail.tokens import BadToken, token_from
from ..subscriptions import CONFIRM_DAYS, RateLimited, Refused, consent_text
from ..subscriptions import Request as Who
from .mailer import Letter
from .pages import NOTICES, read_form, same_origin

if TYPE_CHECKING:
    from .context import Context

ONE_CLICK = ("List-Unsubscribe", "One-Click")
FEEDS = (("atom.xml", "Atom"), ("rss.xml", "RSS"), ("feed.json", "JSON Feed"))
PAGES = ("feeds.html", "digest.html", "digests/index.html")


class Views:
    """Every endpoint, sharing the app's context (site, list, pages, threads, mail)."""

    def __init__(self, context: Context) -> None:
        self.c = context
        self.pages = context.pages
        self.service = context.service
        self._check_pages()

    def _check_pages(self) -> None:
        """Render every page once, so that a broken template stops `feedkit serve` at
        start (TemplateError naming FILE:LINE) instead of failing a visitor."""
        self._form()
        self._link_form()
        self.pages.render("home", 200, self._home_context([], []))
        for kind in NOTICES:
            self.pages.notice(kind, 200)
        sample = {"address": "reader@example.org", "token": "t", "form_token": "f",
                  "action": "confirm"}
        self.pages.render("confirm", 200, sample)
        self.pages.render("unsubscribe", 200, sample)
        self.pages.render("privacy", 200, self._privacy_context())
        self.pages.snippet("subscribe/embed", "consent")

    # -- the home page: what `feedkit serve` prints ------------------------------
    async def home(self, request: Request) -> Response:
        """out/index.html when the build wrote one; else the list's own front page:
        the subscribe form and the feeds out/ holds."""
        found = await self.c.offload(self.c.files_present, ("index.html", *dict(FEEDS),
                                                             *PAGES))
        if "index.html" in found:
            return await self.c.files.get_response("index.html", request.scope)
        feeds = [(name, label) for name, label in FEEDS if name in found]
        return self.pages.render("home", 200, self._home_context(
            feeds, [p for p in PAGES if p in found]), self.c.script_headers)

    def _home_context(self, feeds: list[tuple[str, str]], pages: list[str]
                      ) -> dict[str, object]:
        return {**self._form_context({}), "feeds": feeds, "pages": pages,
                "outbox": self.c.links.url != self.c.site.url}

    # -- subscribing -------------------------------------------------------------
    async def subscribe_page(self, request: Request) -> Response:
        return self._form()

    def _form_context(self, values: Mapping[str, str], error: str = "",
                      field: str = "") -> dict[str, object]:
        return {
            "action": self.pages.base + "subscribe",
            "form_token": self.service.form_token("subscribe"),
            "email": values.get("email", "")[:254], "name": values.get("name", "")[:200],
            "language": values.get("language", ""), "languages": self.pages.languages,
            "consent": consent_text(self.c.site, self.c.site.language), "error": error,
            "error_field": field, "work_bits": self.service.limits.work_bits}

    def _form(self, fields: Mapping[str, str] | None = None, error: str = "",
              field: str = "", status: int = 200) -> Response:
        return self.pages.render("subscribe", status,
                                 self._form_context(fields or {}, error, field),
                                 self.c.script_headers)

    async def _posted(self, request: Request) -> dict[str, str] | Response:
        """A form posted from this site's page, or the page refusing it."""
        fields = await read_form(request)
        if fields is None:
            return self.pages.notice("bad_request", 400)
        if not same_origin(request, self.c.site.url):
            return self.pages.notice("cross_site", 403)
        return fields

    def _limited(self, exc: RateLimited) -> Response:
        return self.pages.notice("rate_limited", 429, {"Retry-After": str(exc.retry_after)})

    async def subscribe(self, request: Request) -> Response:
        fields = await self._posted(request)
        if isinstance(fields, Response):
            return fields
        try:
            self.service.check_form(fields.get("form_token", ""), "subscribe", fill=True)
            self.service.check_work(fields.get("form_token", ""), fields.get("email", ""),
                                    fields.get("work", ""))
            subscriber = self.service.read_subscriber(fields)
        except Refused as exc:
            return self._form(fields, self.pages.translate_refusal(exc), exc.field, 400)
        return await self._subscribe(fields, subscriber, _who(request), "form")

    async def _subscribe(self, fields: Mapping[str, str],
                         subscriber: tuple[str, str, str | None], who: Who, source: str
                         ) -> Response:
        """The checks every way in shares: the domain, the limits, the record, the mail.
        `subscriber`: what read_subscriber made of `fields`."""
        if self.c.domains is not None:
            why = await self.c.lookups(self.c.domains.problem, fields.get("email", ""))
            if why:
                message = self.pages.gettext(
                    "Mail to this address can't be delivered: its domain receives no "
                    "mail. Check the part after the @.")
                return self._form(fields, message, "email", 400)
        try:
            wanted = await self.c.offload(self.service.subscribe, fields, who, source=source,
                                          subscriber=subscriber)
        except RateLimited as exc:
            return self._limited(exc)
        except Refused as exc:
            return self._form(fields, self.pages.translate_refusal(exc), exc.field, 400)
        if wanted.mail:
            self.c.mailer.post(Letter("confirm", wanted.address, wanted.language,
                                      wanted.token))
        return self.pages.notice("check_inbox", 200)

    # -- the embeddable form: the one documented cross-origin way in ---------------
    async def embed_page(self, request: Request) -> Response:
        """The snippet a site owner pastes into their own pages (no script)."""
        return self.pages.render("embed", 200, {
            "snippet": self.pages.snippet(self.c.links.url + "subscribe/embed",
                                          consent_text(self.c.site, self.c.site.language))})

    async def embed(self, request: Request) -> Response:
        """A subscribe from the snippet on another site. A browser's POST that a person's
        click sent (Sec-Fetch-User: ?1) subscribes at once, limited like the form;
        anything else (a script submitting it, a bot) lands on this site's own form,
        filled in, where the person presses Subscribe."""
        fields = await read_form(request)
        if fields is None:
            return self.pages.notice("bad_request", 400)
        try:
            subscriber = self.service.read_subscriber(fields)
        except Refused as exc:
            return self._form(fields, self.pages.translate_refusal(exc), exc.field, 400)
        if request.headers.get("sec-fetch-user") != "?1":
            return self._form({k: fields.get(k, "") for k in ("email", "name", "language")})
        return await self._subscribe(fields, subscriber, _who(request), "embed")

    # -- confirming --------------------------------------------------------------
    async def confirm_page(self, request: Request) -> Response:
        token = token_from(request.query_params.get("token", ""))
        try:
            address = self.service.confirmation_address(token)
        except BadToken:
            return self.pages.notice("bad_link", 400)
        return self.pages.render("confirm", 200, {
            "action": self.pages.base + "confirm", "token": token, "address": address,
            "form_token": self.service.form_token("confirm")})

    async def confirm(self, request: Request) -> Response:
        fields = await self._posted(request)
        if isinstance(fields, Response):
            return fields
        try:
            self.service.check_form(fields.get("form_token", ""), "confirm")
            await self.c.offload(self.service.confirm, token_from(fields.get("token", "")),
                                 _who(request))
        except BadToken:
            return self.pages.notice("bad_link", 400)
        except Refused:
            return self.pages.notice("expired_form", 400)
        return self.pages.notice("confirmed", 200)

    # -- unsubscribing (RFC 8058), and asking for a link --------------------------
    async def unsubscribe_page(self, request: Request) -> Response:
        """With a token: the page with the one-click button (GET changes nothing).
        Without one (a preview, a forwarded copy, the web copy of a digest): the form
        that mails a link."""
        raw = request.query_params.get("token", "")
        if not raw.strip():
            return self._link_form()
        try:
            address = await self.c.offload(self.service.unsubscribe_address,
                                           token_from(raw))
        except BadToken:
            return self._link_form(self.pages.translate_refusal(Refused("", "link")),
                                   status=400)
        return self.pages.render("unsubscribe", 200, {"address": address})

    def _link_form(self, error: str = "", email: str = "", status: int = 200) -> Response:
        return self.pages.render("link", status, {
            "action": self.c.unsubscribe_path, "email": email[:254], "error": error,
            "form_token": self.service.form_token("link")})

    async def unsubscribe(self, request: Request) -> Response:
        """One-click: no cookie, no login, no redirect; 200 every time it is asked.
        A form with an address instead asks for a link (same page whoever asks)."""
        fields = await read_form(request)
        if fields is not None and "email" in fields and ONE_CLICK[0] not in fields:
            return await self._send_link(request, fields)
        token = token_from(request.query_params.get("token", "")
                           or (fields or {}).get("token", ""))
        if fields is None or fields.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            return self.pages.notice("not_one_click", 400)
        try:
            address = await self.c.offload(self.service.unsubscribe_address, token)
        except BadToken:
            return self.pages.notice("bad_link", 400)
        await self.c.unsubscribes.submit((address, "one-click", _who(request)))
        return self.pages.notice("unsubscribed", 200)

    async def _send_link(self, request: Request, fields: dict[str, str]) -> Response:
        if not same_origin(request, self.c.site.url):
            return self.pages.notice("cross_site", 403)
        try:
            self.service.check_form(fields.get("form_token", ""), "link")
            found = await self.c.offload(self.service.unsubscribe_link, fields,
                                         _who(request))
        except RateLimited as exc:
            return self._limited(exc)
        except Refused as exc:
            return self._link_form(self.pages.translate_refusal(exc), fields["email"], 400)
        if found is not None:
            address, language = found
            self.c.mailer.post(Letter("unsubscribe", address, language,
                                      self.service.unsubscribe_token(address)))
        return self.pages.notice("link_sent", 200)

    async def work_script(self, request: Request) -> Response:
        """The proof of work's script (only with --proof-of-work): a file of our own,
        the one script the list's CSP lets run."""
        from ..text.templating import shipped_dir

        if not self.service.limits.work_bits:
            return self.pages.notice("not_found", 404)
        script = await self.c.offload((shipped_dir() / "list" / "work.js").read_bytes)
        return Response(script, media_type="text/javascript; charset=utf-8", headers={
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    # -- the privacy notice ------------------------------------------------------
    async def privacy(self, request: Request) -> Response:
        return self.pages.render("privacy", 200, self._privacy_context())

    def _privacy_context(self) -> dict[str, object]:
        return {"days": CONFIRM_DAYS, "unsubscribe": self.c.unsubscribe_path,
                "contact": self.c.site.email}

    # -- errors ------------------------------------------------------------------
    async def not_found(self, request: Request, exc: Exception | None) -> Response:
        return self.pages.notice("not_found", 404)

    async def not_allowed(self, request: Request, exc: Exception | None) -> Response:
        allow = getattr(exc, "headers", None) or {}
        return self.pages.notice("not_allowed", 405, allow)

    async def unavailable(self, request: Request, exc: Exception) -> Response:
        """The state failed (a PostgreSQL server that went away): a page for the visitor,
        one line (never a password) for the operator, nothing changed."""
        logging.getLogger("feedkit.serve").error(f"feedkit serve: Error: {exc}")
        return self.pages.notice("unavailable", 503)

    async def server_error(self, request: Request, exc: Exception) -> Response:
        logging.getLogger("feedkit.serve").error(
            f"feedkit serve: Error: {type(exc).__name__} on {request.url.path}")
        return self.pages.notice("server_error", 500)


def _who(request: Request) -> Who:
    return Who(request.client.host if request.client else "",
               request.headers.get("user-agent", ""))
