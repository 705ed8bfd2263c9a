"""A destination is one folder, one registry entry and one local sink: nothing else names it.

For every entry of lambdas/destinations/registry.py: its code lives in
lambdas/destinations/<name>/, its local sink in local/sinks/<name>.py, its golden files are
generated from its previews, and the derived files (cdk.json, README rows, the table in
docs/destinations.md) are up to date. The generic machinery (infra/, the notifier, the
alert content, the demo's sink loader, the fault pipeline's destinations, the golden test)
must not name any destination: not its name, its config keys, its environment variables or
its package. A destination that needed an edit there fails here (the scanner is tested on a
snippet that names one).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from destinations.registry import DESTINATIONS, Destination
from infra.destination_docs import out_of_date
from local.built_in_destinations import BUILT_IN
from local.sinks import LocalSink, opt_in_destinations

ROOT = Path(__file__).resolve().parents[2]
FOLDER_FILES = ("__init__.py", "settings.py", "render.py", "delivery.py")
# The generic machinery: it works for any entry, so it names none.
GENERIC = sorted(
    [
        *(ROOT / "infra").glob("*.py"),
        *(ROOT / "lambdas" / "notifier").glob("*.py"),
        *(ROOT / "lambdas" / "regwatch_alerts").glob("*.py"),
        *(p for p in (ROOT / "lambdas" / "destinations").glob("*.py") if p.name != "registry.py"),
        ROOT / "local" / "destination_sinks.py",
        ROOT / "local" / "sinks" / "__init__.py",
        ROOT / "tests" / "faults" / "destinations.py",
        ROOT / "tests" / "unit" / "test_render_golden.py",
    ]
)


def _names_of(spec: Destination) -> set[str]:
    """Every string that would show code knowing this destination."""
    keys = {s.key for s in spec.settings} | set(spec.routing_keys().values())
    envs = {s.env for s in spec.settings if s.env} | {env for _, env in spec.secrets}
    return {spec.name, spec.construct_id, *keys, *envs}


def naming(source: str, specs: tuple[Destination, ...] = DESTINATIONS) -> list[str]:
    """(destination: what) for each string constant or import in `source` that names one."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [node.value]
        elif isinstance(node, ast.ImportFrom) and node.module:
            texts = [node.module]
        elif isinstance(node, ast.Import):
            texts = [alias.name for alias in node.names]
        for text in texts:
            for spec in specs:
                if text in _names_of(spec) or text.startswith(f"{spec.package}.") or text == spec.package:
                    found.append(f"{spec.name}: {text!r} (line {getattr(node, 'lineno', '?')})")
    return found


def test_the_scanner_finds_a_destination_named_in_generic_code() -> None:
    pagerduty = next(s for s in DESTINATIONS if s.name == "pagerduty")
    snippet = (
        "from destinations.pagerduty.render import preview\n"
        'NAMES = {"pagerduty": 1}\n'
        'key = "pagerdutyRoutingKeySecret"\n'
        'env = {"PAGERDUTY_EVENTS_URL": "x"}\n'
        'print("a pagerduty incident")  # prose is fine\n'
    )
    assert len(naming(snippet, (pagerduty,))) == 4
    assert naming('print("the Teams workflow")', DESTINATIONS) == []


@pytest.mark.parametrize("path", GENERIC, ids=lambda p: str(p.relative_to(ROOT)))
def test_generic_code_names_no_destination(path: Path) -> None:
    found = naming(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(ROOT)} names {found}: derive it from the registry entry instead "
        "(a destination is its folder, its registry entry and its local sink)"
    )


@pytest.mark.parametrize("spec", DESTINATIONS, ids=lambda s: s.name)
def test_a_destination_is_one_folder(spec: Destination) -> None:
    folder = ROOT / "lambdas" / "destinations" / spec.name
    missing = [name for name in FOLDER_FILES if not (folder / name).exists()]
    assert not missing, f"lambdas/destinations/{spec.name}/ lacks {missing}"
    for path in (spec.delivery, *(p.render for p in spec.previews)):
        assert path.startswith(f"{spec.package}."), f"{spec.name}: {path} is outside its folder"


@pytest.mark.parametrize("name", opt_in_destinations(), ids=str)
def test_every_destination_has_a_local_sink(name: str) -> None:
    assert (ROOT / "local" / "sinks" / f"{name}.py").exists(), f"local/sinks/{name}.py is missing"
    module = importlib.import_module(f"local.sinks.{name}")
    assert callable(getattr(module, "start", None)), f"local/sinks/{name}.py has no start()"
    sinks = [
        v
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, LocalSink) and v.name == name
    ]
    assert len(sinks) == 1, f"local/sinks/{name}.py defines no LocalSink named {name!r}"
    for method in ("secret_value", "delivered", "write_preview", "summary"):
        assert getattr(sinks[0], method) is not getattr(LocalSink, method), (
            f"{name}: {method} not implemented"
        )


def test_built_in_sinks_are_registry_entries() -> None:
    assert set(BUILT_IN) <= {spec.name for spec in DESTINATIONS}


@pytest.mark.parametrize("spec", DESTINATIONS, ids=lambda s: s.name)
def test_every_preview_has_golden_files(spec: Destination) -> None:
    for preview in spec.previews:
        files = list((ROOT / "tests" / "golden" / preview.name).glob(f"*.{preview.suffix}"))
        assert len(files) >= 10, f"tests/golden/{preview.name}/: generate with REGWATCH_UPDATE_GOLDEN=1"


def test_the_derived_files_are_up_to_date() -> None:
    assert out_of_date() == [], "run python -m infra.destination_docs"
