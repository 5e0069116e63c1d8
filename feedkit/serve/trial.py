"""The local trial (`feedkit serve --local`): the Maildir outbox in the browser, and
a test digest for the list's confirmed subscribers, so that subscribing, confirming,
receiving a digest and unsubscribing work on one machine without a mail server.

Only routed with --local, which listens on loopback only: the outbox holds
addresses, and is never served by a public server.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute

from ..subscriptions import Refused
from .pages import read_form, same_origin

if TYPE_CHECKING:
    from .context import Context

URL = re.compile(r"https?://[^\s<>\"']+")
NAME = re.compile(r"^[A-Za-z0-9._:,-]{1,200}$")
# The digest's HTML, shown as a page of its own: no script, pictures from anywhere.
HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def segments(text: str) -> list[tuple[str, str]]:
    """Plain text as (text, link) pieces: the template escapes both, links become <a>."""
    found: list[tuple[str, str]] = []
    last = 0
    for match in URL.finditer(text):
        found.append((text[last:match.start()], ""))
        found.append((match.group(0), match.group(0)))
        last = match.end()
    found.append((text[last:], ""))
    return found


class Trial:
    """The outbox pages and the test digest, over the app's context."""

    def __init__(self, context: Context, outbox: Path) -> None:
        self.c = context
        self.outbox = outbox

    def _files(self) -> list[tuple[float, str, Path]]:
        found = []
        for sub in ("new", "cur"):
            folder = self.outbox / sub
            if folder.is_dir():
                for entry in os.scandir(folder):
                    if NAME.match(entry.name):
                        found.append((entry.stat().st_mtime, entry.name, Path(entry.path)))
        return sorted(found, reverse=True)

    def _read(self, name: str) -> EmailMessage | None:
        for _, found, path in self._files():
            if found == name:
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                assert isinstance(message, EmailMessage)
                return message
        return None

    async def listing(self, request: Request) -> Response:
        def rows() -> list[dict[str, str]]:
            listed = []
            for _, name, path in self._files():
                head = message_from_bytes(path.read_bytes(), policy=policy.default)
                listed.append({"name": name, "subject": str(head["Subject"] or ""),
                               "to": str(head["To"] or ""), "date": str(head["Date"] or "")})
            return listed

        sent = request.query_params.get("sent", "")
        return self.c.pages.render("outbox", 200, {
            "messages": await self.c.offload(rows), "outbox": str(self.outbox),
            "sent": int(sent) if sent.isdigit() else None,
            "form_token": self.c.service.form_token("digest")})

    async def message(self, request: Request) -> Response:
        name = request.path_params["name"]
        message = await self.c.offload(self._read, name) if NAME.match(name) else None
        if message is None:
            return self.c.pages.notice("not_found", 404)
        text = message.get_body(("plain",))
        unsubscribe = re.search(r"<(https?://[^>]+)>", str(message["List-Unsubscribe"] or ""))
        return self.c.pages.render("outbox-message", 200, {
            "subject": str(message["Subject"] or ""), "to": str(message["To"] or ""),
            "date": str(message["Date"] or ""),
            "text": segments(text.get_content() if text is not None else ""),
            "has_html": message.get_body(("html",)) is not None, "name": name,
            "one_click": unsubscribe.group(1) if unsubscribe else ""})

    async def html(self, request: Request) -> Response:
        name = request.path_params["name"]
        message = await self.c.offload(self._read, name) if NAME.match(name) else None
        part = message.get_body(("html",)) if message is not None else None
        if part is None:
            return self.c.pages.notice("not_found", 404)
        return HTMLResponse(part.get_content(), headers={
            "Content-Security-Policy": HTML_CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "Cache-Control": "no-store"})

    async def send_digest(self, request: Request) -> Response:
        """A test digest (the newest week with posts) to every confirmed subscriber,
        its links pointing at this server."""
        fields = await read_form(request)
        if fields is None or not same_origin(request, self.c.site.url):
            return self.c.pages.notice("cross_site", 403)
        try:
            self.c.service.check_form(fields.get("form_token", ""), "digest")
        except Refused:
            return self.c.pages.notice("expired_form", 400)
        count = await self.c.offload(self._digests)
        return Response(status_code=303, headers={
            "Location": f"{self.c.pages.base}outbox/?sent={count}"})

    def _digests(self) -> int:
        """Write a digest for each confirmed subscriber into the outbox (blocking: call
        through `offload`); how many."""
        from ..addresses import envelope_address
        from ..mail.maildir import MaildirTransport
        from ..mail.message import sender_address
        from ..mail.personal import Letters
        from ..periods import local_day, posts_in_window, window_for_period
        from ..text.i18n import resolve_language

        registry = self.c.registry
        site = dataclasses.replace(registry.site, unsubscribe_url=self.c.links.unsubscribe)
        local = dataclasses.replace(registry, site=site)
        now = datetime.now(UTC)
        posts = local.visible(now)
        entries = self.c.service.state.list_entries("confirmed")
        if not posts or not entries:
            return 0
        window = window_for_period(site.options.web_digests or "week",
                                   local_day(posts[0], site))
        chosen = posts_in_window(local, window)
        letters: dict[str, Letters] = {}
        outbox = MaildirTransport(self.outbox)
        for entry in entries:
            language = resolve_language(entry.language or site.language)
            if language not in letters:
                letters[language] = Letters(local, window, chosen, language=language,
                                            template_dirs=self.c.pages.template_dirs,
                                            date=now, log=lambda _: None, label="test")
            _, data = letters[language].message(entry.name, entry.address, entry.recipient,
                                                self.c.service.unsubscribe_token(entry.address))
            outbox.send(data, sender_address(site), envelope_address(entry.address))
        outbox.close()
        return len(entries)


def routes(context: Context, outbox: Path) -> list[BaseRoute]:
    """The trial's routes, under the site's path."""
    from starlette.routing import Route

    trial = Trial(context, outbox)
    base = context.pages.base
    return [
        Route(base + "outbox/", trial.listing, methods=["GET", "HEAD"]),
        Route(base + "outbox/digest", trial.send_digest, methods=["POST"]),
        Route(base + "outbox/{name}", trial.message, methods=["GET", "HEAD"]),
        Route(base + "outbox/{name}/html", trial.html, methods=["GET", "HEAD"]),
    ]

