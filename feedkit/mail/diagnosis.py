"""Why a message could not be delivered, from its status code (RFC 3463) and the
words a receiving server wrote: hard, soft, or sender-side.

- **sender-side**: the receiving side refused the *sender* (blocklists, reputation,
  spam or content filters, SPF/DKIM/DMARC failures, rate limits, policy). Never a
  reason to drop a subscriber; it means the sending set-up needs a look.
- **hard**: the address can't receive mail (user unknown, mailbox disabled or moved,
  domain or host unknown, bad syntax).
- **soft**: the address may work later (mailbox full, message too big, expired in a
  queue, temporary or network failures), and a permanent failure nothing explains.

Sender-side wording wins over everything else (a wrong suppression loses a reader
for nothing), then recipient wording (servers put "no such user" under 5.7.1 and
blocks under 5.1.1), then the status code. Each pattern is written from the server's
documented replies, named in the comment above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
REPLY = re.compile(r"(?:^|[\s;:(#\[])([245])[0-9]{2}(?=[\s\-:,)\]]|$)")
# Addresses, links and host names in a reply say nothing about why (a host called
# spam-filter.example.net, an address spam@...): they are taken out before matching.
_NOISE = re.compile(r"https?://\S+|<?[^\s<>@()\[\]]+@[^\s<>()\[\]]+>?|"
                    r"\bhost \S+\[[^\]]*\]|\[[0-9a-f.:]+\]|\bremote[- ]mta: ?\S+",
                    re.IGNORECASE)


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


# Refusals aimed at the sender. RFC 3463 X.7.X is the security/policy class.
SENDER = _any(
    # Blocklists and reputation (Spamhaus, Barracuda, Proofpoint, Mimecast, Microsoft
    # "banned sender" 5.7.606-649, Yahoo TSS/TS0x deferrals, Gmail 4.7.28/5.7.1).
    r"\bblock(?:ed|list(?:ed)?)\b", r"\bblack ?list(?:ed)?\b", r"\bdenylist", r"\brbl\b",
    r"spamhaus", r"spamcop", r"barracuda ?(?:reputation|central)", r"sorbs", r"\bdnsbl\b",
    r"(?<!not )\blisted (?:at|on|in|by)\b", r"\breputation\b", r"\bbanned sending ip\b",
    r"\[ts0\d\]", r"\[tss\d\d\]", r"temporarily deferred", r"permanently deferred",
    r"unusual rate of unsolicited", r"not accepted for policy reasons",
    r"\bpoor (?:sending )?reputation\b", r"client host \S* ?(?:rejected|blocked)",
    # Spam and content filters (Mail.ru "spam message rejected", Yandex "suspicion of
    # SPAM", Gmail "likely unsolicited mail", Mimecast "security policies").
    r"\bspam\b", r"\bunsolicited\b", r"\bjunk mail\b", r"content (?:rejected|filter)",
    r"message (?:content )?(?:rejected|refused) (?:due to|as|because)", r"\bvirus\b",
    r"\bmalware\b", r"\bphish", r"\bsuspicious\b", r"\bbulk mail\b",
    # Authentication (Gmail 5.7.26/5.7.27/5.7.30, Microsoft 5.7.23/5.7.509, Yahoo 5.7.9).
    r"\bdmarc\b", r"\bspf\b", r"\bdkim\b", r"\bunauthenticated\b",
    r"\bauthenticat(?:ion|ed)\b(?! required to relay)", r"sender (?:address )?(?:rejected|"
    r"denied|not authori[sz]ed|verify failed)", r"\bsender domain\b",
    r"reverse (?:dns|lookup)", r"\bptr\b", r"\bhelo\b", r"\bfcrdns\b",
    r"anti-?spoof", r"\bspoof", r"not (?:permitted|authori[sz]ed) to send",
    # Policy (RFC 5321's 550 "command rejected for policy reasons", Yandex "Policy
    # rejection", Mimecast "Administrative prohibition", Microsoft group restrictions
    # 5.7.129-134 and "delivery not authorized").
    r"\bpolic(?:y|ies)\b", r"administrative prohibition", r"not authori[sz]ed",
    r"access denied(?!\. as\()", r"\bprohibited\b", r"envelope blocked",
    r"\bdenied\b(?!\. as\()",
    # Rate limits (Gmail 4.7.28, Microsoft 5.1.90 "daily limit", Mail.ru "ratelimit").
    r"rate ?limit", r"too many (?:messages|emails|mails|connections from)",
    r"sending (?:limit|quota)", r"daily limit", r"receiving mail (?:too quickly|at a rate)",
    r"unexpected volume", r"try again later, closing connection",
    r"\btls required\b", r"not in whitelist", r"\bnot whitelisted\b",
)

# The address itself is dead. RFC 3463 X.1.1 bad mailbox, X.1.2 bad system, X.1.3 bad
# syntax, X.1.6 moved, X.2.1 disabled; Microsoft 5.1.10 RecipientNotFound and 5.4.1
# "Recipient address rejected: Access denied. AS(...)" (directory-based edge blocking).
HARD = _any(
    r"user (?:unknown|not found|does not exist|doesn't exist)", r"unknown (?:user|recipient)",
    r"no such (?:user|mailbox|recipient|address|account|person)",
    r"(?:mailbox|account|address|recipient|user|e-?mail account) (?:\S+ )?"
    r"(?:does not|doesn't|did not) exist", r"(?:recipient|mailbox|user|address) not found",
    r"recipnotfound|recipientnotfound", r"not listed in (?:domino directory|public name)",
    r"invalid (?:recipient|mailbox|address|user)", r"no mailbox (?:here|by that name)",
    r"unrouteable address", r"mailbox (?:is )?(?:disabled|inactive|deactivated|closed|"
    r"suspended|unavailable)", r"account (?:has been |is )?(?:disabled|deactivated|closed|"
    r"inactive|suspended|deleted|expired)", r"(?:this|the) (?:user|account) (?:has been "
    r"|is )?(?:disabled|deactivated|deleted)", r"doesn't have an? \S+ account",
    r"host or domain name not found", r"(?:domain|host) (?:not found|unknown|does not "
    r"exist)", r"no such (?:domain|host)", r"unknown (?:domain|host)", r"\bnxdomain\b",
    r"couldn't find any host", r"no mx record", r"address (?:rejected|invalid).{0,20}"
    r"(?:user|recipient|mailbox)", r"bad (?:destination )?(?:mailbox|address) syntax",
    r"access denied\. as\(\d+\)", r"recipient address rejected: access denied\. as",
    r"user (?:account )?(?:is )?(?:no longer|not) (?:active|available|valid)",
    r"has (?:been )?moved", r"no longer (?:at|with|valid|exists?)",
    r"requested action not taken: mailbox unavailable",
)

# It may work later (RFC 3463 X.2.2 full, X.2.3/X.3.4 too big, X.4.x network,
# X.4.7 expired; Gmail 4.2.2 over quota; greylisting).
SOFT = _any(
    r"mailbox (?:is )?full", r"over ?quota", r"quota (?:exceeded|full)", r"exceeded .*quota",
    r"insufficient (?:storage|disk)", r"out of storage", r"(?:message|mail) (?:size|too "
    r"(?:big|large))", r"exceeds? (?:the )?(?:maximum|size|message size)",
    r"greylist", r"try again later", r"temporar(?:y|ily)", r"timed? ?out",
    r"connection (?:refused|reset|timed out|lost)", r"too many connections",
    r"retry timeout exceeded", r"delivery time expired", r"expired", r"server busy",
    r"resources? temporarily", r"network (?:is )?unreachable", r"no route to host",
    r"loop(?:ing)? detected|routing loop", r"could not connect", r"unable to connect",
)


@dataclass(frozen=True)
class Diagnosis:
    """What one failure means: `kind` hard, soft or sender; `status` its x.y.z code
    (found or implied by a 3-digit reply); `why` a few words for people."""

    kind: str
    status: str
    why: str


def status_of(text: str) -> str:
    """The first RFC 3463 code in `text` ("5.1.1"), or ""."""
    found = STATUS.search(text or "")
    return ".".join(found.groups()) if found else ""


def diagnose(status: str, text: str) -> Diagnosis:
    """The decision for a failure with this status code (may be "") and these words
    (a Diagnostic-Code, or the text a bounce gives for its recipient)."""
    text = " ".join(_NOISE.sub(" ", text or "").split())
    status = status or status_of(text)
    if not status:
        reply = REPLY.search(text)
        status = f"{reply.group(1)}.0.0" if reply else ""
    klass, subject, detail = [*status.split("."), "", "", ""][:3]
    if SENDER.search(text):
        return Diagnosis("sender", status, "refused because of the sender (" +
                         _phrase(SENDER, text) + ")")
    if klass == "5" and subject == "1" and detail in ("7", "8"):  # bad sender address
        return Diagnosis("sender", status, "the sender's address was refused")
    if klass == "4":  # temporary: the address may work later, whatever the words
        return Diagnosis("soft", status, "a temporary failure (" +
                         (_phrase(SOFT, text) or status) + ")")
    if HARD.search(text):
        return Diagnosis("hard", status, "the address can't receive mail (" +
                         _phrase(HARD, text) + ")")
    if SOFT.search(text):
        return Diagnosis("soft", status, "a passing failure (" + _phrase(SOFT, text) + ")")
    if subject == "7" or (klass == "5" and subject == "6"):  # security, content
        return Diagnosis("sender", status, f"refused by policy or for its content ({status})")
    if klass == "5" and (subject == "1" or (subject, detail) == ("2", "1")):
        return Diagnosis("hard", status, f"the address can't receive mail ({status})")
    if klass in ("4", "5"):
        return Diagnosis("soft", status, f"a failure that may pass ({status})")
    return Diagnosis("soft", status, "a failure without a status or a known reason")


def _phrase(pattern: re.Pattern[str], text: str) -> str:
    found = pattern.search(text)
    return found.group(0).strip().lower() if found else ""
