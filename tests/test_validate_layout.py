"""The validate package's shape: no import cycles (lazy imports included), small
modules (ext/ too), and an __init__ that only re-exports."""

from __future__ import annotations

import ast
from pathlib import Path

import feedkit.validate

PACKAGE = Path(feedkit.validate.__file__).parent
MODULES = {p.stem: p for p in PACKAGE.glob("*.py")}
EVERY_MODULE = {str(p.relative_to(PACKAGE)): p for p in PACKAGE.rglob("*.py")}  # and ext/


def _imports(path: Path) -> set[str]:
    """Modules of the package that `path` imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # "from . import x": the package itself, or its modules
                found.add("__init__")
                found.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [
                a.name for a in node.names]
            for name in names:
                if name and name.startswith("feedkit.validate"):
                    rest = name.removeprefix("feedkit.validate").lstrip(".")
                    found.add(rest.split(".")[0] or "__init__")
    return found


def test_no_module_of_validate_imports_in_a_cycle() -> None:
    graph = {name: _imports(path) & set(MODULES) for name, path in MODULES.items()}
    assert "__init__" not in set().union(*(graph[n] for n in graph if n != "__init__"))
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, " -> ".join((*trail, name))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, (*trail, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
    assert graph["run"] >= {"atom", "rss", "jsonfeed", "messages"}  # the walk saw edges


def test_modules_are_at_most_400_lines() -> None:
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines())
             for name, p in EVERY_MODULE.items()}
    assert any(name.startswith("ext/") for name in sizes)
    assert max(sizes.values()) <= 400, sizes


def test_every_module_says_what_it_is_for() -> None:
    for name, path in EVERY_MODULE.items():
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), name


def test_init_only_re_exports() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    kinds = {type(node).__name__ for node in tree.body[1:]}
    assert kinds <= {"ImportFrom", "Assign"}
    assert sorted(feedkit.validate.__all__) == sorted(
        n for n in feedkit.validate.__all__ if hasattr(feedkit.validate, n))
