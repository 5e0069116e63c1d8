"""Email addresses: the one check every input goes through (email-validator), and
the forms an address takes on the wire."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def address_problem(address: str) -> str | None:
    """Why `address` can't be mailed to, or None when it is a valid address.

    Syntax only (no DNS): RFC 5321/5322 as email-validator reads it, international
    domains and (SMTPUTF8) local parts allowed, quoted local parts and IP
    literals not.
    """
    if _CONTROL.search(address) or any(c.isspace() for c in address):
        return "contains spaces or control characters"
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


def envelope_address(address: str) -> str:
    """The address for MAIL FROM / RCPT TO: an international domain in IDNA form."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address


def needs_smtputf8(address: str) -> bool:
    """Whether the address can only travel with SMTPUTF8 (a non-ASCII local part)."""
    return not envelope_address(address).isascii()
