"""The `regwatch` console script: declared in pyproject.toml, and installable on its own.

`make install` installs this project (`pip install --no-deps -e .`), which installs only the
packages pyproject.toml lists; the command must therefore import nothing else of this
repository (not local/, infra/, tests/, benchmarks/ or a function package), and nothing
in lambdas/ may import the command (tests/unit/test_architecture.py).
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REPOSITORY_PACKAGES = {
    p.name for base in (ROOT, ROOT / "lambdas") for p in base.iterdir() if (p / "__init__.py").exists()
}


def _imported_top_names(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_the_console_script_points_at_a_callable_main() -> None:
    target = PYPROJECT["project"]["scripts"]["regwatch"]
    module_name, _, attribute = target.partition(":")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_the_command_imports_only_installed_packages_of_this_repository() -> None:
    installed = set(PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
    used = _imported_top_names(ROOT / "regwatch_cli") & REPOSITORY_PACKAGES
    assert used <= installed, (
        f"regwatch_cli imports {sorted(used - installed)}, which `pip install .` leaves out"
    )
    assert "regwatch_cli" in installed
