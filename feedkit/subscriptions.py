"""The list's rules: subscribing with double opt-in, confirming, unsubscribing.

Everything `feedkit serve` decides lives here, testable without HTTP: what a
good address, name and language are (the subscribers file's own checks), which
tokens are good (mail.tokens: signed, naming their address and purpose), what
the consent record holds, and the rate limits that keep the form from mailing
strangers. The state (state.listing) only stores; views only parse and render.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .addresses import address_problem, is_unicode
from .errors import FeedkitError
from .load.subscribers import MAX_NAME, name_problem
from .mail.tokens import BadToken, is_legacy_token, make_token, sign, verify
from .model import Site
from .state import SendState
from .state.listing import Consent, ListEntry
from .text.i18n import available_languages, is_language_tag, resolve_language, translations

CONFIRM_DAYS = 7  # a confirmation link works this long; pending entries expire after it
FORM_SECONDS = 2 * 3600  # a subscribe form must be posted within two hours of its display
MAX_ADDRESS = 254
MAX_USER_AGENT = 300
LEGACY_REFRESH = 10.0  # seconds between rebuilds of the old-token index


class Refused(FeedkitError):
    """A request the list turns down; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class RateLimited(Refused):
    """Too many subscribe requests from one client or for one address."""


@dataclass(frozen=True)
class Limits:
    """Subscribe requests allowed per client address and per target address."""

    per_client: int = 10
    client_window: int = 3600
    per_address: int = 3
    address_window: int = 86400


@dataclass(frozen=True)
class Request:
    """Who is asking, as the consent record keeps it."""

    client: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class Subscription:
    """A subscribe request that was accepted: mail `token` to `address`, unless
    `mail` is False (the address is already confirmed, or a bot filled the honeypot:
    the answer looks the same, so the form tells nobody who is subscribed)."""

    address: str
    name: str
    language: str | None
    token: str
    mail: bool


