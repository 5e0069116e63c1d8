"""The list's rules: subscribing with double opt-in, confirming, unsubscribing.

Everything `feedkit serve` decides lives here, testable without HTTP: what a
good address, name and language are (the subscribers file's own checks), which
tokens are good (mail.tokens: signed, naming their address and purpose), what
the consent record holds, and the friction that keeps the form from mailing
strangers: a signed form with a least fill time, a honeypot, an optional proof of
work, and the rate limits of feedkit.limits. Every answer is the same whether an
address is subscribed, pending, unsubscribed or unknown. The state (state.listing)
only stores; views only parse and render.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .addresses import address_problem, is_unicode
from .errors import FeedkitError
from .limits import Gate, Limits, RateLimited, seconds
from .load.subscribers import MAX_NAME, name_problem
from .mail.tokens import MAC_LENGTH, BadToken, is_legacy_token, make_token, sign, verify
from .model import Site
from .state import SendState
from .state.listing import Consent, ListEntry
from .text.i18n import available_languages, is_language_tag, resolve_language, translations

CONFIRM_DAYS = 7  # a confirmation link works this long; pending entries expire after it
FORM_SECONDS = 2 * 3600  # a subscribe form must be posted within two hours of its display
MAX_ADDRESS = 254
MAX_USER_AGENT = 300
LEGACY_REFRESH = 10.0  # seconds between rebuilds of the old-token index
EXPIRE_EVERY = 60.0  # seconds between sweeps of pending subscribers past CONFIRM_DAYS


class Refused(FeedkitError):
    """A request the list turns down; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


__all__ = ["Limits", "ListService", "RateLimited", "Refused", "Request", "Subscription"]

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


def check_address(address: str) -> None:
    """Refused (field "email") unless `address` is one the list can mail."""
    why = (address_problem(address) if address and len(address) <= MAX_ADDRESS
           else "is missing" if not address else "is too long")
    if why:
        raise Refused(f"the address {why}", "email")


def form_expiry(token: str) -> int:
    """When a (verified) form token expires, from its payload."""
    import base64

    body = token[:-MAC_LENGTH].upper()
    head = base64.b32decode(body + "=" * (-len(body) % 8)).decode("utf-8").partition(":")[0]
    return int(head[1:])


def has_work(token: str, address: str, nonce: str, bits: int) -> bool:
    """Whether SHA-256("token:address:nonce") starts with `bits` zero bits."""
    import hashlib

    if len(nonce) > 32 or not nonce.isascii():
        return False
    digest = hashlib.sha256(f"{token}:{address.strip().lower()}:{nonce}".encode()).digest()
    return int.from_bytes(digest, "big") >> (256 - bits) == 0


def consent_text(site: Site, language: str) -> str:
    """The sentence a subscriber agrees to; the consent record keeps it verbatim."""
    gettext = translations(resolve_language(language)).gettext
    return gettext("I want to receive the email digest of %(site)s with its new posts. "
                   "I can unsubscribe at any time with the link in every message.") % {
        "site": site.title}


