"""A new user's path: init, new, drafts, help that reads well, plural-aware messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from feedkit.cli import app
from feedkit.load import load

runner = CliRunner()
NOW = "2026-11-29T10:00:00+01:00"


def run(*args: str, cwd: Path | None = None):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize(("language", "words"), [("en", "Hello, world"), ("sv", "Hej, världen")])
def test_init_writes_a_site_that_builds(tmp_path: Path, language: str, words: str) -> None:
    site = tmp_path / "min-blogg"
    result = run("init", str(site), "--language", language, "--author", "Åsa Öberg",
                 "--timezone", "Europe/Stockholm")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"wrote {site / 'posts.yaml'}", f"wrote {site / '.gitignore'}", "Next:",
        f"  cd {site}",
        '  feedkit new "Mitt första inlägg"' if language == "sv" else
        '  feedkit new "My first post"',
        "  feedkit build", "  feedkit digest --period month"]
    text = (site / "posts.yaml").read_text("utf-8")
    assert text.startswith("# ") and f"language: {language}" in text
    registry = load(site / "posts.yaml")
    assert registry.site.title == "Min blogg" and registry.site.language == language
    assert [p.title for p in registry.posts] == [words]
    assert registry.posts[0].author.name == "Åsa Öberg"
    assert (site / ".gitignore").read_text("utf-8").splitlines()[1:] == ["out/", ".feedkit/"]
    built = run("build", "-r", str(site / "posts.yaml"), "-o", str(site / "out"), "--now", NOW)
    assert built.exit_code == 0, built.output
    assert (site / "out" / "atom.xml").exists()


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "posts.yaml").write_text("mine", "utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'posts.yaml'}: already exists")
    assert (tmp_path / "posts.yaml").read_text("utf-8") == "mine"
    assert run("init", str(tmp_path / "x"), "--language", "fi").exit_code == 2


def test_new_adds_a_post_on_top_keeping_comments_and_layout(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    registry = tmp_path / "posts.yaml"
    before = example.read_text("utf-8")
    registry.write_text(before, "utf-8")
    result = run("new", "Årets första möte: vad händer nu?", "-r", str(registry),
                 "--date", "3 mars 2020", "--tag", "möten", "--tag", "plan")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{registry}:28: added 'arets-forsta-mote-vad-hander-nu'"
    assert lines[1] == '  - title: "Årets första möte: vad händer nu?"'
    after = registry.read_text("utf-8")
    # Everything that was there is still there, byte for byte, around the new block.
    head, tail = before.split("  - title: Tack till alla", 1)
    assert after.startswith(head) and after.endswith("  - title: Tack till alla" + tail)
    inserted = after[len(head):-len("  - title: Tack till alla" + tail)]
    assert inserted.splitlines() == [*lines[1:-1], ""]
    assert "draft: true" in inserted
    # A draft: in no output until published; `build --drafts` shows it.
    assert len(load(registry).posts) == 5
    drafts = load(registry, drafts=True)
    assert drafts.posts[0].title == "Årets första möte: vad händer nu?"
    assert drafts.posts[0].tags == ("möten", "plan")
    assert drafts.posts[0].author.name == "Lena Liljendahl"  # the newest post's author


def test_new_refuses_what_would_not_load_and_writes_nothing(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    registry = tmp_path / "posts.yaml"
    registry.write_bytes(example.read_bytes())
    result = run("new", "Fler kan göra mer!", "-r", str(registry))
    assert result.exit_code == 1
    assert "slug: 'fler-kan-gora-mer' is also used by the post on line" in result.stderr
    assert result.stderr.endswith("1 problem found; nothing was written.\n")
    bad_date = run("new", "X", "-r", str(registry), "--date", "31 februari 2020")
    assert bad_date.exit_code == 1 and "does not exist" in bad_date.stderr
    assert registry.read_bytes() == example.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["posts.yaml"]


SITE_ONLY = "# my site\nsite:\n  title: Min blogg\n  url: https://example.org/\n"


@pytest.mark.parametrize("empty", ["posts: []\n", "posts:\n", "posts: ~",
                                   "posts: []  # none yet\n"])
def test_new_adds_the_first_post_to_an_empty_list(tmp_path: Path, empty: str) -> None:
    registry = tmp_path / "posts.yaml"
    registry.write_text(SITE_ONLY + empty, "utf-8")
    result = run("new", "Första inlägget", "-r", str(registry), "--date", "2026-11-29",
                 "--author", "Åsa", "--publish")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{registry}:6: added 'forsta-inlagget'"
    text = registry.read_text("utf-8")
    assert text.startswith(SITE_ONLY)
    key_line = text.splitlines()[4]
    assert key_line.startswith("posts:") and "[]" not in key_line and "~" not in key_line
    assert ("# none yet" in key_line) == ("# none yet" in empty)
    assert text.splitlines()[5] == '  - title: "Första inlägget"'
    assert [p.title for p in load(registry).posts] == ["Första inlägget"]
    again = run("new", "Andra", "-r", str(registry), "--date", "2026-11-30", "--publish")
    assert again.exit_code == 0, again.output
    assert [(p.title, p.author.name) for p in load(registry).posts] == [
        ("Andra", "Åsa"), ("Första inlägget", "Åsa")]


def test_drafts_stay_out_of_every_output_unless_asked(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    registry = tmp_path / "posts.yaml"
    registry.write_text(example.read_text("utf-8").replace(
        "    date: 3 februari 2020\n", "    date: 3 februari 2020\n    draft: true\n"), "utf-8")
    assert run("build", "-r", str(registry), "-o", str(tmp_path / "out"), "--now", NOW
               ).exit_code == 0
    assert run("build", "-r", str(registry), "-o", str(tmp_path / "pre"), "--now", NOW,
               "--drafts").exit_code == 0
    published = b"".join(p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file())
    preview = (tmp_path / "pre" / "digest.txt").read_text("utf-8")
    assert "Fler kan göra mer".encode() not in published
    assert "Fler kan göra mer" in preview
    assert "fler-kan-gora-mer" not in (tmp_path / "posts.lock").read_text("utf-8")
    digest = run("digest", "-r", str(registry), "--until", "2020-02-09", "--now", NOW)
    assert digest.stdout.splitlines()[-1] == "3 posts, 2020-02-03 to 2020-02-09"


def test_digest_writes_beside_the_state_not_into_out(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    registry = tmp_path / "posts.yaml"
    registry.write_bytes(example.read_bytes())
    assert run("build", "-r", str(registry), "-o", str(tmp_path / "out"), "--now", NOW
               ).exit_code == 0
    result = run("digest", "-r", str(registry), "--until", "den 3 februari 2020",
                 "--period", "day", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "1 post, 2020-02-03 to 2020-02-03"
    assert (tmp_path / ".feedkit" / "digest" / "digest.eml").exists()
    check = run("build", "--check", "-r", str(registry), "-o", str(tmp_path / "out"),
                "--now", NOW)
    assert check.exit_code == 0, check.output  # the preview in out/ is untouched


@pytest.mark.parametrize("when", ["2020-02-06", "6 februari 2020", "torsdag 6 februari 2020",
                                  "6 February 2020", "den 6 februari 2020"])
def test_since_and_until_take_the_registry_date_forms(tmp_path: Path, when: str) -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    result = run("digest", "-r", str(example), "-o", str(tmp_path), "--since", when,
                 "--until", when)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "3 posts, 2020-02-06 to 2020-02-06"


def test_help_looks_finished() -> None:
    for flag in ("-h", "--help"):
        result = run(flag)
        assert result.exit_code == 0
        assert "--install-completion" in result.stdout
        for command in ("init", "new", "build", "digest", "send"):
            assert command in result.stdout
    import re

    import typer.main

    group = typer.main.get_command(app)
    commands = [[name] for name in group.commands]  # type: ignore[attr-defined]
    commands += [["subscribers", name] for name in
                 group.commands["subscribers"].commands]  # type: ignore[attr-defined]
    assert len(commands) >= 14
    for command in commands:
        text = run(*command, "-h").stdout
        assert "Usage:" in text
        assert not re.search(r"<[a-z]+(\[[^\]]*\])?>|\{[A-Z_]+\}", text), (command, text)
        assert "TEXT" not in text and "[[" not in text, command


def test_help_starts_fast() -> None:
    # Not a timing: heavy libraries must not be imported to print help.
    code = ("import sys; from feedkit.cli import app; "
            "heavy = {'feedgen', 'premailer', 'lxml', 'jinja2', 'babel', 'yaml', 'anyascii'}; "
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_send_names_the_last_complete_week_when_nothing_is_left(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "posts.yaml"
    registry = tmp_path / "posts.yaml"
    registry.write_bytes(example.read_bytes())
    (tmp_path / "subscribers.csv").write_text("email,name\nann@example.org,Ann\n", "utf-8")
    env = {"FEEDKIT_SECRET": "a-secret-of-enough-length"}
    args = ["send", "--period", "week", "-r", str(registry), "--now", "2020-02-12T12:00"]
    first = runner.invoke(app, args, env=env)
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0, again.output
    # Wednesday 12 February: the week holding it is not over; the last one ended the 9th.
    assert "nothing to send: every week up to 2020-02-09 is done" in again.output
    assert "2020-02-12" not in again.output
