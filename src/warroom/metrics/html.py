"""The review as one self-contained HTML page with SVG charts drawn here (no scripts)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from warroom.metrics.definitions import RATE_DEFINITIONS, format_duration
from warroom.metrics.markdown import percent
from warroom.metrics.review import Review

WIDTH, HEIGHT, PAD = 560, 220, 36
STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}
td,th{border:1px solid #ccc;padding:.3rem .6rem}
th{background:#f3f3f3;text-align:left}figure{margin:1rem 0}figcaption{font-weight:600}
.flag{color:#a40000}
"""


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float | None], unit: str) -> str:
    """A bar chart as SVG; a missing value is drawn as an empty slot marked "n/a"."""
    top = max((v for v in values if v is not None), default=0.0) or 1.0
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    slot = inner_w / max(len(values), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#888"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD + i * slot + slot * 0.15
        width = slot * 0.7
        text_x = PAD + i * slot + slot / 2
        parts.append(
            f'<text x="{text_x:.1f}" y="{HEIGHT - PAD + 16}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        if value is None:
            parts.append(
                f'<text x="{text_x:.1f}" y="{HEIGHT - PAD - 4}" font-size="10" fill="#888" '
                'text-anchor="middle">n/a</text>'
            )
            continue
        height = inner_h * value / top
        y = HEIGHT - PAD - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'fill="#3b6ea5"><title>{escape(label)}: {escape(_value(value, unit))}</title></rect>'
        )
        parts.append(
            f'<text x="{text_x:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(_value(value, unit))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _value(value: float, unit: str) -> str:
    return format_duration(value) if unit == "duration" else f"{value:g}"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def render(review: Review) -> str:
    """The whole page."""
    m = review.metrics
    title = f"{review.kind.capitalize()} incident review — {review.period.label}"
    if m.service:
        title += f" — service {m.service}"
    labels = [p.label for p in review.trend]
    frequency = bar_chart(
        "Incidents per period", labels, [float(p.incidents) for p in review.trend], "count"
    )
    mttr = bar_chart(
        "MTTR (mean) per period", labels, [p.mttr_mean_seconds for p in review.trend], "duration"
    )
    figures = _table(
        ["Figure", "Mean", "Median", "p90", "Measured", "Missing"],
        [
            [
                s.name,
                format_duration(s.mean_seconds),
                format_duration(s.median_seconds),
                format_duration(s.p90_seconds),
                s.measured,
                s.missing,
            ]
            for s in m.figures.values()
        ],
    )
    summary = _table(
        ["Measure", "Value"],
        [
            ["Incidents", m.incidents],
            ["Changes (deployments)", m.changes],
            [
                "Incident rate per deployment",
                "—"
                if m.incident_rate_per_deployment is None
                else f"{m.incident_rate_per_deployment:.2f}",
            ],
            ["Recurrence rate", f"{percent(m.recurrence_rate)} ({m.recurring} recurring)"],
            ["Action items completed", percent(m.action_items.completion_rate)],
        ],
    )
    types = _table(
        ["Service", "Title", "Incidents"],
        [[t["service"], t["title"], t["count"]] for t in m.top_types],
    )
    flags = (
        "".join(
            f'<li class="flag">{escape(s.name)}: {s.missing} incident(s) without the timestamps '
            f"({s.missing_still_open} still open): {escape(', '.join(s.missing_refs))}</li>"
            for s in m.figures.values()
            if s.missing
        )
        or "<li>Every incident has every timestamp.</li>"
    )
    definitions = "".join(
        f"<li><b>{escape(s.name)}</b>: {escape(s.definition)}</li>" for s in m.figures.values()
    ) + "".join(
        f"<li><b>{escape(k.replace('_', ' '))}</b>: {escape(v)}</li>"
        for k, v in RATE_DEFINITIONS.items()
    )
    items = m.action_items
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>{escape(review.organization)}: incidents detected from {m.start:%Y-%m-%d} to before "
        f"{m.end:%Y-%m-%d} (UTC).</p>"
        f"<h2>Summary</h2>{summary}<h2>Response times</h2>{figures}"
        f"<h2>Incident frequency trend</h2><figure><figcaption>Incidents per "
        f"{'month' if review.kind == 'monthly' else 'quarter'}</figcaption>{frequency}</figure>"
        f"<h2>Mean Time To Resolution (MTTR) trend</h2><figure><figcaption>MTTR (mean)"
        f"</figcaption>{mttr}</figure>"
        f"<h2>Most common incident types</h2>{types}"
        f"<h2>Action items</h2><p>Completion rate: <b>{percent(items.completion_rate)}</b> — "
        f"{items.done} done, {items.open} open ({items.overdue} overdue), {items.wont_do} "
        f"won't do, of {items.total}.</p>"
        f"<h2>Data quality</h2><ul>{flags}</ul><h2>Definitions</h2><ul>{definitions}</ul>"
        "</body></html>\n"
    )
