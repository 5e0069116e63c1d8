"""The registry loader: the example file, defaults, ordering and every bad input."""

from pathlib import Path

import pytest

from feedkit.errors import RegistryError
from feedkit.load.posts import tag_uri
from feedkit.load.registry import load, loads
from feedkit.text.slugify import slugify

GOOD_SITE = """\
site:
  title: Dagbok
  url: https://example.se/dagbok
  language: sv
  timezone: Europe/Stockholm
"""


def problems(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(RegistryError) as info:
        loads(data, "posts.yaml")
    return [str(p) for p in info.value.problems]


def test_example_registry_loads(example_registry: Path) -> None:
    registry = load(example_registry)
    site = registry.site
    assert site.language == "sv" and site.timezone == "Europe/Stockholm"
    assert site.publisher is not None
    assert site.publisher.address == "Box 474, 101 29 Stockholm"
    assert site.publisher.phone == "08-406 55 00"
    assert [p.author.name for p in registry.posts] == [
        "Lena Liljendahl", "Anna Kanervo", "Martin Grander", "Tomas Lindquist",
        "Sophia Lövgren",
    ]
    first = registry.posts[-1]
    assert first.slug == "spannande-bli-en-del-av-innovationslabben"
    assert first.url == site.url + first.slug + "/"
    assert first.id == f"tag:www.allmannyttan.se,2019-04-25:{first.slug}"
    assert "Delegationen mot segregation" in first.body


def test_same_day_posts_get_distinct_ordered_times(example_registry: Path) -> None:
    posts = load(example_registry).posts
    same_day = [p for p in posts if p.published.date().isoformat() == "2020-02-06"]
    assert [p.published.second for p in same_day] == [2, 1, 0]
    assert len({p.updated for p in posts}) == len(posts)


def test_adding_a_post_on_top_keeps_the_others_times() -> None:
    base = GOOD_SITE + "posts:\n" + "".join(
        f"  - {{title: Post {n}, date: 2020-02-06, author: A, body: x}}\n" for n in (1, 2)
    )
    before = {p.slug: p.published for p in loads(base.encode()).posts}
    grown = base.replace("posts:\n", "posts:\n  - {title: Post 0, date: 2020-02-06, "
                                     "author: A, body: x}\n")
    after = {p.slug: p.published for p in loads(grown.encode()).posts}
    assert all(after[slug] == when for slug, when in before.items())
    assert after["post-0"] > after["post-1"] > after["post-2"]


def test_defaults_and_normalisation() -> None:
    registry = loads((GOOD_SITE + "posts:\n  - title: Fler kan göra mer!\n    date: 2020-02-03\n"
                      "    author: Tomas\n    summary: Kort.\n    tags: solo\n").encode())
    site = registry.site
    assert site.url == "https://example.se/dagbok/"
    assert site.feed_url == "https://example.se/dagbok/atom.xml"
    assert site.id == site.feed_url
    assert site.options.excerpt_length == 250 and site.options.feed_entries == 20
    post = registry.posts[0]
    assert post.slug == "fler-kan-gora-mer" and post.author.name == "Tomas"
    assert post.tags == ("solo",) and post.summary == "Kort." and post.body == ""


def test_pinned_id_slug_and_relative_url() -> None:
    registry = loads((GOOD_SITE + "posts:\n  - title: T\n    date: 2020-02-03\n"
                      "    author: A\n    body: b\n    slug: gammal\n    url: /annan/\n"
                      "    id: urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a\n").encode())
    post = registry.posts[0]
    assert post.slug == "gammal"
    assert post.url == "https://example.se/annan/"
    assert post.id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"


def test_slugify_and_tag_uri() -> None:
    assert slugify("Tack till alla vardagshjältar för allt ni lärt mig") == (
        "tack-till-alla-vardagshjaltar-for-allt-ni-lart-mig"
    )
    assert slugify("Smörgås & Ærø") == "smorgas-aero"
    assert slugify("🎉") == ""
    registry = loads((GOOD_SITE.replace("example.se", "allmännyttan.se") +
                      "posts:\n  - {title: 🎉, date: 2020-02-03, author: A, body: b}\n").encode())
    post = registry.posts[0]
    assert post.slug == "post-2020-02-03"
    assert post.id == "tag:xn--allmnnyttan-o8a.se,2020-02-03:post-2020-02-03"
    assert tag_uri("https://a.se/", post.published, "x") == "tag:a.se,2020-02-03:x"


BAD_CASES = {
    "malformed": ("site: [\n", ["posts.yaml:2:1: malformed YAML: did not find expected node "
                                "content"]),
    "empty": ("# nothing yet\n", ["posts.yaml:1:1: the file is empty; it needs a 'site:' "
                                  "section and a 'posts:' list (see docs/registry.md)"]),
    "posts-not-list": (GOOD_SITE + "posts: 3\n", [
        "posts.yaml:6:8: posts: must be a list of posts, each starting with '- title: ...'"]),
    "missing-and-empty": (GOOD_SITE + "posts:\n  - date: 2020-02-03\n    author: {name: ''}\n"
                          "    body: x\n", [
        "posts.yaml:7:5: posts[0].title: missing; this field is required",
        "posts.yaml:8:20: posts[0].author.name: is empty; this field is required"]),
    "typo": (GOOD_SITE + "posts:\n  - titel: Hej\n    date: 2020-02-03\n    author: A\n"
             "    body: x\n", [
        "posts.yaml:7:5: posts[0].titel: unknown field; did you mean 'title'?",
        "posts.yaml:7:5: posts[0].title: missing; this field is required"]),
    "bad-date": (GOOD_SITE + "posts:\n  - {title: A, date: 31 februari 2020, author: A, "
                 "body: x}\n  - {title: B, date: i morgon, author: A, body: x}\n", [
        "posts.yaml:7:22: posts[0].date: '31 februari 2020' does not exist (day is out of "
        "range for month)",
        "posts.yaml:8:22: posts[1].date: can't read 'i morgon' as a date; write 2020-02-06, "
        "2020-02-06T09:30 or 6 februari 2020"]),
    "timezone": (GOOD_SITE.replace("Europe/Stockholm", "Europe/Stokholm") +
                 "posts:\n  - {title: A, date: 2020-02-03, author: A, body: x}\n", [
        "posts.yaml:5:13: site.timezone: unknown timezone 'Europe/Stokholm'; did you mean "
        "'Europe/Stockholm'?"]),
    "relative-url": (GOOD_SITE.replace("https://example.se/dagbok", "/dagbok") +
                     "posts:\n  - {title: A, date: 2020-02-03, author: A, body: x}\n", [
        "posts.yaml:3:8: site.url: '/dagbok' is not an absolute http(s) URL; write it like "
        "https://example.org/blog/"]),
    "ftp-url": (GOOD_SITE.replace("https://example.se/dagbok", "ftp://example.se/") +
                "posts:\n  - {title: A, date: 2020-02-03, author: A, body: x}\n", [
        "posts.yaml:3:8: site.url: 'ftp://example.se/' is not an absolute http(s) URL; write "
        "it like https://example.org/blog/"]),
    "duplicates": (GOOD_SITE + "posts:\n  - {title: Hej, date: 2020-02-03, author: A, body: x}\n"
                   "  - {title: Hej!, date: 2020-02-04, author: A, body: x}\n"
                   "  - {title: C, date: 2020-02-05, author: A, body: x, id: 'urn:x'}\n"
                   "  - {title: D, date: 2020-02-05, author: A, body: x, id: 'urn:x'}\n", [
        "posts.yaml:8:5: posts[1].slug: 'hej' is also used by the post on line 7; give this "
        "post its own slug",
        "posts.yaml:10:5: posts[3].id: 'urn:x' is also used by the post on line 9; give this "
        "post its own id"]),
    "control-escaped": (GOOD_SITE + "posts:\n  - {title: \"A\\x01\", date: 2020-02-03, "
                        "author: A, body: x}\n", [
        "posts.yaml:7:13: posts[0].title: contains the control character U+0001, which XML "
        "can't carry; remove it"]),
    "control-raw": (GOOD_SITE + "posts:\n  - {title: A\x02, date: 2020-02-03, author: A, "
                    "body: x}\n", [
        "posts.yaml:7:14: contains the control character U+0002, which YAML and XML can't "
        "carry; remove it"]),
    "no-body": (GOOD_SITE + "posts:\n  - {title: A, date: 2020-02-03, author: A}\n", [
        "posts.yaml:7:5: posts[0].body: missing; write the post's text (Markdown) in body, or "
        "give a summary"]),
    "dst-gap": (GOOD_SITE + "posts:\n  - {title: A, date: 2020-03-29T02:30, author: A, "
                "body: x}\n", [
        "posts.yaml:7:22: posts[0].date: 2020-03-29T02:30 does not exist in Europe/Stockholm "
        "(the clocks skip it for daylight saving time); give a time an hour later or an "
        "explicit offset"]),
    "bad-option": (GOOD_SITE + "  options: {excerpt_lenght: 100, feed_entries: -1}\n"
                   "posts:\n  - {title: A, date: 2020-02-03, author: A, body: x}\n", [
        "posts.yaml:6:13: site.options.excerpt_lenght: unknown field; did you mean "
        "'excerpt_length'?",
        "posts.yaml:6:48: site.options.feed_entries: must be a whole number of at least 1"]),
    "duplicate-key": (GOOD_SITE + "posts:\n  - title: A\n    title: B\n    date: 2020-02-03\n"
                      "    author: A\n    body: x\n", [
        "posts.yaml:8:5: posts[0].title: given twice (first on line 7); keep one"]),
    "updated-before": (GOOD_SITE + "posts:\n  - {title: A, date: 2020-02-03, updated: "
                       "2020-02-01, author: A, body: x}\n", [
        "posts.yaml:7:43: posts[0].updated: is before the post's date; updated can only be "
        "the same or later"]),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_input_is_reported_exactly(name: str) -> None:
    text, expected = BAD_CASES[name]
    assert problems(text) == expected


@pytest.mark.parametrize("char", ["\x01", "\x1f", "\ufffe", "\uffff"])
@pytest.mark.parametrize("style", ["plain", "single", "literal", "folded", "double"])
def test_a_character_xml_cant_carry_is_refused_in_every_scalar_style(style: str,
                                                                     char: str) -> None:
    """The reader checks only double-quoted text for such characters (jobs read every
    post's body): in the other styles YAML's own reader refuses them, as here."""
    body = {"plain": f"x{char}y", "single": f"'x{char}y'", "literal": f"|\n      x{char}y",
            "folded": f">\n      x{char}y", "double": f'"x{char}y"'}[style]
    found = problems(GOOD_SITE + f"posts:\n  - title: A\n    date: 2020-02-03\n"
                                 f"    author: A\n    body: {body}\n")
    assert len(found) == 1 and f"U+{ord(char):04X}" in found[0].upper(), found
    escaped = problems(GOOD_SITE + "posts:\n  - title: A\n    date: 2020-02-03\n"
                                   f'    author: A\n    body: "x\\u{ord(char):04x}y"\n')
    assert escaped[0] == (f"posts.yaml:10:11: posts[0].body: contains the control character "
                          f"U+{ord(char):04X}, which XML can't carry; remove it")


def test_not_utf8_names_line_and_column() -> None:
    data = (GOOD_SITE + "posts:\n  - {title: Sm\xf6rg\xe5s, date: 2020-02-03, author: A, "
            "body: x}\n").encode("latin-1")
    assert problems(data) == [
        "posts.yaml:7:15: not UTF-8: byte 0xF6 can't be read; save the file as UTF-8"
    ]


def test_every_problem_in_one_report() -> None:
    text = (GOOD_SITE.replace("Europe/Stockholm", "Mars/Base") +
            "posts:\n  - {titel: A, date: 2020-02-30, author: A, body: x}\n"
            "  - {title: B, date: 2020-02-03, body: x}\n")
    found = problems(text)
    assert len(found) == 5
    assert any("Mars/Base" in p for p in found)
    assert any("titel" in p for p in found)
    assert any("2020-02-30" in p for p in found)
    assert any("author: missing" in p for p in found)


def test_posts_before_site_and_aliases_load_the_same() -> None:
    streamed = loads((GOOD_SITE + "posts:\n  - &p {title: A, date: 2020-02-03, author: A, "
                      "body: x}\n  - {title: B, date: 2020-02-04, author: A, body: x}\n").encode())
    reordered = loads(("posts:\n  - {title: A, date: 2020-02-03, author: A, body: x}\n"
                       "  - {title: B, date: 2020-02-04, author: A, body: x}\n" + GOOD_SITE
                       ).encode())
    assert streamed.site == reordered.site
    assert [(p.id, p.published) for p in streamed.posts] == [
        (p.id, p.published) for p in reordered.posts
    ]
    assert [p.title for p in streamed.posts] == ["B", "A"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- a\n- b\n", "posts.yaml:1:1: the file must be a mapping with a 'site:' section and "
                       "a 'posts:' list"),
        (GOOD_SITE + "posts: []\n---\nmore: 1\n", "posts.yaml:7:1: malformed YAML: but found "
                                                  "another document"),
        (GOOD_SITE + "posts:\n  - *nowhere\n", "posts.yaml:7:5: malformed YAML: found "
                                                "undefined alias 'nowhere'"),
        (GOOD_SITE + "extra: 1\nposts: []\n", "posts.yaml:6:1: extra: unknown field; the top "
                                              "level holds only 'site' and 'posts'"),
    ],
)
def test_document_shape_problems(text: str, expected: str) -> None:
    assert expected in problems(text)


@pytest.mark.parametrize("posts", ["posts: []\n", "posts:\n", "posts: ~\n"])
def test_a_site_without_posts_yet_loads(posts: str) -> None:
    registry = loads((GOOD_SITE + posts).encode(), "posts.yaml")
    assert registry.posts == ()
