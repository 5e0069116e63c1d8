"""The DKIM key published at `selector._domainkey.domain`: present, the key of
site.dkim.key_file, and a real signature made with that key verifies against it
(dkimpy, its DNS lookups through the doctor's resolver)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Site
from .lookup import Dns, DnsProblem
from .report import Check, fail, ok

if TYPE_CHECKING:
    from ..mail.signing import DkimSigner

KEY = "dns.dkim"
NEW_KEY = ("make a key (openssl genrsa -out dkim.pem 2048), add to posts.yaml site.dkim: "
           "{selector: feedkit, key_file: dkim.pem, domain: DOMAIN}, then run feedkit "
           "doctor again for the record to publish")


def check_dkim(dns: Dns, site: Site, registry: Path, from_domain: str) -> Check:
    from ..mail.signing import DkimKeyError, load_signer

    if site.dkim is None:
        return fail(KEY, "DKIM", "site.dkim is not set: the digests go out unsigned, and "
                    "Gmail and Yahoo refuse or junk unsigned bulk mail",
                    NEW_KEY.replace("DOMAIN", from_domain))
    name = f"{site.dkim.selector}._domainkey.{site.dkim.domain}"
    title = f"DKIM key at {name}"
    try:
        signer = load_signer(site.dkim, registry)
    except DkimKeyError as exc:
        return fail(KEY, title, str(exc), NEW_KEY.replace("DOMAIN", site.dkim.domain))
    record = signer.dns_record()
    publish = f'publish TXT {name} "{record}"'
    try:
        found = [t for t in dns.txt(name, "") if "p=" in t.replace(" ", "")]
    except DnsProblem as exc:
        return fail(KEY, title, f"lookup failed: {exc}", f"check that {dns.where} answers "
                    "for this domain, then run feedkit doctor again")
    if not found:
        return fail(KEY, title, "no DKIM key published", publish)
    keys = [_public_key(t) for t in found]
    if b"" in keys:
        return fail(KEY, title, "the published key is revoked (empty p=)", publish)
    if signer.public_key not in keys:
        return fail(KEY, title, f"the published key is not the key in {site.dkim.key_file}",
                    publish)
    verdict = _verify(signer, dns)
    if verdict:
        return fail(KEY, title, f"a test signature does not verify: {verdict}", publish)
    return ok(KEY, title, f"matches {site.dkim.key_file}; a test signature verifies")


def _public_key(record: str) -> bytes:
    tags = dict(part.strip().partition("=")[::2] for part in record.split(";") if "=" in part)
    value = "".join(tags.get("p", "").split())
    try:
        return base64.b64decode(value, validate=True) if value else b""
    except ValueError:
        return b"?"


def _verify(signer: DkimSigner, dns: Dns) -> str:
    """"" when a message signed by `signer` verifies, else dkimpy's reason."""
    import dkim

    message = (b"From: doctor@" + signer.domain + b"\r\nTo: doctor@" +
               signer.domain + b"\r\nSubject: feedkit doctor\r\n"
               b"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\nMessage-ID: <doctor@feedkit>\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nA test.\r\n")
    signed = signer.sign(message)

    def txt(name: bytes | str, timeout: float = 5) -> bytes | None:
        text = name.decode("ascii") if isinstance(name, bytes) else name
        try:
            records = dns.txt(text.rstrip("."), "")
        except DnsProblem:
            return None
        return records[0].encode("utf-8") if records else None

    checker = dkim.DKIM(signed)
    try:
        good = checker.verify(dnsfunc=txt)
    except dkim.DKIMException as exc:
        return str(exc)
    return "" if good else "dkimpy says the signature is bad"
