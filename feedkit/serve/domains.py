"""Whether a subscriber's domain can receive mail, asked of DNS before anything is
mailed: email-validator's deliverability check (MX, else A/AAAA with a globally
reachable address; a null MX or "v=spf1 -all" without MX refuses) over dnspython,
with a timeout and a cache. A domain that can't be checked (a timeout, no
nameserver answering) is let through: the check keeps typos and invented domains
from costing the site bounces, it never stops a real subscriber.
"""

from __future__ import annotations

from typing import Any

TIMEOUT = 3.0  # seconds for the whole check of one domain


class DomainCheck:
    """Asks `server` ("HOST" or "HOST:PORT"; None: the system's resolvers)."""

    def __init__(self, server: str | None = None, timeout: float = TIMEOUT) -> None:
        import dns.resolver
        from email_validator import caching_resolver

        resolver = dns.resolver.Resolver(configure=server is None)
        if server is not None:
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (
                server, "", "")
            resolver.nameservers = [host or server]
            if port:
                resolver.port = int(port)
        self.resolver: Any = caching_resolver(timeout=int(timeout) or 1,
                                              dns_resolver=resolver)
        self.resolver.lifetime = timeout

    def problem(self, address: str) -> str | None:
        """Why mail to `address` can't be delivered (its domain), or None. Blocking:
        call it from a worker thread."""
        from email_validator import EmailNotValidError, EmailUndeliverableError, validate_email

        try:
            validate_email(address, check_deliverability=True, dns_resolver=self.resolver)
        except EmailUndeliverableError as exc:
            return str(exc)
        except EmailNotValidError:
            return None  # the address's own checks have their say first
        return None
