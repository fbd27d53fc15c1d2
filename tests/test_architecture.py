"""Imports go one way: a module imports only from its own package and from lower layers
(`electra_rtd.LAYERS`), so no two packages form a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import electra_rtd
from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "src" / "electra_rtd"
LAYER_OF = {name: rank for rank, names in enumerate(electra_rtd.LAYERS) for name in names}


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every ``electra_rtd.*`` module a file imports, at any depth (lazy and TYPE_CHECKING too)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return [(line, name) for line, name in found if name.startswith("electra_rtd.")]


def package_of(module_path: Path) -> str:
    """`data` for src/electra_rtd/data/corpus.py, `cli` for src/electra_rtd/cli.py."""
    return module_path.relative_to(PACKAGE).with_suffix("").parts[0]


def upward_imports(modules: dict[str, str]) -> list[str]:
    """``path:line: what`` for each import of a module's own or a higher layer; ``modules`` maps
    a path under src/electra_rtd to its source."""
    problems = []
    for path, text in modules.items():
        source = package_of(PACKAGE / path)
        for line, module in imported_modules(ast.parse(text, filename=path)):
            target = module.split(".")[1]
            if target == source:
                continue
            if source not in LAYER_OF or target not in LAYER_OF:
                problems.append(f"{path}:{line}: {source} or {target} is in no layer")
            elif LAYER_OF[target] >= LAYER_OF[source]:
                problems.append(f"{path}:{line}: {source} imports {module}, not a lower layer")
    return problems


def test_every_package_is_in_one_layer() -> None:
    packages = {package_of(path) for path in PACKAGE.rglob("*.py")} - {"__init__"}
    named = [name for names in electra_rtd.LAYERS for name in names]
    assert len(named) == len(set(named)), named
    assert packages == set(named)


def test_no_module_imports_from_its_own_or_a_higher_layer() -> None:
    modules = {
        str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    assert upward_imports(modules) == []


def test_the_check_catches_upward_and_sideways_imports() -> None:
    problems = upward_imports(
        {
            "data/probe.py": "def f():\n    from electra_rtd.tagging import KeywordTagger\n",
            "text/probe.py": "import electra_rtd.outputs\n",
            "tagging/probe.py": "from electra_rtd.tagging import scoring\nimport electra_rtd.data\n",
        }
    )
    assert problems == [
        "data/probe.py:2: data imports electra_rtd.tagging, not a lower layer",
        "text/probe.py:1: text imports electra_rtd.outputs, not a lower layer",
    ]
