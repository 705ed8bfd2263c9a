"""Golden files of what people receive, reviewed by eye.

`REGWATCH_UPDATE_GOLDEN=1 pytest tests/unit/test_render_golden.py` rewrites them;
review the diff like code: it is the on-call engineer's 3 a.m. reading.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from destinations.registry import DESTINATIONS, Destination, Preview
from regwatch.event_models import parse_notification
from tests.golden.sample_events import (
    DIGEST_SAMPLES,
    MESSAGING_SAMPLES,
    REMINDER_SAMPLES,
    SAMPLES,
    SOURCE,
    event_for,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("REGWATCH_UPDATE_GOLDEN") == "1"


def _render_function(preview: Preview) -> Callable[..., str]:
    module, _, function = preview.render.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


# Every preview of every registry entry: a new destination gets golden files without an edit here.
PREVIEWS: dict[str, tuple[Destination, Preview]] = {
    preview.name: (spec, preview) for spec in DESTINATIONS for preview in spec.previews
}


def render(channel: str, event: dict[str, Any]) -> str:
    _, preview = PREVIEWS[channel]
    return _render_function(preview)(parse_notification(event, SOURCE), event["detail"])


EVENTS: dict[str, Callable[[], dict[str, Any]]] = {
    **{name: (lambda make=make: event_for(make())) for name, make in SAMPLES.items()},
    **REMINDER_SAMPLES,
    **MESSAGING_SAMPLES,
    **DIGEST_SAMPLES,
}


# The daily digest goes only to destinations whose registry entry renders it (`digest=True`).
CASES = [
    (sample, channel)
    for sample in sorted(EVENTS)
    for channel in sorted(PREVIEWS)
    if sample not in DIGEST_SAMPLES or PREVIEWS[channel][0].digest
]


@pytest.mark.parametrize(("sample", "channel"), CASES)
def test_rendering_matches_golden_file(sample: str, channel: str) -> None:
    suffix = PREVIEWS[channel][1].suffix
    rendered = render(channel, EVENTS[sample]()) + "\n"
    path = GOLDEN / channel / f"{sample}.{suffix}"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with REGWATCH_UPDATE_GOLDEN=1 and review it"
    assert rendered == path.read_text(encoding="utf-8"), (
        f"{channel} rendering of {sample} changed; if intended, regenerate with REGWATCH_UPDATE_GOLDEN=1 "
        "and review the diff"
    )


def test_every_golden_file_has_a_sample() -> None:
    # A renamed sample must not leave a stale golden file nobody reviews.
    names = {p.stem for channel in PREVIEWS for p in (GOLDEN / channel).glob("*.*")}
    assert names, "no golden files found"
    assert names <= set(EVENTS), f"golden files without a sample: {sorted(names - set(EVENTS))}"


def test_every_golden_folder_belongs_to_a_preview() -> None:
    # A destination removed from the registry must not leave golden files nobody renders.
    folders = {p.name for p in GOLDEN.iterdir() if p.is_dir()} - {"recorded", "__pycache__"}
    assert folders == set(PREVIEWS), f"golden folders {sorted(folders)} vs previews {sorted(PREVIEWS)}"
