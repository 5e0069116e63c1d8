"""posts.lock: published ids are recorded by `feedkit build`, a changed or reused id stops
the build at the post's line, removals are recorded, scheduled posts wait, and
`feedkit pin-ids` prints the fix."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.errors import FileProblems
from feedkit.idlock import LockError, parse_lock, reconcile
from feedkit.jobs.build import build, default_writers
from feedkit.load import loads

NOW = "2024-01-01T00:00:00+00:00"
SITE = "site:\n  title: T\n  url: https://example.org/blog/\n  timezone: Europe/Stockholm\n"


def post(title: str, date: str, *extra: str) -> str:
    lines = [f"  - title: {title}", f"    date: {date}", "    author: Ann",
             "    summary: Text."]
    return "\n".join(lines + [f"    {line}" for line in extra]) + "\n"


# Line numbers: the site takes lines 1-4, "posts:" line 5, each post 4 lines (+ extras).
FIRST = post("Första inlägget", "2020-01-01")
SECOND = post("Andra inlägget", "2020-02-01")
THIRD = post("Tredje inlägget", "2020-03-01")


def write(folder: Path, *posts: str) -> Path:
    registry = folder / "posts.yaml"
    registry.write_text(SITE + "posts:\n" + "".join(posts), encoding="utf-8")
    return registry


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def cli_build(registry: Path, *extra: str, now: str = NOW):
    return run("build", "--registry", str(registry), "--out",
               str(registry.parent / "out"), "--now", now, *extra)


def lock_lines(registry: Path) -> list[str]:
    text = registry.with_suffix(".lock").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


def snapshot(folder: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file but the build cache's (.feedkit/cache/: a refused build may keep the
    texts it rendered there)."""
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file() and "cache" not in p.relative_to(folder).parts}


def test_the_first_build_writes_the_lock_and_a_second_leaves_it_alone(tmp_path: Path) -> None:
    registry = write(tmp_path, THIRD, FIRST, SECOND)
    result = cli_build(registry)
    assert result.exit_code == 0, result.output
    assert f"wrote {tmp_path / 'posts.lock'}" in result.stdout.splitlines()
    lock = (tmp_path / "posts.lock").read_text(encoding="utf-8")
    assert lock.startswith("# feedkit posts.lock, format 1: the entry ids feedkit has "
                           "published from posts.yaml.\n# Commit it with posts.yaml.")
    # Oldest first, whatever the order in the registry; the date in the site's timezone.
    assert lock_lines(registry) == [
        "2020-01-01T00:00:00+01:00 published forsta-inlagget "
        "tag:example.org,2020-01-01:forsta-inlagget",
        "2020-02-01T00:00:00+01:00 published andra-inlagget "
        "tag:example.org,2020-02-01:andra-inlagget",
        "2020-03-01T00:00:00+01:00 published tredje-inlagget "
        "tag:example.org,2020-03-01:tredje-inlagget",
    ]
    before = (tmp_path / "posts.lock").stat().st_mtime_ns
    again = cli_build(registry)
    assert f"unchanged {tmp_path / 'posts.lock'}" in again.stdout.splitlines()
    assert (tmp_path / "posts.lock").stat().st_mtime_ns == before


def test_a_renamed_post_stops_the_build_at_its_line_and_the_pin_fixes_it(
    tmp_path: Path
) -> None:
    registry = write(tmp_path, FIRST, SECOND)
    assert cli_build(registry).exit_code == 0
    before = snapshot(tmp_path)
    write(tmp_path, FIRST, SECOND.replace("Andra inlägget", "Andra inlägget, omskrivet"))
    failed = cli_build(registry)
    assert failed.exit_code == 1
    assert failed.stdout == ""
    old_id = "tag:example.org,2020-02-01:andra-inlagget"
    assert failed.stderr.splitlines() == [
        f"{registry}:10:1: id: 'Andra inlägget, omskrivet' would get the id "
        "'tag:example.org,2020-02-01:andra-inlagget-omskrivet', but it was published as "
        f"'{old_id}' (posts.lock line 7); readers would show it twice. Add 'id: {old_id}' "
        "to the post to keep it. (Another post, and the old one removed on purpose? Mark "
        "that line of posts.lock 'removed'.)",
        "1 problem found; nothing was written.",
    ]
    changed = {p for p, v in snapshot(tmp_path).items() if before.get(p) != v}
    assert changed == {registry}, "a refused build wrote to out/ or posts.lock"

    pins = run("pin-ids", "--registry", str(registry), "--now", NOW)
    assert (pins.exit_code, pins.stdout) == (0, f"{registry}:10: id: {old_id}\n")
    assert pins.stderr == "1 post to pin\n"

    write(tmp_path, FIRST, SECOND.replace("Andra inlägget", "Andra inlägget, omskrivet")
          + f"    id: {old_id}\n")
    assert cli_build(registry).exit_code == 0
    # The lock follows the post to its new slug, so a later change of date is caught too.
    assert lock_lines(registry)[1] == (
        f"2020-02-01T00:00:00+01:00 published andra-inlagget-omskrivet {old_id}")
    nothing = run("pin-ids", "--registry", str(registry), "--now", NOW)
    assert (nothing.stdout, nothing.stderr) == ("", "0 posts to pin\n")


