"""Whole builds of the sites in tests/cases/<name>/: every output against expected/.

Each case is a posts.yaml and the files a build writes from it, kept under
expected/ as golden files, and the posts.lock a first build writes beside it
(`make golden` rewrites them on purpose). The cases:
the Swedish example, an English site with tags and Markdown, a site with
archive pages, and hostile text in every field.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import pytest
from conftest import check_golden
from lxml import etree

from feedkit.jobs.build import build

CASES = Path(__file__).resolve().parent / "cases"
NOW = "2030-01-01T00:00:00+00:00"


def files_under(folder: Path) -> dict[str, Path]:
    """Every file under `folder` but the build's list of what it wrote."""
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".feedkit-manifest"}


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case_builds_its_expected_files(case: str, tmp_path: Path, update_golden: bool) -> None:
    from feedkit.clock import parse_now

    folder = CASES / case
    out = tmp_path / "out"
    registry = tmp_path / "posts.yaml"
    shutil.copy(folder / "posts.yaml", registry)
    result = build(registry, out, now=parse_now(NOW))
    # The first build writes the lock of every post; the case keeps it beside posts.yaml.
    check_golden(folder / "posts.lock", (tmp_path / "posts.lock").read_bytes(),
                 update=update_golden)
    written = files_under(out)
    assert sorted(written) == sorted(result.paths)
    listed = (out / ".feedkit-manifest").read_text("utf-8").splitlines()
    assert listed == sorted(result.paths)
    expected_dir = folder / "expected"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
    else:
        assert sorted(written) == sorted(files_under(expected_dir)), \
            "the build writes other files than expected/ holds (`make golden` to accept)"
    for relpath, path in written.items():
        check_golden(expected_dir / relpath, path.read_bytes(), update=update_golden)
    # Every feed reads back: feeds parse as XML without entities, and feedparser agrees.
    for relpath, path in written.items():
        if relpath.endswith(".xml"):
            etree.fromstring(path.read_bytes(),
                             etree.XMLParser(resolve_entities=False, no_network=True))
            assert not feedparser.parse(path.read_bytes()).bozo, relpath
