"""Import directions of the layers in lambdas/, checked on the source itself.

    regwatch/          pure domain: no SDK, no environment, no presentation, no handlers
    regwatch_aws/      AWS adapters: may use the domain, never alerts or handlers
    regwatch_alerts/   what a person reads: may use the domain, never adapters or handlers
    function_support/  settings parsing and lazy values shared by the handlers: pure
    destinations/      the destination registry (plain data, standard library only: infra
                       imports it at synth) and one folder per destination holding its
                       settings, rendering and delivery, which may use every layer above,
                       never a function package
    every other package in lambdas/ is a function (handler + settings) and may use all of the above

Nothing in lambdas/ imports infra/, local/, tests/ or benchmarks/ (the bundle ships
lambdas/ only), and no package imports another in a circle. A violation fails here
before it becomes a design habit. docs/architecture.md describes the same rules.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAMBDAS = ROOT / "lambdas"
DOMAIN = "regwatch"
ADAPTERS = "regwatch_aws"
ALERTS = "regwatch_alerts"
SUPPORT = "function_support"
DESTINATIONS = "destinations"
LIBRARY_PACKAGES = frozenset({DOMAIN, ADAPTERS, ALERTS, SUPPORT, DESTINATIONS})
SDKS = frozenset({"boto3", "botocore", "slack_sdk", "urllib3"})
OUTSIDE_THE_BUNDLE = frozenset({"infra", "local", "tests", "benchmarks", "aws_cdk", "regwatch_cli"})


def _packages() -> list[str]:
    return sorted(p.name for p in LAMBDAS.iterdir() if (p / "__init__.py").exists())


FUNCTION_PACKAGES = frozenset(name for name in _packages() if name not in LIBRARY_PACKAGES)

# What each library layer must not import (besides infra/local/tests/benchmarks for everyone).
FORBIDDEN: dict[str, frozenset[str]] = {
    DOMAIN: SDKS | {ADAPTERS, ALERTS, SUPPORT, DESTINATIONS} | FUNCTION_PACKAGES,
    ADAPTERS: {ALERTS, DESTINATIONS} | FUNCTION_PACKAGES,
    ALERTS: SDKS | {ADAPTERS, SUPPORT, DESTINATIONS} | FUNCTION_PACKAGES | {"aws_lambda_powertools"},
    SUPPORT: SDKS | {ADAPTERS, ALERTS, DESTINATIONS} | FUNCTION_PACKAGES,
    DESTINATIONS: FUNCTION_PACKAGES,
}
REGISTRY = LAMBDAS / DESTINATIONS / "registry.py"


# The contract's consumer model (regwatch/event_models.py) is a Powertools parser model;
# the rest of Powertools (Logger, Metrics, idempotency) belongs to handlers and adapters.
POWERTOOLS_ALLOWED_IN_DOMAIN = "aws_lambda_powertools.utilities.parser"


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


def _files(package: str) -> list[Path]:
    return sorted((LAMBDAS / package).rglob("*.py"))


def _ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_layers_exist() -> None:
    for package in LIBRARY_PACKAGES:
        assert len(_files(package)) >= 2, f"lambdas/{package} is missing or empty"
    assert {"scanner"} <= FUNCTION_PACKAGES


@pytest.mark.parametrize("path", [p for package in sorted(FORBIDDEN) for p in _files(package)], ids=_ids)
def test_library_layers_import_only_downwards(path: Path) -> None:
    layer = path.relative_to(LAMBDAS).parts[0]
    bad = sorted(name for name in _imports(path) if _top(name) in FORBIDDEN[layer])
    if layer in {DOMAIN, ALERTS}:
        bad += sorted(
            name
            for name in _imports(path)
            if _top(name) == "aws_lambda_powertools" and not name.startswith(POWERTOOLS_ALLOWED_IN_DOMAIN)
        )
    assert not bad, f"{_ids(path)} imports {bad}: lambdas/{layer} must not depend on them"


@pytest.mark.parametrize("path", [p for p in LAMBDAS.rglob("*.py")], ids=_ids)
def test_lambda_code_never_imports_outside_the_bundle(path: Path) -> None:
    bad = sorted(name for name in _imports(path) if _top(name) in OUTSIDE_THE_BUNDLE)
    assert not bad, f"{_ids(path)} imports {bad}; the Lambda bundle ships lambdas/ only"


@pytest.mark.parametrize("path", [p for p in LAMBDAS.rglob("*.py") if p.name != "settings.py"], ids=_ids)
def test_only_settings_modules_read_the_environment(path: Path) -> None:
    assert not _reads_environment(path), (
        f"{_ids(path)} reads os.environ; parse it once in the function's settings.py"
    )


def _imported_names(path: Path) -> set[str]:
    """Like _imports, but `from pkg import mod` also names `pkg.mod` (resolved below)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _module_graph(roots: list[Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for root in roots:
        for path in root.rglob("*.py"):
            if {".venv", "node_modules", "cdk.out", ".build"} & set(path.parts):
                continue
            relative = path.relative_to(root).with_suffix("")
            parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
            graph[".".join(parts)] = _imported_names(path)
    modules = set(graph)
    resolved: dict[str, set[str]] = {}
    for module, imported in graph.items():
        edges: set[str] = set()
        for name in imported:
            # The longest prefix that is a module: `a.b.c` is module a.b.c or attribute c of a.b.
            candidates = [name, *[name.rsplit(".", k)[0] for k in range(1, name.count(".") + 1)]]
            target = next((c for c in candidates if c in modules), None)
            if target is not None and target != module:
                edges.add(target)
        resolved[module] = edges
    return resolved


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_import_cycles_between_modules() -> None:
    lambdas_graph = _module_graph([LAMBDAS])
    project_graph = {
        k: v for k, v in _module_graph([ROOT]).items() if _top(k) in {"infra", "local", "benchmarks", "app"}
    }
    for name, graph in (("lambdas", lambdas_graph), ("infra/local/benchmarks", project_graph)):
        cycle = _cycle(graph)
        assert cycle is None, f"import cycle in {name}: {' -> '.join(cycle or [])}"


def test_the_registry_is_plain_data_importable_anywhere() -> None:
    """infra/ imports the registry at synth time: no SDK, no other layer, no side effects."""
    imported = {_top(name) for name in _imports(REGISTRY)}
    assert imported <= {"__future__", "collections", "dataclasses", "enum", "typing"}, imported


def test_infra_and_local_use_only_the_registry_of_the_destinations() -> None:
    """Delivery code runs in the Lambda only: infra/local read the registry, never a delivery."""
    for folder in ("infra", "local"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            bad = sorted(
                name
                for name in _imports(path)
                if _top(name) == DESTINATIONS and name not in {"destinations.registry", "destinations"}
            )
            assert not bad, f"{_ids(path)} imports {bad}; use destinations.registry"


def test_every_registry_entry_names_code_that_exists_in_its_own_folder() -> None:
    """A registry entry's delivery and previews are functions in lambdas/destinations/<name>/
    (a destination is one folder); its handler is the one notifier's."""
    from destinations.registry import DESTINATIONS, NOTIFIER_HANDLER

    paths = [NOTIFIER_HANDLER]
    for spec in DESTINATIONS:
        own = [spec.delivery, *(preview.render for preview in spec.previews)]
        outside = [path for path in own if not path.startswith(spec.package + ".")]
        assert not outside, f"{spec.name}: {outside} live outside lambdas/destinations/{spec.name}/"
        assert spec.handler == NOTIFIER_HANDLER, f"{spec.name}: every notifier runs {NOTIFIER_HANDLER}"
        paths += own
    for path in paths:
        module, _, function = path.replace(".lambda_handler", ":lambda_handler").partition(":")
        source = LAMBDAS / (module.replace(".", "/") + ".py")
        assert source.exists(), f"{path}: {source} does not exist"
        assert callable(getattr(importlib.import_module(module), function, None)), (
            f"{path}: {function} is not a function of {source}"
        )


DESTINATION_FOLDERS = sorted(p for p in (LAMBDAS / DESTINATIONS).iterdir() if (p / "__init__.py").exists())


@pytest.mark.parametrize(
    "path", [p for folder in DESTINATION_FOLDERS for p in sorted(folder.rglob("*.py"))], ids=_ids
)
def test_a_destination_imports_no_other_destination(path: Path) -> None:
    """A destination is self-contained: it may use the shared modules of destinations/
    (contract, http_post), never another destination's folder."""
    own = path.relative_to(LAMBDAS / DESTINATIONS).parts[0]
    others = {f.name for f in DESTINATION_FOLDERS} - {own}
    bad = sorted(
        name for name in _imports(path) if name.split(".")[:2][-1] in others and _top(name) == DESTINATIONS
    )
    assert not bad, f"{_ids(path)} imports {bad}: destinations/{own}/ must not depend on another destination"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
