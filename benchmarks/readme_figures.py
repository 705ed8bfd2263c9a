"""The README's measured figures, quoted from the generated sections of docs/.

    python -m benchmarks.readme_figures           # rewrite README.md's section `readme-figures`
    python -m benchmarks.readme_figures --check   # exit 1 when it no longer matches the docs

The README carries no figure of its own: each line of its `readme-figures` section quotes
named rows and lines of a generated section of docs/performance.md or docs/reliability.md
and says which section and when it was measured. Every command that writes those sections
(`make bench`, `make faults`, `make soak`) rewrites the README after them
(`write_docs_and_readme`); a section not written yet is reported as such, with the command
that writes it. The quote has no date of its own, so quoting unchanged docs changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.docs_sections import (
    ROOT,
    Results,
    Section,
    read_sections,
    render_section,
    replace_section,
    table_rows,
)

README = "README.md"
SECTION = "readme-figures"
COMMAND = "python -m benchmarks.readme_figures"
CHAPTER = "## Figures (measured, see docs/performance.md and docs/reliability.md)"
PERFORMANCE = "docs/performance.md"
RELIABILITY = "docs/reliability.md"
MISSING = "–"


@dataclass(frozen=True)
class Quotation:
    """The first line of the README's section: it quotes, it does not measure."""

    command: str = COMMAND

    def line(self) -> str:
        return (
            f"Quoted by `{self.command}` from the generated sections of docs/ named after each figure "
            "(each says when, on which machine and at which git revision it was measured); every "
            "command that writes one of them rewrites this."
        )


@dataclass(frozen=True)
class Quote:
    """One README line and the sections it quotes (document, section name)."""

    title: str
    sources: tuple[tuple[str, str], ...]
    text: Callable[[dict[str, Section]], str]  # gets the sources found (at least one)
    writer: str  # the command that writes the sources, for when they are missing


def _row(section: Section, label: str) -> dict[str, str] | None:
    """The first table row of a section whose first cell starts with `label`."""
    for row in table_rows(section.body):
        first = next(iter(row.values()), "")
        if first.startswith(label):
            return row
    return None


def _cell(section: Section, label: str, column: str) -> str:
    row = _row(section, label)
    return row.get(column, MISSING) if row else MISSING


def _line(section: Section, prefix: str) -> str | None:
    return next((line for line in section.body.splitlines() if line.startswith(prefix)), None)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").rstrip("×*").strip())
    except ValueError:
        return None


def scale(name: str) -> Callable[[dict[str, Section]], str]:
    """One size of `make bench`: SMS calls (against the naive poller when it ran), memory, detection."""

    def text(found: dict[str, Section]) -> str:
        section = found[name]
        heading = (_line(section, "### ") or f"### {name}").removeprefix("### ")
        naive, regwatch = (
            _cell(section, "SMS API calls, total", "naive"),
            _cell(section, "SMS API calls, total", "regwatch"),
        )
        ratio = _cell(section, "SMS API calls, total", "naive/regwatch")
        against = (
            f" against {naive} for a naive poller (**{ratio}** fewer)" if _number(naive) is not None else ""
        )
        detection = _row(section, "Transitions detected / injected")
        detected = (
            f"; {next(iter(detection.values())).lower()}: {detection.get('regwatch', MISSING)}"
            if detection
            else ""
        )
        units = _cell(section, "DynamoDB read units", "regwatch")
        reads = f", {units} DynamoDB read units" if units != MISSING else ""
        steady_rss = _cell(section, "Peak RSS of the scanner process, steady-state", "regwatch")
        first_rss = _cell(section, "Peak RSS of the scanner process, baseline", "regwatch")
        paced = _cell(section, "API-paced time", "regwatch")
        pacing = (
            f", about {paced} s paced as deployed (0.8 calls/s per operation)" if paced != MISSING else ""
        )
        return (
            f"{heading}: a steady-state scan made **{regwatch} SMS API calls**{against}{pacing}{reads}; "
            "peak RSS of the "
            f"scanner process {steady_rss} MB in a steady-state scan, {first_rss} MB in the first "
            f"scan{detected}."
        )

    return text


def alert_latency(found: dict[str, Section]) -> str:
    """Change → Slack p99 on both paths, and whether any change was missed."""
    section = found["performance-latency"]
    rows = [row for row in table_rows(section.body) if row.get("Destination") == "Slack post"]
    by_run = {row.get("Run", ""): row for row in rows}
    native = by_run.get("native events delivered", {})
    dropped = by_run.get("native events all dropped", {})
    goal = (_line(section, "- Native-event path") or "").removeprefix("- ")
    goal = f"goal {goal[:1].lower()}{goal[1:]}; " if goal else ""
    missed = (_line(section, "- No change missed") or "").removeprefix("- ")
    missed = missed[:1].lower() + missed[1:] if missed else "missed changes not reported"
    native_p50, native_p99 = native.get("p50", MISSING), native.get("p99", MISSING)
    dropped_p50, dropped_p99 = dropped.get("p50", MISSING), dropped.get("p99", MISSING)
    return (
        f"change at AWS → Slack post p50 / p99 **{native_p50} / {native_p99} s** "
        f"with AWS's native events delivered, {dropped_p50} / {dropped_p99} s "
        "with every native event dropped (the schedule catches them; the benchmark's schedule is "
        f"compressed, see the section); {goal}{missed}."
    )


