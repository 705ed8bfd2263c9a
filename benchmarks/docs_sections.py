"""Generated sections in the docs: figures are written by the command that measures them.

A section sits between two markers and carries the command that wrote it, when, on which
machine and at which git revision, and a checksum over its body:

    <!-- BEGIN GENERATED: performance-n10000 (make bench) -->
    <!-- Written by `make bench`; do not edit, re-run it. sha256:… -->
    …
    <!-- END GENERATED: performance-n10000 -->

The checksum is not about the figures (they change with every run) but about who wrote
them: `tests/unit/test_generated_sections.py` fails when a section's text no longer matches
its checksum, i.e. when someone edited measured figures by hand.

`python -m benchmarks.docs_sections --check [FILES]` checks the sections of the given files
(default: README.md and docs/*.md). `read_sections` and `table_row` read sections back, for
figures quoted elsewhere (the README: benchmarks/readme_figures.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

ROOT = Path(__file__).resolve().parents[1]

_BEGIN = re.compile(r"^<!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) \((?P<command>[^)]*)\) -->$", re.M)
_CHECKSUM = re.compile(
    r"^<!-- Written by `(?P<command>[^`]*)`; do not edit, re-run it\. sha256:(?P<sum>[0-9a-f]{64}) -->$"
)


class Origin(Protocol):
    """What a section says about where its text comes from (its first line)."""

    @property
    def command(self) -> str: ...

    def line(self) -> str: ...


class SectionError(Exception):
    """A generated section is missing its end marker or was edited by hand."""


@dataclass(frozen=True)
class Provenance:
    """Where and when figures were measured: captured when the measuring command starts."""

    command: str
    started: str
    machine: str
    revision: str

    def line(self) -> str:
        return (
            f"Measured by `{self.command}` on {self.started}, revision `{self.revision}`; "
            f"machine: {self.machine}."
        )


def _memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    if sys.platform == "darwin":
        out = subprocess.run(["sysctl", "-n", "hw.memsize"], capture_output=True, text=True, check=False)
        if out.stdout.strip().isdigit():
            return int(out.stdout.strip())
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_description() -> str:
    """Cores, memory, Python and platform of this machine, in one line."""
    memory = _memory_bytes()
    memory_text = f"{memory / 1024**3:.1f} GiB RAM" if memory else "RAM unknown"
    return (
        f"{os.cpu_count() or '?'} cores ({_cpu_model()}), {memory_text}, "
        f"Python {platform.python_version()}, {platform.platform(terse=True)} {platform.machine()}"
    )


def git_revision(root: Path = ROOT) -> str:
    """The short commit, with `+uncommitted changes` when the work tree differs from it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    ).stdout.strip()
    if not head:
        return "unknown (not a git checkout)"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head}+uncommitted changes" if dirty else head


def provenance(command: str) -> Provenance:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return Provenance(command, started, machine_description(), git_revision())


def checksum(body: str) -> str:
    return hashlib.sha256(body.strip().encode("utf-8")).hexdigest()


def render_section(name: str, origin: Origin, body: str) -> str:
    text = f"{origin.line()}\n\n{body.strip()}"
    return "\n".join(
        [
            f"<!-- BEGIN GENERATED: {name} ({origin.command}) -->",
            f"<!-- Written by `{origin.command}`; do not edit, re-run it. sha256:{checksum(text)} -->",
            text,
            f"<!-- END GENERATED: {name} -->",
        ]
    )


def _span(document: str, name: str) -> tuple[int, int] | None:
    begin = re.search(rf"^<!-- BEGIN GENERATED: {re.escape(name)} \([^)]*\) -->$", document, re.M)
    if begin is None:
        return None
    end_marker = f"<!-- END GENERATED: {name} -->"
    end = document.find(end_marker, begin.end())
    if end < 0:
        raise SectionError(f"section {name!r} has no line {end_marker!r}")
    return begin.start(), end + len(end_marker)


def replace_section(document: str, name: str, section: str, *, chapter: str | None = None) -> str:
    """`document` with section `name` replaced; a new section goes at the end of `chapter`
    (a heading line such as `## Results as measured`), or at the end of the document."""
    span = _span(document, name)
    if span is not None:
        return document[: span[0]] + section + document[span[1] :]
    heading = re.search(rf"^{re.escape(chapter)}$", document, re.M) if chapter else None
    if heading is not None:
        level = chapter.split(" ", 1)[0] if chapter else "##"
        following = re.compile(rf"^#{{1,{len(level)}}} ", re.M).search(document, heading.end())
        end = following.start() if following else len(document)
        before, after = document[:end].rstrip("\n"), document[end:]
        return before + "\n\n" + section + "\n" + ("\n" + after if after else "")
    return document.rstrip("\n") + "\n\n" + section + "\n"


def write_section(path: Path, name: str, origin: Origin, body: str, *, chapter: str | None = None) -> None:
    """Write (or rewrite) one generated section of a document; nothing else in it changes."""
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = replace_section(document, name, render_section(name, origin, body), chapter=chapter)
    path.write_text(updated, encoding="utf-8")


@dataclass(frozen=True)
class SectionCheck:
    name: str
    command: str
    ok: bool
    problem: str = ""


