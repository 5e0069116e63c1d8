"""The template environment: overrides first, shipped templates last, autoescape."""

from __future__ import annotations

from feedkit.text.templating import environment, shipped_dir


def test_shipped_templates_are_found():
    assert (shipped_dir() / "digest.html.j2").is_file()
    assert (shipped_dir() / "digest.txt.j2").is_file()


def test_html_templates_escape_and_text_templates_do_not(tmp_path):
    (tmp_path / "t.html.j2").write_text("{{ v }}", encoding="utf-8")
    (tmp_path / "t.txt.j2").write_text("{{ v }}", encoding="utf-8")
    env = environment((tmp_path,), "en")
    assert env.get_template("t.html.j2").render(v="<b>&") == "&lt;b&gt;&amp;"
    assert env.get_template("t.txt.j2").render(v="<b>&") == "<b>&"
    assert env.from_string("{{ v }}").render(v="<i>") == "&lt;i&gt;"


def test_earlier_folders_win_and_translations_follow_the_language(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "digest.txt.j2").write_text("first {{ _('Read the whole post') }}", encoding="utf-8")
    (second / "digest.txt.j2").write_text("second", encoding="utf-8")
    assert environment((first, second), "sv").get_template("digest.txt.j2").render() == (
        "first Läs hela inlägget")
    assert environment((second, first), "en").get_template("digest.txt.j2").render() == (
        "second")