def org_scale(found: dict[str, Section]) -> str:
    line = _line(found["performance-org-scale"], "Against the issue's targets:")
    return line.removeprefix("Against the issue's targets: ") if line else "(no summary line in the section)"


def faults(found: dict[str, Section]) -> str:
    plain = table_rows(found["reliability-faults"].body) if "reliability-faults" in found else []
    destinations = found.get("reliability-faults-destinations")
    extra = table_rows(destinations.body) if destinations else []
    rows = plain + extra
    lost = sum(_number(row.get("Lost", "")) or 0 for row in rows)
    duplicated = [row for row in rows if (_number(row.get("Duplicates", "")) or 0) > 0]
    duplicates = sum(_number(row["Duplicates"]) or 0 for row in duplicated)
    expected = sum(1 for row in rows if row.get("As expected") == "yes")
    more = (
        f" and {len(extra)} more adding another destination"
        if destinations
        else " (the rows adding another destination not written yet)"
    )
    named = ", ".join(f"`{row['Fault (row id)']}`" for row in duplicated)
    why = (
        f" in {named}: a webhook without an idempotency key that accepted a post after the client timed "
        "out gets it twice, as those rows expect"
        if named
        else ""
    )
    return (
        f"{len(plain)} fault rows through Slack and SNS{more}: **{lost:g}** alerts lost, "
        f"**{duplicates:g}** duplicate(s){why}; {expected} of {len(rows)} rows as expected."
    )


def soak(found: dict[str, Section]) -> str:
    section = found["reliability-soak"]
    verdict_line = _line(section, "Invariants:") or ""
    verdict = (
        "every invariant held"
        if "**All held.**" in verdict_line
        else "violated: " + verdict_line.partition("**Violated:**")[2].strip().rstrip(".")
    )
    return (
        f"{_cell(section, 'Transitions injected', 'Value')} transitions injected (revealed / hidden), "
        f"lost Slack / SNS {_cell(section, 'Lost: Slack / SNS', 'Value')}, late-accept Slack duplicates "
        f"{_cell(section, 'Duplicates: Slack', 'Value')}, dead-lettered / redriven / left in DLQs "
        f"{_cell(section, 'Dead-lettered / redriven / left in DLQs', 'Value')}; {verdict}."
    )


def first_scan(found: dict[str, Section]) -> str:
    section = found["performance-first-scan"]
    rows = {label: _row(section, label) for label in ("First actionable", "All actionable", "100 %", "Invoc")}

    def both(label: str) -> str:
        row = rows[label]
        values = list(row.values())[1:3] if row else []
        return " / ".join(values) if len(values) == 2 else MISSING

    header = next(iter(table_rows(section.body)), {})
    columns = list(header)[1:2]
    size = columns[0].rpartition(", triage")[0] if columns else MISSING
    return (
        f"{size}, paced at 0.8 call/s per operation, triage-first / listing order: first actionable alert "
        f"{both('First actionable')}, all actionable alerted {both('All actionable')}, everything read "
        f"{both('100 %')} ({both('Invoc')} invocations)."
    )


def steady_state(found: dict[str, Section]) -> str:
    """Delivered and all-dropped at the default rate (adaptive listing where it ran, against a
    full listing every schedule), and the stress row."""
    section = found["performance-steady-state"]
    rows = table_rows(section.body)
    setup = (_line(section, "N = ") or MISSING).split(";")[0]
    default_rate = rows[0].get("Run", "").split(",")[0] if rows else MISSING

    def pick(delivery: str, listing: str, stress: bool = False) -> dict[str, str]:
        """The run's row in that listing mode, else in the other (stress: the other rate's)."""
        chosen = [
            r
            for r in rows
            if r.get("Run", "").endswith(delivery)
            and (r.get("Run", "").split(",")[0] != default_rate) == stress
        ]
        preferred = [r for r in chosen if r.get("Listing", "").startswith(listing)]
        return (preferred or chosen or [{}])[0]

    delivered, dropped = pick("all delivered", "adaptive"), pick("all dropped", "adaptive")
    full, stress = pick("all delivered", "full"), pick("all delivered", "adaptive", stress=True)
    versions = "DescribeRegistrationVersions"

    def listing(row: dict[str, str]) -> str:
        return row.get("Listing", MISSING).replace(" (", ", ").replace(")", "")

    return (
        f"{setup}; {delivered.get('Run', MISSING)}, {listing(delivered)}: **DescribeRegistrations "
        f"{delivered.get('DescribeRegistrations', MISSING)}** of its 1 call/s quota over the hour "
        f"({full.get('DescribeRegistrations', MISSING)} with a full listing every schedule), "
        f"{versions} {delivered.get(versions, MISSING)}; detection p50 / p99 / max "
        f"**{delivered.get('Detection delay p50 / p99 / max', MISSING)}**; {dropped.get('Run', MISSING)}, "
        f"{listing(dropped)}: missed **{dropped.get('Missed', MISSING)}**, detection "
        f"{dropped.get('Detection delay p50 / p99 / max', MISSING)}; stress {stress.get('Run', MISSING)}, "
        f"{listing(stress)}: DescribeRegistrations {stress.get('DescribeRegistrations', MISSING)}, "
        f"{versions} {stress.get(versions, MISSING)}."
    )


