"""Import directions of the architecture sketch, checked on the source itself.

The domain (lambdas/regwatch, minus adapters) must stay pure: no boto3, no
environment, no handler/infra/local imports. Handlers and adapters never reach into
infra or local. A violation fails here before it becomes a design habit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAMBDAS = ROOT / "lambdas"
DOMAIN = LAMBDAS / "regwatch"
HANDLER_PACKAGES = ("scanner", "notify_common", "notify_slack", "notify_sns")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _reads_environment(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"environ", "getenv"}
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        ):
            return True
    return False


def _top(name: str) -> str:
    return name.split(".", maxsplit=1)[0]


def _domain_files() -> list[Path]:
    return [p for p in DOMAIN.rglob("*.py") if "adapters" not in p.relative_to(DOMAIN).parts]


def test_there_is_domain_code_to_check() -> None:
    assert len(_domain_files()) >= 3


@pytest.mark.parametrize("path", _domain_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_is_pure(path: Path) -> None:
    imported = _imports(path)
    forbidden = {"boto3", "botocore", "infra", "local", "aws_cdk", *HANDLER_PACKAGES}
    bad = sorted(name for name in imported if _top(name) in forbidden)
    bad += sorted(name for name in imported if name.startswith("regwatch.adapters"))
    assert not bad, f"{path.name} imports {bad}: the domain must not depend on AWS SDKs, adapters or handlers"
    assert not _reads_environment(path), f"{path.name} reads the environment; only settings modules may"


@pytest.mark.parametrize(
    "path",
    [p for p in LAMBDAS.rglob("*.py")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_lambda_code_never_imports_infra_or_local(path: Path) -> None:
    bad = sorted(name for name in _imports(path) if _top(name) in {"infra", "local", "tests", "benchmarks"})
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}; the Lambda bundle ships lambdas/ only"


@pytest.mark.parametrize(
    "path",
    [p for p in (DOMAIN / "adapters").rglob("*.py")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_adapters_never_import_handlers(path: Path) -> None:
    bad = sorted(name for name in _imports(path) if _top(name) in HANDLER_PACKAGES)
    assert not bad, f"{path.name} imports handler code {bad}"


@pytest.mark.parametrize(
    "path",
    [p for p in LAMBDAS.rglob("*.py") if p.name != "settings.py"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_settings_modules_read_the_environment(path: Path) -> None:
    assert not _reads_environment(path), (
        f"{path.relative_to(ROOT)} reads os.environ; parse it once in the function's settings.py"
    )