def check_document(document: str) -> list[SectionCheck]:
    """Every generated section of a document, and whether its text still matches its checksum."""
    checks: list[SectionCheck] = []
    for begin in _BEGIN.finditer(document):
        name, command = begin["name"], begin["command"]
        try:
            span = _span(document, name)
        except SectionError as error:
            checks.append(SectionCheck(name, command, False, str(error)))
            continue
        assert span is not None
        inner = document[begin.end() : span[1] - len(f"<!-- END GENERATED: {name} -->")].strip("\n")
        first, _, text = inner.partition("\n")
        stamp = _CHECKSUM.match(first)
        if stamp is None:
            checks.append(SectionCheck(name, command, False, "its checksum line is missing or altered"))
        elif stamp["sum"] != checksum(text):
            checks.append(SectionCheck(name, command, False, f"edited by hand since `{command}` wrote it"))
        else:
            checks.append(SectionCheck(name, command, True))
    return checks


@dataclass(frozen=True)
class Section:
    """A generated section read back: its first line (who measured it, when) and its body."""

    name: str
    command: str
    origin_line: str
    body: str

    @property
    def measured_on(self) -> str:
        """The date in its first line (`2026-11-30 18:08 UTC`), or "an unknown date"."""
        found = re.search(r" on (\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC)", self.origin_line)
        return found[1] if found else "an unknown date"


def read_sections(document: str) -> dict[str, Section]:
    """Every well-formed generated section of a document, by name (checksums not checked here)."""
    found: dict[str, Section] = {}
    for begin in _BEGIN.finditer(document):
        name = begin["name"]
        end = document.find(f"<!-- END GENERATED: {name} -->", begin.end())
        if end < 0:
            continue
        lines = document[begin.end() : end].strip("\n").split("\n")
        if len(lines) < 2 or _CHECKSUM.match(lines[0]) is None:
            continue
        found[name] = Section(name, begin["command"], lines[1], "\n".join(lines[2:]).strip())
    return found


def _plain(cell: str) -> str:
    return cell.strip().replace("**", "").strip("`").strip()


def _cells(line: str) -> list[str]:
    return [_plain(cell) for cell in line.strip().strip("|").split("|")]


def _tables(body: str) -> list[tuple[list[str], list[list[str]]]]:
    """Each Markdown table of a body as (header cells, data rows), markup removed."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    lines = body.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("|---") and index > 0 and lines[index - 1].startswith("|"):
            rows = []
            for following in lines[index + 1 :]:
                if not following.startswith("|"):
                    break
                rows.append(_cells(following))
            tables.append((_cells(lines[index - 1]), rows))
    return tables


def table_rows(body: str) -> list[dict[str, str]]:
    """Every data row of every table of a section body, as {column header: cell}."""
    return [dict(zip(header, row, strict=False)) for header, rows in _tables(body) for row in rows]


def table_cell(body: str, row_label: str, column: str) -> str | None:
    """The cell in `column` of the first row whose first cell starts with `row_label` (markup
    removed), or None when the section has no such row or column."""
    for header, rows in _tables(body):
        if column not in header:
            continue
        for row in rows:
            if row and row[0].startswith(row_label) and len(row) > header.index(column):
                return row[header.index(column)]
    return None


def default_documents(root: Path = ROOT) -> list[Path]:
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]


class ResultsFormatError(Exception):
    """A results file this code cannot read (older format, another command's, not JSON)."""


@dataclass(frozen=True)
class GeneratedSection:
    """A section body, the document it belongs to and the chapter it goes at the end of."""

    name: str
    document: str  # relative to the repository root
    body: str
    chapter: str | None = None


@dataclass(frozen=True)
class Results:
    """What one measuring command produced: its provenance and the sections it writes."""

    kind: str  # "bench", "faults", "soak"
    format: int
    origin: Provenance
    sections: tuple[GeneratedSection, ...]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "kind": self.kind,
            "format": self.format,
            "provenance": self.origin.__dict__,
            "sections": [section.__dict__ for section in self.sections],
        }
        path.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")

    def write_docs(self, root: Path = ROOT) -> list[str]:
        written = []
        for section in self.sections:
            write_section(
                root / section.document, section.name, self.origin, section.body, chapter=section.chapter
            )
            written.append(f"{section.document}: {section.name}")
        return written


def load_results(path: Path, kind: str, expected_format: int, rerun: str) -> Results:
    """Read a results file written by `kind`, or raise one line saying what to run instead."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsFormatError(f"{path}: no such results file; run `{rerun}` to measure") from None
    except (OSError, ValueError) as error:
        raise ResultsFormatError(
            f"{path} is not a results file ({error}); run `{rerun}` to measure again"
        ) from None
    found_kind = payload.get("kind") if isinstance(payload, dict) else None
    found_format = payload.get("format") if isinstance(payload, dict) else None
    if found_kind != kind or found_format != expected_format:
        raise ResultsFormatError(
            f"{path} was written by an older or different command (kind {found_kind!r}, "
            f"format {found_format!r}; this one reads {kind!r} format {expected_format}); "
            f"run `{rerun}` to measure again"
        )
    try:
        return Results(
            kind,
            expected_format,
            Provenance(**payload["provenance"]),
            tuple(GeneratedSection(**section) for section in payload["sections"]),
        )
    except (KeyError, TypeError) as error:
        raise ResultsFormatError(
            f"{path}: incomplete results ({error}); run `{rerun}` to measure again"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.docs_sections", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="check the checksums of generated sections")
    parser.add_argument("files", nargs="*", type=Path)
    arguments = parser.parse_args(argv)
    if not arguments.check:
        parser.error("nothing to do: pass --check (sections are written by make bench / faults / soak)")
    failures = 0
    for path in arguments.files or default_documents():
        for check in check_document(path.read_text(encoding="utf-8")):
            if check.ok:
                print(f"ok      {path.name}: {check.name} (written by `{check.command}`)")
            else:
                failures += 1
                print(
                    f"EDITED  {path.name}: {check.name}: {check.problem}; run `{check.command}` to rewrite it"
                )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
