"""DKIM signatures (RFC 6376) on each personal message, made after personalisation.

A message whose header lines all end in CRLF (every message feedkit builds) is
signed here, rsa-sha256 with relaxed/simple canonicalisation: the signed header
fields are picked out and canonicalised (those the same in every message of a run
once), the body hashed as it is ("simple" only cuts trailing empty lines), and the
RSA operation done by OpenSSL (the `cryptography` package, about 0.25 ms for a
2048-bit key). That is about 0.06 ms of Python a message, where dkimpy's `DKIM.sign`
took 0.22 ms parsing and canonicalising the whole message; and a process that only
signs never imports dkimpy (or dnspython under it). The tests verify the signatures
with dkimpy.

Any other message goes through dkimpy's `DKIM.sign` itself, with the RSA operation
in OpenSSL instead of dkimpy's pure-Python arithmetic (about 7 ms). dkimpy itself
is not changed: feedkit signs with copies of dkimpy's
`DKIM.sign` and `DomainSigner.gen_header` whose module globals
`RSASSA_PKCS1_v1_5_sign` (and `parse_pem_private_key`, parsed once) are
feedkit's, so other users of dkimpy in the process see dkimpy as it is (and a
`set_message` that parses only the header of a CRLF message). Should a
future dkimpy rename them, signing falls back to dkimpy's own code (slower,
identical signatures).

The h= list covers From, To, Subject, Date, Message-ID, List-Id, List-Unsubscribe
and List-Unsubscribe-Post (RFC 8058 section 4 requires both unsubscribe headers
to be signed), MIME-Version and Content-Type; From is signed twice so no second
From can be added.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import FeedkitError
from ..model import DkimSettings

SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
                  b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version",
                  b"content-type", b"from")
CANONICALIZATION = (b"relaxed", b"simple")
_WANTED = frozenset(SIGNED_HEADERS)


class DkimKeyError(FeedkitError):
    """The DKIM key is missing, unreadable or not an RSA private key."""


def _rebound(function: Any, replacements: dict[str, object]) -> Callable[..., Any] | None:
    """A copy of `function` whose module globals named in `replacements` are
    replaced; None when the function doesn't use every one of those names."""
    code = function.__code__
    if not set(replacements) <= set(code.co_names):
        return None
    scope = dict(function.__globals__)
    scope.update(replacements)
    copy = types.FunctionType(code, scope, function.__name__, function.__defaults__,
                              function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def _set_message(self: Any, message: bytes) -> None:
    """dkimpy's set_message, without splitting a CRLF body into lines and joining
    them again (which gives the same bytes): only the header is parsed."""
    import dkim

    head, separator, body = message.partition(b"\r\n\r\n")
    if not separator or body.count(b"\n") != body.count(b"\r\n") or b"\r" in body.replace(
            b"\r\n", b""):
        dkim.DKIM.set_message(self, message)
        return
    dkim.DKIM.set_message(self, head + b"\r\n\r\n")
    self.body = body


_FIELDS = re.compile(rb"\r\n(?![ \t])")  # where one header field ends and the next starts
_WSP = re.compile(rb"[ \t]+")


def _relaxed(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    """A header field as relaxed canonicalisation writes it (RFC 6376 3.4.2): the name
    in lower case, the value unfolded, runs of white space one space, none at either
    end; CRLF-terminated."""
    return name.lower().rstrip(), _WSP.sub(b" ", value.replace(b"\r\n", b"")).strip() + b"\r\n"


def _selected(fields: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The fields SIGNED_HEADERS names, in its order, each name's instances taken from
    the bottom up (RFC 6376 5.4.2); a name with no instance left adds nothing."""
    picked: list[tuple[bytes, bytes]] = []
    last: dict[bytes, int] = {}
    for name in SIGNED_HEADERS:
        index = last.get(name, len(fields))
        while index > 0:
            index -= 1
            if fields[index][0] == name:
                picked.append(fields[index])
                break
        last[name] = index
    return picked


def _folded(text: bytes, signature: bytes) -> bytes:
    """`DKIM-Signature: ` + text + signature, folded at its spaces (which relaxed
    canonicalisation reads as they were) and the signature in lines of 72."""
    lines, line = [], b"DKIM-Signature:"
    for word in text.split(b" "):
        if len(line) + 1 + len(word) > 76 and line != b"DKIM-Signature:":
            lines.append(line)
            line = b""
        line += b" " + word
    lines.append(line)
    lines += [b" " + signature[i:i + 72] for i in range(0, len(signature), 72)]
    return b"\r\n".join(lines) + b"\r\n"


class DkimSigner:
    """Signs finished messages for one domain and selector with one RSA key.

    Thread-safe: each call makes its own objects.
    """

    def __init__(self, selector: str, domain: str, key_pem: bytes, *, where: str = "",
                 checked: bool = False) -> None:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

        label = where or "the DKIM key"
        try:
            # `checked`: a copy of a signer whose key was checked (its primes tested,
            # about 50 ms), made again in another process
            key = serialization.load_pem_private_key(key_pem, password=None,
                                                     unsafe_skip_rsa_key_validation=checked)
        except (ValueError, TypeError) as exc:
            raise DkimKeyError(f"{label}: not a PEM private key without a passphrase "
                               f"({exc}); make one with: openssl genrsa -out dkim.pem 2048"
                               ) from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DkimKeyError(f"{label}: not an RSA key; DKIM's rsa-sha256 needs one "
                               "(openssl genrsa -out dkim.pem 2048)")
        if key.key_size < 1024:
            raise DkimKeyError(f"{label}: a {key.key_size}-bit key is too short; receivers "
                               "ignore signatures by keys under 1024 bits (use 2048)")
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self._key_pem = key_pem
        self.public_key = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        rsa_padding, prehashed = padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())

        def openssl_sign(digest: Any, _private_key: object) -> bytes:
            return key.sign(digest.digest(), rsa_padding, prehashed)

        self._rsa = openssl_sign
        self._canonical: dict[bytes, tuple[bytes, bytes] | None] = {}
        self._class: type[Any] | None = None
        self._tags = (b"v=1; a=rsa-sha256; c=relaxed/simple; d=" + self.domain + b"; i=@"
                      + self.domain + b"; q=dns/txt; s=" + self.selector + b"; t=")
        self._listed = b"; h=" + b" : ".join(SIGNED_HEADERS) + b"; bh="

    def __reduce__(self) -> tuple[Callable[..., DkimSigner], tuple[str, str, bytes]]:
        """Pickled as what makes it (its key, parsed again), for another process."""
        return _checked_signer, (self.selector.decode("ascii"), self.domain.decode("ascii"),
                                 self._key_pem)

    def header(self, data: bytes) -> bytes:
        """The DKIM-Signature header line (CRLF-terminated) for a CRLF message."""
        head = data[:data.find(b"\r\n\r\n") + 2]
        crlf = head.count(b"\r\n")
        if crlf and head.count(b"\r") == crlf == head.count(b"\n"):
            return self._lean(data, head)
        signer = self._dkimpy()(data, linesep=b"\r\n")
        value: bytes = signer.sign(self.selector, self.domain, self._key_pem,
                                   canonicalize=CANONICALIZATION,
                                   include_headers=list(SIGNED_HEADERS))
        return value

    def _lean(self, data: bytes, head: bytes) -> bytes:
        """relaxed/simple rsa-sha256 for a message whose header lines all end in CRLF
        (its body is hashed as it is)."""
        body = data[len(head) + 2:]
        known = self._canonical
        if len(known) > 512:  # fields the same in every message stay; the rest go
            known.clear()
        fields = []
        for field in _FIELDS.split(head[:-2]):
            canonical = known.get(field)
            if canonical is None:
                name, colon, value = field.partition(b":")
                canonical = known[field] = (_relaxed(name, value) if colon and
                                            name.lower().rstrip() in _WANTED else None)
            if canonical is not None:
                fields.append(canonical)
        while body.endswith(b"\r\n\r\n"):  # "simple": trailing empty lines go
            body = body[:-2]
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        text = (self._tags + str(int(time.time())).encode("ascii") + self._listed
                + base64.b64encode(hashlib.sha256(body).digest()) + b"; b=")
        digest = hashlib.sha256()
        for name, value in _selected(fields):
            digest.update(name + b":" + value)
        digest.update(b"dkim-signature:" + text)
        return _folded(text, base64.b64encode(self._rsa(digest, None)))

    def _dkimpy(self) -> type[Any]:
        """dkimpy's DKIM with the RSA operation in OpenSSL (made the first time a
        message needs it)."""
        if self._class is None:
            import dkim

            parsed = dkim.crypto.parse_pem_private_key(self._key_pem)
            gen_header = _rebound(dkim.DomainSigner.gen_header,
                                  {"RSASSA_PKCS1_v1_5_sign": self._rsa})
            sign = _rebound(dkim.DKIM.sign, {"parse_pem_private_key": lambda _data: parsed})
            methods: dict[str, object] = {"set_message": _set_message}
            if gen_header is not None and sign is not None:
                methods |= {"gen_header": gen_header, "sign": sign}
            self._class = type("FeedkitDkim", (dkim.DKIM,), methods)
        return self._class

    def sign(self, data: bytes) -> bytes:
        """`data` with its DKIM-Signature header prepended."""
        return self.header(data) + data

    def dns_record(self) -> str:
        """The TXT record to publish at <selector>._domainkey.<domain>."""
        import base64

        return f"v=DKIM1; k=rsa; p={base64.b64encode(self.public_key).decode('ascii')}"


def _checked_signer(selector: str, domain: str, key_pem: bytes) -> DkimSigner:
    return DkimSigner(selector, domain, key_pem, checked=True)


def load_signer(settings: DkimSettings, registry: Path) -> DkimSigner:
    """The signer for `site.dkim`: its key file read (relative to the registry) and
    parsed, or DkimKeyError naming the file and the registry line."""
    path = settings.key_path(registry)
    where = f"{settings.where}: site.dkim.key_file: {path}"
    try:
        key = path.read_bytes()
    except OSError as exc:
        raise DkimKeyError(f"{where}: can't be read ({exc.strerror or exc}); nothing was "
                           "sent") from None
    return DkimSigner(settings.selector, settings.domain, key, where=where)
