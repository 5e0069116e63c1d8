"""docs/rules.md explains every rule id; the pre-commit hooks file is valid."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from feedkit.validate.rules import RULES, W3C

ROOT = Path(__file__).resolve().parent.parent


def test_rules_md_has_one_section_per_rule_with_its_severity_and_a_fix() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (\S+)\n(.*?)(?=^##|\Z)", text, re.M | re.S))
    assert sorted(sections) == sorted(RULES)
    for rule, body in sections.items():
        assert body.startswith(f"{RULES[rule][0]}. "), rule
        assert "Fix:" in body, rule
        names = [f"`{name.strip()}`" for name in W3C.get(rule, "").split(",") if name]
        assert ("W3C: " + ", ".join(names) + ".\n" in body) == bool(names), rule


def test_pre_commit_hooks_run_feedkit_validate() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"feedkit-validate", "feedkit-validate-feeds"}
    for hook in hooks:
        assert hook["entry"].startswith("feedkit validate")
        re.compile(hook["files"])
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert "--format github" in ci and "feedkit-validate" in ci
