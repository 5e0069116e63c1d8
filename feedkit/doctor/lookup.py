"""DNS for the doctor: dnspython's resolver, pointed at a nameserver of your choice.

`--nameserver IP[:PORT]` asks that server (an authoritative one shows a change before
caches do); without it, the system's resolvers. Every failure becomes DnsProblem with
a plain cause (no such name, no record of that type, timed out), never a traceback.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from ..errors import FeedkitError, UsageError


class DnsProblem(FeedkitError):
    """A lookup that gave no answer; `missing` when the name or the record doesn't
    exist (as opposed to a server that failed or timed out)."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def parse_nameserver(value: str) -> tuple[str, int]:
    """IP, IP:PORT or [IPv6]:PORT as (address, port)."""
    host, port = value.strip(), 53
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        if rest:
            port = _port(rest.removeprefix(":"), value)
    elif host.count(":") == 1:
        host, _, text = host.partition(":")
        port = _port(text, value)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError("--nameserver", f"'{value}' is not an IP address (with an "
                         "optional :PORT), like 192.0.2.53 or 127.0.0.1:5353") from None
    return host, port


def _port(text: str, value: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UsageError("--nameserver", f"'{value}' has no valid port after the colon")
    return int(text)


class Dns:
    """Lookups through one resolver; `resolver` is dnspython's, for checkdmarc."""

    def __init__(self, nameservers: Sequence[str] = (), timeout: float = 5.0) -> None:
        import dns.nameserver
        import dns.resolver

        if nameservers:
            self.resolver = dns.resolver.Resolver(configure=False)
            self.resolver.nameservers = [dns.nameserver.Do53Nameserver(*parse_nameserver(n))
                                         for n in nameservers]
        else:
            try:
                self.resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                raise UsageError("--nameserver", "this machine has no DNS resolver "
                                 "configured; name one with --nameserver IP") from None
        self.resolver.timeout = timeout
        self.resolver.lifetime = timeout
        self.resolver.cache = dns.resolver.Cache()
        self.where = ", ".join(nameservers) or "the system's resolvers"

    def query(self, name: str, kind: str) -> list[str]:
        """The answer's records as text (TXT strings joined), or DnsProblem."""
        import dns.exception
        import dns.resolver

        try:
            answer = self.resolver.resolve(name, kind, search=False)
        except dns.resolver.NXDOMAIN:
            raise DnsProblem(f"{name} does not exist (NXDOMAIN)", missing=True) from None
        except dns.resolver.NoAnswer:
            raise DnsProblem(f"{name} has no {kind} record", missing=True) from None
        except dns.resolver.LifetimeTimeout:
            raise DnsProblem(f"the {kind} lookup of {name} timed out ({self.where} did not "
                             "answer)") from None
        except dns.resolver.NoNameservers as exc:
            raise DnsProblem(f"no nameserver answered the {kind} lookup of {name}: "
                             f"{exc.msg if hasattr(exc, 'msg') else exc}") from None
        except dns.exception.DNSException as exc:
            raise DnsProblem(f"the {kind} lookup of {name} failed: {exc}") from None
        if kind == "TXT":
            return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]
        return [r.to_text() for r in answer]

    def txt(self, name: str, prefix: str) -> list[str]:
        """The TXT records of `name` that start with `prefix` (case-insensitive)."""
        try:
            found = self.query(name, "TXT")
        except DnsProblem as problem:
            if problem.missing:
                return []
            raise
        return [t for t in found if t.lower().startswith(prefix.lower())]

    def addresses(self, name: str) -> list[str]:
        """A and AAAA of `name` (DnsProblem only when neither exists)."""
        found: list[str] = []
        problems: list[DnsProblem] = []
        for kind in ("A", "AAAA"):
            try:
                found.extend(self.query(name, kind))
            except DnsProblem as problem:
                problems.append(problem)
        if not found:
            timeouts = [p for p in problems if not p.missing]
            raise timeouts[0] if timeouts else DnsProblem(
                f"{name} has no A or AAAA record", missing=True)
        return found

    def reverse(self, address: str) -> list[str]:
        """The PTR names of an IP address, without the trailing dot."""
        import dns.reversename

        name = dns.reversename.from_address(address).to_text()
        return [n.rstrip(".") for n in self.query(name, "PTR")]
