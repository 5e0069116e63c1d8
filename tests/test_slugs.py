"""Folder names for tags and authors: safe, distinct and stable."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from feedkit.outputs import safe_relpath
from feedkit.writers.slugs import RESERVED, assign_slugs, base_slug, short_hash

SAFE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def test_hostile_names_get_safe_slugs():
    assert base_slug("../../etc", "tag") == "etc"
    assert base_slug("CON", "tag") == f"con-{short_hash('CON')}"
    assert base_slug("nul", "tag") == f"nul-{short_hash('nul')}"
    assert base_slug("LPT1", "tag") == f"lpt1-{short_hash('LPT1')}"
    assert base_slug("🎉", "tag") == f"tag-{short_hash('🎉')}"
    assert base_slug("", "tag") == f"tag-{short_hash('')}"
    assert base_slug("..", "author") == f"author-{short_hash('..')}"
    assert base_slug("Hyresgästföreningen", "tag") == "hyresgastforeningen"


def test_look_alikes_get_distinct_paths_and_the_first_keeps_the_plain_one():
    slugs = assign_slugs(["C++", "C#", "c", "Segregation", "segregation"], "tag")
    assert slugs["C++"] == "c"
    assert slugs["C#"] == f"c-{short_hash('C#')}"
    assert slugs["c"] == f"c-{short_hash('c')}"
    assert slugs["Segregation"] == "segregation"
    assert slugs["segregation"] == f"segregation-{short_hash('segregation')}"
    assert len(set(slugs.values())) == 5


def test_newer_names_never_move_older_ones():
    older = assign_slugs(["C++", "🎉", "CON"], "tag")
    newer = assign_slugs(["C++", "🎉", "CON", "C#", "🎈", "con"], "tag")
    assert {name: newer[name] for name in older} == older


@given(st.lists(st.text(max_size=12), max_size=12))
def test_any_names_get_distinct_safe_slugs(names: list[str]):
    slugs = assign_slugs(names, "tag")
    assert set(slugs) == set(names)
    assert len(set(slugs.values())) == len(slugs)
    for slug in slugs.values():
        assert SAFE.match(slug), slug
        assert slug.split("-")[0] not in RESERVED or "-" in slug
        assert str(safe_relpath(f"tags/{slug}/atom.xml")) == f"tags/{slug}/atom.xml"
