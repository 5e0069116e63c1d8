"""README's local trial, run as it is written: the lines of the block under "Try the
newsletter on this machine", in bash, in a copy of the example site beside this
environment's .venv (what `make run` made). Only `--port 0` is added to the serve
line, so that the test takes a free port. The URL it prints shows the subscribe form
and the feeds, and the outbox it names is served. (The whole walk through the trial,
subscribing to unsubscribing in Chromium, is tests/test_serve_trial.py.)"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from conftest import ROOT

MARKER = "<!-- not run: a server that runs until Ctrl-C; tests/test_readme_trial.py runs it -->"


def trial_lines() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    assert text.count(MARKER) == 1
    block = text.split(MARKER, 1)[1].split("```", 2)[1]
    assert block.startswith("sh\n")
    return [line for line in block[3:].splitlines() if line.strip()]


def test_the_block_is_the_build_and_serve_local_path() -> None:
    lines = trial_lines()
    assert lines[-1].startswith("feedkit build && feedkit serve --local")
    assert any(line.startswith(". .venv/bin/activate") for line in lines)
    readme = (ROOT / "README.md").read_text("utf-8")
    # At the top: right after the two make commands and what feedkit is.
    assert readme.index(MARKER) < readme.index("## A five-minute tour")


def test_the_readme_trial_runs(tmp_path: Path) -> None:
    (tmp_path / "posts.yaml").write_bytes((ROOT / "posts.yaml").read_bytes())
    (tmp_path / ".venv").symlink_to(sys.prefix)  # the venv `make run` would have made
    assert (tmp_path / ".venv" / "bin" / "activate").is_file()
    script = "\n".join(trial_lines()) + " --port 0\n"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "SOURCE_DATE_EPOCH": "1581325200"}
    process = subprocess.Popen(["bash", "-e", "-c", script], cwd=tmp_path, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        assert process.stdout is not None
        built = [process.stdout.readline() for _ in range(2)]  # what the build wrote
        assert built[0].startswith("out: ") and built[1] == "wrote posts.lock\n", built
        lines = [process.stdout.readline() for _ in range(2)]
        served = re.match(r"feedkit serve: (http://127\.0\.0\.1:\d+/innovationslabb/dagbok/) ",
                          lines[0])
        assert served, lines
        base = served.group(1)
        assert f"Maildir {tmp_path / '.feedkit' / 'outbox'}" in lines[1]
        assert f"readable at {base}outbox/ " in lines[1]
        with httpx.Client(timeout=10) as client:
            home = client.get(base)
            assert home.status_code == 200
            assert "Prenumerera på Allmännyttans innovationslabb – dagbok" in home.text
            assert 'href="/innovationslabb/dagbok/atom.xml"' in home.text
            assert client.get(base + "atom.xml").status_code == 200
            assert client.get(base + "feeds.html").status_code == 200
            assert client.get(base + "outbox/").status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert "Traceback" not in errors and "Error" not in errors, errors


def test_the_readme_pictures_are_there_and_described() -> None:
    """The digest and the feed in a reader (docs/screenshots.py makes them): each
    picture exists, is a PNG and has alt text that says what it shows."""
    readme = (ROOT / "README.md").read_text("utf-8")
    pictures = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', readme)
    assert {src for src, _ in pictures} == {
        "docs/digest-light.png", "docs/digest-dark.png", "docs/digest-phone.png",
        "docs/feed-reader.png"}
    for src, alt in pictures:
        assert (ROOT / src).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", src
        assert len(alt) > 20, src
    reader = dict(pictures)["docs/feed-reader.png"]
    assert "Liferea" in reader and "Atom feed" in reader