@pytest.mark.parametrize("edit", ["date", "explicit id", "site domain"])
def test_other_ways_a_published_id_changes_are_caught(tmp_path: Path, edit: str) -> None:
    pinned = SECOND + "    id: tag:example.org,2020:andra\n"
    registry = write(tmp_path, FIRST, pinned)
    assert cli_build(registry).exit_code == 0
    text = registry.read_text(encoding="utf-8")
    if edit == "date":  # the default id holds the date: the post is known by its slug
        text = text.replace("date: 2020-01-01", "date: 2020-01-02")
        expected = {(6, "tag:example.org,2020-01-01:forsta-inlagget")}
    elif edit == "explicit id":  # known by its slug and time
        text = text.replace("id: tag:example.org,2020:andra", "id: tag:example.org,2020:b")
        expected = {(10, "tag:example.org,2020:andra")}
    else:  # moving the site changes every default id at once
        text = text.replace("https://example.org/blog/", "https://blog.example.com/")
        expected = {(6, "tag:example.org,2020-01-01:forsta-inlagget")}
    registry.write_text(text, encoding="utf-8")
    assert cli_build(registry).exit_code == 1
    pins = run("pin-ids", "--registry", str(registry), "--now", NOW)
    found = {(int(line.split(":")[1]), line.split(" id: ")[1])
             for line in pins.stdout.splitlines()}
    assert found == expected


def test_a_removed_post_is_recorded_and_its_id_comes_back_only_with_it(tmp_path: Path) -> None:
    registry = write(tmp_path, FIRST, SECOND)
    assert cli_build(registry).exit_code == 0
    write(tmp_path, FIRST)
    removed = cli_build(registry)
    assert removed.exit_code == 0, removed.output
    andra = "tag:example.org,2020-02-01:andra-inlagget"
    assert f"{tmp_path / 'posts.lock'}: recorded {andra} as removed" in removed.stdout
    assert lock_lines(registry)[1] == f"2020-02-01T00:00:00+01:00 removed andra-inlagget {andra}"

    # Another post given the removed id by hand would be taken for the old one.
    write(tmp_path, FIRST, THIRD + f"    id: {andra}\n")
    reused = cli_build(registry)
    assert reused.exit_code == 1
    assert reused.stderr.startswith(
        f"{registry}:10:1: id: 'Tredje inlägget' has the id '{andra}', which was published "
        "for another post (slug 'andra-inlagget', first published 2020-02-01T00:00:00+01:00)"
        " and removed since (posts.lock line 7)")

    # The post itself may come back: it is published again under its id.
    write(tmp_path, FIRST, SECOND)
    assert cli_build(registry).exit_code == 0
    assert lock_lines(registry)[1].split()[1] == "published"


def test_a_post_replaced_on_purpose_is_marked_removed_by_hand(tmp_path: Path) -> None:
    registry = write(tmp_path, FIRST, SECOND)
    assert cli_build(registry).exit_code == 0
    # Same slug, new date: feedkit takes it for the old post with a changed id...
    write(tmp_path, FIRST, SECOND.replace("2020-02-01", "2020-05-01"))
    assert cli_build(registry).exit_code == 1
    # ...until the lock says the old one was removed on purpose.
    lock = registry.with_suffix(".lock")
    lock.write_text(lock.read_text("utf-8").replace("published andra", "removed andra"),
                    encoding="utf-8")
    assert cli_build(registry).exit_code == 0, "the hatch the message names did not work"
    assert [line.split()[1] for line in lock_lines(registry)] == [
        "published", "removed", "published"]


