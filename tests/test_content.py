"""Post content: Markdown to safe HTML, plain text, and excerpts from long posts."""

from hypothesis import given, settings
from hypothesis import strategies as st

from feedkit.text.content import leading_text, plain_text, render_markdown
from feedkit.text.excerpt import truncate


def test_plain_text_drops_markup_and_decodes_entities() -> None:
    html = ('<p>Tom &amp; <a href="x" title="a>b">Jerry</a></p><p>p\u00e5\u00a0ny</p>'
            "<ul><li>a</li></ul>")
    assert plain_text(html) == "Tom & Jerry p\u00e5\u00a0ny a"


def test_markdown_is_sanitized_and_links_made_absolute() -> None:
    html = render_markdown(
        "[a](../r.pdf) <img src=x onerror=alert(1)> <script>x()</script>\n\n"
        "| h |\n|---|\n| c |\n\n~~bort~~ www.example.org",
        "https://example.org/blog/post/",
    )
    assert 'href="https://example.org/blog/r.pdf"' in html
    assert 'src="https://example.org/blog/post/x"' in html
    assert "onerror" not in html and "<script" not in html
    assert "<table>" in html and "<s>bort</s>" in html


words = st.sampled_from(
    ["ord", "åäö", "**fet**", "_kursiv_", "[länk](/x?a=1&b=2)", "&amp;", "e\u0301",
     "\U0001f1f8\U0001f1ea", "<b title=\"a>b\">x</b>", "\n\n", "\n- punkt\n", "`kod`"]
)


@settings(max_examples=200)
@given(st.lists(words, min_size=1, max_size=600), st.integers(min_value=10, max_value=300))
def test_excerpt_from_the_start_of_a_post_equals_excerpt_from_all_of_it(
    parts: list[str], length: int
) -> None:
    html = render_markdown(" ".join(parts), "https://example.org/p/")
    whole = truncate(plain_text(html), length, "...")
    assert truncate(leading_text(html, length + 128), length, "...") == whole


def test_texts_worked_out_a_stage_at_a_time_are_the_post_by_post_ones(
        example_registry) -> None:
    """post_texts_many (the build's reading, a batch at a time) gives what post_texts
    gives for each post: the example site's posts, and posts with only a summary,
    with both, with relative links and raw HTML under different base URLs."""
    from dataclasses import replace

    from feedkit.load import load
    from feedkit.model import Options
    from feedkit.text.content import post_texts, post_texts_many

    registry = load(example_registry)
    base = registry.posts[0]
    posts = [*registry.posts,
             replace(base, body="", summary="Bara en sammanfattning."),
             replace(base, summary="Egen", body="Text med [länk](../a/) och <b>fet</b>."),
             replace(base, url="https://annan.example.se/x/y/",
                     body="![bild](bild.png) [här](sida/) <script>x</script> " * 30),
             replace(base, body="Kort.")]
    for options in (registry.site.options, Options(excerpt_length=40, excerpt_suffix="…")):
        render_markdown.cache_clear()
        assert post_texts_many(posts, options) == [post_texts(p, options) for p in posts]
