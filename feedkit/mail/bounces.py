"""What a message in the list's mailbox is, and what to do about it. Reads only the
message; the state is `jobs/inbox.py`'s, finding the recipient is recipient.py's.

In this order:

1. A feedback report (RFC 5965 ARF, from a mailbox provider's feedback loop): a
   complaint (`abuse`, `fraud`, `other`) unsubscribes; an authentication failure
   report (RFC 6591 `auth-failure`) or a `virus` report is about the sender's set-up;
   `not-spam` is ignored.
2. A delivery status notification (RFC 3464): per recipient, Action `failed` is
   judged by its Status and Diagnostic-Code (diagnosis.py: hard, soft or sender-side);
   `delayed` is a warning and `delivered`, `relayed`, `expanded` a notice, both
   ignored.
3. A `mailto:` unsubscribe: a subject `unsubscribe TOKEN` (as the List-Unsubscribe
   mailto writes it). Without a token it is not acted on: anyone can forge a From.
4. A challenge-response request or an auto-reply (RFC 3834 and older markers, from a
   person rather than a mail system): ignored.
5. A bounce that is not a report (qmail, older Exim, Sendmail, Domino, GroupWise,
   Yahoo, Zoho, Mimecast, Microsoft's older NDRs...): found by its sender, subject or
   X-Failed-Recipients, or by flufl.bounce; judged by the words before the copy of
   the original. Delay warnings are ignored.
6. A vacation notice recognised only by its words, or anything else: ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import Message

from .diagnosis import Diagnosis, diagnose, status_of
from .verp import read_verp

_UNSUBSCRIBE = re.compile(r"^\s*(?:re:\s*)?unsubscribe\b\s*(?P<token>[A-Za-z0-9]*)\s*$",
                          re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status notification|failure|has failed|failed|"
    r"notification)|returned mail|failure notice|mail delivery failed|non-?delivery|"
    r"nondeliverable|delivery_failure|message status - undeliverable|could not be delivered"
    r"|mail system error|email delivery failure|недоставленное|не доставлено|"
    r"olevererbart|unzustellbar|non remis|no se puede entregar", re.IGNORECASE)
_DELAY = re.compile(r"\bdelay(?:ed)?\b|still being retried|will (?:continue to )?(?:be )?"
                    r"retr(?:y|ied)|this is a warning only|warning: message", re.IGNORECASE)
_COMPLAINTS = ("abuse", "fraud", "other")
_SENDER_REPORTS = {"auth-failure": "an authentication failure report (RFC 6591)",
                   "virus": "a virus report"}
_SENDER_HEADERS = ("X-Postfix-Sender", "X-Original-Sender")


@dataclass
class Verdict:
    """What a message is: `action` hard, soft, sender, complaint, unsubscribe,
    auto-reply or ignore; what it says about whom (see recipient.py)."""

    action: str
    reason: str
    status: str = ""
    verp: tuple[str, str] | None = None  # (token, period) from the envelope address
    message_ids: list[str] = field(default_factory=list)  # of the returned message
    tokens: list[str] = field(default_factory=list)  # its List-Unsubscribe tokens
    addresses: list[str] = field(default_factory=list)  # recipients the report names
    named: list[str] = field(default_factory=list)  # addresses in the bounce's text
    token: str = ""  # the unsubscribe request's token
    domain: str = ""  # the recipient's domain (sender-side counts)
    relay: str = ""  # the mail system that wrote the report
    remote: str = ""  # the server that refused
    detail: str = ""  # the server's words (addresses taken out before storing)


def classify(data: bytes, bounce_address: str) -> Verdict:
    """Read one message (the bytes of a mailbox file)."""
    from email import message_from_bytes

    from .autoreply import challenge, from_mailer, marked_auto, vacation
    from .reports import delivery_status, feedback_report
    from .returned import bounce_text, named_addresses, recipients_named, returned_headers

    message = message_from_bytes(data)
    headers = returned_headers(message)
    feedback = feedback_report(message)
    if feedback is not None:
        verdict = _clues(_feedback(feedback, headers), message, headers, bounce_address)
        envelope = read_verp(feedback.mail_from, bounce_address) if bounce_address else None
        verdict.verp = verdict.verp or envelope
        return verdict
    report = delivery_status(message)
    if report is not None:
        verdict = _report(report, message)
        return _clues(verdict, message, headers, bounce_address)
    subject = " ".join(str(message.get("Subject", "")).split())
    found = _UNSUBSCRIBE.match(subject)
    if found:
        if not found["token"]:
            return Verdict("ignore", "an unsubscribe request without a token: not acted on "
                           "(anyone can forge a From address); answer it by hand, or run "
                           "feedkit unsubscribe ADDRESS")
        return Verdict("unsubscribe", "a mailto: unsubscribe request", token=found["token"])
    text = bounce_text(message)
    if challenge(message, text):
        return Verdict("auto-reply", "a challenge-response request (prove you're human): "
                       "ignored")
    mailer = from_mailer(message)
    marker = marked_auto(message)
    if marker and not mailer:
        return Verdict("auto-reply", f"an auto-reply ({marker})")
    temporary, permanent = _flufl(message)
    failed = _failed_recipients(message)
    if mailer or failed or permanent or temporary or _BOUNCE_SUBJECT.search(subject):
        if not permanent and (temporary or _DELAY.search(subject)) and _DELAY.search(
                subject + "\n" + text):
            return Verdict("ignore", "a delay warning, not a bounce: the server is still "
                           "trying")
        if not (failed or permanent or temporary or status_of(text) or mailer):
            return Verdict("ignore", "reads like a bounce but names no failure; left for "
                           "a person")
        diagnosis = diagnose(status_of(text), text)
        verdict = _verdict(diagnosis, "(not a delivery status report)")
        verdict.addresses = list(dict.fromkeys(failed + recipients_named(headers)))
        verdict.named = list(dict.fromkeys(sorted(permanent | temporary)
                                           + named_addresses(text)))
        verdict.detail = _excerpt(text)
        verdict.remote = _remote_host(text)
        return _clues(verdict, message, headers, bounce_address)
    if vacation(message, text):
        return Verdict("auto-reply", "an out-of-office notice (by its words)")
    if marker:
        return Verdict("ignore", f"an automatic message ({marker}), not a bounce")
    return Verdict("ignore", "not a bounce or an unsubscribe request")


def _verdict(diagnosis: Diagnosis, where: str) -> Verdict:
    names = {"hard": "a hard bounce", "soft": "a soft bounce",
             "sender": "a sender-side refusal"}
    status = diagnosis.status or "no status"
    where = f" {where}" if where else ""
    return Verdict(diagnosis.kind, f"{names[diagnosis.kind]} ({status}){where}: "
                   f"{diagnosis.why}", diagnosis.status)


def _report(report: object, message: Message) -> Verdict:
    from .reports import StatusReport

    assert isinstance(report, StatusReport)
    failed = [r for r in report.recipients if r.action == "failed"]
    if not failed:
        actions = {r.action for r in report.recipients}
        if "delayed" in actions:
            status = next((r.status for r in report.recipients if r.status), "no status")
            return Verdict("ignore", f"a delay warning ({status}), not a bounce: the "
                           "server is still trying")
        if actions:
            return Verdict("ignore", f"a delivery notice (Action: {', '.join(sorted(actions))})"
                           ", not a bounce")
        return Verdict("ignore", "a delivery status report without a recipient's Action")
    judged = [(diagnose(r.status, r.diagnostic), r) for r in failed]
    # Several failed recipients that disagree: the decision that suppresses least.
    order = {"sender": 0, "soft": 1, "hard": 2}
    diagnosis, first = min(judged, key=lambda pair: order[pair[0].kind])
    verdict = _verdict(diagnosis, "")
    for _, block in judged:
        for address in (block.final, block.original):
            if address and address not in verdict.addresses:
                verdict.addresses.append(address)
    verdict.relay = report.reporting_mta
    verdict.remote = first.remote_mta
    verdict.detail = _excerpt(first.diagnostic)
    if report.original_message_id:
        verdict.message_ids.append(report.original_message_id.strip())
    return verdict


def _feedback(feedback: object, headers: list[Message]) -> Verdict:
    from .reports import FeedbackReport
    from .returned import recipients_named

    assert isinstance(feedback, FeedbackReport)
    kind = feedback.feedback_type
    who = f" from {feedback.user_agent}" if feedback.user_agent else ""
    if kind in _SENDER_REPORTS:
        detail = f" ({feedback.auth_failure})" if feedback.auth_failure else ""
        verdict = Verdict("sender", f"{_SENDER_REPORTS[kind]}{who}{detail}: about how the "
                          "mail was sent, not a complaint", "5.7.0")
        verdict.detail = f"{kind}{detail}"
        verdict.domain = feedback.reported_domain
        return verdict
    if kind == "not-spam":
        return Verdict("ignore", f"a not-spam report{who}: nothing to do")
    name = "a complaint" if kind in _COMPLAINTS else f"a feedback report ({kind})"
    verdict = Verdict("complaint", f"{name}{who} (RFC 5965 feedback report): the reader "
                      "marked the digest as spam")
    verdict.addresses = feedback.recipients + recipients_named(headers)
    return verdict


def _clues(verdict: Verdict, message: Message, headers: list[Message],
           bounce_address: str) -> Verdict:
    """Add what names the recipient: VERP, Message-IDs, List-Unsubscribe tokens."""
    from .returned import envelope_addresses, message_ids, unsubscribe_tokens

    if bounce_address:
        for address in envelope_addresses(message, headers):
            found = read_verp(address, bounce_address)
            if found:
                verdict.verp = found
                break
    verdict.message_ids = list(dict.fromkeys(message_ids(message, headers)
                                             + verdict.message_ids))
    verdict.tokens = unsubscribe_tokens(headers)
    failed = verdict.addresses[0] if verdict.addresses else ""
    if not verdict.domain and "@" in failed:
        verdict.domain = failed.rpartition("@")[2]
    if not verdict.relay:
        verdict.relay = _relay(message)
    return verdict


def _relay(message: Message) -> str:
    """The mail system that wrote a report: the host of its From address."""
    from email.utils import parseaddr

    _, address = parseaddr(str(message.get("From", "")))
    return address.rpartition("@")[2].lower()


def _remote_host(text: str) -> str:
    found = re.search(r"\bhost ([A-Za-z0-9.-]+\.[A-Za-z]{2,})", text)
    return found.group(1).lower().rstrip(".") if found else ""


def _excerpt(text: str) -> str:
    """The server's words, short, with addresses taken out (they are personal data)."""
    from ..addresses import redact

    words = " ".join(text.split())
    return redact(words)[:240]


def _failed_recipients(message: Message) -> list[str]:
    from email.utils import getaddresses

    values = [str(v) for v in message.get_all("X-Failed-Recipients", [])]
    return [a.lower() for _, a in getaddresses(values) if "@" in a]


def _flufl(message: Message) -> tuple[set[str], set[str]]:
    """(temporary, permanent) failure addresses flufl.bounce finds; none when one of its
    detectors trips over a malformed message (8-bit header bytes, a From without an
    address): the message is then judged by feedkit's own rules alone."""
    import logging

    from flufl.bounce import all_failures

    logging.getLogger("flufl.bounce").disabled = True  # it logs a traceback, then raises
    try:
        temporary, permanent = all_failures(message)
    except Exception:  # any detector's bug on hostile input: not the run's end
        return set(), set()
    return _decoded(temporary), _decoded(permanent)


def _decoded(items: object) -> set[str]:
    assert isinstance(items, (set, frozenset, list, tuple))
    return {(a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a)).strip().lower()
            for a in items if a}
