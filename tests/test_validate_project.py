"""`feedkit validate` with no paths checks the project as a whole: posts.lock against the
registry (rule ids on the registry's lines) and the feeds in out/ against what
`feedkit build` would write now."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_validate_cli import TEXT_LINE, project_args, run


@pytest.fixture
def built(example_registry: Path, tmp_path: Path) -> Path:
    """The example site built, with its posts.lock."""
    (tmp_path / "posts.yaml").write_bytes(example_registry.read_bytes())
    assert run("build", *project_args(tmp_path)).exit_code == 0
    assert (tmp_path / "posts.lock").is_file()
    return tmp_path


def findings(output: str, folder: Path) -> list[tuple[str, str, str, str]]:
    """(file relative to the project, line, severity, rule) of each message."""
    found = [m for m in map(TEXT_LINE.match, output.splitlines()) if m]
    return [(str(Path(m["path"]).relative_to(folder)), m["line"], m["sev"], m["rule"])
            for m in found]


def edit(folder: Path, old: str, new: str) -> None:
    registry = folder / "posts.yaml"
    text = registry.read_text(encoding="utf-8")
    assert old in text
    registry.write_text(text.replace(old, new, 1), encoding="utf-8")


def registry_line(folder: Path, text: str) -> str:
    lines = (folder / "posts.yaml").read_text(encoding="utf-8").splitlines()
    return str(lines.index(text) + 1)


def test_a_built_project_is_clean_and_the_lock_is_one_of_its_files(built: Path) -> None:
    result = run("validate", "--strict", *project_args(built))
    assert result.exit_code == 0, result.output
    assert findings(result.output, built) == []
    document = run("validate", "-f", "json", *project_args(built)).output
    assert f'"path": "{built / "posts.lock"}",\n      "format": "lock"' in document


def test_a_renamed_post_is_an_error_on_its_line_even_after_out_was_rebuilt(
    built: Path
) -> None:
    edit(built, "  - title: Fler kan göra mer!\n",
         "  - title: Fler kan göra ännu mer!\n")
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    line = registry_line(built, "  - title: Fler kan göra ännu mer!")
    # The build would stop, so out/ is not reported as stale on top.
    assert findings(result.output, built) == [("posts.yaml", line, "error", "lock-id-changed")]
    assert "Add 'id: tag:www.allmannyttan.se,2020-02-03:fler-kan-gora-mer' to the post" \
        in result.output
    github = run("validate", "-f", "github", *project_args(built)).output
    assert f"::error file={built / 'posts.yaml'},line={line},col=1,title=lock-id-changed::" \
        in github
    # `feedkit build && feedkit validate` used to compare the feed with itself: now the
    # build refuses, and out/ keeps the published id.
    assert run("build", *project_args(built)).exit_code == 1
    assert "fler-kan-gora-mer</id>" in (built / "out" / "atom.xml").read_text("utf-8")


def test_a_new_post_not_built_yet(built: Path) -> None:
    edit(built, "posts:\n", "posts:\n  - title: Nytt inlägg\n    date: 2021-01-01\n"
                            "    author: Ann\n    summary: Nytt.\n")
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    found = findings(result.output, built)
    assert ("posts.yaml", registry_line(built, "  - title: Nytt inlägg"), "warning",
            "lock-outdated") in found
    stale = {path for path, _, _, rule in found if rule == "out-of-date"}
    assert {"out/atom.xml", "out/rss.xml", "out/feed.json"} <= stale
    assert all(line == "1" and sev == "error" for _, line, sev, rule in found
               if rule == "out-of-date")
    assert "run `feedkit build`" in result.output
    assert run("build", *project_args(built)).exit_code == 0
    again = run("validate", "--strict", *project_args(built))
    assert again.exit_code == 0, again.output


def test_a_removed_post_not_built_yet_is_shown_on_the_lock(built: Path) -> None:
    registry = built / "posts.yaml"
    text = registry.read_text(encoding="utf-8")
    start = text.index("  - title: Spännande bli en del")
    registry.write_text(text[:start], encoding="utf-8")
    result = run("validate", *project_args(built))
    lock_line = str([line.split()[-1] for line in
                     (built / "posts.lock").read_text("utf-8").splitlines()].index(
        "tag:www.allmannyttan.se,2019-04-25:spannande-bli-en-del-av-innovationslabben") + 1)
    assert ("posts.lock", lock_line, "warning", "lock-outdated") in findings(
        result.output, built)
    assert "`feedkit build` records it as removed" in result.output


def test_a_feed_edited_by_hand_or_missing_is_out_of_date(built: Path) -> None:
    atom = built / "out" / "atom.xml"
    atom.write_text(atom.read_text("utf-8").replace("<title>", "<title>Ändrad ", 1), "utf-8")
    (built / "out" / "tags" / "segregation" / "rss.xml").unlink()
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    assert sorted(findings(result.output, built)) == [
        ("out/atom.xml", "1", "error", "out-of-date"),
        ("out/tags/segregation/rss.xml", "1", "error", "out-of-date"),
    ]
    assert "missing: `feedkit build` writes this feed" in result.output


def test_without_out_only_the_registry_and_the_lock_are_checked(built: Path) -> None:
    import shutil

    shutil.rmtree(built / "out")
    result = run("validate", "--strict", *project_args(built))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("2 files checked")
    (built / "posts.lock").unlink()
    warned = run("validate", *project_args(built))
    assert warned.exit_code == 0
    assert findings(warned.output, built) == [("posts.yaml", "1", "warning", "lock-outdated")]
    assert "there is no posts.lock beside posts.yaml" in warned.output
    assert run("validate", "--strict", *project_args(built)).exit_code == 1


def test_a_damaged_lock_is_reported_at_its_line(built: Path) -> None:
    lock = built / "posts.lock"
    text = lock.read_text("utf-8")
    lock.write_text(text.replace("+02:00 published ", "+02:00 publicerad ", 1), "utf-8")
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    assert findings(result.output, built) == [("posts.lock", "6", "error", "lock-malformed")]


def test_a_feed_the_build_would_remove_is_out_of_date_but_a_file_of_ones_own_is_not(
    built: Path
) -> None:
    # Only the oldest post of the example has tags: without them, no tag feeds.
    registry = built / "posts.yaml"
    text = registry.read_text(encoding="utf-8")
    tagged = sorted(p.parent.name for p in (built / "out" / "tags").glob("*/atom.xml"))
    assert tagged, "the example has tag feeds"
    untagged = "\n".join(line for line in text.splitlines()
                         if not line.lstrip().startswith("tags:")) + "\n"
    registry.write_text(untagged, encoding="utf-8")
    (built / "out" / "mine.xml").write_bytes(
        (built / "out" / "tags" / tagged[0] / "atom.xml").read_bytes())
    result = run("validate", *project_args(built))
    assert result.exit_code == 1
    found = findings(result.output, built)
    removed = {path for path, _, _, rule in found
               if rule == "out-of-date" and path.startswith("out/tags/")}
    assert removed == {f"out/tags/{tag}/{name}" for tag in tagged
                       for name in ("atom.xml", "rss.xml", "feed.json")}
    assert "`feedkit build` removes it" in result.output
    assert not [f for f in found if f[0] == "out/mine.xml"]  # not feedkit's: left alone
    assert run("build", *project_args(built)).exit_code == 0
    assert run("validate", "--strict", *project_args(built)).exit_code == 0
