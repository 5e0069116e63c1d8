# ruff: noqa: E501  (the reports keep the line lengths the mail systems write)
"""Bounce reports shaped as Postfix, Exim, Gmail and Microsoft write them (RFC 3464
multipart/report, from their documented formats), a non-report Exim bounce, a
delay warning, an auto-reply, unrelated mail and `mailto:` unsubscribe requests.

Each takes the envelope address the report goes to and the returned message's
recipient and Message-ID, and gives the bytes of a mailbox file.
"""

from __future__ import annotations

HEADERS = """Return-Path: <{verp}>
From: Labbets dagbok <news@lab.example.org>
To: {rcpt}
Subject: Labbets dagbok: 2 nya inlagg
Message-ID: {mid}
List-Unsubscribe-Post: List-Unsubscribe=One-Click
"""


def postfix(verp: str, rcpt: str, mid: str, *, action: str = "failed",
            status: str = "5.1.1") -> bytes:
    subject = ("Delayed Mail (still being retried)" if action == "delayed"
               else "Undelivered Mail Returned to Sender")
    return f"""Return-Path: <>
Delivered-To: {verp}
Received: by mail.example.net (Postfix) id 4A1B2C3D4E; Mon, 10 Feb 2020 12:00:05 +0100 (CET)
Date: Mon, 10 Feb 2020 12:00:05 +0100 (CET)
From: MAILER-DAEMON@mail.example.net (Mail Delivery System)
Subject: {subject}
To: {verp}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4A1B2C3D4E.1581332405/mail.example.net"
Content-Transfer-Encoding: 8bit
Message-Id: <20200210110005.4A1B2C3D4E@mail.example.net>

This is a MIME-encapsulated message.

--4A1B2C3D4E.1581332405/mail.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{rcpt}>: host mx.example.org[192.0.2.10] said: 550 5.1.1 <{rcpt}>:
    Recipient address rejected: User unknown in local recipient table (in reply
    to RCPT TO command)

--4A1B2C3D4E.1581332405/mail.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.example.net
X-Postfix-Queue-ID: 4A1B2C3D4E
X-Postfix-Sender: rfc822; {verp}
Arrival-Date: Mon, 10 Feb 2020 12:00:01 +0100 (CET)

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User
    unknown in local recipient table

--4A1B2C3D4E.1581332405/mail.example.net
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{HEADERS.format(verp=verp, rcpt=rcpt, mid=mid)}
--4A1B2C3D4E.1581332405/mail.example.net--
""".encode()


def exim(verp: str, rcpt: str, mid: str, *, status: str = "4.2.2") -> bytes:
    return f"""Envelope-to: {verp}
From: Mail Delivery System <Mailer-Daemon@mx.example.com>
To: {verp}
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1j17qd-0004Xy-2s@mx.example.com>
Date: Mon, 10 Feb 2020 12:30:00 +0000
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=1581337800-eximdsn-1804289383

--1581337800-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a temporary error. The following address(es) deferred:

  {rcpt}
    retry timeout exceeded: 452 4.2.2 Mailbox full

--1581337800-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Action: failed
Final-Recipient: rfc822;{rcpt}
Status: {status}
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--1581337800-eximdsn-1804289383
Content-type: message/rfc822

{HEADERS.format(verp=verp, rcpt=rcpt, mid=mid)}
Hej!

--1581337800-eximdsn-1804289383--
""".encode()


