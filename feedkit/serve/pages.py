"""Pages and requests for the views: templates in the site language, the fixed
notices (also the error pages: 404, 405, 413, 429, 500, 503), security headers,
form bodies read strictly, the same-origin check."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse

from ..model import Site
from ..subscriptions import Refused
from ..text.i18n import available_languages, resolve_language, translations
from ..text.templating import render_template

# No script runs on the list's pages (with proof of work on, one file of our own);
# styles are inline in the page's <style>.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "same-origin",  # links carry tokens: never to another site
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
MAX_FIELDS = 20


def N_(text: str) -> str:  # marks a string for pybabel extract
    return text


# kind -> (heading, message); translated when rendered.
NOTICES = {
    "check_inbox": (N_("Check your inbox"), N_(
        "If the address can receive mail, a message with a confirmation link is on its "
        "way. The subscription starts once you confirm it.")),
    "link_sent": (N_("Check your inbox"), N_(
        "If the address is on the list, a message with a link to unsubscribe is on its "
        "way. Nothing changes until you open it.")),
    "confirmed": (N_("You are subscribed"), N_(
        "Thank you. The next digest will be sent to you.")),
    "unsubscribed": (N_("You are unsubscribed"), N_(
        "You will not receive the digest any more. If this was a mistake, you can "
        "subscribe again.")),
    "bad_link": (N_("This link is not valid"), N_(
        "The link is incomplete, has expired or was not made by this site. Copy the whole "
        "link from the message, or subscribe again.")),
    "not_one_click": (N_("Nothing was changed"), N_(
        "Use the button on the unsubscribe page.")),
    "cross_site": (N_("The form was sent from another site"), N_(
        "For your safety nothing was changed. Open the form on this site and send it "
        "again.")),
    "expired_form": (N_("The page has expired"), N_(
        "Load the page again and press the button once more.")),
    "rate_limited": (N_("Too many requests"), N_("Please try again later.")),
    "bad_request": (N_("The request could not be read"), N_(
        "Send the form from the page on this site.")),
    "not_found": (N_("Page not found"), N_("There is nothing at this address.")),
    "not_allowed": (N_("This page can't do that"), N_(
        "The address is right, but not the way it was asked for. Open the page and use "
        "its form.")),
    "too_large": (N_("The request is too large"), N_(
        "Nothing was changed. Send the form from the page on this site.")),
    "server_error": (N_("Something went wrong"), N_(
        "Nothing was changed. Please try again in a few minutes.")),
    "unavailable": (N_("The list is not available just now"), N_(
        "Nothing was changed. Please try again in a few minutes.")),
}
REFUSALS = {
    "email": N_("Enter a valid email address, like name@example.org."),
    "name": N_("The name is too long or holds characters that can't be used."),
    "language": N_("Choose one of the languages offered."),
    "form": N_("The form has expired or was not sent from this page. Please send it again."),
    "fast": N_("The form was sent very quickly. Check the fields and send it again."),
    "work": N_("The form's check did not finish. Wait a moment and send it again."),
    "link": N_("This link is not valid. Enter your address and we will mail you a new one."),
}


class Pages:
    """Renders the list's pages in the site language."""

    def __init__(self, site: Site, template_dirs: tuple[Path, ...], base: str = "/") -> None:
        from babel import Locale

        self.site = site
        self.base = base  # the path every route lives under, ending in "/"
        self.template_dirs = template_dirs
        self.language = resolve_language(site.language)
        self.gettext = translations(self.language).gettext
        self.languages = [(code, Locale.parse(code).get_display_name(code) or code)
                          for code in available_languages()]
        self._notices: dict[tuple[str, int], bytes | memoryview] = {}

    def render(self, name: str, status: int, context: Mapping[str, Any],
               headers: Mapping[str, str] | None = None) -> HTMLResponse:
        html = render_template(self.template_dirs, self.language, f"list/{name}.html.j2", {
            "lang": self.site.language, "site_title": self.site.title,
            "site_url": self.site.url, "base": self.base, **context})
        return HTMLResponse(html, status, headers={**HEADERS, **(headers or {})})

    def notice(self, kind: str, status: int, headers: Mapping[str, str] | None = None
               ) -> HTMLResponse:
        """A fixed notice page; rendered once per (kind, status), then reused."""
        key = (kind, status)
        body = self._notices.get(key)
        if body is None:
            heading, message = NOTICES[kind]
            link = self.base + "subscribe" if kind in ("unsubscribed", "bad_link") else ""
            body = self._notices[key] = self.render("notice", status, {
                "heading": self.gettext(heading), "message": self.gettext(message),
                "alert": status >= 400, "link": link,
                "link_text": self.gettext("Subscribe") if link else ""}).body
        return HTMLResponse(body, status, headers={**HEADERS, **(headers or {})})

    def snippet(self, action: str, consent: str) -> str:
        """The embeddable form's HTML, to paste into a page of another site."""
        return render_template(self.template_dirs, self.language, "list/embed-form.html.j2", {
            "action": action, "consent": consent, "site_title": self.site.title,
            "lang": self.site.language}).strip() + "\n"

    def translate_refusal(self, refusal: Refused) -> str:
        return self.gettext(REFUSALS.get(refusal.field, REFUSALS["form"]))


async def read_form(request: Request) -> dict[str, str] | None:
    """A form body as text fields (first value wins), or None when it can't be read:
    not UTF-8, too many fields, or not a form at all."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_fields=MAX_FIELDS, max_files=0)
        except Exception:  # python-multipart's errors, a cut body
            return None
        fields: dict[str, str] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(key, value)
        return fields if all(_clean(k) and _clean(v) for k, v in fields.items()) else None
    try:
        body = await request.body()
    except ClientDisconnect:  # the client gave up waiting: nothing to answer
        return None
    if kind not in ("application/x-www-form-urlencoded", "") or (kind == "" and body):
        return None
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_FIELDS, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    found: dict[str, str] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    return found


def _clean(text: str) -> bool:
    return "\ufffd" not in text and "\x00" not in text


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(request: Request, site_url: str) -> bool:
    """False for a browser's cross-site POST (Sec-Fetch-Site, else Origin); requests
    without either (mail clients, scripts) still need the signed form token."""
    fetch = request.headers.get("sec-fetch-site")
    if fetch is not None:
        return fetch in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
    return origin.lower() in (origin_of(site_url), own)
