"""`feedkit send --to ADDRESS`: the exact message the next run would send, signed and
personalised for that one address, sent to it alone. The state is only read."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from ..addresses import address_problem
from ..errors import EXIT_EMPTY, FeedkitError, UsageError
from ..model import Registry
from ..state import StateLocation
from .sending import Summary, planned, posts_for

if TYPE_CHECKING:
    from ..load.subscribers import Subscriber
    from ..mail.handover import Transport
    from ..mail.signing import DkimSigner
    from .sending import Reporter, SendRequest


class NothingToSend(FeedkitError):
    """No period is due, so there is no next message to show."""

    exit_code = EXIT_EMPTY


def test_send(request: SendRequest, registry: Registry, location: StateLocation,
              template_dirs: tuple[Path, ...], transport: Transport, secret: bytes,
              signer: DkimSigner | None, reporter: Reporter,
              subscribers: Collection[Subscriber]) -> Summary:
    """Send the next run's message to `request.to` (with the name and language the
    subscribers file or the list gives it); the Summary counts it."""
    from ..channels import SENT, Recipient
    from ..mail.channel import EmailChannel, TransportLink

    assert request.to is not None
    address = request.to.strip()
    if why := address_problem(address):
        raise UsageError("--to", f"'{address}' {why}")
    key = address.lower()
    state = location.peek()
    try:
        today = request.now.astimezone(registry.site.tz).date()
        found = next(((period, posts) for period in planned(state, request.kind, today)
                      for posts in [posts_for(registry, state, period)[0]] if posts), None)
        entry = state.list_entry(key) if state.has_table("list_subscribers") else None
    finally:
        state.close()
    if found is None:
        raise NothingToSend(f"nothing to send: no {request.kind} up to {today} has posts "
                            "that are not sent yet, so there is no next message to test")
    period, posts = found
    site = registry.site
    listed = next((s for s in subscribers if s.key == key), None)
    if listed is not None:
        name, tag = listed.name, listed.language or site.language
    else:
        name = entry.name if entry else ""
        tag = (entry.language if entry else None) or site.language
    channel = EmailChannel(registry, period, posts, secret=secret, transport=transport,
                           signer=signer, template_dirs=template_dirs, now=request.now,
                           log=reporter.log, label=f"{period.label} (test)")
    parcel = channel.payload(Recipient(key, address, name, tag))
    link = TransportLink(transport)  # one message: handed over right here, blocking
    try:
        link.open()
        answer = link.hand_over(parcel)
    finally:
        link.close()
    if answer.verdict != SENT:
        raise FeedkitError(f"the test message was not accepted: {answer.reason}")
    message_id = parcel.ident
    reporter.log(f"test: the {period.label} digest ({len(posts)} post(s)) sent to "
                 f"{address} via {transport.description}; Message-ID {message_id}; "
                 "nothing recorded")
    return Summary(sent=1)
