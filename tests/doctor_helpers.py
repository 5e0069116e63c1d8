"""Set-up for the doctor tests: a site per domain, the zones of a correct domain and
of each broken case, served by a real DNS server (dns_server.py)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from send_helpers import REGISTRY, SECRET
from typer.testing import CliRunner

from feedkit.cli import app

SELECTOR = "feedkit1"
RELAY = "mail.relay.example.net"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def dkim_txt(key: rsa.RSAPrivateKey) -> str:
    """The key's TXT record as zone text: quoted strings of at most 255 characters."""
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return quoted("v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode("ascii"))


def quoted(value: str) -> str:
    """TXT record data as zone text: quoted strings of at most 250 characters."""
    return " ".join(f'"{value[i:i + 250]}"' for i in range(0, len(value), 250))


def write_site(root: Path, key: rsa.RSAPrivateKey, *, domain: str, dkim_domain: str = "",
               bounce: str = "", url: str = "https://lab.example.org/dagbok/") -> Path:
    """posts.yaml sending as news@DOMAIN, signed for DKIM_DOMAIN (default DOMAIN) with
    `key`, bounces to BOUNCE (default bounces@DOMAIN)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dkim.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    site = (f"site:\n  dkim:\n    selector: {SELECTOR}\n    key_file: dkim.pem\n"
            f"    domain: {dkim_domain or domain}\n"
            f"  bounce_address: {bounce or 'bounces@' + domain}\n")
    text = REGISTRY.replace("site:\n", site, 1).replace(
        "email: news@lab.example.org", f"email: news@{domain}").replace(
        "https://lab.example.org/dagbok/", url)
    registry = root / "posts.yaml"
    registry.write_text(text, encoding="utf-8")
    return registry


def relay_zone() -> str:
    return f"""$ORIGIN relay.example.net.
@ 60 IN TXT "v=spf1 ip4:127.0.0.1 -all"
mail 60 IN A 127.0.0.1
1.0.0.127.in-addr.arpa. 60 IN PTR {RELAY}.
"""


def domain_zone(domain: str, key: rsa.RSAPrivateKey, *, spf: str | None = None,
                dmarc: str | None = "v=DMARC1; p=quarantine; adkim=r; aspf=r",
                dkim_key: rsa.RSAPrivateKey | None = None) -> str:
    """A correct sending domain's zone, or one with its SPF, DMARC or DKIM key changed
    (spf="" or dmarc=None: no record)."""
    spf = "v=spf1 mx include:relay.example.net ~all" if spf is None else spf
    lines = [f"$ORIGIN {domain}.", "@ 60 IN MX 10 mx", "mx 60 IN A 192.0.2.25",
             f"{SELECTOR}._domainkey 60 IN TXT {dkim_txt(dkim_key or key)}"]
    if spf:
        lines.append(f"@ 60 IN TXT {quoted(spf)}")
    if dmarc:
        lines.append(f'_dmarc 60 IN TXT "{dmarc}"')
    lines.append('@ 60 IN TXT "google-site-verification=unrelated"')
    return "\n".join(lines) + "\n"


def doctor(registry: Path, *args: str, env: dict[str, str] | None = None):
    """`feedkit doctor --format json` in-process: (exit code, {key: check}, output)."""
    environment = {"FEEDKIT_SECRET": SECRET, "FEEDKIT_SMTP_URL": "",
                   "FEEDKIT_SMTP_USER": "", "FEEDKIT_SMTP_PASSWORD": "", **(env or {})}
    result = CliRunner().invoke(app, ["doctor", "--registry", str(registry),
                                      "--format", "json", *args], env=environment)
    try:
        report = json.loads(result.stdout)
    except ValueError:
        import traceback

        raise AssertionError(result.output + "".join(traceback.format_exception(
            result.exception)) if result.exception else result.output) from None
    return result.exit_code, {c["key"]: c for c in report["checks"]}, result.output


def statuses(checks: dict[str, dict[str, str]]) -> dict[str, str]:
    return {key: check["status"] for key, check in checks.items()}
