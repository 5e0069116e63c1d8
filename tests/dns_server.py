"""A real DNS server for tests (UDP on 127.0.0.1, a free port), answering from a
small zone with dnslib: which test domains receive mail (MX), which only have an
address (A), which refuse mail (null MX, RFC 7505), which don't exist, and one
that never answers (a timeout)."""

from __future__ import annotations

import socket
import threading
from types import TracebackType

from dnslib import AAAA, MX, QTYPE, RCODE, RR, TXT, A, DNSRecord

MAIL_DOMAINS = ("example.org", "example.com", "xn--exmple-cua.se")
A_ONLY = {"aonly.example.net": "93.184.216.34"}
NULL_MX = ("nullmx.example.net",)
SILENT = ("slow.example.net",)  # never answered: the resolver's timeout


class DnsServer:
    """`with DnsServer() as dns:` serves until the block ends; `dns.address` is
    "127.0.0.1:PORT" and `dns.asked` lists every (name, type) asked."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.asked: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="test-dns")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> DnsServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            answer = self.answer(DNSRecord.parse(data))
            if answer is not None:
                self.sock.sendto(answer.pack(), peer)

    def answer(self, query: DNSRecord) -> DNSRecord | None:
        name = str(query.q.qname).rstrip(".").lower()
        kind = QTYPE[query.q.qtype]
        self.asked.append((name, kind))
        reply = query.reply()
        if name in SILENT:
            return None
        if name in MAIL_DOMAINS or name.endswith(".example.org"):
            if kind == "MX":
                reply.add_answer(RR(name, QTYPE.MX, rdata=MX(f"mx.{name}", 10), ttl=60))
        elif name in A_ONLY:
            if kind == "A":
                reply.add_answer(RR(name, QTYPE.A, rdata=A(A_ONLY[name]), ttl=60))
        elif name in NULL_MX:
            if kind == "MX":
                reply.add_answer(RR(name, QTYPE.MX, rdata=MX(".", 0), ttl=60))
            elif kind == "TXT":
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT("v=spf1 -all"), ttl=60))
            elif kind == "AAAA":
                reply.add_answer(RR(name, QTYPE.AAAA, rdata=AAAA("2001:db8::1"), ttl=60))
        else:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply
