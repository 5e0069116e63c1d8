"""`feedkit send`: each period's digest to each subscriber exactly once.

This module loads what a run needs (registry, subscribers, DKIM key, the transport),
takes the one-sender lock and records the run; jobs/sendrun.py is the run itself
(the email channel, mail/channel.py, under a pool of connections fed and recorded
by jobs/bookkeeper.py); `--to` is jobs/testsend.py's. SendRequest and Summary live
in jobs/sending.py and are importable from here as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FeedkitError, UsageError
from ..load.subscribers import Subscriber
from ..mail.channel import links_for
from ..model import Post
from ..periods import PERIODS, Period
from ..state import SendState, StateError, StateLocation, locate
from .sending import (
    GROW_TO,
    Recipients,
    Reporter,
    SendReport,
    SendRequest,
    Summary,
    connections_for,
    grows,
)
from .sendrun import SendRun, payload_processes

# What a process making email payloads imports first (channels/offload.py): started
# while the list loads, it is ready when the first chunk comes.
EMAIL_MODULES = ("feedkit.mail.channel", "feedkit.mail.personal", "feedkit.mail.signing",
                 "cryptography.hazmat.primitives.asymmetric.rsa")

__all__ = ["Reporter", "SendRequest", "SendRun", "Summary", "recipients", "run_send"]

if TYPE_CHECKING:
    from ..channels import Channel


def load_subscribers_for(registry_path: Path, explicit: Path | None
                         ) -> Collection[Subscriber]:
    """The subscribers file given, else the one beside the registry, checked (and read
    again row by row when used: a long list isn't held); none at all when there is no
    file (the list in the state may hold everyone)."""
    from ..load.subscribers import SubscriberFile
    from ..project import Project

    path = explicit or Project(registry_path).subscribers_file()
    return () if path is None else SubscriberFile(path)


def recipients(from_file: Collection[Subscriber], state: SendState,
               registry_path: Path) -> Recipients:
    """The file's subscribers, then the list's confirmed ones the file doesn't hold (an
    address in both is one recipient, as the file has it). Unsubscribed addresses stay
    in and are skipped by the suppression list, so the state records why."""
    listed = state.list_entries("confirmed") if state.has_table("list_subscribers") else []
    if not from_file and not listed and not (state.has_table("list_subscribers")
                                             and state.list_entries()):
        raise FeedkitError(f"no subscribers: put subscribers.csv (columns email, name, "
                           f"language) beside {registry_path}, pass --subscribers FILE, or "
                           "let people subscribe with feedkit serve")
    everyone = Recipients(from_file)
    return Recipients(from_file, [Subscriber(e.address, e.name, e.language) for e in listed
                                  if e.recipient not in everyone])


def run_send(request: SendRequest, reporter: Reporter,
             environ: Mapping[str, str] | None = None) -> Summary:
    """Load everything, take the lock (SQLite) and send (or, with dry_run, only list; with
    `to`, send one test message)."""
    import os

    from ..load import load
    from ..mail.signing import load_signer
    from ..mail.tokens import secret_from_env
    from ..mail.transport import open_transport
    from ..project import Project

    env = dict(os.environ if environ is None else environ)
    if request.kind not in PERIODS:
        raise UsageError("--period", f"'{request.kind}' is not one of: {', '.join(PERIODS)}")
    connections = connections_for(request, env)
    grow_to = GROW_TO if grows(request, env) else 0
    project = Project(request.registry)
    registry = load(request.registry)
    subscribers = load_subscribers_for(request.registry, request.subscribers)
    location = locate(request.state, request.registry)
    dirs = project.template_dirs(request.templates)
    report = SendReport(reporter)
    if request.dry_run:
        state = location.peek()
        try:
            everyone = recipients(subscribers, state, request.registry)
            return SendRun(registry, everyone, state, None, report).run(request.kind,
                                                                        request.now)
        finally:
            with contextlib.suppress(StateError):
                state.close()
    secret = secret_from_env(env)
    signer = load_signer(registry.site.dkim, request.registry) if registry.site.dkim else None
    transport = open_transport(request.smtp_url, project.outbox, env, ca_file=request.smtp_ca)
    if request.to is not None:
        from .testsend import test_send

        return test_send(request, registry, location, dirs, transport, secret, signer,
                         reporter, subscribers)

    def email(period: Period, posts: tuple[Post, ...], report: SendReport) -> Channel:
        from ..mail.channel import EmailChannel

        return EmailChannel(registry, period, posts, secret=secret, transport=transport,
                            signer=signer, template_dirs=dirs, now=request.now,
                            log=report.note)

    if processes := payload_processes(len(subscribers)):  # made elsewhere: start them now
        from ..channels.offload import prewarm

        prewarm(processes, EMAIL_MODULES)

    def make(state: SendState) -> SendRun:
        return SendRun(registry, (), state, email, report, request.retry,
                       links_for(transport, connections), request.per_second,
                       request.per_hour, lease=request.lease,
                       grow_to=links_for(transport, grow_to) if grow_to else 0)

    try:
        return _locked_run(location, make, request, subscribers, transport.description)
    finally:
        from ..channels.offload import cool

        cool()


def _locked_run(location: StateLocation, make: Callable[[SendState], SendRun],
                request: SendRequest, subscribers: Collection[Subscriber], via: str) -> Summary:
    """Hold the one-sender lock (SQLite), open the state, record the run and send."""
    from ..state.store import worker_name

    with location.sender_lock():
        state = location.open(threads=True)
        try:
            send = make(state)
            send.worker = worker_name()
            who = f" as {send.worker}" if location.shared else ""
            more = (f", more up to {send.grow_to} while the server keeps up"
                    if send.grow_to > send.connections else "")
            send.report.note(f"sending {request.kind} digests via {via} "
                             f"({send.connections} connection(s){more}){who}")
            send.subscribers = recipients(subscribers, state, request.registry)
            run = state.start_run(send.worker, request.kind)
            try:
                summary = send.run(request.kind, request.now)
            except BaseException as exc:
                with contextlib.suppress(StateError):  # the state may be what failed
                    state.finish_run(run, f"error: {exc}"[:500], (0, 0, 0, 0))
                raise
            outcome = (f"stopped: {summary.stopped}" if summary.stopped else
                       "pending" if summary.pending or summary.periods_left else "done")
            with contextlib.suppress(StateError):  # a failed state already stopped the run
                state.finish_run(run, outcome[:500], (summary.sent, summary.pending,
                                                      summary.failed, summary.suppressed))
            return summary
        finally:
            with contextlib.suppress(StateError):
                state.close()
