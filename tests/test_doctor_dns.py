"""`feedkit doctor --only dns` against a real authoritative DNS server on 127.0.0.1:
a correct domain passes every line; each broken case turns exactly its line ✗, with
the record to publish as the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from dns_zones import Zones, dns_server
from doctor_helpers import (
    RELAY,
    SELECTOR,
    dkim_txt,
    doctor,
    domain_zone,
    new_key,
    relay_zone,
    statuses,
    write_site,
)
from typer.testing import CliRunner

from feedkit.cli import app

DNS_LINES = ("dns.spf", "dns.dkim", "dns.dmarc", "dns.alignment", "dns.mx", "dns.ptr")
INCLUDES = " ".join(f"include:i{n}.lookups.example.com" for n in range(11))


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="module")
def nameserver(key: rsa.RSAPrivateKey):
    other = new_key()
    zones = Zones(
        relay_zone(),
        domain_zone("good.example.com", key),
        domain_zone("nospf.example.com", key, spf=""),
        domain_zone("norelay.example.net", key, spf="v=spf1 ip4:192.0.2.10 -all"),
        domain_zone("lookups.example.com", key, spf=f"v=spf1 {INCLUDES} -all"),
        "".join(f'$ORIGIN i{n}.lookups.example.com.\n@ 60 IN TXT "v=spf1 ip4:192.0.2.{n} -all"\n'
                for n in range(11)),
        domain_zone("wrongkey.example.com", key, dkim_key=other),
        domain_zone("nodmarc.example.com", key, dmarc=None),
        domain_zone("mis.example.net", key, dmarc="v=DMARC1; p=reject; adkim=s; aspf=s"),
        domain_zone("example.net", key),
        domain_zone("other.example.com", key),
        domain_zone("slow.example.com", key),
        stall=("_dmarc.slow.example.com",))
    with dns_server(zones) as where:
        yield where


def _run(tmp_path: Path, key: rsa.RSAPrivateKey, nameserver: str, domain: str,
         *extra: str, **site: str):
    registry = write_site(tmp_path / domain, key, domain=domain, **site)
    return doctor(registry, "--only", "dns", "--nameserver", nameserver,
                  "--smtp", f"smtp://{RELAY}:587", "--timeout", "1", *extra)


def test_a_correct_domain_passes_every_dns_line(tmp_path: Path, key: rsa.RSAPrivateKey,
                                                nameserver: str) -> None:
    code, checks, _ = _run(tmp_path, key, nameserver, "good.example.com")
    assert statuses(checks) == dict.fromkeys(DNS_LINES, "ok"), checks
    assert code == 0
    assert "authorises 127.0.0.1" in checks["dns.spf"]["found"]
    assert "a test signature verifies" in checks["dns.dkim"]["found"]
    assert "policy quarantine" in checks["dns.dmarc"]["found"]
    assert checks["dns.mx"]["found"] == "mx.good.example.com"
    assert checks["dns.ptr"]["found"] == f"127.0.0.1 -> {RELAY} -> 127.0.0.1"


CASES = {
    "nospf.example.com": ("dns.spf", 'publish TXT nospf.example.com "v=spf1 ip4:127.0.0.1 ~all"'),
    "norelay.example.net": ("dns.spf", 'publish TXT norelay.example.net "v=spf1 ip4:192.0.2.10 '
                                'ip4:127.0.0.1 -all"'),
    "lookups.example.com": ("dns.spf", "at most 10 lookups remain"),
    "wrongkey.example.com": ("dns.dkim", f"publish TXT {SELECTOR}._domainkey.wrongkey."
                                         'example.com "v=DKIM1; k=rsa; p='),
    "nodmarc.example.com": ("dns.dmarc",
                            'publish TXT _dmarc.nodmarc.example.com "v=DMARC1; p=none;'),
}


@pytest.mark.parametrize("domain", sorted(CASES))
def test_each_broken_case_turns_exactly_its_line(tmp_path: Path, key: rsa.RSAPrivateKey,
                                                 nameserver: str, domain: str) -> None:
    line, fix = CASES[domain]
    code, checks, _ = _run(tmp_path, key, nameserver, domain)
    assert statuses(checks) == {k: "fail" if k == line else "ok" for k in DNS_LINES}, checks
    assert code == 1
    assert fix in checks[line]["fix"]


def test_the_wrong_dkim_key_fix_is_the_key_of_the_key_file(
        tmp_path: Path, key: rsa.RSAPrivateKey, nameserver: str) -> None:
    _, checks, _ = _run(tmp_path, key, nameserver, "wrongkey.example.com")
    published = "".join(part.strip('"') for part in dkim_txt(key).split('" "'))
    assert checks["dns.dkim"]["fix"].endswith(f'"{published}"')
    assert "is not the key in dkim.pem" in checks["dns.dkim"]["found"]


def test_a_from_domain_aligned_with_neither_dkim_nor_spf(
        tmp_path: Path, key: rsa.RSAPrivateKey, nameserver: str) -> None:
    """DMARC's strict modes: d=example.net no longer aligns with mis.example.net."""
    code, checks, _ = _run(tmp_path, key, nameserver, "mis.example.net",
                           dkim_domain="example.net", bounce="bounces@other.example.com")
    assert statuses(checks) == {k: "fail" if k == "dns.alignment" else "ok"
                                for k in DNS_LINES}, checks
    assert checks["dns.alignment"]["found"] == (
        "DKIM d=example.net not aligned (strict); SPF other.example.com not aligned (strict)")
    assert "set site.dkim.domain to mis.example.net" in checks["dns.alignment"]["fix"]
    assert code == 1


def test_a_nameserver_that_does_not_answer_is_a_line_not_a_traceback(
        tmp_path: Path, key: rsa.RSAPrivateKey, nameserver: str) -> None:
    code, checks, output = _run(tmp_path, key, nameserver, "slow.example.com")
    assert checks["dns.dmarc"]["status"] == "fail"
    assert "timed out" in checks["dns.dmarc"]["found"] or \
        "no answer" in checks["dns.dmarc"]["found"], checks["dns.dmarc"]
    assert "Traceback" not in output
    assert code == 1


def test_the_text_checklist_marks_each_line(tmp_path: Path, key: rsa.RSAPrivateKey,
                                            nameserver: str) -> None:
    registry = write_site(tmp_path / "nospf.example.com", key, domain="nospf.example.com")
    result = CliRunner().invoke(app, [
        "doctor", "--registry", str(registry), "--only", "dns", "--nameserver", nameserver,
        "--smtp", f"smtp://{RELAY}:587"], env={"FEEDKIT_SMTP_URL": ""})
    lines = result.stdout.splitlines()
    assert lines[0] == "DNS"
    assert lines[1] == "  ✗ SPF of nospf.example.com: no SPF record at nospf.example.com"
    assert lines[2] == '      fix: publish TXT nospf.example.com "v=spf1 ip4:127.0.0.1 ~all"'
    assert lines[3].startswith(f"  ✓ DKIM key at {SELECTOR}._domainkey.nospf.example.com: ")
    assert lines[-1] == "6 checks: 5 passed, 1 failed, 0 warnings, 0 skipped"
    assert result.exit_code == 1


def test_bad_options_are_usage_errors(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    registry = write_site(tmp_path / "good.example.com", key, domain="good.example.com")
    for args, message in ((["--nameserver", "ns.example.org"], "is not an IP address"),
                          (["--only", "dns,mail"], "names no check group")):
        result = CliRunner().invoke(app, ["doctor", "--registry", str(registry), *args])
        assert result.exit_code == 2, result.output
        assert message in result.output
