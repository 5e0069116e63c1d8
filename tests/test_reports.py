"""Delivery status reports (RFC 3464) read field by field: fields that are present
but empty (a typed field with no value after its type) are read as empty, never as
an error."""

from __future__ import annotations

from email import message_from_bytes

import pytest

from feedkit.mail.reports import delivery_status

REPORT = (b"From: MAILER-DAEMON@mx.example.se\r\n"
          b"Content-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"
          b"--B\r\nContent-Type: text/plain\r\n\r\nUndeliverable.\r\n"
          b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
          b"Reporting-MTA: dns; mx.example.se\r\n\r\n"
          b"Action: %s\r\nStatus: 5.1.1\r\nFinal-Recipient: rfc822; anna@example.se\r\n"
          b"Remote-MTA: %s\r\n\r\n--B--\r\n")


@pytest.mark.parametrize("remote", [b"dns;", b"dns; ", b";", b"dns; <>"])
def test_a_remote_mta_with_no_name_is_read_as_none(remote: bytes) -> None:
    report = delivery_status(message_from_bytes(REPORT % (b"failed", remote)))
    assert report is not None
    (recipient,) = report.recipients
    assert (recipient.final, recipient.status, recipient.remote_mta) == (
        "anna@example.se", "5.1.1", "")


def test_the_remote_mta_is_its_host_name() -> None:
    report = delivery_status(message_from_bytes(
        REPORT % (b"failed", b"dns; mx1.example.org (192.0.2.1)")))
    assert report is not None and report.recipients[0].remote_mta == "mx1.example.org"
    assert report.recipients[0].action == "failed"
