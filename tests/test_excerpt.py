"""The excerpt rule, checked against the seed's listing and by properties."""

from pathlib import Path

import regex
from hypothesis import given
from hypothesis import strategies as st

from feedkit.text.excerpt import collapse, truncate

SEED = Path(__file__).resolve().parent / "data" / "innovationslabb-dagbok.txt"
LISTED = [line for line in SEED.read_text("utf-8").splitlines() if line.endswith("...")]


def test_seed_has_four_listed_excerpts() -> None:
    assert len(LISTED) == 4


def test_reproduces_the_listing_from_longer_text() -> None:
    # The listing cut each post's text; the post goes on where the cut fell.
    reproduced = 0
    for shown in LISTED:
        visible = shown.removesuffix("...")
        # Where the listing shows fewer than 247 characters, the cut fell on a
        # space that was then trimmed: the text went on after a space.
        gap = " " if len(visible) < 247 else ""
        body = visible + gap + "ksamheter, seminarier och mycket mer som inte syns i listan."
        if len(shown) <= 250:
            assert truncate(body, 250, "...") == shown
            reproduced += 1
        else:
            # The seed's fourth excerpt is 252 characters, over the listing's own
            # limit of 250: our rule gives the same text two characters shorter.
            assert truncate(body, 252, "...") == shown
            assert truncate(body, 250, "...") == visible[:247].rstrip() + "..."
    assert reproduced == 3


def test_cut_falls_inside_a_word_like_the_listing() -> None:
    assert LISTED[2].endswith("samtal, wor...")
    text = "a" * 236 + " samtal, workshops"
    assert truncate(text, 250, "...") == "a" * 236 + " samtal, wo..."


def test_text_that_fits_is_whole_without_suffix() -> None:
    assert truncate("Kort text.", 250, "...") == "Kort text."
    assert truncate("x" * 250, 250, "...") == "x" * 250
    assert truncate("x" * 251, 250, "...") == "x" * 247 + "..."


def test_trailing_space_before_suffix_is_removed() -> None:
    assert truncate("abcd efgh", 8, "...") == "abcd..."


def test_never_splits_a_grapheme_or_entity() -> None:
    flag = "\U0001f1f8\U0001f1ea"  # Swedish flag: two code points, one character
    assert truncate("ab" + flag + "cdefgh", 6, "...") == "ab..."
    combining = "e\u0301"
    assert truncate("abc" + combining + "defg", 7, "...") == "abc..."
    assert truncate("Tom &amp; Jerry are here", 11, "...") == "Tom..."


def test_custom_suffix_and_length() -> None:
    assert truncate("Hej hopp i lingonskogen", 10, " …") == "Hej hopp …"


def test_collapse_keeps_no_break_spaces() -> None:
    assert collapse("  a \n\t b\u00a0c  ") == "a b\u00a0c"


texts = (
    st.lists(
        st.one_of(
            st.characters(codec="utf-8", exclude_categories=("Cs",)),
            st.sampled_from(["å", "ä", "ö", " ", "&amp;", "e\u0301", "\U0001f1f8\U0001f1ea"]),
        ),
        max_size=400,
    )
    .map("".join)
    .map(collapse)
)


@given(texts, st.integers(min_value=4, max_value=300))
def test_never_over_the_limit_and_a_prefix(text: str, length: int) -> None:
    result = truncate(text, length, "...")
    assert len(result) <= length
    if result.endswith("...") and len(text) > length:
        assert text.startswith(result[:-3])
    else:
        assert result == text


@given(texts, st.integers(min_value=4, max_value=300))
def test_suffix_exactly_when_cut(text: str, length: int) -> None:
    result = truncate(text, length, "...")
    assert (result != text) == (len(text) > length)


@given(texts, st.integers(min_value=4, max_value=300))
def test_cut_is_on_a_grapheme_boundary(text: str, length: int) -> None:
    result = truncate(text, length, "...")
    if result == text:
        return
    kept = regex.findall(r"\X", result[:-3])
    assert regex.findall(r"\X", text)[: len(kept)] == kept
    cut = len(result) - 3
    for entity in regex.finditer(r"&[A-Za-z][A-Za-z0-9]*;", text):
        assert not entity.start() < cut < entity.end()


@given(texts, st.integers(min_value=4, max_value=300))
def test_idempotent(text: str, length: int) -> None:
    once = truncate(text, length, "...")
    assert truncate(once, length, "...") == once


def test_the_cut_is_the_longest_run_of_whole_units_that_fits() -> None:
    """Against a plain reference (every unit from the start: an entity or a grapheme),
    on Swedish text with the shapes that need care mixed in (combining marks, emoji
    with modifiers and joiners, flags, entities, Hangul jamo, Devanagari): the quick
    cut for text of one-character graphemes and the unit scan agree with it."""
    import random


    unit = regex.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
                         r"|\X")

    def reference(text: str, length: int, suffix: str) -> str:
        if len(text) <= length:
            return text
        room, end = length - len(suffix), 0
        for match in unit.finditer(text):
            stop = match.end()
            if match.group().startswith("&") and stop - match.start() > 1:
                grapheme = regex.match(r"\X", text[stop - 1:])
                stop = max(stop, stop - 1 + (grapheme.end() if grapheme else 1))
            if stop > room:
                break
            end = stop
        return text[:end].rstrip() + suffix

    pieces = [*"abc åäöé ,.!&;#x1Z", "\u0301", "\u200d", "👍", "🏽", "\U0001F1F8",
              "\U0001F1EA", "&amp;", "&#229;", "\u00a0", "\u0308", "ग", "ि", "\u1100",
              "\u1161", "\ufe0f", "\u00ad", "samtal ", "bostäder "]
    rng = random.Random(25)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        suffix = rng.choice(["…", "...", " [mer]"])
        length = rng.randint(len(suffix) + 1, 40)
        assert truncate(text, length, suffix) == reference(text, length, suffix), (text, length)
