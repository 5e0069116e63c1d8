"""DMARC of the From domain (a record with a policy, parsed by checkdmarc) and the
alignment of From with the DKIM d= domain and the SPF (Return-Path) domain, in the
record's adkim/aspf modes (RFC 7489 3.1): Gmail and Yahoo want one of them aligned."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .lookup import Dns
from .report import Check, fail, ok, warn

KEY, ALIGN = "dns.dmarc", "dns.alignment"


def organizational(domain: str) -> str:
    """The organizational domain (the public suffix list, as receivers use it)."""
    from checkdmarc.utils import get_base_domain

    return str(get_base_domain(domain))


def read_dmarc(dns: Dns, domain: str) -> tuple[Check, Mapping[str, Any]]:
    """The DMARC line, and the record's tags (empty when there is none)."""
    import checkdmarc.dmarc as dmarc
    from dns.exception import DNSException

    title = f"DMARC of {domain}"
    base = organizational(domain)
    fix = (f'publish TXT _dmarc.{domain} "v=DMARC1; p=none; rua=mailto:dmarc@{domain}" '
           "(start with p=none and read the reports; then p=quarantine)")
    try:
        result = dmarc.get_dmarc_record(domain, resolver=dns.resolver,
                                        timeout=dns.resolver.lifetime, retries=0)
    except dmarc.DMARCRecordNotFound as exc:
        text = str(exc)
        if "timed out" in text.lower() or "nameserver" in text.lower():
            return fail(KEY, title, f"no answer: {text}", f"check that {dns.where} answers "
                        "for this domain, then run feedkit doctor again"), {}
        return fail(KEY, title, f"no DMARC record at _dmarc.{domain} or _dmarc.{base}",
                    fix), {}
    except (dmarc.DMARCError, DNSException) as exc:
        return fail(KEY, title, f"the record can't be used: {exc}", fix), {}
    tags = {name: tag.get("value") for name, tag in result["parsed"]["tags"].items()}
    record = result["record"]
    where = f"_dmarc.{result['location']}"
    policy = str(tags.get("p", ""))
    if policy == "none":
        return warn(KEY, title, f'{where}: "{record}": policy none (receivers only report)',
                    f"once the reports show every digest passing, publish p=quarantine "
                    f"at {where}"), tags
    return ok(KEY, title, f'{where}: "{record}": policy {policy}'), tags


def aligned(domain: str, other: str, mode: str) -> bool:
    if mode == "s":
        return domain.lower() == other.lower()
    return organizational(domain) == organizational(other)


def check_alignment(from_domain: str, dkim_domain: str | None, spf_domain: str,
                    tags: Mapping[str, Any]) -> Check:
    """From aligned with DKIM d= and/or the SPF domain; ✗ only when neither is."""
    adkim, aspf = str(tags.get("adkim") or "r"), str(tags.get("aspf") or "r")
    modes = {"r": "relaxed", "s": "strict"}
    title = f"alignment of From {from_domain}"
    parts, good = [], False
    if dkim_domain:
        yes = aligned(from_domain, dkim_domain, adkim)
        good |= yes
        parts.append(f"DKIM d={dkim_domain} {'aligned' if yes else 'not aligned'} "
                     f"({modes.get(adkim, adkim)})")
    else:
        parts.append("no DKIM signature")
    yes = aligned(from_domain, spf_domain, aspf)
    good |= yes
    parts.append(f"SPF {spf_domain} {'aligned' if yes else 'not aligned'} "
                 f"({modes.get(aspf, aspf)})")
    found = "; ".join(parts)
    if good:
        return ok(ALIGN, title, found)
    fix = (f"sign with d={from_domain}: set site.dkim.domain to {from_domain} and publish "
           f"the key at SELECTOR._domainkey.{from_domain}; or send from an address at "
           f"{dkim_domain or spf_domain} (site.email)")
    if not dkim_domain:
        fix = (f"set site.bounce_address to an address at {from_domain}, or sign the "
               f"digests (site.dkim with domain {from_domain})")
    return fail(ALIGN, title, found, fix)
