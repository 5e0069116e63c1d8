"""`feedkit doctor`'s job: load the site, work out its domains and its relay, and run
every check group asked for, in checklist order. Reads only; the one thing it writes
is the list check's test subscriber, removed again (listing.py, janitor.py)."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FeedkitError, UsageError
from ..model import Site
from .lookup import Dns, DnsProblem
from .report import Check, fail

GROUPS = ("dns", "relay", "list")


@dataclass(frozen=True)
class DoctorRequest:
    registry: Path
    state: str | None = None
    smtp_url: str | None = None
    ca_file: Path | None = None
    nameservers: tuple[str, ...] = ()
    timeout: float = 5.0
    relay_ips: tuple[str, ...] = ()
    to: str | None = None
    groups: tuple[str, ...] = GROUPS
    templates: Path | None = None
    environ: Mapping[str, str] | None = field(default=None, repr=False)


def domains(site: Site) -> tuple[str, str]:
    """(the From domain, the envelope sender's domain, where bounces go)."""
    from ..addresses import envelope_address
    from ..mail.message import sender_address

    sender = envelope_address(sender_address(site))
    bounce = envelope_address(site.bounce_address) if site.bounce_address else sender
    return sender.rpartition("@")[2].lower(), bounce.rpartition("@")[2].lower()


def check_groups(value: str | None) -> tuple[str, ...]:
    """--only's comma-separated groups, checked."""
    if not value:
        return GROUPS
    wanted = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [g for g in wanted if g not in GROUPS]
    if unknown or not wanted:
        raise UsageError("--only", f"'{value}' names no check group; use dns, relay, list "
                         "(comma-separated)")
    return wanted


def _relay_ips(relay: str | None, given: tuple[str, ...], dns: Dns) -> list[str]:
    for ip in given:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise UsageError("--relay-ip", f"'{ip}' is not an IP address") from None
    if given or relay is None:
        return list(given)
    try:
        ipaddress.ip_address(relay)
        return [relay]
    except ValueError:
        pass
    try:
        return dns.addresses(relay)
    except DnsProblem:
        return []


def run_doctor(request: DoctorRequest) -> list[Check]:
    from ..load import load
    from ..mail.transport import SMTP_URL_ENV, SmtpConfigError, parse_smtp_url, tls_context

    env = dict(os.environ if request.environ is None else request.environ)
    registry = load(request.registry)
    site = registry.site
    from_domain, bounce_domain = domains(site)
    dns = Dns(request.nameservers, request.timeout)
    tls = tls_context(request.ca_file) or ssl.create_default_context()
    url = request.smtp_url or env.get(SMTP_URL_ENV, "")
    config, relay_problem = None, ""
    try:
        config = parse_smtp_url(url, env) if url else None
    except SmtpConfigError as exc:
        relay_problem = str(exc)
    relay_ips = _relay_ips(config.host if config else None, request.relay_ips, dns)
    checks: list[Check] = []
    if "dns" in request.groups:
        checks += _dns(dns, registry.site, request.registry, from_domain, bounce_domain,
                       relay_ips)
    if "relay" in request.groups:
        checks += _relay(config, relay_problem, dns, tls, site, request)
    if "list" in request.groups:
        from .listing import ListProbe

        checks += ListProbe(registry, request.registry, request.state, env, dns, tls,
                            request.timeout, request.templates).run()
    return checks


def _dns(dns: Dns, site: Site, registry: Path, from_domain: str, bounce_domain: str,
         relay_ips: list[str]) -> list[Check]:
    from .dkim import check_dkim
    from .dmarc import check_alignment, read_dmarc
    from .hosts import check_mx, check_ptr
    from .spf import check_spf

    dmarc, tags = read_dmarc(dns, from_domain)
    return [check_spf(dns, bounce_domain, relay_ips),
            check_dkim(dns, site, registry, from_domain), dmarc,
            check_alignment(from_domain, site.dkim.domain if site.dkim else None,
                            bounce_domain, tags),
            check_mx(dns, bounce_domain), check_ptr(dns, relay_ips)]


def _relay(config: object, problem: str, dns: Dns, tls: ssl.SSLContext, site: Site,
           request: DoctorRequest) -> list[Check]:
    from ..mail.transport import SmtpConfig
    from .relay import CONNECT, RelayProbe

    if problem:
        return [fail(CONNECT, "relay", problem, "fix FEEDKIT_SMTP_URL (or --smtp)")]
    if not isinstance(config, SmtpConfig):
        return [fail(CONNECT, "relay", "no relay set: feedkit send would only write to the "
                     "Maildir .feedkit/outbox", "set FEEDKIT_SMTP_URL to your relay, like "
                     "smtps://USER@mail.example.org:465 (password in FEEDKIT_SMTP_PASSWORD)")]
    addresses = _relay_ips(config.host, (), dns)
    if not addresses:
        return [fail(CONNECT, f"relay {config.host}:{config.port}", f"{config.host} has no "
                     f"address (asked {dns.where})", "check the host in FEEDKIT_SMTP_URL")]
    sender, message = _test_message(site, request.registry)
    return RelayProbe(config, addresses[0], tls, sender, request.to, message).run()


def _test_message(site: Site, registry: Path) -> tuple[str, Callable[[str], bytes]]:
    """(envelope sender, a maker of the signed test message for a recipient)."""
    from ..addresses import envelope_address
    from ..mail.message import sender_address, sender_for

    envelope = envelope_address(site.bounce_address or sender_address(site))

    def make(to: str) -> bytes:
        import email.policy
        import email.utils
        from email.message import EmailMessage

        message = EmailMessage(policy=email.policy.SMTP)
        message["From"] = sender_for(site)
        message["To"] = to
        message["Subject"] = f"feedkit doctor: a test message from {site.title}"
        message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = email.utils.make_msgid("doctor", envelope.rpartition("@")[2])
        message.set_content("feedkit doctor sent this to check the relay. Nothing to do.\n")
        data = message.as_bytes()
        if site.dkim is not None:
            from ..mail.signing import load_signer

            with contextlib.suppress(FeedkitError):  # the DKIM line says why
                data = load_signer(site.dkim, registry).sign(data)
        return data

    return envelope, make
