"""A real `feedkit serve` for tests: a subprocess on a free 127.0.0.1 port, and what
its clients do (read a form's token, subscribe, map a link in a message to the server)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from dns_server import DnsServer
from send_helpers import SECRET

SITE = "https://lab.example.org/dagbok/"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def local(url: str, base: str) -> str:
    """A link of the site (in a message) as a URL of the server under test."""
    assert url.startswith(SITE), url
    return base + url[len(SITE):]


def form_token(page: str) -> str:
    found = re.search(r'name="form_token" value="([a-z0-9]+)"', page)
    assert found, page
    return found.group(1)


def subscribe(client: httpx.Client, base: str, **fields: str) -> httpx.Response:
    """Load the subscribe form and post it with these fields."""
    token = form_token(client.get(base + "subscribe").text)
    return client.post(base + "subscribe", data={"form_token": token, **fields})


_DNS: list[DnsServer] = []


def dns_address() -> str:
    """The test DNS server every `feedkit serve` of this process asks (started once)."""
    if not _DNS:
        _DNS.append(DnsServer().__enter__())
    return _DNS[0].address


@contextmanager
def serving(registry: Path, *args: str, env: dict[str, str] | None = None
            ) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run `feedkit serve --port 0`; yields (the site's base URL on the server, process).
    Unless `args` say otherwise, domains are checked by the test DNS server and the
    form takes no least fill time (tests post it at once)."""
    if "--dns-server" not in args and "--local" not in args:
        args = (*args, "--dns-server", dns_address())
    if "--min-fill" not in args:
        args = (*args, "--min-fill", "0")
    environment = {**os.environ, "FEEDKIT_SECRET": SECRET, **(env or {})}
    environment.pop("FEEDKIT_SMTP_URL", None) if "FEEDKIT_SMTP_URL" not in (env or {}) \
        else None
    process = subprocess.Popen(
        [sys.executable, "-c", "from feedkit.cli import main; main()", "serve",
         "--registry", str(registry), "--out", str(registry.parent / "out"),
         "--port", "0", *args],
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line.startswith("feedkit serve: "):
            process.kill()
            raise AssertionError(f"serve did not start: {line}{process.stderr.read()}")
        yield line.split()[2], process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
