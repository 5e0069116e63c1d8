"""Email addresses: the one check every input goes through (email-validator), and
the forms an address takes on the wire."""

from __future__ import annotations

import re
from functools import lru_cache

_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def address_problem(address: str) -> str | None:
    """Why `address` can't be mailed to, or None when it is a valid address.

    Syntax only (no DNS): RFC 5321/5322 as email-validator reads it, international
    domains and (SMTPUTF8) local parts allowed, quoted local parts and IP
    literals not.
    """
    if _CONTROL.search(address) or any(c.isspace() for c in address):
        return "contains spaces or control characters"
    if not is_unicode(address):
        return "contains a character that is not valid Unicode (a lone surrogate)"
    if address.count("@") != 1:
        return "needs exactly one '@'"
    local, domain = address.split("@")
    if not local:
        return "has no name before the '@'"
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=True,
                       allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError as exc:
        reason = str(exc)
        if "after the @-sign" in reason or "domain" in reason.lower():
            return f"'{domain}' is not a valid domain (like example.org)"
        if "too long" in reason:
            return "is too long"
        return f"'{local}' is not a valid mailbox name"
    return None


def is_address(value: str) -> bool:
    """Whether `value` is a valid email address (see address_problem)."""
    return address_problem(value) is None


def is_unicode(text: str) -> bool:
    """Whether `text` can be written as UTF-8 (no lone surrogates such as "\\ud83c")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def envelope_address(address: str) -> str:
    """The address for MAIL FROM / RCPT TO and the To header: an international domain
    in its ASCII form (IDNA, as email-validator checked it)."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    return f"{local}@{_ascii_domain(domain)}"


@lru_cache(maxsize=1024)
def _ascii_domain(domain: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return domain
    return str(checked.ascii_domain)


def needs_smtputf8(address: str) -> bool:
    """Whether the address can only travel with SMTPUTF8 (a non-ASCII local part)."""
    return not envelope_address(address).isascii()


# Anything shaped like an address in a server's reply ("<ann@example.org>: no such user").
_ADDRESS_LIKE = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


def reference(address: str) -> str:
    """How logs name a recipient: a short stable reference, never the address.

    `feedkit subscribers list --format json` gives each subscriber's `ref`.
    """
    import hashlib

    return "recipient " + hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:10]


def redact(text: str) -> str:
    """`text` (a server's reply, an error) with every address in it replaced by its
    reference, so that what a run logs holds no address."""
    return _ADDRESS_LIKE.sub(lambda match: reference(match.group()), text)
