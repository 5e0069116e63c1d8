"""`feedkit digest` through the CLI: outputs, golden files and exit statuses."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.mail.preview import PREVIEW_SECRET
from feedkit.mail.tokens import make_token


@pytest.fixture
def run(example_registry, tmp_path):
    runner = CliRunner()

    def invoke(*args: str, out=None):
        return runner.invoke(app, ["digest", "-r", str(example_registry),
                                   "-o", str(out or tmp_path / "out"), *args])

    return invoke


def normalize_eml(raw: bytes) -> bytes:
    """Scrub what may legitimately change: Date, Message-ID and the MIME boundary."""
    text = raw.decode("ascii")
    text = re.sub(r"^Date: .*$", "Date: <DATE>", text, flags=re.M)
    text = re.sub(r"^Message-ID:(\r\n)? <[^>]+>", "Message-ID: <MESSAGE-ID>", text, flags=re.M)
    boundary = re.search(r'boundary="([^"]+)"', text).group(1)
    return text.replace(boundary, "BOUNDARY").encode("ascii")


def test_week_digest_matches_golden_files(run, tmp_path, golden):
    result = run("--period", "week", "--until", "2020-02-09")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == ["digest.eml", "digest.html", "digest.txt"]
    golden("digest/week-2020-02-09.html", (out / "digest.html").read_bytes())
    golden("digest/week-2020-02-09.txt", (out / "digest.txt").read_bytes())
    golden("digest/week-2020-02-09.eml", normalize_eml((out / "digest.eml").read_bytes()))
    assert "4 posts, 2020-02-03 to 2020-02-09" in result.output


def test_eml_reads_back_with_every_header(run, tmp_path):
    result = run("--since", "2020-02-03", "--until", "2020-02-09",
                 "--to", "Åsa Öberg <asa@example.org>")
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "out" / "digest.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == ("Allmännyttans innovationslabb – dagbok: 4 nya inlägg, "
                              "3–9 februari 2020")
    assert msg["From"].addresses[0].addr_spec == "info@sverigesallmannytta.se"
    assert str(msg["To"]) == "Åsa Öberg <asa@example.org>"
    assert msg["Date"].datetime.isoformat() == "2020-02-06T00:00:02+01:00"
    assert msg["Message-ID"].endswith("@www.allmannyttan.se>")
    assert msg["MIME-Version"] == "1.0"
    assert msg["List-Id"] == ("Allmännyttans innovationslabb – dagbok "
                              "<digest.www.allmannyttan.se>")
    # The preview links with a token, as real sends do; the address is in no URL.
    token = make_token("asa@example.org", PREVIEW_SECRET)
    assert msg["List-Unsubscribe"] == (
        "<https://www.allmannyttan.se/innovationslabb/dagbok/unsubscribe?"
        f"token={token}>, "
        f"<mailto:info@sverigesallmannytta.se?subject=unsubscribe%20{token}>")
    assert "asa%40example.org" not in raw.decode("ascii")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain, html = msg.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    text = plain.get_content()
    assert "Många små steg ger stor nytta tillsammans" in text
    assert "Läs hela inlägget:" in text
    assert "Sveriges Allmännytta" in html.get_content()
    # The same window and recipient give the same message, byte for byte.
    again = run("--since", "2020-02-03", "--until", "2020-02-09", "--to",
                "Åsa Öberg <asa@example.org>", out=tmp_path / "again")
    assert again.exit_code == 0
    assert (tmp_path / "again" / "digest.eml").read_bytes() == raw


def test_empty_window_writes_nothing_and_exits_3(run, tmp_path):
    result = run("--period", "week", "--until", "2020-02-16")
    assert result.exit_code == 3
    assert "no posts between 2020-02-10 and 2020-02-16" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "fortnight"], "'fortnight' is not one of: day, week, month"),
    (["--until", "2020-02-30"], "'2020-02-30' is not a date"),
    (["--since", "6/2/2020"], "'6/2/2020' is not a date"),
    (["--since", "2020-02-09", "--until", "2020-02-03"], "--since 2020-02-09 is after"),
    (["--since", "2020-02-01", "--period", "week"], "--since or --period, not both"),
    (["--to", "not an address"], "'not an address' is not an email address"),
])
def test_usage_errors_exit_2(run, tmp_path, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out").exists()


def test_bad_registry_exits_1_with_location(tmp_path):
    bad = tmp_path / "posts.yaml"
    bad.write_text("site:\n  title: x\n  url: nope\nposts: []\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["digest", "-r", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"{bad}:3:8: site.url" in result.output


def test_templates_folder_overrides_by_name(run, tmp_path):
    override = tmp_path / "mine"
    override.mkdir()
    (override / "digest.txt.j2").write_text(
        "{% for day in days %}{{ day.heading }}: {{ day.posts|length }}\n{% endfor %}"
        "{{ unsubscribe_url }}\n", encoding="utf-8")
    result = run("--period", "week", "--until", "2020-02-09", "--templates", str(override))
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert (out / "digest.txt").read_text().startswith(
        "6 februari 2020: 3\n3 februari 2020: 1\nhttps://")
    assert "Läs hela inlägget" in (out / "digest.html").read_text()  # the shipped one


@pytest.mark.parametrize("name", ["digest.txt.j2", "digest.html.j2"])
def test_a_template_without_an_unsubscribe_link_is_refused(run, tmp_path, name):
    override = tmp_path / "mine"
    override.mkdir()
    (override / name).write_text("{% for day in days %}{{ day.heading }}{% endfor %}\n",
                                 encoding="utf-8")
    result = run("--period", "week", "--until", "2020-02-09", "--templates", str(override))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {override / name}: has no unsubscribe link")
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_help_describes_the_command():
    result = CliRunner().invoke(app, ["digest", "--help"])
    assert result.exit_code == 0
    for option in ("--since", "--until", "--period", "--templates", "--to"):
        assert option in result.output


@pytest.mark.parametrize(("source", "expected"), [
    ("line one\n{% for x in %}\n", ":2: "),
    ("fine\n{{ no_such_name }}\n", ":2: 'no_such_name' is undefined"),
])
def test_broken_override_template_is_reported_with_its_line(run, tmp_path, source, expected):
    override = tmp_path / "mine"
    override.mkdir()
    (override / "digest.txt.j2").write_text(source, encoding="utf-8")
    result = run("--period", "week", "--until", "2020-02-09", "--templates", str(override))
    assert result.exit_code == 1
    assert f"Error: {override / 'digest.txt.j2'}{expected}" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
