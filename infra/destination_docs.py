"""What the docs and cdk.json say about destinations, written from the registry.

    python -m infra.destination_docs          # rewrite cdk.json, README.md and docs/destinations.md
    python -m infra.destination_docs --check  # exit 1 naming each file that is out of date

- cdk.json `context.regwatch`: every key with its default, in declaration order;
- README.md's configuration table: the rows of every destination key (`settings_table_rows`);
- docs/destinations.md: the table of destinations between its REGISTRY TABLE markers.

Adding a destination (a folder and a registry entry) changes these three files only through
this command; tests/unit/test_destination_plugins.py fails while they are out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from destinations.registry import DESTINATIONS, Destination
from infra.config import RegwatchConfig, documented_keys
from infra.destination_config import settings_table_rows

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- BEGIN REGISTRY TABLE (python -m infra.destination_docs) -->"
END = "<!-- END REGISTRY TABLE -->"


def _keys(spec: Destination) -> list[str]:
    return [s.key for s in spec.settings] + list(spec.routing_keys().values())


def cdk_json(text: str) -> str:
    document = json.loads(text)
    defaults = RegwatchConfig.model_validate({}).model_dump(by_alias=True)
    document["context"]["regwatch"] = {key: defaults[key] for key in documented_keys()}
    return json.dumps(document, indent=2) + "\n"


# Keys outside the destination entries whose documentation the registry writes (the digest's list).
REGISTRY_DERIVED_KEYS = ("digestDestinations",)


def _row(key: str) -> str:
    defaults = RegwatchConfig.model_validate({}).model_dump(by_alias=True)
    field = next(f for f in RegwatchConfig.model_fields.values() if f.alias == key)
    return f"| `{key}` | `{json.dumps(defaults[key])}` | {field.description} |"


def readme(text: str) -> str:
    """Replaces the run of destination rows in the configuration table (and the rows of
    REGISTRY_DERIVED_KEYS)."""
    derived = {f"| `{key}` |": _row(key) for key in REGISTRY_DERIVED_KEYS}
    text = "\n".join(
        next((row for start, row in derived.items() if line.startswith(start)), line)
        for line in text.split("\n")
    )
    keys = {key for spec in DESTINATIONS for key in _keys(spec)}
    lines = text.split("\n")
    rows = [
        i
        for i, line in enumerate(lines)
        if line.startswith("| `") and line.split("|")[1].strip().strip("`") in keys
    ]
    if not rows:
        raise ValueError("README.md: no destination rows in the configuration table")
    return "\n".join(lines[: rows[0]] + settings_table_rows(RegwatchConfig) + lines[rows[-1] + 1 :])


def registry_table() -> list[str]:
    rows = [
        "| Destination | Folder | Enabled by | Digest | Golden files | Default severities | "
        "A retry after a timeout can… |",
        "|---|---|---|---|---|---|---|",
    ]
    for spec in DESTINATIONS:
        enabling = ", ".join(f"`{key}`" for key, _ in spec.secrets) or f"`{spec.settings[0].key}`"
        goldens = ", ".join(f"`tests/golden/{p.name}/`" for p in spec.previews)
        severities = ", ".join(spec.routing.severities)
        rows.append(
            f"| `{spec.name}` ({spec.label}) | `lambdas/destinations/{spec.name}/` | {enabling} | "
            f"{'yes' if spec.digest else 'no'} | {goldens} | {severities} | {spec.duplicates} |"
        )
    return rows


def destinations_doc(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END)
    return text[: start + len(BEGIN)] + "\n" + "\n".join(registry_table()) + "\n" + text[end:]


FILES = {"cdk.json": cdk_json, "README.md": readme, "docs/destinations.md": destinations_doc}


def out_of_date(root: Path = ROOT) -> list[str]:
    return [
        name
        for name, write in FILES.items()
        if write((root / name).read_text(encoding="utf-8")) != (root / name).read_text(encoding="utf-8")
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--check"]:
        stale = out_of_date()
        for name in stale:
            print(f"{name} is out of date with the registry: run python -m infra.destination_docs")
        return 1 if stale else 0
    if args:
        print("usage: python -m infra.destination_docs [--check]", file=sys.stderr)
        return 2
    for name, write in FILES.items():
        path = ROOT / name
        path.write_text(write(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
