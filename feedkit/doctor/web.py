"""HTTP(S) for the list checks: one request to a URL of the site, connecting to the
address the doctor's resolver gives for its host while TLS checks the name."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from .lookup import Dns, DnsProblem


class WebProblem(Exception):
    """No HTTP answer: a name that doesn't resolve, a refused connection, bad TLS."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def fetch(url: str, dns: Dns, tls: ssl.SSLContext, timeout: float, *,
          method: str = "GET", form: str | None = None) -> Answer:
    """One request (no redirects followed); WebProblem saying why there is no answer."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _address(host, dns)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = _PinnedHTTPS(address, host, port, timeout,
                                                               tls)
    else:
        connection = _PinnedHTTP(address, host, port, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": "feedkit-doctor", "Accept": "*/*"}
    body = form.encode("ascii") if form is not None else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.getheader("Content-Type", ""),
                      response.read())
    except ssl.SSLCertVerificationError as exc:
        raise WebProblem(f"the certificate of {host} is not valid: "
                         f"{exc.verify_message or exc}") from None
    except (OSError, http.client.HTTPException) as exc:
        cause = "timed out" if isinstance(exc, TimeoutError) else (
            getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
        raise WebProblem(f"no answer from {host}:{port} ({address}): {cause}") from None
    finally:
        connection.close()


def _address(host: str, dns: Dns) -> str:
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        return dns.addresses(host)[0]
    except DnsProblem as exc:
        raise WebProblem(str(exc)) from None


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, address: str, host: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, address: str, host: str, port: int, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
