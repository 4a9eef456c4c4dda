"""The monthly/quarterly review as Markdown."""

from __future__ import annotations

from warroom.metrics.definitions import RATE_DEFINITIONS, format_duration
from warroom.metrics.review import Review

KIND_LABELS = {
    "incident": "declared incidents (P0/P1 by default)",
    "ticket": "tickets",
    "unknown": "severity no longer in the playbook",
}
QUARTERLY_PROMPTS = (
    "Playbook effectiveness review",
    "Tool and process improvements",
    "Team training needs",
    "Automation opportunities",
)


def percent(value: float | None) -> str:
    """``66.7%``; '—' when there is nothing to divide."""
    return "—" if value is None else f"{100 * value:.1f}%"


def _ratio(value: float | None) -> str:
    return "— (no changes recorded)" if value is None else f"{value:.2f}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(review: Review) -> str:
    """The whole review document."""
    m = review.metrics
    title = "Monthly" if review.kind == "monthly" else "Quarterly"
    scope = f" — service {m.service}" if m.service else ""
    lines = [
        f"# {title} incident review — {review.period.label}{scope}",
        "",
        f"{review.organization}: incidents detected from {m.start:%Y-%m-%d} to before "
        f"{m.end:%Y-%m-%d} (UTC).",
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| Incidents | {m.incidents} |",
        *(f"| — {KIND_LABELS.get(kind, kind)} | {n} |" for kind, n in sorted(m.by_kind.items())),
        f"| Changes (deployments) | {m.changes} |",
        f"| Incident rate per deployment | {_ratio(m.incident_rate_per_deployment)} |",
        f"| Recurrence rate | {percent(m.recurrence_rate)} ({m.recurring} recurring) |",
        f"| Action items completed | {percent(m.action_items.completion_rate)} |",
        "",
        "## Response times",
        "",
        "| Figure | Mean | Median | p90 | Measured | Missing |",
        "|---|---|---|---|---|---|",
    ]
    for stats in m.figures.values():
        lines.append(
            f"| {stats.name} | {format_duration(stats.mean_seconds)} "
            f"| {format_duration(stats.median_seconds)} | {format_duration(stats.p90_seconds)} "
            f"| {stats.measured} | {stats.missing} |"
        )
    lines += ["", "## Incident frequency trend", "", "| Period | Incidents | Change |"]
    lines.append("|---|---|---|")
    before: int | None = None
    for point in review.trend:
        change = "" if before is None else f"{point.incidents - before:+d}"
        lines.append(f"| {point.label} | {point.incidents} | {change} |")
        before = point.incidents
    lines += [
        "",
        "## Mean Time To Resolution (MTTR) trend",
        "",
        "| Period | Resolved | MTTR (mean) | MTTR (median) |",
        "|---|---|---|---|",
    ]
    for point in review.trend:
        lines.append(
            f"| {point.label} | {point.resolved} | {format_duration(point.mttr_mean_seconds)} "
            f"| {format_duration(point.mttr_median_seconds)} |"
        )
    lines += ["", "## Most common incident types", "", "| Service | Title | Incidents |"]
    lines.append("|---|---|---|")
    for row in m.top_types:
        lines.append(f"| {row['service']} | {_cell(row['title'])} | {row['count']} |")
    if not m.top_types:
        lines.append("| | (no incidents) | |")
    lines += ["", "By severity: " + _counts(m.by_severity), "", "By service: "]
    lines[-1] += _counts(m.by_service)
    items = m.action_items
    lines += [
        "",
        "## Action items",
        "",
        f"Completion rate: **{percent(items.completion_rate)}** — {items.done} done, "
        f"{items.open} open ({items.overdue} overdue), {items.wont_do} won't do, "
        f"of {items.total} from this period's incidents.",
        "",
        "## Data quality",
        "",
    ]
    flagged = [s for s in m.figures.values() if s.missing]
    for stats in flagged:
        refs = ", ".join(stats.missing_refs)
        more = " …" if stats.missing > len(stats.missing_refs) else ""
        lines.append(
            f"- {stats.name}: {stats.missing} incident(s) without the timestamps "
            f"({stats.missing_still_open} still open): {refs}{more}"
        )
    if not flagged:
        lines.append("Every incident has every timestamp.")
    if review.kind == "quarterly":
        lines += ["", "## Quarterly updates", ""]
        lines += [f"- **{prompt}**: " for prompt in QUARTERLY_PROMPTS]
    lines += ["", "## Definitions", ""]
    lines += [f"- **{s.name}**: {s.definition}" for s in m.figures.values()]
    lines += [f"- **{key.replace('_', ' ')}**: {text}" for key, text in RATE_DEFINITIONS.items()]
    return "\n".join(lines) + "\n"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items()) or "none"
