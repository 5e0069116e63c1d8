# ruff: noqa: E501  (servers' replies kept whole, as they write them)
"""diagnose(): documented replies of real servers (Gmail, Microsoft, Yahoo, Yandex,
Mail.ru, Mimecast, Postfix, Sendmail, qmail) and what they mean for a subscriber.
Words aimed at the sender always win: such a reply never drops a reader."""

from __future__ import annotations

import pytest

from feedkit.mail.diagnosis import diagnose, status_of

# (Status field, the server's words, hard | soft | sender)
CASES = [
    ("5.2.1", "550-5.2.1 The email account that you tried to reach is disabled.", "hard"),
    ("5.4.1", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [x.prod.protection.outlook.com]", "hard"),
    ("5.7.606", "550 5.7.606 Access denied, banned sending IP [203.0.113.5].", "sender"),
    ("5.1.10", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", "hard"),
    ("5.2.2", "552 5.2.2 <x>: Quota exceeded (mailbox for user is full)", "soft"),
    ("4.2.0", "450 4.2.0 <x>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html", "soft"),
    ("", "550 5.1.2 Host unknown (Name server: example.invalid: host not found)", "hard"),
    ("5.0.0", "Unrouteable address", "hard"),
    ("5.7.1", "550 5.7.1 <x>: Relay access denied", "sender"),
    ("5.7.1", "554 5.7.1 <mail.lab.example.org[203.0.113.5]>: Client host rejected: Access denied", "sender"),
    ("5.1.1", "550 5.1.1 <x>: Recipient address rejected: User unknown in local recipient table", "hard"),
    ("5.3.4", "552 5.3.4 Message size exceeds fixed limit", "soft"),
    ("4.4.7", "Delivery time expired", "soft"),
    ("5.7.27", "550-5.7.27 The sender address domain has a DMARC policy of reject", "sender"),
    ("4.7.28", "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail", "sender"),
    ("5.1.8", "553 5.1.8 <bounces@x>: Sender address rejected: Domain not found", "sender"),
    ("", "554 delivery error: dd Sorry your message to x cannot be delivered. This mailbox is disabled (554.30).", "hard"),
    ("", "552 1 Requested mail action aborted, mailbox not found", "hard"),
    ("5.0.0", "550 Message was not accepted -- invalid mailbox. Local mailbox x is unavailable: account is disabled", "hard"),
    ("", "421 4.7.0 [TSS04] Messages from 203.0.113.5 temporarily deferred", "sender"),
    ("5.7.1", "550 5.7.1 Unfortunately, messages from [203.0.113.5] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140).", "sender"),
    ("5.0.0", "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550", "hard"),
    ("5.0.0", "550 Administrative prohibition - envelope blocked", "sender"),
    ("5.0.0", "554 Message rejected due to spam content", "sender"),
    ("5.1.1", "550 5.1.1 <spam.lover@example.org>: Recipient address rejected: User unknown", "hard"),
    ("5.0.0", "550 5.0.0 <x>... User unknown", "hard"),
    ("5.5.0", "550 5.5.0 Requested action not taken: mailbox unavailable", "hard"),
    ("5.2.3", "552 5.2.3 Message exceeds maximum size", "soft"),
    ("4.4.1", "connect to mx.example.org[192.0.2.1]:25: Connection refused", "soft"),
    ("5.4.6", "554 5.4.6 Hop count exceeded - possible mail loop", "soft"),
    ("5.7.1", "554 5.7.1 Message blocked due to spam content in the message", "sender"),
    ("5.7.1", "550 5.7.1 Recipient not authorized, your IP has been found on a block list", "sender"),
    ("5.0.0", "550 5.0.0 Mailbox does not exist", "hard"),
    ("5.1.6", "550 5.1.6 Recipient addresses in this domain no longer exist", "hard"),
    ("5.7.133", "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required", "sender"),
    ("5.1.90", "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients", "sender"),
    ("5.0.0", "554 5.0.0 Service unavailable; Sender address [x] blocked", "sender"),
    ("", "Sorry, I couldn't find any host named example.invalid. (#5.1.2)", "hard"),
    ("", "Sorry, no mailbox here by that name. (#5.1.1)", "hard"),
    ("5.0.0", "550 5.0.0 Your message may contain the SPAM", "sender"),
]


@pytest.mark.parametrize(("status", "text", "kind"), CASES, ids=[c[1][:40] for c in CASES])
def test_reply(status: str, text: str, kind: str) -> None:
    assert diagnose(status, text).kind == kind


def test_codes_come_from_the_words_when_the_report_has_none() -> None:
    assert diagnose("", "Sorry, no mailbox here by that name. (#5.1.1)").status == "5.1.1"
    assert diagnose("", "554 delivery error: dd This user doesn't have an account").status \
        == "5.0.0"
    assert status_of("mta 4.16.55.1; see [192.0.2.1]") == ""  # versions and addresses
    assert diagnose("", "").kind == "soft"  # nothing known: counted, never dropped at once


def test_hosts_addresses_and_links_say_nothing_about_why() -> None:
    assert diagnose("5.1.1", "host spam-filter.example.net[192.0.2.7] said: 550 5.1.1 "
                    "<blocked.user@example.org>: user unknown").kind == "hard"
