"""format=flowed; DelSp=yes: short lines that join back into the original text."""

from hypothesis import given
from hypothesis import strategies as st

from feedkit.text.flowed import is_url, unwrap, wrap

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
    for line in wrapped.split("\n"):
        assert len(line) <= 78 or is_url(line.strip(" ")), line
    assert unwrap(wrapped) == text
    assert wrap(unwrap(wrapped)) == wrapped


def test_words_break_at_spaces_and_a_url_is_never_split():
    text = "ord " * 30 + "slut\nLäs mer: " + URL + " och sedan mer text"
    wrapped = wrap(text).split("\n")
    assert wrapped[0].endswith("ord  ")  # the word's space plus the deleted soft break
    assert not any(line.startswith(" ") for line in wrapped)
    # Clients without format=flowed show the URL whole, on a line of its own.
    assert wrapped[-3:] == ["Läs mer:  ", URL + "  ", "och sedan mer text"]
    assert len(URL) > 78
    assert unwrap("\n".join(wrapped)).split("\n")[1] == "Läs mer: " + URL + " och sedan mer text"


@given(st.sampled_from(["https://", "http://", "mailto:", "(https://"]),
       st.text("abcåäö/-._~%", min_size=80, max_size=300), st.text("ab ", max_size=100))
def test_urls_stay_whole_on_one_line(scheme, path, before):
    url = scheme + path
    wrapped = wrap(before + " " + url + " slut")
    assert any(url in line for line in wrapped.split("\n"))


def test_lines_that_look_quoted_are_space_stuffed():
    assert wrap("> not a quote\nFrom here") == " > not a quote\n From here"
    assert unwrap(" > not a quote\n From here") == "> not a quote\nFrom here"


def test_short_text_is_unchanged():
    assert wrap("Hej\n\nvärlden\n") == "Hej\n\nvärlden\n"