QUOTES = (
    Quote(
        "Scale, 10,000 registrations",
        ((PERFORMANCE, "performance-n10000"),),
        scale("performance-n10000"),
        "make bench ARGS=--sizes 10000",
    ),
    Quote(
        "Scale, 100,000 registrations",
        ((PERFORMANCE, "performance-n100000"),),
        scale("performance-n100000"),
        'make bench ARGS="--sizes 100000 --steady-scans 1 --no-cold-start"',
    ),
    Quote(
        "Alert latency",
        ((PERFORMANCE, "performance-latency"),),
        alert_latency,
        'make bench ARGS="--scenario latency"',
    ),
    Quote(
        "Organization scale",
        ((PERFORMANCE, "performance-org-scale"),),
        org_scale,
        "make bench ARGS=--org-scale",
    ),
    Quote(
        "First scan at the deployed pace",
        ((PERFORMANCE, "performance-first-scan"),),
        first_scan,
        "make bench ARGS=--first-scan",
    ),
    Quote(
        "A steady-state hour at the deployed pace",
        ((PERFORMANCE, "performance-steady-state"),),
        steady_state,
        "make bench ARGS=--steady-state",
    ),
    Quote(
        "Fault injection",
        ((RELIABILITY, "reliability-faults"), (RELIABILITY, "reliability-faults-destinations")),
        faults,
        "make faults",
    ),
    Quote("A simulated day of chaos", ((RELIABILITY, "reliability-soak"),), soak, "make soak"),
)


def _anchor(document: str) -> str:
    return f"[{document}]({document})"


def quote_body(root: Path = ROOT) -> str:
    """The README section's body, from the docs as they are under `root`."""
    documents: dict[str, dict[str, Section]] = {}
    for document in {document for quote in QUOTES for document, _ in quote.sources}:
        path = root / document
        documents[document] = read_sections(path.read_text(encoding="utf-8")) if path.exists() else {}
    lines = []
    for quote in QUOTES:
        found = {
            name: documents[document][name] for document, name in quote.sources if name in documents[document]
        }
        if not found:
            names = " or ".join(f"`{name}`" for _, name in quote.sources)
            lines.append(
                f"- **{quote.title}**: not measured yet (no section {names} in the docs; "
                f"`{quote.writer}` writes it)."
            )
            continue
        where = "; ".join(
            f"{_anchor(document)}, section `{name}`, measured {found[name].measured_on}"
            for document, name in quote.sources
            if name in found
        )
        lines.append(f"- **{quote.title}**: {quote.text(found)} ({where})")
    return "\n".join(lines)


def render_readme_section(root: Path = ROOT) -> str:
    return render_section(SECTION, Quotation(), quote_body(root))


def write_readme_figures(root: Path = ROOT) -> str:
    """Rewrite the README's section from the docs; returns what was written, for the log."""
    path = root / README
    document = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(replace_section(document, SECTION, render_readme_section(root), chapter=CHAPTER), "utf-8")
    return f"{README}: {SECTION} (quoted from docs/)"


def readme_is_current(root: Path = ROOT) -> bool:
    """Whether the README's section is exactly what quoting the docs now would write."""
    path = root / README
    return path.exists() and render_readme_section(root) in path.read_text(encoding="utf-8")


def write_docs_and_readme(results: Results, root: Path = ROOT) -> list[str]:
    """Write a measuring command's sections, then the README's quotes of them."""
    return [*results.write_docs(root), write_readme_figures(root)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the README's quotes are stale")
    arguments = parser.parse_args(argv)
    if arguments.check:
        if readme_is_current():
            print(f"ok      {README}: {SECTION} quotes the docs as they are")
            return 0
        print(f"STALE   {README}: {SECTION} no longer matches the docs; run `{COMMAND}`")
        return 1
    print(f"wrote {write_readme_figures()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
