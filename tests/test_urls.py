"""Host names as browsers and mail read them: IDNA 2008 with UTS 46, in one place."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.urls import ascii_host, host_to_ascii, to_uri


@pytest.mark.parametrize(("host", "expected"), [
    ("faß.de", "xn--fa-hia.de"),            # IDNA 2003 would give fass.de: another domain
    ("βόλος.com", "xn--nxasmm1c.com"),       # final sigma kept, not mapped to σ
    ("exämple.se", "xn--exmple-cua.se"),
    ("EXÄMPLE.se", "xn--exmple-cua.se"),     # UTS 46 maps case
    ("ｅｘａｍｐｌｅ.se", "example.se"),       # and full-width letters
    ("example.org", "example.org"), ("127.0.0.1", "127.0.0.1"),
])
def test_hosts_are_idna_2008(host: str, expected: str) -> None:
    assert host_to_ascii(host) == expected


@pytest.mark.parametrize("host", ["☃.net", "a\u200db.se", "-bäd.se"])
def test_names_idna_2008_refuses_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="not a valid international domain name"):
        host_to_ascii(host)


def test_urls_use_the_same_rule() -> None:
    assert ascii_host("https://faß.de/blog/") == "xn--fa-hia.de"
    assert to_uri("https://faß.de/straße/") == "https://xn--fa-hia.de/stra%C3%9Fe/"


def test_no_output_of_a_site_on_an_international_domain_says_fass(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(
        "site:\n  title: Straße\n  url: https://faß.de/blog/\n  email: post@faß.de\n"
        "posts:\n  - title: Eins\n    date: 2020-02-03\n    author: Ann\n    body: x\n",
        "utf-8")
    out = tmp_path / "out"
    built = CliRunner().invoke(app, ["build", "-r", str(registry), "-o", str(out)])
    assert built.exit_code == 0, built.output
    written = {p.name: p.read_text("utf-8") for p in out.rglob("*") if p.is_file()}
    written["posts.lock"] = registry.with_suffix(".lock").read_text("utf-8")
    assert not [name for name, text in written.items() if "fass.de" in text]
    assert "<link>https://xn--fa-hia.de/blog/eins/</link>" in written["rss.xml"]
    assert "tag:xn--fa-hia.de,2020-02-03:eins" in written["atom.xml"]
    assert "@xn--fa-hia.de>" in written["digest.eml"]  # the Message-ID


def test_the_registry_refuses_a_host_idna_2008_refuses(tmp_path: Path) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text("site:\n  title: T\n  url: https://☃.net/\nposts: []\n", "utf-8")
    result = CliRunner().invoke(app, ["build", "-r", str(registry), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{registry}:3:8: site.url: '☃.net' is not a valid "
                                    "international domain name (IDNA 2008: ")
