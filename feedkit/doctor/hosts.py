"""The hosts behind the names: MX of the bounce (Return-Path) domain, and the
relay's reverse DNS (PTR) confirmed forward (FCrDNS), which Gmail requires of
every sending address."""

from __future__ import annotations

from collections.abc import Sequence

from .lookup import Dns, DnsProblem
from .report import Check, fail, ok, skip, warn

MX, PTR = "dns.mx", "dns.ptr"


def check_mx(dns: Dns, domain: str) -> Check:
    title = f"MX of {domain} (where bounces go)"
    fix = f"publish MX {domain} pointing at the server that receives {domain}'s mail"
    try:
        hosts = dns.query(domain, "MX")
    except DnsProblem as exc:
        if not exc.missing:
            return fail(MX, title, f"lookup failed: {exc}", f"check that {dns.where} "
                        "answers for this domain, then run feedkit doctor again")
        try:
            dns.addresses(domain)
        except DnsProblem:
            return fail(MX, title, "no MX and no address: bounces can't come back", fix)
        return warn(MX, title, "no MX; mail would go to the domain's own address "
                    "(RFC 5321's implicit MX)", fix)
    names = sorted(hosts, key=lambda h: int(h.split()[0]))
    if [h.split()[1] for h in names] == ["."]:
        return fail(MX, title, "a null MX (0 .): the domain refuses all mail, so bounces "
                    "can't come back", fix)
    return ok(MX, title, ", ".join(h.split()[1].rstrip(".") for h in names))


def check_ptr(dns: Dns, relay_ips: Sequence[str]) -> Check:
    title = "reverse DNS of the relay"
    if not relay_ips:
        return skip(PTR, title, "no relay address (set --smtp or --relay-ip)")
    found: list[str] = []
    for ip in relay_ips:
        fix = (f"ask whoever runs {ip} (the hosting provider) to set its PTR record to a "
               f"name whose A/AAAA record is {ip}, like mail.YOUR-DOMAIN")
        try:
            names = dns.reverse(ip)
        except DnsProblem as exc:
            cause = "no PTR record" if exc.missing else f"lookup failed: {exc}"
            return fail(PTR, title, f"{ip}: {cause}", fix)
        confirmed = [n for n in names if _resolves_to(dns, n, ip)]
        if not confirmed:
            return fail(PTR, title, f"{ip} -> {', '.join(names)}, which does not resolve "
                        f"back to {ip} (forward-confirmed reverse DNS fails)", fix)
        found.append(f"{ip} -> {confirmed[0]} -> {ip}")
    return ok(PTR, title, "; ".join(found))


def _resolves_to(dns: Dns, name: str, ip: str) -> bool:
    try:
        return ip in dns.addresses(name)
    except DnsProblem:
        return False
