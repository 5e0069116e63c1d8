"""`feedkit inbox --imap`: a real IMAP server (Dovecot, imap_server.py) over TLS with
a trustme certificate; messages put there by IMAP APPEND, read back by feedkit,
flagged, and not read again by the next run."""

from __future__ import annotations

from pathlib import Path

import pytest
from imap_server import dovecot
from send_helpers import SECRET
from test_bounce_samples import SAMPLES
from test_inbox_sources import seed, site
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.state import locate


@pytest.fixture(scope="module")
def imap():
    with dovecot() as server:
        yield server


def flags(client, uid: bytes) -> str:
    kind, data = client.uid("FETCH", uid, "(FLAGS)")
    assert kind == "OK"
    return data[0].decode()


def test_bounces_at_a_hosted_mailbox(tmp_path: Path, imap) -> None:
    registry = site(tmp_path)
    seed(str(tmp_path / ".feedkit" / "state.sqlite"), registry)
    client = imap.client()
    client.create("Bounces")
    names = ["qmail-no-mailbox", "postfix-gmail-dmarc", "exchange-oof", "arf-generic"]
    for name in names:
        assert client.append("Bounces", None, None,
                             (SAMPLES / f"{name}.eml").read_bytes())[0] == "OK"
    env = {"FEEDKIT_SECRET": SECRET, "FEEDKIT_IMAP_PASSWORD": imap.password}

    def inbox(*extra: str):
        return CliRunner().invoke(app, ["inbox", "--imap", imap.url("Bounces"), "--imap-ca",
                                        str(imap.cafile), "--registry", str(registry),
                                        *extra], env=env)

    first = inbox()
    assert first.exit_code == 0, first.output
    assert ("hard bounces 1, soft bounces 0, sender-side 1, complaints 1, unsubscribed 1, "
            "suppressed 1, auto-replies 1," in first.output)
    state = locate(None, registry).open()
    assert state.list_entry("johan@example.is").status == "bounced"  # type: ignore[union-attr]
    assert state.list_entry("rasmus@example.no").status == "unsubscribed"  # type: ignore
    state.close()
    client.select("Bounces")
    uids = client.uid("SEARCH", "ALL")[1][0].split()
    seen = {name: flags(client, uid) for name, uid in zip(names, uids, strict=True)}
    assert all("FeedkitRead" in f for f in seen.values())
    assert "\\Seen" in seen["qmail-no-mailbox"] and "\\Seen" not in seen["exchange-oof"]
    # The next run reads only what came since: nothing.
    again = inbox()
    assert "hard bounces 0, soft bounces 0, sender-side 0, complaints 0" in again.output
    assert "auto-replies 0, ignored 0" in again.output
    client.logout()


def test_what_imap_refuses_is_said_plainly(tmp_path: Path, imap) -> None:
    registry = site(tmp_path)

    def inbox(url: str, password: str, *extra: str):
        return CliRunner().invoke(app, ["inbox", "--imap", url, "--registry", str(registry),
                                        *extra], env={"FEEDKIT_SECRET": SECRET,
                                                      "FEEDKIT_IMAP_PASSWORD": password})

    wrong = inbox(imap.url(), "not-the-password", "--imap-ca", str(imap.cafile))
    assert wrong.exit_code == 1 and "--imap: 127.0.0.1 refused" in wrong.output
    untrusted = inbox(imap.url(), imap.password)  # the test CA is not the system's
    assert untrusted.exit_code == 1 and "over TLS" in untrusted.output
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.output
    nobox = inbox(imap.url("Nowhere"), imap.password, "--imap-ca", str(imap.cafile))
    assert nobox.exit_code == 1 and "no mailbox 'Nowhere'" in nobox.output
    bare = inbox(imap.url(), "", "--imap-ca", str(imap.cafile))
    assert bare.exit_code == 2 and "FEEDKIT_IMAP_PASSWORD" in bare.output
    plain = inbox("http://x@127.0.0.1/", imap.password)
    assert plain.exit_code == 2 and "is not imaps://" in plain.output
