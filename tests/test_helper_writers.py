"""A large build's helper process (writers/helper.py) renders the digest preview, the
web digests and feeds.html from a context holding only what they read (the posts
they show, the feeds' names and files without their posts): the same bytes as
rendering them in the build's own process with everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from registry_factory import registry_yaml
from test_incremental import NOW, files

from feedkit.jobs import build as build_module
from feedkit.jobs.build import build, render
from feedkit.writers import helper


def test_the_helper_writes_what_the_build_writes_itself(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []
    submit = helper.Helper.submit

    def recorded(self: helper.Helper, job: Any) -> Any:
        sent.append(job)
        return submit(self, job)

    monkeypatch.setattr(build_module, "HELPER_FROM", 0)  # every build starts a helper
    monkeypatch.setattr(helper.Helper, "submit", recorded)
    registry = tmp_path / "posts.yaml"
    registry.write_text(registry_yaml(40, tags=lambda i: [f"t{i % 5}", "delad"],
                                      options={"web_digests": "week"}), "utf-8")
    build(registry, tmp_path / "out", now=NOW)
    (job,) = sent
    # digest preview, web digests and feeds.html; the feeds without their posts
    given = job.args[2]
    assert len(job.args[0]) == 3 and len(given.catalogue.taxonomy) >= 6
    assert not given.catalogue.site_feed.posts and \
        all(not spec.posts for spec in given.catalogue.taxonomy)
    _, whole = render(registry, now=NOW)
    written = files(tmp_path / "out")
    assert {p: b for p, b in written.items() if p in whole.files} == whole.files
    page = written["feeds.html"].decode()
    assert all(f"tags/t{i}/atom.xml" in page for i in range(5)) and "digests/" in page


def _mark(path: Path, text: str) -> str:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return text


def _fail() -> None:
    raise ValueError("a warm-up that fails")


def test_a_warm_up_runs_first_and_sends_no_answer(tmp_path: Path) -> None:
    """Helper.warm: its job runs before the work sent after it, nothing comes back from
    it (not even its error), and the next answer is the next job's."""
    from functools import partial

    from feedkit.writers.helper import Helper

    log = tmp_path / "order"
    helper = Helper()
    try:
        helper.warm(partial(_mark, log, "warm "))
        helper.warm(_fail)
        answer = helper.submit(partial(_mark, log, "work"))
        assert answer() == "work"
        assert log.read_text("utf-8") == "warm work"
    finally:
        helper.close()


def test_a_patch_sends_the_helper_a_digest_to_warm_up_with(example_registry: Path) -> None:
    """jobs/warm.py: the made-up digest renders with the site's own templates (an error
    would only show in the helper, where nothing answers it: it shows here)."""
    from feedkit.jobs.warm import warm_digest
    from feedkit.load import load
    from feedkit.project import Project

    warm_digest(load(example_registry).site, Project(example_registry).template_dirs())
