"""`feedkit serve` under attack (issue 20), each defence attacked over real HTTP: the
same answer for every address whatever the list knows of it (status, body, time),
mail only after the answer, no state change on GET, the DNS check of a new
subscriber's domain, the least fill time, the unsubscribe-link form, security
headers and error pages, and an event loop that a locked state never holds."""

from __future__ import annotations

import re
import sqlite3
import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest
from send_helpers import SECRET, make_site
from serve_helpers import ONE_CLICK, form_token, serving, subscribe
from smtp_sink import Faults, SmtpSink
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.mail.tokens import sign


def subscribers(registry: Path, *args: str) -> str:
    """`feedkit subscribers ARGS` on this registry's state; its output."""
    result = CliRunner().invoke(app, ["subscribers", *args, "--registry", str(registry)],
                                env={"FEEDKIT_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    return result.output


DELAY = 0.4  # the mail server's pause before it accepts a message


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """A list knowing one address of each kind, behind a slow mail server:
    (registry, base URL, sink)."""
    root = tmp_path_factory.mktemp("abuse")
    registry = make_site(root, "email\nconfirmed@example.org\nunsubscribed@example.org\n"
                               "member@example.org\n")
    subscribers(registry, "import", str(root / "subscribers.csv"))
    (root / "subscribers.csv").write_text("email\n", encoding="utf-8")
    out = root / "out"
    out.mkdir()
    (out / "atom.xml").write_text("<feed xmlns='http://www.w3.org/2005/Atom'/>")
    with SmtpSink(Faults(data_delay=DELAY)) as sink, serving(
            registry, "--smtp", sink.url, "--limit-client", "1000", "--limit-domain",
            "1000") as (base, process), httpx.Client(timeout=10) as client:
        token = sign("unsubscribe", "unsubscribed@example.org", SECRET.encode())
        assert client.post(f"{base}unsubscribe?token={token}", data=ONE_CLICK).status_code \
            == 200
        assert subscribe(client, base, email="pending@example.org").status_code == 200
        sink.wait(1)
        yield registry, base, sink
        process.terminate()
        assert "Traceback" not in process.communicate(timeout=10)[1]


KINDS = ("confirmed", "pending", "unsubscribed", "unknown")


def _timed(call) -> tuple[httpx.Response, float]:
    start = time.perf_counter()
    answer = call()
    return answer, time.perf_counter() - start


def test_subscribe_answers_the_same_for_every_kind_of_address(site) -> None:
    _, base, sink = site
    before = len(sink.received)
    answers: dict[str, list[tuple[httpx.Response, float]]] = {k: [] for k in KINDS}
    with httpx.Client(timeout=10) as client:
        for round_ in range(4):
            for kind in KINDS:
                email = f"{kind}{round_}@example.org" if kind == "unknown" else \
                    f"{kind}@example.org"
                token = form_token(client.get(base + "subscribe").text)
                answers[kind].append(_timed(lambda e=email, t=token: client.post(
                    base + "subscribe", data={"form_token": t, "email": e})))
    bodies = {(a.status_code, a.text) for runs in answers.values() for a, _ in runs}
    assert len(bodies) == 1 and bodies.pop()[0] == 200
    # Only the unknown addresses (and the one unsubscribed, asking anew) were mailed,
    # each after its answer: the slow mail server shows in no answer's time.
    mailed = {m["To"].addresses[0].addr_spec for m in sink.wait(before + 5)}
    assert "confirmed@example.org" not in mailed and "unknown3@example.org" in mailed
    medians = {k: statistics.median(t for _, t in runs) for k, runs in answers.items()}
    assert max(medians.values()) - min(medians.values()) < DELAY / 3, medians


def test_confirm_and_unsubscribe_answer_the_same_for_every_kind(site) -> None:
    _, base, _ = site
    secret = SECRET.encode()
    pages, clicks, confirms = set(), set(), set()
    with httpx.Client(timeout=10) as client:
        for kind in KINDS:
            address = f"{kind}@example.org"
            link = sign("confirm", address, secret, expires=int(time.time()) + 60)
            shown = client.get(base + "confirm", params={"token": link})
            done = client.post(base + "confirm", data={"form_token": form_token(shown.text),
                                                       "token": link})
            confirms.add((done.status_code, done.text))
            token = sign("unsubscribe", address, secret)
            page = client.get(base + "unsubscribe", params={"token": token})
            pages.add((page.status_code, page.text.replace(address, "ADDRESS")))
            click = client.post(base + "unsubscribe", params={"token": token}, data=ONE_CLICK)
            clicks.add((click.status_code, click.text))
            confirm = sign("confirm", f"c-{address}", secret, expires=int(time.time()) + 60)
            shown = client.get(base + "confirm", params={"token": confirm})
            pages.add((shown.status_code, re.sub(r'value="[a-z0-9]+"', "", shown.text)
                       .replace(f"c-{address}", "ADDRESS")))
    assert len(clicks) == 1 and clicks.pop()[0] == 200
    assert len(confirms) == 1 and confirms.pop()[0] == 200
    assert len(pages) == 2  # the unsubscribe page and the confirm page, one each


def test_the_link_form_answers_the_same_and_mails_only_the_list(site) -> None:
    registry, base, sink = site
    answers = set()
    with httpx.Client(timeout=10) as client:
        page = client.get(base + "unsubscribe")  # a link without a token: the form
        assert page.status_code == 200 and 'name="email"' in page.text
        for kind in ("member", "unknown-x", "unsubscribed", "member"):
            token = form_token(client.get(base + "unsubscribe").text)
            answer = client.post(base + "unsubscribe", data={
                "form_token": token, "email": f"{kind}@example.org"})
            answers.add((answer.status_code, answer.text))
        assert len(answers) == 1 and answers.pop()[0] == 200
        deadline = time.monotonic() + 10
        while not any("Din länk" in str(m["Subject"]) or "unsubscribe" in str(m["Subject"])
                      for m in sink.messages()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(DELAY + 0.2)  # room for a (wrong) second message to arrive
        links = [m for m in sink.messages() if "token=" in m.get_body(("plain",))
                 .get_content() and "/unsubscribe?" in m.get_body(("plain",)).get_content()]
        assert [m["To"].addresses[0].addr_spec for m in links] == ["member@example.org"]
        url = re.search(r"(https://\S+/unsubscribe\?token=[a-z0-9]+)",
                        links[0].get_body(("plain",)).get_content()).group(1)
        assert url.startswith("https://lab.example.org/dagbok/")  # site.url, not Host
        local = base + url.split("/dagbok/", 1)[1]
        assert client.get(local).status_code == 200
        assert client.post(local, data=ONE_CLICK).status_code == 200
    listed = subscribers(registry, "list", "--format", "csv")
    assert "member@example.org,,,unsubscribed," in listed


@pytest.mark.parametrize(("email", "accepted"), [
    ("a@nomail.example.net", False),  # NXDOMAIN
    ("b@nullmx.example.net", False),  # null MX (RFC 7505)
    ("c@aonly.example.net", True),  # no MX, an A record
    ("d@slow.example.net", True),  # no answer in time: let through
])
def test_the_domain_is_checked_before_anything_is_mailed(site, email: str,
                                                         accepted: bool) -> None:
    registry, base, sink = site
    before = len(sink.received)
    with httpx.Client(timeout=15) as client:
        answer = subscribe(client, base, email=email)
    if accepted:
        assert answer.status_code == 200
        assert sink.wait(before + 1)[-1]["To"].addresses[0].addr_spec == email
    else:
        assert answer.status_code == 400 and 'aria-invalid="true"' in answer.text
        assert "domänen tar inte emot mejl" in answer.text
        time.sleep(DELAY + 0.2)
        assert len(sink.received) == before
        assert email not in subscribers(registry, "list")


def test_a_form_sent_back_too_quickly_is_shown_again(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url, "--min-fill", "1.5") as (
            base, _), httpx.Client(timeout=10) as client:
        token = form_token(client.get(base + "subscribe").text)
        fast = client.post(base + "subscribe", data={"form_token": token,
                                                     "email": "quick@example.org"})
        assert fast.status_code == 400 and "skickades väldigt snabbt" in fast.text
        time.sleep(1.6)
        slow = client.post(base + "subscribe", data={"form_token": token,
                                                     "email": "quick@example.org"})
        assert slow.status_code == 200
        assert sink.wait(1)[0]["To"].addresses[0].addr_spec == "quick@example.org"


def test_security_headers_and_error_pages_in_the_site_language(site) -> None:
    _, base, _ = site
    with httpx.Client(timeout=10) as client:
        pages = {
            "front": client.get(base), "form": client.get(base + "subscribe"),
            "privacy": client.get(base + "privacy"), "404": client.get(base + "nothing"),
            "405": client.put(base + "subscribe", content=b"x"),
            "405-file": client.post(base + "atom.xml"),
            "413": client.post(base + "subscribe", content=b"x" * 100_000,
                               headers={"Content-Type": "application/x-www-form-urlencoded"}),
        }
        feed = client.get(base + "atom.xml")
        hidden = client.get(base + ".feedkit-manifest")
    for name, answer in pages.items():
        headers = answer.headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp, name
        assert "'unsafe-inline'" not in csp.split("style-src")[0], name
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["referrer-policy"] == "same-origin", name
        assert headers["content-type"].startswith("text/html"), name
        assert '<html lang="sv">' in answer.text, name
    assert [pages[k].status_code for k in ("404", "405", "405-file", "413")] == \
        [404, 405, 405, 413]
    assert "Sidan finns inte" in pages["404"].text
    assert "Begäran är för stor" in pages["413"].text
    assert "Prenumerera" in pages["front"].text and 'href="/dagbok/atom.xml"' in \
        pages["front"].text  # the URL `feedkit serve` prints: the form and the feeds
    assert "Så hanterar" in pages["privacy"].text
    assert feed.headers["x-content-type-options"] == "nosniff"
    assert hidden.status_code == 404


def test_get_never_changes_the_list(site) -> None:
    registry, base, _ = site
    before = subscribers(registry, "list", "--format", "csv")
    secret = SECRET.encode()
    with httpx.Client(timeout=10) as client:
        for path, token in (("unsubscribe", sign("unsubscribe", "confirmed@example.org",
                                                  secret)),
                            ("confirm", sign("confirm", "pending@example.org", secret,
                                             expires=int(time.time()) + 60))):
            for method in ("GET", "HEAD"):
                assert client.request(method, base + path,
                                      params={"token": token}).status_code == 200
    assert subscribers(registry, "list", "--format", "csv") == before


def test_a_locked_state_never_holds_the_event_loop(tmp_path: Path) -> None:
    """Another process holds the SQLite state's write lock: subscribes wait for it in
    a worker thread while conditional GETs of out/ keep answering at once."""
    registry = make_site(tmp_path, "")
    out = tmp_path / "out"
    out.mkdir()
    (out / "atom.xml").write_text("<feed xmlns='http://www.w3.org/2005/Atom'/>")
    with SmtpSink() as sink, serving(registry, "--smtp", sink.url) as (base, _), \
            httpx.Client(timeout=20) as client:
        etag = client.get(base + "atom.xml").headers["etag"]
        token = form_token(client.get(base + "subscribe").text)
        holder = sqlite3.connect(tmp_path / ".feedkit" / "state.sqlite", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        posted: list[httpx.Response] = []
        waiting = threading.Thread(target=lambda: posted.append(httpx.post(
            base + "subscribe", data={"form_token": token, "email": "held@example.org"},
            timeout=20)))
        waiting.start()
        time.sleep(0.3)
        times = []
        for _ in range(10):
            answer, took = _timed(lambda: client.get(base + "atom.xml",
                                                     headers={"If-None-Match": etag}))
            assert answer.status_code == 304
            times.append(took)
        assert not posted  # still waiting for the lock
        holder.execute("COMMIT")
        holder.close()
        waiting.join(20)
    assert posted and posted[0].status_code == 200
    assert max(times) < 0.5, times  # answered while the subscribe waited
    assert sink.wait(1)[0]["To"].addresses[0].addr_spec == "held@example.org"
