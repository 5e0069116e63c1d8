"""The digest scores 0 on SpamAssassin's content rules (Debian's spamassassin, offline:
`-L`, local tests only), including the hidden preheader that used to be coloured
like its background (HTML_FONT_LOW_CONTRAST)."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from layout_sample import write_sample

from feedkit.jobs.build import build

SPAMASSASSIN = "/usr/bin/spamassassin"


def score(message: bytes) -> tuple[float, dict[str, float]]:
    """SpamAssassin's total and the rules that fired with their points."""
    done = subprocess.run([SPAMASSASSIN, "-L", "-t"], input=message, capture_output=True,
                          timeout=120, check=False)
    report = done.stdout.decode("utf-8", "replace")
    total = re.search(r"Content analysis details:\s+\((-?[\d.]+) points", report)
    assert total, report[-2000:]
    rules = {name: float(points) for points, name in
             re.findall(r"^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s", report, re.M)}
    return float(total.group(1)), rules


def test_the_rule_we_avoid_does_fire_on_low_contrast_text() -> None:
    message = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: test\r\n"
               b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
               b"<html><body style='background-color:#f2f2f0'><p>Hello there, reader.</p>"
               b"<div style='color:#f2f2f0; font-size:1px'>hidden preheader text here</div>"
               b"</body></html>\r\n")
    _, rules = score(message)
    assert "HTML_FONT_LOW_CONTRAST" in rules


def test_the_digest_scores_zero(tmp_path: Path, example_registry: Path) -> None:
    for folder, registry in (("example", example_registry), ("sample", write_sample(tmp_path))):
        build(registry, tmp_path / folder, now=datetime(2020, 3, 1, tzinfo=UTC))
        total, rules = score((tmp_path / folder / "digest.eml").read_bytes())
        assert "HTML_FONT_LOW_CONTRAST" not in rules
        assert total <= 0, rules
        assert all(points <= 0 for points in rules.values()), rules
