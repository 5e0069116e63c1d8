"""The local trial in a real browser (issue 23, "dead ends on the way in"): `feedkit
serve --local` on a built site, then what a newcomer does in five minutes without a
mail server: open the printed URL (the form and the feeds), subscribe, read the
confirmation in the outbox the terminal names, confirm through its link (to this
server, not site.url), send a test digest, and unsubscribe from it with the mail
client's one-click button."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from send_helpers import SECRET, make_site, run
from serve_helpers import serving
from typer.testing import CliRunner

from feedkit.cli import app


def _status(registry: Path) -> dict[str, str]:
    listed = CliRunner().invoke(app, ["subscribers", "list", "--registry", str(registry),
                                      "--format", "json"], env={"FEEDKIT_SECRET": SECRET})
    return {row["email"]: row["status"] for row in json.loads(listed.output)}


def _open_newest(page, base: str, subject: str) -> None:
    """Open the outbox until a message with `subject` is there (mail goes out after
    the answer), then open it."""
    deadline = time.monotonic() + 15
    while True:
        page.goto(base + "outbox/")
        link = page.get_by_role("link", name=subject).first
        if link.count():
            link.click()
            return
        assert time.monotonic() < deadline, page.content()
        time.sleep(0.2)


def test_a_newcomer_subscribes_confirms_gets_a_digest_and_unsubscribes(browser,
                                                                      tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    (tmp_path / "subscribers.csv").unlink()
    assert run(registry, "build", "--out", str(tmp_path / "out")).exit_code == 0
    with serving(registry, "--local") as (base, process):
        assert process.stdout is not None
        told = process.stdout.readline()
        assert str(tmp_path / ".feedkit" / "outbox") in told and base + "outbox/" in told
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(base)  # the URL serve printed: not a 404
        assert page.get_by_role("heading", name="Prenumerera på Labbets dagbok").count()
        assert page.get_by_role("link", name="Atom").get_attribute("href") == \
            "/dagbok/atom.xml"
        page.get_by_label("E-postadress").fill("ny@example.org")
        page.get_by_role("button", name="Prenumerera").click()
        page.wait_for_selector("h1:has-text('Titta i din inkorg')")

        _open_newest(page, base, "Bekräfta din prenumeration på Labbets dagbok")
        link = page.locator("pre.mail a").first
        assert link.get_attribute("href").startswith(base + "confirm?token=")  # here
        link.click()
        page.get_by_role("button", name="Bekräfta").click()
        page.wait_for_selector("h1:has-text('Du prenumererar nu')")
        assert _status(registry) == {"ny@example.org": "confirmed"}

        page.goto(base + "outbox/")
        page.get_by_role("button", name="Skicka ett testutskick").click()
        page.wait_for_selector("text=Testutskick skickade: 1.")
        _open_newest(page, base, "Labbets dagbok: 1 nytt inlägg")
        page.get_by_role("button", name="Avsluta prenumerationen").click()
        page.wait_for_selector("h1:has-text('Din prenumeration är avslutad')")
        page.close()
    assert _status(registry) == {"ny@example.org": "unsubscribed"}


def test_plain_serve_says_where_mail_goes_and_how_to_try_it(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    with serving(registry) as (base, process):
        assert process.stdout is not None
        told = process.stdout.readline()
        missing = process.stdout.readline()  # never built: the list only, and why
    assert str(tmp_path / ".feedkit" / "outbox") in told and "feedkit serve --local" in told
    assert base.endswith("/dagbok/")
    out = tmp_path / "out"
    assert missing.startswith(f"{out} (--out) does not exist") and \
        f"feedkit build --out {out}" in missing
    assert not out.exists()


def test_the_local_trial_builds_a_site_never_built(tmp_path: Path) -> None:
    """`feedkit serve --local` straight after `feedkit init`: the page it shows has the
    feeds, not a form alone."""
    registry = make_site(tmp_path, "")
    with serving(registry, "--local") as (base, process), httpx.Client() as client:
        assert process.stdout is not None
        process.stdout.readline()  # the outbox
        built = process.stdout.readline()
        assert built.startswith(f"{tmp_path / 'out'} was missing: built it from ")
        home = client.get(base).text
        assert 'href="/dagbok/atom.xml"' in home and 'href="/dagbok/feeds.html"' in home
        assert client.get(base + "feeds.html").status_code == 200


def test_the_local_trial_listens_on_this_machine_only(tmp_path: Path) -> None:
    registry = make_site(tmp_path, "")
    refused = CliRunner().invoke(app, ["serve", "--registry", str(registry), "--local",
                                       "--host", "0.0.0.0", "--port", "0"],
                                 env={"FEEDKIT_SECRET": SECRET})
    assert refused.exit_code == 2, refused.output
    assert "--host" in refused.output and "loopback" in refused.output
