"""SPF of the envelope (Return-Path) domain: present, parsed and counted as receivers
do (checkdmarc: syntax, the 10-lookup and 2-void-lookup limits of RFC 7208 4.6.4,
include and redirect loops), then evaluated for the relay's address.

checkdmarc parses and resolves the record tree; which mechanism matches the relay's
address is decided here, in the order RFC 7208 section 5 gives (first match wins,
an include matches when its record passes, redirect only when nothing matched).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from .lookup import Dns, DnsProblem
from .report import Check, fail, ok

KEY = "dns.spf"
UNKNOWN = "unknown"  # a mechanism feedkit can't evaluate (exists:, ptr, macros)


def check_spf(dns: Dns, domain: str, relay_ips: Sequence[str]) -> Check:
    """The SPF line for `domain` and the relay's addresses."""
    import checkdmarc.spf as spf
    from dns.exception import DNSException

    title = f"SPF of {domain}"
    wanted = " ".join(_term(ip) for ip in relay_ips) or "ip4:RELAY-ADDRESS"
    try:
        result = spf.get_spf_record(domain, resolver=dns.resolver,
                                    timeout=dns.resolver.lifetime, retries=0)
    except spf.SPFRecordNotFound as exc:
        if "timed out" in str(exc).lower() or "did not answer" in str(exc).lower():
            return fail(KEY, title, f"no answer: {exc}", _retry(dns))
        return fail(KEY, title, f"no SPF record at {domain}",
                    f'publish TXT {domain} "v=spf1 {wanted} ~all"')
    except spf.SPFTooManyDNSLookups as exc:
        return fail(KEY, title, f"needs {getattr(exc, 'dns_lookups', 'over 10')} DNS "
                    "lookups; receivers stop at 10 and treat the record as an error "
                    "(RFC 7208 4.6.4)", "remove include: terms for services you don't send "
                    f"through, or replace them with ip4:/ip6: ranges (keep {wanted}), so at "
                    "most 10 lookups remain")
    except spf.SPFTooManyVoidDNSLookups as exc:
        return fail(KEY, title, f"{exc}", "remove the terms that point at names without "
                    "records (at most 2 such lookups are allowed)")
    except spf.SPFError as exc:
        return fail(KEY, title, f"the record can't be used: {exc}",
                    f'publish one record: TXT {domain} "v=spf1 {wanted} ~all"')
    except (DNSException, DnsProblem, OSError) as exc:
        return fail(KEY, title, f"lookup failed: {exc}", _retry(dns))
    record = str(result.get("record") or "")
    lookups = int(result.get("dns_lookups", 0))
    if "error" in result:
        return fail(KEY, title, f'"{record}": {result["error"]}',
                    f'publish TXT {domain} "v=spf1 {wanted} ~all"')
    counted = f"{lookups} of 10 lookups"
    if not relay_ips:
        return ok(KEY, title, f'"{record}" ({counted}); no relay address to check it '
                  "against (set --smtp or --relay-ip)")
    parsed: Mapping[str, Any] = result.get("parsed") or {}
    outcomes = {ip: evaluate(parsed, ip, dns) for ip in relay_ips}
    refused = {ip: r for ip, r in outcomes.items() if r != "pass"}
    if not refused:
        return ok(KEY, title, f'"{record}" authorises {", ".join(relay_ips)} ({counted})')
    what = ", ".join(f"{ip} ({r})" for ip, r in refused.items())
    return fail(KEY, title, f'"{record}" does not authorise the relay: {what}',
                f'publish TXT {domain} "{_with(record, refused)}"')


def _retry(dns: Dns) -> str:
    return (f"check that {dns.where} answers for this domain (or name another with "
            "--nameserver), then run feedkit doctor again")


def _term(ip: str) -> str:
    return f"ip{ipaddress.ip_address(ip).version}:{ip}"


def _with(record: str, refused: Mapping[str, str]) -> str:
    """The record with the relay's addresses added before its `all` (or redirect)."""
    terms = record.split()
    extra = [_term(ip) for ip in refused]
    for index, term in enumerate(terms):
        if term.lstrip("+-~?").lower() == "all" or term.lower().startswith("redirect="):
            return " ".join([*terms[:index], *extra, *terms[index:]])
    return " ".join([*terms, *extra])


def evaluate(parsed: Mapping[str, Any], ip: str, dns: Dns) -> str:
    """What the record says about mail from `ip`: pass, fail, softfail, neutral or
    unknown (an exists:, ptr or macro term feedkit doesn't evaluate matched nothing
    before it)."""
    address = ipaddress.ip_address(ip)
    for mechanism in parsed.get("mechanisms", []):
        matched = _match(mechanism, address, dns)
        if matched == UNKNOWN:
            return UNKNOWN
        if matched:
            return str(mechanism["action"])
    redirect = parsed.get("redirect")
    if redirect and redirect.get("parsed"):
        return evaluate(redirect["parsed"], ip, dns)
    return str(parsed.get("all") or "neutral")


def _match(mechanism: Mapping[str, Any], address: Any, dns: Dns) -> bool | str:
    kind, value = mechanism["mechanism"], str(mechanism.get("value", ""))
    if "%" in value or kind in ("exists", "ptr"):
        return UNKNOWN
    if kind in ("ip4", "ip6"):
        return _inside(address, [value])
    if kind == "a":
        return _inside(address, mechanism.get("addresses", []))
    if kind == "mx":
        v4 = value.partition("/")[2].partition("/")[0]  # mx/24, mx/24//64, mx//64
        found: list[str] = []
        for host in mechanism.get("hosts", []):
            try:
                found.extend(dns.addresses(host["hostname"]))
            except DnsProblem:
                continue
        return _inside(address, [f"{a}/{v4}" if v4 and "." in a else a for a in found])
    if kind == "include":
        inner: Mapping[str, Any] = mechanism.get("parsed") or {}
        return bool(inner) and evaluate(inner, str(address), dns) == "pass"
    return False


def _inside(address: Any, networks: Sequence[str]) -> bool:
    for network in networks:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False
