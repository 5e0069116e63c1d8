"""`feedkit doctor --only list` against a real `feedkit serve` behind a TLS proxy (as
nginx would front it) with a throw-away CA: the endpoint over HTTPS, a forged token
refused, a real one accepted for a test subscriber that is removed again — also
when the doctor is killed in the middle of that request."""

from __future__ import annotations

import os
import signal
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme
from cryptography.hazmat.primitives.asymmetric import rsa
from dns_zones import Zones, dns_server
from doctor_helpers import doctor, domain_zone, new_key, relay_zone, statuses, write_site
from send_helpers import SECRET
from serve_helpers import serving
from tls_proxy import TlsProxy
from typer.testing import CliRunner

from feedkit.cli import app

DOMAIN = "good.example.com"
WWW = f"www.{DOMAIN}"
LIST_LINES = ("list.https", "list.forged", "list.one_click", "list.digest_size", "list.feeds")


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return new_key()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def nameserver(key: rsa.RSAPrivateKey):
    zones = Zones(relay_zone(), domain_zone(DOMAIN, key), f"{WWW}. 60 IN A 127.0.0.1\n")
    with dns_server(zones) as where:
        yield where


@contextmanager
def site(tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA,
         hold_post: int = 0) -> Iterator[tuple[Path, TlsProxy]]:
    """A built site served by `feedkit serve` behind the TLS proxy at https://WWW:PORT/."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(WWW).configure_cert(context)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    with TlsProxy(context, hold_post=hold_post) as proxy:
        registry = write_site(tmp_path / "site", key, domain=DOMAIN,
                              url=f"https://{WWW}:{proxy.port}/dagbok/")
        built = CliRunner().invoke(app, ["build", "--registry", str(registry), "--out",
                                         str(registry.parent / "out")])
        assert built.exit_code == 0, built.output
        with serving(registry) as (base, _):
            proxy.upstream = int(base.split(":")[2].split("/")[0])
            yield registry, proxy


def _rows(registry: Path) -> dict[str, int]:
    """Rows naming a doctor's test subscriber, per table."""
    with sqlite3.connect(registry.parent / ".feedkit" / "state.sqlite") as db:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table} WHERE recipient LIKE "
                                  "'%@doctor.invalid'").fetchone()[0]
                for table in ("list_subscribers", "list_consent", "send_suppressed")}


def test_the_list_passes_and_is_left_as_it_was(tmp_path: Path, key: rsa.RSAPrivateKey,
                                               ca: trustme.CA, nameserver: str) -> None:
    with site(tmp_path, key, ca) as (registry, _):
        code, checks, _ = doctor(registry, "--only", "list", "--nameserver", nameserver,
                                 "--ca", str(tmp_path / "ca.pem"))
        rows = _rows(registry)
    assert statuses(checks) == dict.fromkeys(LIST_LINES, "ok"), str(checks["list.one_click"])
    assert code == 0
    assert checks["list.forged"]["found"] == "refused (400)"
    assert "a test subscriber was unsubscribed" in checks["list.one_click"]["found"]
    # The append-only consent log keeps the test's line, as it keeps every change.
    assert rows == {"list_subscribers": 0, "list_consent": 1, "send_suppressed": 0}


def test_another_secret_is_refused_and_said_so(tmp_path: Path, key: rsa.RSAPrivateKey,
                                               ca: trustme.CA, nameserver: str) -> None:
    with site(tmp_path, key, ca) as (registry, _):
        code, checks, _ = doctor(registry, "--only", "list", "--nameserver", nameserver,
                                 "--ca", str(tmp_path / "ca.pem"),
                                 env={"FEEDKIT_SECRET": "another-secret-0123456789"})
        rows = _rows(registry)
    assert checks["list.one_click"]["status"] == "fail"
    assert "same FEEDKIT_SECRET" in checks["list.one_click"]["fix"]
    assert rows == {"list_subscribers": 0, "list_consent": 0, "send_suppressed": 0}
    assert code == 1


def test_a_site_that_is_not_there(tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA,
                                  nameserver: str) -> None:
    registry = write_site(tmp_path, key, domain=DOMAIN, url=f"https://nowhere.{DOMAIN}/")
    code, checks, output = doctor(registry, "--only", "list", "--nameserver", nameserver,
                                  "--timeout", "1")
    assert checks["list.https"]["status"] == "fail"
    assert f"nowhere.{DOMAIN} has no A or AAAA record" in checks["list.https"]["found"]
    assert checks["list.feeds"]["status"] == "fail"
    assert "Traceback" not in output
    assert code == 1


def test_killed_midway_the_test_subscriber_is_removed(
        tmp_path: Path, key: rsa.RSAPrivateKey, ca: trustme.CA, nameserver: str) -> None:
    """SIGKILL while the real token's POST is in flight (the proxy holds it): the
    janitor removes the subscriber, and again after the held request got through."""
    with site(tmp_path, key, ca, hold_post=2) as (registry, proxy):
        env = {**os.environ, "FEEDKIT_SECRET": SECRET}
        process = subprocess.Popen(
            [sys.executable, "-c", "from feedkit.cli import main; main()", "doctor",
             "--registry", str(registry), "--only", "list", "--nameserver", nameserver,
             "--ca", str(tmp_path / "ca.pem"), "--timeout", "1"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert proxy.held.wait(30), "the doctor never sent its one-click POST"
        assert _rows(registry)["list_subscribers"] == 1  # it is there while in flight
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        killed = time.monotonic()
        deadline = killed + 10
        while _rows(registry)["list_subscribers"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows(registry)["list_subscribers"] == 0  # the janitor's first sweep
        proxy.release.set()  # the held POST reaches feedkit serve after all ...
        deadline = time.monotonic() + 20
        while not _rows(registry)["list_consent"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows(registry)["list_consent"] == 1, "the held POST never reached serve"
        # ... and what it did is undone by the janitor's second sweep.
        deadline = time.monotonic() + 10
        while _rows(registry)["list_subscribers"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _rows(registry) == {"list_subscribers": 0, "list_consent": 1,
                                   "send_suppressed": 0}


def test_a_digest_over_gmails_clip_is_a_failure(tmp_path: Path, key: rsa.RSAPrivateKey,
                                                nameserver: str) -> None:
    registry = write_site(tmp_path, key, domain=DOMAIN, url=f"https://nowhere.{DOMAIN}/")
    text = registry.read_text(encoding="utf-8")
    posts = "".join(
        f"  - title: Inlägg nummer {n} om allt som hände på labbet\n"
        f"    date: 2020-02-19T{n // 60:02d}:{n % 60:02d}\n"
        f"    author: Eva Ek\n    summary: {'Mycket text om dagen och arbetet. ' * 8}\n"
        for n in range(300))
    registry.write_text(text.replace("posts:\n", "posts:\n" + posts, 1), encoding="utf-8")
    _, checks, _ = doctor(registry, "--only", "list", "--nameserver", nameserver,
                          "--timeout", "1")
    assert checks["list.digest_size"]["status"] == "fail", checks["list.digest_size"]
    assert "Gmail clips at 102 KB" in checks["list.digest_size"]["found"]
    assert "fewer posts" in checks["list.digest_size"]["fix"]
