"""The DOCTYPE pre-check reads the prolog and internal subset as XML does, so nothing
hidden in a processing instruction, comment or quoted literal gets an entity past it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedkit.validate import validate_file
from feedkit.validate.xmlsafe import HEAD_BYTES, XmlRefused, refuse_entities

NOW = datetime(2024, 1, 1, tzinfo=UTC)
FEED = ('<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:x,2020:f</id><title>&e;</title>'
        '<updated>2020-02-06T09:30:00Z</updated></feed>')
ENTITY = '<!ENTITY e "ha">'

HIDDEN = {
    "pi-with-bracket": f'<!DOCTYPE feed [<?pad ]><!-- ?>{ENTITY}]>',
    "comment-with-bracket": f"<!DOCTYPE feed [<!-- ]> -->{ENTITY}]>",
    "quoted-bracket-in-attlist": f'<!DOCTYPE feed [<!ATTLIST feed a CDATA "]>">{ENTITY}]>',
    "quoted-bracket-in-system-id": f'<!DOCTYPE feed SYSTEM "x]>[" [{ENTITY}]>',
    "element-like-comment-first": f"<!-- <a --><!DOCTYPE feed [{ENTITY}]>",
    "element-like-pi-first": f'<?xml-stylesheet href="<a"?><!DOCTYPE feed [{ENTITY}]>',
    "after-element-decl": f"<!DOCTYPE feed [<!ELEMENT feed ANY>{ENTITY}]>",
    "parameter-entity-style": '<!DOCTYPE feed [\n  <!ENTITY % p "x">\n]>',
}


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_entity_declarations_hidden_behind_markup_are_refused(name: str) -> None:
    document = '<?xml version="1.0"?>\n' + HIDDEN[name] + "\n" + FEED
    with pytest.raises(XmlRefused) as refused:
        refuse_entities(document.encode())
    assert "declares entities" in refused.value.message


@pytest.mark.parametrize("name", sorted(HIDDEN))
def test_the_whole_check_refuses_them_as_xml_entity_declaration(name: str,
                                                                 tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(HIDDEN[name] + "\n" + FEED, encoding="utf-8")
    report = validate_file(path, now=NOW)
    assert [m.rule for m in report.messages] == ["xml-entity-declaration"]


@pytest.mark.parametrize("subset", [
    "",
    "<!-- an <!ENTITY in a comment is not a declaration -->",
    '<?pi <!ENTITY x "y"> ?>',
    '<!ATTLIST feed a CDATA "<!ENTITY x \'y\'>">',
    "<!ELEMENT feed ANY>",
])
def test_subsets_without_entity_declarations_pass(subset: str) -> None:
    refuse_entities(f"<!DOCTYPE feed [{subset}]>\n{FEED}".encode())


def test_a_doctype_without_a_subset_and_a_bracket_in_its_system_id_passes() -> None:
    refuse_entities(f'<!DOCTYPE feed SYSTEM "feed[1].dtd">\n{FEED}'.encode())


def test_a_subset_longer_than_the_head_is_refused_with_its_line() -> None:
    document = "<?xml version='1.0'?>\n<!DOCTYPE feed [<!-- " + "x" * HEAD_BYTES + " -->]>"
    with pytest.raises(XmlRefused) as refused:
        refuse_entities(document.encode())
    assert refused.value.line == 2
    assert "runs past" in refused.value.message


def test_a_prolog_comment_longer_than_the_head_is_refused() -> None:
    document = "<!-- " + "x" * HEAD_BYTES + f" --><!DOCTYPE feed [{ENTITY}]>{FEED}"
    with pytest.raises(XmlRefused, match="runs past"):
        refuse_entities(document.encode())


def test_refusing_stays_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    laughs = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    path.write_text("<!DOCTYPE feed [<?pad ]><!-- ?>" + "".join(laughs) + "]>\n"
                    + FEED.replace("&e;", "&l9;"), encoding="utf-8")
    start = time.perf_counter()
    report = validate_file(path, now=NOW)
    assert time.perf_counter() - start < 0.5
    assert [m.rule for m in report.messages] == ["xml-entity-declaration"]