def utc(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def consent_text(site: Site, language: str) -> str:
    """The sentence a subscriber agrees to; the consent record keeps it verbatim."""
    gettext = translations(resolve_language(language)).gettext
    return gettext("I want to receive the email digest of %(site)s with its new posts. "
                   "I can unsubscribe at any time with the link in every message.") % {
        "site": site.title}


@dataclass
class ListService:
    """The list of one site over one state database, signing with `secret`."""

    site: Site
    state: SendState
    secret: bytes
    limits: Limits = field(default_factory=Limits)
    clock: Callable[[], float] = time.time
    known: Callable[[], Iterable[str]] = tuple  # more addresses old tokens may name
    _legacy: dict[str, str] = field(default_factory=dict)
    _legacy_built: float = float("-inf")

    # -- forms -------------------------------------------------------------------
    def form_token(self, form: str) -> str:
        """A signed token for one form ("subscribe"), good for FORM_SECONDS."""
        return sign("form", form, self.secret, expires=int(self.clock()) + FORM_SECONDS)

    def check_form(self, token: str, form: str) -> None:
        """Refused unless `token` is this site's token for `form`, still fresh."""
        try:
            if verify(token, "form", self.secret, now=self.clock()) == form:
                return
        except BadToken:
            pass
        raise Refused("the form has expired or was not sent from this site; load the page "
                      "again and send it once more", "form")

    # -- subscribing -------------------------------------------------------------
    def subscribe(self, fields: Mapping[str, str], request: Request) -> Subscription:
        """Check a subscribe form and record a pending subscriber (double opt-in)."""
        address = fields.get("email", "").strip()
        raw_name = fields.get("name", "")
        if any(c in raw_name for c in "\r\n\t\x00"):  # a one-line field never has them
            raise Refused("the name contains control characters", "name")
        name = " ".join(raw_name.split())
        language = fields.get("language", "").strip() or None
        why = (address_problem(address) if address and len(address) <= MAX_ADDRESS
               else "is missing" if not address else "is too long")
        if why:
            raise Refused(f"the address {why}", "email")
        why = name_problem(name)
        if why:
            raise Refused(f"the name {why}" if len(name) <= MAX_NAME else
                          f"the name is longer than {MAX_NAME} characters", "name")
        if language and (not is_language_tag(language)
                         or resolve_language(language) not in available_languages()):
            raise Refused("choose one of the languages offered", "language")
        key = address.lower()
        token = sign("confirm", key, self.secret,
                     expires=int(self.clock()) + CONFIRM_DAYS * 86400)
        if fields.get("website"):  # the honeypot: people never see it
            return Subscription(address, name, language, token, mail=False)
        entry = self.state.list_entry(key)
        if entry is not None and entry.status == "confirmed":
            return Subscription(address, name, language, token, mail=False)
        self._check_limits(key, request)
        self.state.expire_pending(utc(self.clock() - CONFIRM_DAYS * 86400))
        self.state.request_subscription(key, address, name, language, Consent(
            "subscribed", utc(self.clock()), "form", request.client or None,
            _clip(request.user_agent), consent_text(self.site, self.site.language)))
        return Subscription(address, name, language, token, mail=True)

    def _check_limits(self, key: str, request: Request) -> None:
        now, limits = self.clock(), self.limits
        if request.client and self.state.count_consents(
                "subscribed", utc(now - limits.client_window),
                client=request.client) >= limits.per_client:
            raise RateLimited("too many subscriptions from your network; try again later")
        if self.state.count_consents("subscribed", utc(now - limits.address_window),
                                     recipient=key) >= limits.per_address:
            raise RateLimited("this address was sent several confirmation messages today; "
                              "look for them in its inbox, or try again tomorrow")

    # -- confirming --------------------------------------------------------------
    def confirmation_address(self, token: str) -> str:
        """The address a confirmation link is for (BadToken if the link is bad)."""
        return verify(token, "confirm", self.secret, now=self.clock())

    def confirm(self, token: str, request: Request) -> ListEntry:
        """Confirm the pending subscriber a good confirmation link names."""
        key = self.confirmation_address(token)
        entry = self.state.list_entry(key)
        if entry is None or entry.status not in ("pending", "confirmed"):
            raise BadToken("the subscription request has expired or was withdrawn; "
                           "subscribe again")
        if entry.status == "pending":
            self.state.confirm_subscription(key, Consent(
                "confirmed", utc(self.clock()), "page", request.client or None,
                _clip(request.user_agent)))
        confirmed = self.state.list_entry(key)
        assert confirmed is not None
        return confirmed

    # -- unsubscribing -----------------------------------------------------------
    def unsubscribe_address(self, token: str) -> str:
        """The address an unsubscribe token names. Tokens from before issue 11 (a bare
        HMAC of the address) are looked up among the addresses this state knows."""
        try:
            return verify(token, "unsubscribe", self.secret)
        except BadToken:
            if not is_legacy_token(token):
                raise
        found = self._legacy.get(token.strip())
        if found is None and time.monotonic() - self._legacy_built > LEGACY_REFRESH:
            self._legacy = self._legacy_tokens()
            self._legacy_built = time.monotonic()
            found = self._legacy.get(token.strip())
        if found is None:
            raise BadToken("the link matches no subscriber (was it made with another "
                           "FEEDKIT_SECRET?)")
        return found

    def _legacy_tokens(self) -> dict[str, str]:
        """Old-style token -> address for every address the state and the subscribers
        file know: built once, and again on a miss at most every LEGACY_REFRESH s."""
        known = {e.recipient for e in self.state.list_entries()}
        known |= {a.lower() for a in self.state.known_addresses()}
        known |= {a.lower() for a in self.known()}
        return {make_token(a, self.secret): a for a in known}

    def unsubscribe(self, token: str, source: str, request: Request) -> tuple[str, bool]:
        """Unsubscribe the address a token names at once; (address, newly done).
        Idempotent: unsubscribing twice changes nothing the second time."""
        address = self.unsubscribe_address(token)
        return address, self.unsubscribe_many([(address, source, request)])[0]

    def unsubscribe_many(self, items: list[tuple[str, str, Request]]) -> list[bool]:
        """Unsubscribe (address, source, request) items whose tokens were checked, in one
        transaction: a busy server commits once for many requests."""
        at = utc(self.clock())
        return self.state.unsubscribe_entries([
            (address.lower(), address, Consent("unsubscribed", at, source,
                                               request.client or None,
                                               _clip(request.user_agent)))
            for address, source, request in items])

    def unsubscribe_token(self, address: str) -> str:
        return sign("unsubscribe", address.lower(), self.secret)


def _clip(text: str) -> str | None:
    text = "".join(c for c in text if c.isprintable())[:MAX_USER_AGENT]
    return text if text and is_unicode(text) else None
