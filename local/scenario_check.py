"""A scenario file that cannot be played is one line naming the file and the fix, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path


def scenario_problem(path: Path) -> str | None:
    """Why a scenario file cannot be played (one line naming the file and the fix), or None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return (
            f"scenario file {path} does not exist: pass an existing file to --scenario "
            "(format: docs/emulator.md)"
        )
    except (OSError, UnicodeDecodeError) as error:
        return f"scenario file {path} cannot be read: {error}"
    except json.JSONDecodeError as error:
        return (
            f"scenario file {path} is not JSON (line {error.lineno}, column {error.colno}: {error.msg}): "
            "fix it (format: docs/emulator.md)"
        )
    if not isinstance(data, dict):
        return f"scenario file {path} must hold a JSON object with `registrations` (format: docs/emulator.md)"
    return None
