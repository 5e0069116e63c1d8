"""format=flowed; DelSp=yes: short lines that join back into the original text."""

from hypothesis import given
from hypothesis import strategies as st

from feedkit.text.flowed import unwrap, wrap

URL = "https://www.allmannyttan.se/innovationslabb/dagbok/tack-till-alla-vardagshjaltar-for-allt/"

pieces = st.text(st.characters(blacklist_categories=("Cs", "Zl", "Zp", "Cc")), max_size=20) | (
    st.sampled_from([" ", "  ", ">", "From ", URL, "-- ", "ord "]))
lines = st.lists(
    st.lists(pieces, max_size=25).map(lambda parts: "".join(parts).rstrip(" ")), max_size=6
)


@given(lines)
def test_lines_never_exceed_78_and_join_back(logical):
    text = "\n".join(logical)
    wrapped = wrap(text)
    assert all(len(line) <= 78 for line in wrapped.split("\n"))
    assert unwrap(wrapped) == text
    assert wrap(unwrap(wrapped)) == wrapped


def test_words_break_at_spaces_and_long_urls_soft_break_without_loss():
    text = "ord " * 30 + "slut\nLäs mer: " + URL
    wrapped = wrap(text).split("\n")
    assert wrapped[0].endswith("ord  ")  # the word's space plus the deleted soft break
    assert not any(line.startswith(" ") for line in wrapped)
    first = next(i for i, line in enumerate(wrapped) if "https://" in line)
    assert wrapped[first].endswith(" ") and not wrapped[first + 1].endswith(" ")
    assert unwrap("\n".join(wrapped)).split("\n")[1] == "Läs mer: " + URL


def test_lines_that_look_quoted_are_space_stuffed():
    assert wrap("> not a quote\nFrom here") == " > not a quote\n From here"
    assert unwrap(" > not a quote\n From here") == "> not a quote\nFrom here"


def test_short_text_is_unchanged():
    assert wrap("Hej\n\nvärlden\n") == "Hej\n\nvärlden\n"
