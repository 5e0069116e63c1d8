"""The list's rules without HTTP (feedkit.subscriptions over a real state, on SQLite and
on PostgreSQL), and the `feedkit subscribers` and `feedkit unsubscribe` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from send_helpers import SECRET, make_site, run, subscribers_csv
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.load import load
from feedkit.mail.tokens import BadToken, sign, verify
from feedkit.state import StateError, locate
from feedkit.state.listing import Consent
from feedkit.subscriptions import Limits, ListService, RateLimited, Refused, Request

WHO = Request("192.0.2.7", "Test/1.0")


class Clock:
    def __init__(self) -> None:
        self.now = 1_600_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def service(tmp_path: Path, state_at: str):
    registry = make_site(tmp_path, subscribers_csv(1))
    state = locate(state_at, registry).open()
    clock = Clock()
    yield ListService(load(registry).site, state, SECRET.encode(), Limits(), clock), clock
    state.close()


def test_tokens_name_address_and_purpose_and_expire() -> None:
    secret = SECRET.encode()
    token = sign("confirm", "anna@example.org", secret, expires=100)
    assert token.isalnum() and token == token.lower()
    assert verify(token, "confirm", secret, now=99) == "anna@example.org"
    for purpose, secret_used, now in (("confirm", secret, 101), ("unsubscribe", secret, 1),
                                      ("confirm", b"another-secret-0123", 1)):
        with pytest.raises(BadToken):
            verify(token, purpose, secret_used, now=now)


def test_double_opt_in_with_consent_records(service) -> None:
    list_, clock = service
    wanted = list_.subscribe({"email": "Anna@Example.org", "name": " Anna  Å ",
                              "language": "sv"}, WHO)
    assert wanted.mail and wanted.name == "Anna Å"
    assert list_.state.list_entry("anna@example.org").status == "pending"
    clock.now += 3600
    entry = list_.confirm(wanted.token, WHO)
    assert entry.status == "confirmed" and entry.confirmed_at
    again = list_.subscribe({"email": "anna@example.org"}, WHO)
    assert not again.mail  # already confirmed: no mail, same answer on the page
    address, changed = list_.unsubscribe(list_.unsubscribe_token("anna@example.org"),
                                         "one-click", WHO)
    assert (address, changed) == ("anna@example.org", True)
    assert list_.unsubscribe(list_.unsubscribe_token("anna@example.org"), "one-click",
                             WHO) == ("anna@example.org", False)
    consents = list_.state.consents("anna@example.org")
    assert [c.event for c in consents] == ["subscribed", "confirmed", "unsubscribed"]
    assert consents[0].client == "192.0.2.7" and "Labbets dagbok" in consents[0].form_text
    assert "anna@example.org" in list_.state.suppressed()
    with pytest.raises(StateError, match="append-only"):
        list_.state._exec("DELETE FROM list_consent")
    with pytest.raises(StateError, match="append-only"):
        list_.state._exec("UPDATE list_consent SET source = 'x'")
    assert len(list_.state.consents("anna@example.org")) == 3


def test_resubscribing_after_an_unsubscribe_lifts_the_suppression(service) -> None:
    list_, _ = service
    list_.unsubscribe(list_.unsubscribe_token("bo@example.org"), "one-click", WHO)
    assert "bo@example.org" in list_.state.suppressed()
    wanted = list_.subscribe({"email": "bo@example.org"}, WHO)
    list_.confirm(wanted.token, WHO)
    assert "bo@example.org" not in list_.state.suppressed()


def test_confirmation_links_and_pending_entries_expire(service) -> None:
    list_, clock = service
    wanted = list_.subscribe({"email": "late@example.org"}, WHO)
    clock.now += 8 * 86400
    with pytest.raises(BadToken, match="expired"):
        list_.confirm(wanted.token, WHO)
    list_.subscribe({"email": "other@example.org"}, Request("192.0.2.8"))  # sweeps
    assert list_.state.list_entry("late@example.org") is None
    assert [c.event for c in list_.state.consents("late@example.org")] == ["subscribed"]


def test_form_tokens_expire_and_are_per_form(service) -> None:
    list_, clock = service
    token = list_.form_token("subscribe")
    list_.check_form(token, "subscribe")
    with pytest.raises(Refused):
        list_.check_form(token, "confirm")
    clock.now += 3 * 3600
    with pytest.raises(Refused):
        list_.check_form(token, "subscribe")


def test_rate_limit_windows(service) -> None:
    list_, clock = service
    list_.limits = Limits(per_client=2, per_domain=3, per_site=4, window=600,
                          per_address=2, resend_after=60)
    list_.subscribe({"email": "a@example.org"}, WHO)
    list_.subscribe({"email": "b@example.org"}, WHO)
    with pytest.raises(RateLimited) as client:
        list_.subscribe({"email": "c@example.org"}, WHO)
    assert client.value.field == "client" and client.value.retry_after == 600
    clock.now += 100
    with pytest.raises(RateLimited) as later:
        list_.subscribe({"email": "c@example.org"}, WHO)
    assert later.value.retry_after == 500  # when the oldest request leaves the window
    list_.subscribe({"email": "c@example.org"}, Request("192.0.2.99"))
    with pytest.raises(RateLimited, match="domain"):  # a third of example.org's
        list_.subscribe({"email": "d@example.org"}, Request("192.0.2.98"))
    list_.subscribe({"email": "d@example.net"}, Request("192.0.2.98"))
    with pytest.raises(RateLimited, match="site"):
        list_.subscribe({"email": "e@example.com"}, Request("192.0.2.97"))
    clock.now += 601  # every window has passed
    assert list_.subscribe({"email": "e@example.com"}, WHO).mail


def test_one_pending_confirmation_per_address(service) -> None:
    list_, clock = service
    list_.limits = Limits(per_address=2, resend_after=3600)
    assert list_.subscribe({"email": "f@example.org"}, WHO).mail
    clock.now += 60
    assert not list_.subscribe({"email": "F@example.org"}, Request("192.0.2.5")).mail
    clock.now += 3600
    assert list_.subscribe({"email": "f@example.org"}, WHO).mail  # after the quiet time
    clock.now += 3600
    assert not list_.subscribe({"email": "f@example.org"}, WHO).mail  # two a day
    assert [c.event for c in list_.state.consents("f@example.org")] == ["subscribed"] * 2
    clock.now += 86400
    assert list_.subscribe({"email": "f@example.org"}, WHO).mail


def test_limits_count_requests_so_they_tell_nothing_about_addresses(service) -> None:
    """A confirmed address uses up the client's requests like an unknown one: when a
    client is refused says nothing about who is on the list."""
    list_, _ = service
    list_.limits = Limits(per_client=3)
    list_.state.import_entries([("bo@example.org", "bo@example.org", "", None)],
                               Consent("imported", "2020-01-01T00:00:00+00:00", "import"))
    for address in ("bo@example.org", "bo@example.org", "new@example.org"):
        list_.subscribe({"email": address}, WHO)
    with pytest.raises(RateLimited):
        list_.subscribe({"email": "other@example.org"}, WHO)
    keys = list_.state._all("SELECT key FROM list_attempts")
    assert keys and not any("example" in k or "192.0.2" in k for (k,) in keys)


def test_export_then_erase_keeps_only_the_hash(service) -> None:
    list_, _ = service
    wanted = list_.subscribe({"email": "Gun@Example.org", "name": "Gun"}, WHO)
    list_.confirm(wanted.token, WHO)
    list_.state.start_period("2020-W06", "week", "2020-02-03", "2020-02-09", ["p1"],
                             [("gun@example.org", "Gun@Example.org", "Gun", None)])
    data = list_.state.personal_data("gun@example.org")
    assert data["subscriber"]["email"] == "Gun@Example.org"
    assert [(c["event"], c["client"]) for c in data["consents"]] == [
        ("subscribed", "192.0.2.7"), ("confirmed", "192.0.2.7")]
    assert "Labbets dagbok" in data["consents"][0]["text"]
    assert data["deliveries"][0]["period"] == "2020-W06"
    assert list_.state.erase("gun@example.org", "2020-09-13T12:00:00+00:00")
    after = list_.state.personal_data("gun@example.org")
    assert after == {"subscriber": None, "consents": [], "deliveries": [], "bounces": [],
                     "suppressed": None}
    everything = " ".join(str(row) for table in ("list_subscribers", "list_consent",
                                                  "send_deliveries", "send_suppressed")
                          for row in list_.state._all(f"SELECT * FROM {table}"))
    assert "gun@" not in everything.lower() and "erased:" in everything
    assert "gun@example.org" in list_.state.suppressed()  # never mailed again
    with pytest.raises(StateError, match="append-only"):  # still, for everyone else
        list_.state._exec("DELETE FROM list_consent")
    again = list_.subscribe({"email": "gun@example.org"}, WHO)  # until they come back
    list_.confirm(again.token, WHO)
    assert "gun@example.org" not in list_.state.suppressed()


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env={"FEEDKIT_SECRET": SECRET})


def test_subscribers_import_list_remove(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "email,name,language\nann@example.org,Ann,sv\n"
                                   "Bob@example.org,Bob,\n")
    where = ["--registry", str(registry)]
    first = _cli("subscribers", "import", str(tmp_path / "subscribers.csv"), *where)
    again = _cli("subscribers", "import", str(tmp_path / "subscribers.csv"), *where)
    assert first.output.strip() == "imported 2, already in the list 0"
    assert again.output.strip() == "imported 0, already in the list 2"
    assert _cli("subscribers", "remove", "ann@example.org", *where).output.strip() == \
        "removed ann@example.org"
    listed = json.loads(_cli("subscribers", "list", "--format", "json", *where).output)
    assert [(r["email"], r["status"], r["name"], r["language"]) for r in listed] == [
        ("ann@example.org", "unsubscribed", "Ann", "sv"),
        ("Bob@example.org", "confirmed", "Bob", None)]
    assert listed[1]["confirmed_at"] and listed[0]["unsubscribed_at"]
    csv_out = _cli("subscribers", "list", "--status", "confirmed", "--format", "csv", *where)
    assert csv_out.output.splitlines()[1].startswith("Bob@example.org,Bob,,confirmed,")
    bad = _cli("subscribers", "list", "--status", "gone", *where)
    assert bad.exit_code == 2 and "--status: 'gone' is not one of" in bad.output
    exported = json.loads(_cli("subscribers", "export", "Bob@Example.org", *where).output)
    assert exported["subscriber"]["status"] == "confirmed"
    assert [c["event"] for c in exported["consents"]] == ["imported"]
    erased = _cli("subscribers", "erase", "bob@example.org", *where)
    assert erased.exit_code == 0 and erased.output.startswith("erased bob@example.org")
    assert "subscribers.csv still names it" in erased.output  # the file is the owner's
    assert "bob@" not in _cli("subscribers", "list", *where).output.lower()
    bad_address = _cli("subscribers", "export", "not-an-address", *where)
    assert bad_address.exit_code == 1 and "Error: 'not-an-address'" in bad_address.output
    broken = tmp_path / "broken.csv"
    broken.write_text("email\nnot-an-address\n", encoding="utf-8")
    refused = _cli("subscribers", "import", str(broken), *where)
    assert refused.exit_code == 1 and f"{broken}:2:1: email:" in refused.output


def test_unsubscribe_takes_the_whole_link_and_the_list_mails_confirmed_only(
        tmp_path: Path) -> None:
    registry = make_site(tmp_path, subscribers_csv(1))
    token = sign("unsubscribe", "user0@example.org", SECRET.encode())
    link = f"https://lab.example.org/dagbok/unsubscribe?token={token}"
    result = run(registry, "unsubscribe", link)
    assert result.exit_code == 0 and result.output.strip() == "unsubscribed user0@example.org"
    state = locate(None, registry).open()
    state.import_entries([("listed@example.org", "listed@example.org", "", None)],
                         consent=_consent())
    state.request_subscription("pending@example.org", "pending@example.org", "", None,
                               _consent())
    state.close()
    dry = run(registry, "send", "--period", "week", "--now", "2020-02-10T12:00+01:00",
              "--dry-run")
    assert "would send week 2020-02-03..2020-02-09 to listed@example.org" in dry.output
    assert "pending@example.org" not in dry.output
    assert "skip user0@example.org (unsubscribed)" in dry.output


def _consent():
    from feedkit.state.listing import Consent

    return Consent("imported", "2020-01-01T00:00:00+00:00", "import")
