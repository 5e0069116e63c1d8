"""Every shell command in README.md and docs/*.md runs, in order, against a sample site.

Shell blocks are fenced code blocks marked `sh` (or `shell`, `console`, `bash`) or
with no language. A block right after the line `<!-- not run: REASON -->` is left
out (it needs an SMTP server, or would run the test suite itself); the reason is
required. `cd DIR` and `export NAME=VALUE` carry over to the following commands of
the same file, as they would in a terminal, until a level-1 heading (README's
"# Reference"), which starts again in the sample site: the example registry.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SHELL = {"", "sh", "shell", "console", "bash"}
FENCE = re.compile(r"^```(\S*)\s*$")
NOT_RUN = re.compile(r"^<!-- not run: (.+\S) -->$")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def shell_blocks(text: str) -> list[tuple[int, list[str]]]:
    """(line number, commands) of each shell block that is to be run; a level-1
    heading is an empty block with the command `cd -` (back to the sample site)."""
    blocks: list[tuple[int, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            if lines[i].startswith("# ") and i > 0:
                blocks.append((i + 1, ["cd -"]))
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        skipped = i > 0 and NOT_RUN.match(lines[i - 1])
        if fence.group(1) in SHELL and not skipped:
            commands = [line for line in lines[i + 1:end] if line.strip()]
            blocks.append((i + 1, commands))
        i = end + 1
    return blocks


def test_the_marker_and_the_blocks_are_found() -> None:
    text = "x\n```sh\nfeedkit build\n```\n<!-- not run: needs SMTP -->\n```\nmake test\n```\n" \
           "```yaml\nsite: {}\n```\n"
    assert shell_blocks(text) == [(2, ["feedkit build"])]
    readme = shell_blocks((ROOT / "README.md").read_text("utf-8"))
    assert sum(len(commands) for _, commands in readme if commands != ["cd -"]) >= 10
    assert not any("make " in c for _, commands in readme for c in commands)
    every = [c for doc in DOCS for _, commands in shell_blocks(doc.read_text("utf-8"))
             for c in commands if commands != ["cd -"]]
    assert len(every) >= 20


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_documented_command_runs(doc: Path, tmp_path: Path) -> None:
    # A sample site: the example registry, a week after its newest post.
    (tmp_path / "posts.yaml").write_bytes((ROOT / "posts.yaml").read_bytes())
    bin_dir = Path(sys.executable).parent
    env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path),
           "SOURCE_DATE_EPOCH": "1581325200", "LANG": "C.UTF-8", "TZ": "Europe/Stockholm"}
    cwd = tmp_path
    ran = 0
    for line, commands in shell_blocks(doc.read_text("utf-8")):
        for command in commands:
            words = shlex.split(command, comments=True)
            if not words:
                continue
            if words[0] == "cd":
                cwd = tmp_path if words[1] == "-" else (cwd / words[1]).resolve()
                continue
            if words[0] == "export":
                name, _, value = words[1].partition("=")
                env[name] = value
                continue
            done = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True,
                                  text=True, timeout=120, check=False)
            assert done.returncode == 0, (f"{doc.name}:{line}: `{command}` exited "
                                          f"{done.returncode}\n{done.stdout}{done.stderr}")
            assert "Traceback" not in done.stderr
            ran += 1
    if doc.name == "README.md":
        assert ran >= 9