def test_scheduled_posts_are_locked_only_once_published(tmp_path: Path) -> None:
    later = post("Senare", "2025-06-01")
    registry = write(tmp_path, FIRST, later)
    assert cli_build(registry).exit_code == 0
    assert [line.split()[2] for line in lock_lines(registry)] == ["forsta-inlagget"]
    # Not published yet: its title (and so its id) may still change.
    write(tmp_path, FIRST, later.replace("Senare", "Ännu senare"))
    assert cli_build(registry).exit_code == 0
    assert cli_build(registry, now="2025-07-01T00:00:00+00:00").exit_code == 0
    assert [line.split()[2] for line in lock_lines(registry)] == [
        "forsta-inlagget", "annu-senare"]
    # A published post moved into the future keeps its place in the lock.
    write(tmp_path, FIRST.replace("2020-01-01", "2030-01-01") + "    id: "
          "tag:example.org,2020-01-01:forsta-inlagget\n", later.replace("Senare", "Ännu senare"))
    assert cli_build(registry, now="2025-07-01T00:00:00+00:00").exit_code == 0
    assert [line.split()[1] for line in lock_lines(registry)] == ["published", "published"]


def test_check_writes_no_lock_and_lists_it(tmp_path: Path) -> None:
    registry = write(tmp_path, FIRST)
    checked = cli_build(registry, "--check")
    assert checked.exit_code == 1
    assert f"would change {tmp_path / 'posts.lock'}" in checked.stdout.splitlines()
    assert not (tmp_path / "posts.lock").exists()
    assert cli_build(registry).exit_code == 0
    assert cli_build(registry, "--check").exit_code == 0
    write(tmp_path, FIRST, SECOND)
    assert cli_build(registry).exit_code == 0
    write(tmp_path, FIRST)  # out/ and the lock both change: a removal to record
    stale = cli_build(registry, "--check")
    assert stale.exit_code == 1
    assert f"would change {tmp_path / 'posts.lock'}" in stale.stdout.splitlines()
    assert [line.split()[1] for line in lock_lines(registry)] == ["published", "published"]


def test_a_failing_build_writes_no_lock(tmp_path: Path) -> None:
    class Broken:
        def write(self, context: object, outputs: object) -> None:
            raise RuntimeError("disk on fire")

    registry = write(tmp_path, FIRST)
    with pytest.raises(RuntimeError):
        build(registry, tmp_path / "out", now=datetime(2024, 1, 1, tzinfo=UTC),
              writers=[*default_writers(), Broken()])
    assert not (tmp_path / "posts.lock").exists()
    assert not (tmp_path / "out" / "atom.xml").exists()


@pytest.mark.parametrize(("line", "column", "problem"), [
    ("2020-01-01 published a tag:x", 1, "is not a date-time with an offset"),
    ("2020-01-01T00:00:00+01:00 live a tag:x", 27, "status 'live' is neither"),
    ("2020-01-01T00:00:00+01:00 published A_B tag:x", 37, "'A_B' is not a slug"),
    ("2020-01-01T00:00:00+01:00 published a", 1, "expected 'FIRST-PUBLISHED STATUS SLUG"),
    ("2020-01-01T00:00:00+01:00 published a tag:x y", 39, "an id has no spaces in it"),
])
def test_a_damaged_lock_is_refused_at_its_line(tmp_path: Path, line: str, column: int,
                                               problem: str) -> None:
    registry = write(tmp_path, FIRST)
    (tmp_path / "posts.lock").write_text(f"# comment\n\n{line}\n", encoding="utf-8")
    result = cli_build(registry)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'posts.lock'}:3:{column}: ")
    assert problem in first
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_lock_from_a_newer_feedkit_or_with_an_id_twice_is_refused() -> None:
    with pytest.raises(LockError, match=r"posts.lock:1:1: written in format 2"):
        parse_lock("# feedkit posts.lock, format 2: ...\n", "posts.lock")
    twice = ("2020-01-01T00:00:00+01:00 published a tag:x\n"
             "2020-01-02T00:00:00+01:00 published b tag:x\n")
    with pytest.raises(LockError, match=r"posts.lock:2:1: the id 'tag:x' is also on line 1"):
        parse_lock(twice, "posts.lock")


def test_the_lock_reads_back_what_it_writes() -> None:
    registry = loads((SITE + "posts:\n" + FIRST + SECOND + THIRD).encode(), "posts.yaml")
    now = datetime(2024, 1, 1, tzinfo=UTC)
    lock = reconcile(None, registry, now).lock
    text = lock.render("posts.yaml")
    again = parse_lock(text, "posts.lock")
    assert [e.text() for e in again.entries] == sorted(e.text() for e in lock.entries)
    assert again.render("posts.yaml") == text
    assert reconcile(again, registry, now).lock.render("posts.yaml") == text
    assert all(e.line for e in again.entries)


def test_an_id_with_a_space_is_refused_by_the_loader() -> None:
    with pytest.raises(FileProblems, match=r"posts.yaml:10:9: posts\[0\].id: 'tag:a b' is "
                                           r"not an absolute IRI without spaces"):
        loads((SITE + "posts:\n" + FIRST + "    id: tag:a b\n").encode(), "posts.yaml")
