"""A real authoritative DNS server on 127.0.0.1 for the tests (dnslib's server).

`Zones` answers from zone-file text like a real authoritative server: the AA bit,
NXDOMAIN for a name it doesn't hold, an empty answer with the SOA for a name that
exists without the asked type, CNAMEs followed inside the zone. UDP and TCP on the
same free port; `stall` names whose queries go unanswered (a server that times out).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from dnslib import QTYPE, RCODE, RR, DNSLabel, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

SOA = "@ 3600 IN SOA ns.test. hostmaster.test. 1 3600 600 86400 60"


class Zones(BaseResolver):  # type: ignore[misc]
    """Every record of the zone texts given, each text with its $ORIGIN."""

    def __init__(self, *zones: str, stall: tuple[str, ...] = ()) -> None:
        self.records: list[RR] = []
        for text in zones:
            self.records.extend(RR.fromZone(text))
        self.stall = {DNSLabel(name) for name in stall}

    def add(self, text: str) -> None:
        self.records.extend(RR.fromZone(text))

    def resolve(self, request: DNSRecord, handler: object) -> DNSRecord | None:
        reply = request.reply()
        reply.header.aa = 1
        name, qtype = request.q.qname, request.q.qtype
        if name in self.stall:
            return None
        for _ in range(8):  # follow CNAMEs inside the zone
            held = [rr for rr in self.records if rr.rname == name]
            if not held:
                if not reply.rr:
                    reply.header.rcode = RCODE.NXDOMAIN
                break
            answers = [rr for rr in held if rr.rtype == qtype or qtype == QTYPE.ANY]
            if answers:
                for rr in answers:
                    reply.add_answer(rr)
                break
            alias = [rr for rr in held if rr.rtype == QTYPE.CNAME]
            if not alias:
                break
            reply.add_answer(alias[0])
            name = alias[0].rdata.label
        if not reply.rr:
            reply.add_auth(*RR.fromZone(SOA.replace("@", str(_zone_of(name)))))
        return reply


def _zone_of(name: DNSLabel) -> DNSLabel:
    labels = name.label[-2:] if len(name.label) >= 2 else name.label
    return DNSLabel(labels)


class _Handler(DNSHandler):  # type: ignore[misc]
    """dnslib's handler; a resolver that returns None sends no reply at all."""

    def get_reply(self, data: bytes) -> bytes:
        request = DNSRecord.parse(data)
        reply = self.server.resolver.resolve(request, self)
        if reply is None:
            raise _NoReply
        packed: bytes = reply.pack()
        return packed

    def handle(self) -> None:
        with contextlib.suppress(_NoReply):
            super().handle()


class _NoReply(Exception):
    pass


@contextlib.contextmanager
def dns_server(zones: Zones) -> Iterator[str]:
    """Serve `zones` on 127.0.0.1 (UDP and TCP); yields "127.0.0.1:PORT"."""
    quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data")
    for _ in range(20):
        udp = DNSServer(zones, address="127.0.0.1", port=0, logger=quiet, handler=_Handler)
        port = udp.server.server_address[1]
        try:
            tcp = DNSServer(zones, address="127.0.0.1", port=port, tcp=True, logger=quiet,
                            handler=_Handler)
        except OSError:
            udp.server.server_close()
            continue
        break
    else:  # pragma: no cover - the machine has no free port pair
        raise OSError("no free port for the test DNS server")
    udp.start_thread()
    tcp.start_thread()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        for server in (udp, tcp):
            server.stop()
            server.server.server_close()