def gmail(verp: str, rcpt: str, mid: str) -> bytes:
    return f"""Delivered-To: {verp}
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {verp}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: {mid}
In-Reply-To: {mid}
Message-ID: <5e4133f4.1c69fb81.8d3c2.abcd.GMR@mx.google.com>
Date: Mon, 10 Feb 2020 03:00:04 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000b1c2d3e4f5a6b7c8"; report-type=delivery-status

--000000000000b1c2d3e4f5a6b7c8
Content-Type: multipart/related; boundary="000000000000c1d2e3f4a5b6c7d8"

--000000000000c1d2e3f4a5b6c7d8
Content-Type: multipart/alternative; boundary="000000000000d1e2f3a4b5c6d7e8"

--000000000000d1e2f3a4b5c6d7e8
Content-Type: text/plain; charset="UTF-8"


** Address not found **

Your message wasn't delivered to {rcpt} because the address couldn't be found, or is unable to receive mail.

The response from the remote server was:
550 5.1.1 The email account that you tried to reach does not exist.

--000000000000d1e2f3a4b5c6d7e8--
--000000000000c1d2e3f4a5b6c7d8--
--000000000000b1c2d3e4f5a6b7c8
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; lab.example.org
Arrival-Date: Mon, 10 Feb 2020 03:00:03 -0800 (PST)
X-Original-Message-ID: {mid}

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2a00:1450:400c:c0b::1b, the server for the domain example.org.)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.
Last-Attempt-Date: Mon, 10 Feb 2020 03:00:04 -0800 (PST)

--000000000000b1c2d3e4f5a6b7c8
Content-Type: message/rfc822

{HEADERS.format(verp=verp, rcpt=rcpt, mid=mid)}
Hej!

--000000000000b1c2d3e4f5a6b7c8--
""".encode()


def microsoft(to: str, rcpt: str, mid: str) -> bytes:
    """An Exchange Online NDR to the plain bounce address: only the returned headers'
    Message-ID names the recipient."""
    return f"""From: postmaster@outlook.com
To: {to}
Date: Mon, 10 Feb 2020 11:00:06 +0000
Subject: Undeliverable: Labbets dagbok: 2 nya inlagg
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="_000_AM0PR01MB123456789ABCAM0PR01MB1234eurp_"
Message-ID: <d1a2b3c4-0000-4f2e-9abc-AM0PR01MB1234.eurprd01.prod.exchangelabs.com>
X-MS-Exchange-Message-Is-Ndr:
Auto-Submitted: auto-replied
MIME-Version: 1.0

--_000_AM0PR01MB123456789ABCAM0PR01MB1234eurp_
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{rcpt}
The email address you entered couldn't be found. Please check the recipient's
email address and try to resend the message.

--_000_AM0PR01MB123456789ABCAM0PR01MB1234eurp_
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;mail.lab.example.org
Arrival-Date: Mon, 10 Feb 2020 11:00:05 +0000

Original-Recipient: rfc822;{rcpt}
Final-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup

--_000_AM0PR01MB123456789ABCAM0PR01MB1234eurp_
Content-Type: text/rfc822-headers

{HEADERS.format(verp=to, rcpt=rcpt, mid=mid)}
--_000_AM0PR01MB123456789ABCAM0PR01MB1234eurp_--
""".encode()


def exim_plain(verp: str, rcpt: str) -> bytes:
    """An Exim bounce without a report (older Exim): X-Failed-Recipients and text."""
    return f"""Envelope-to: {verp}
From: Mail Delivery System <Mailer-Daemon@mx.example.com>
To: {verp}
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: {rcpt}
Auto-Submitted: auto-replied
Date: Mon, 10 Feb 2020 12:30:00 +0000

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {rcpt}
    SMTP error from remote mail server after RCPT TO:<{rcpt}>:
    host mx.example.org [192.0.2.10]: 550 5.1.1 User unknown
""".encode()


def auto_reply(to: str) -> bytes:
    return f"""From: Anna Andersson <anna@example.org>
To: {to}
Subject: Automatic reply: Labbets dagbok: 2 nya inlagg
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Date: Mon, 10 Feb 2020 12:00:10 +0100

I am away until 24 February. / Jag ar ledig till 24 februari.
""".encode()


def unrelated(to: str) -> bytes:
    return f"""From: Bo Berg <bo@example.org>
To: {to}
Subject: Fraga om senaste inlagget
Date: Mon, 10 Feb 2020 13:00:00 +0100

Hej! Var finns rapporten ni skrev om?
""".encode()


def unsubscribe_request(to: str, sender: str, token: str) -> bytes:
    subject = f"unsubscribe {token}".strip()
    return f"""From: {sender}
To: {to}
Subject: {subject}
Date: Mon, 10 Feb 2020 14:00:00 +0100

""".encode()
