"""DKIM signing alone (mail/signing.py): every shape of message verifies with dkimpy,
whether signed by feedkit's own path (CRLF headers) or through dkimpy's DKIM.sign."""

from __future__ import annotations

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from feedkit.mail.signing import DkimSigner

MESSAGES = {
    "plain": b"From: a@lab.example.org\r\nTo: b@example.org\r\nSubject: Hej\r\n\r\nHej!\r\n",
    "folded, spaced": b"From: a@lab.example.org\r\nTo: =?utf-8?q?L=C3=A4sare?=\r\n <b@x.org>"
                      b"\r\nSubject:  lots   of\r\n\t space \r\nX-Other: not signed\r\n\r\n"
                      b"line  with  spaces \r\n\r\n\r\n",
    "two From fields": b"From: a@lab.example.org\r\nFrom: b@lab.example.org\r\n\r\nbody",
    "empty body": b"From: a@lab.example.org\r\nDate: Mon, 10 Feb 2020 12:00:00 +0100\r\n\r\n",
    "LF line endings (dkimpy's path)": b"From: a@lab.example.org\nTo: b@example.org\n\nHej\n",
}


@pytest.fixture(scope="module")
def signer() -> DkimSigner:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return DkimSigner("s1", "lab.example.org", key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


@pytest.mark.parametrize("name", MESSAGES)
def test_each_shape_of_message_verifies(signer: DkimSigner, name: str) -> None:
    record = signer.dns_record().encode()

    def dns(query: bytes, timeout: int = 5) -> bytes:
        assert query == b"s1._domainkey.lab.example.org."
        return record

    signed = signer.sign(MESSAGES[name])
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/simple;")
    assert all(len(line) <= 78 for line in signed.split(b"\r\n\r\n")[0].split(b"\r\n"))
    assert dkim.verify(signed, dnsfunc=dns)
    assert not dkim.verify(signed.replace(b"From: a@", b"From: c@", 1), dnsfunc=dns)