class TooFast(Refused):
    """The form came back sooner than a person fills it in."""


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
    _gate: Gate | None = None
    _swept: float = float("-inf")

    @property
    def gate(self) -> Gate:
        if self._gate is None or self._gate.limits is not self.limits:
            self._gate = Gate(self.state, self.secret, self.limits)
        return self._gate

    # -- forms -------------------------------------------------------------------
    def form_token(self, form: str) -> str:
        """A signed token for one form ("subscribe"), good for FORM_SECONDS; it also
        says when the form was shown (the least fill time counts from then)."""
        return sign("form", form, self.secret, expires=int(self.clock()) + FORM_SECONDS)

    def check_form(self, token: str, form: str, *, fill: bool = False) -> None:
        """Refused unless `token` is this site's token for `form`, still fresh; with
        `fill`, TooFast when it came back sooner than the least fill time."""
        try:
            if verify(token, "form", self.secret, now=self.clock()) == form:
                if fill and self.limits.min_fill > 0:
                    shown = form_expiry(token) - FORM_SECONDS
                    if self.clock() < shown + self.limits.min_fill:
                        raise TooFast("the form was sent back too quickly", "fast")
                return
        except BadToken:
            pass
        raise Refused("the form has expired or was not sent from this site; load the page "
                      "again and send it once more", "form")

    def check_work(self, token: str, address: str, nonce: str) -> None:
        """With proof of work on: Refused unless SHA-256 of "token:address:nonce" starts
        with `work_bits` zero bits (the form's script finds the nonce)."""
        bits = self.limits.work_bits
        if bits and not has_work(token, address, nonce, bits):
            raise Refused("the form's check did not finish; wait a moment and send it "
                          "again", "work")

    def read_subscriber(self, fields: Mapping[str, str]) -> tuple[str, str, str | None]:
        """(address, name, language) of a subscribe form, or Refused naming the field."""
        address = fields.get("email", "").strip()
        raw_name = fields.get("name", "")
        if any(c in raw_name for c in "\r\n\t\x00"):  # a one-line field never has them
            raise Refused("the name contains control characters", "name")
        name = " ".join(raw_name.split())
        language = fields.get("language", "").strip() or None
        check_address(address)
        why = name_problem(name)
        if why:
            raise Refused(f"the name {why}" if len(name) <= MAX_NAME else
                          f"the name is longer than {MAX_NAME} characters", "name")
        if language and (not is_language_tag(language)
                         or resolve_language(language) not in available_languages()):
            raise Refused("choose one of the languages offered", "language")
        return address, name, language

    # -- subscribing -------------------------------------------------------------
    def subscribe(self, fields: Mapping[str, str], request: Request, *,
                  source: str = "form",
                  subscriber: tuple[str, str, str | None] | None = None) -> Subscription:
        """Check a subscribe form and record a pending subscriber (double opt-in).

        `mail` is False, with the same answer to the caller, when the address is
        confirmed already, a confirmation went to it within `resend_after`, it had
        `per_address` of them within a day, or a bot filled the honeypot. Over the
        client's, the domain's or the site's limit: RateLimited, whatever the address.
        """
        address, name, language = subscriber or self.read_subscriber(fields)
        key = address.lower()
        now = self.clock()
        token = sign("confirm", key, self.secret, expires=int(now) + CONFIRM_DAYS * 86400)
        if fields.get("website"):  # the honeypot: people never see it
            return Subscription(address, name, language, token, mail=False)
        # Exclusive: the limits counted are still true when the request is recorded, even
        # with several `feedkit serve` nodes on one state.
        with self.state.transaction(exclusive=True):
            self.gate.admit(request.client, key, now)
            if not self._may_mail(key, now):
                return Subscription(address, name, language, token, mail=False)
            if now - self._swept > EXPIRE_EVERY:  # a sweep reads every pending entry
                self._swept = now
                self.state.expire_pending(utc(now - CONFIRM_DAYS * 86400))
            self.state.request_subscription(key, address, name, language, Consent(
                "subscribed", utc(now), source, request.client or None,
                _clip(request.user_agent), consent_text(self.site, self.site.language)))
        return Subscription(address, name, language, token, mail=True)

    def _may_mail(self, key: str, now: float) -> bool:
        entry = self.state.list_entry(key)
        if entry is not None and entry.status == "confirmed":
            return False
        if entry is not None and entry.status == "pending" and entry.subscribed_at and \
                now - seconds(entry.subscribed_at) < self.limits.resend_after:
            return False  # one pending confirmation at a time
        return self.state.count_consents(
            "subscribed", utc(now - self.limits.address_window),
            recipient=key) < self.limits.per_address

    # -- confirming --------------------------------------------------------------
    def confirmation_address(self, token: str) -> str:
        """The address a confirmation link is for (BadToken if the link is bad)."""
        return verify(token, "confirm", self.secret, now=self.clock())

    def confirm(self, token: str, request: Request) -> ListEntry:
        """Confirm the subscriber a good confirmation link names. The link is what
        proves the mailbox: pressed within its days it subscribes the address whatever
        happened since (an expired request, an unsubscribe: the latest action wins), so
        the answer never depends on the list's records."""
        key = self.confirmation_address(token)
        at = utc(self.clock())
        who = (request.client or None, _clip(request.user_agent))
        with self.state.transaction():
            entry = self.state.list_entry(key)
            if entry is None or entry.status not in ("pending", "confirmed"):
                self.state.request_subscription(
                    key, entry.address if entry else key, entry.name if entry else "",
                    entry.language if entry else None,
                    Consent("subscribed", at, "link", *who,
                            consent_text(self.site, self.site.language)))
                entry = self.state.list_entry(key)
            if entry is not None and entry.status == "pending":
                self.state.confirm_subscription(key, Consent("confirmed", at, "page", *who))
        confirmed = self.state.list_entry(key)
        assert confirmed is not None
        return confirmed

    # -- the "send me an unsubscribe link" form ----------------------------------
    def unsubscribe_link(self, fields: Mapping[str, str], request: Request
                         ) -> tuple[str, str | None] | None:
        """(address, language) to mail an unsubscribe link to, or None (not on the
        list, a link went to it within `resend_after`, or the honeypot): the caller
        answers the same either way. RateLimited as for subscribing."""
        address = fields.get("email", "").strip()
        check_address(address)
        if fields.get("website"):
            return None
        key = address.lower()
        now = self.clock()
        with self.state.transaction(exclusive=True):
            self.gate.admit(request.client, key, now)
            mark = self.gate.key("link:" + key)
            count, _ = self.state.count_attempts(
                "link", mark, utc(now - self.limits.resend_after))
            entry = self.state.list_entry(key)
            listed = entry.status in ("pending", "confirmed") if entry is not None else (
                key in {a.lower() for a in self.known()} and key not in self.state.suppressed())
            if count or not listed:
                return None
            self.state.record_attempts([("link", mark, utc(now))])
        return address, entry.language if entry is not None else None

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
