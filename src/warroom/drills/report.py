"""A drill's report: measured times against the playbook, the seed's steps, the timeline.

Built from plain facts (no database), so the same code serves the live progress display, the
stored JSON and the Markdown rendering.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from warroom.playbook import format_duration

# The seed's flow, in order: key, label.
STEPS: tuple[tuple[str, str], ...] = (
    ("detected", "Alert detected"),
    ("declared", "Incident declared"),
    ("paged", "First page sent"),
    ("acknowledged", "Acknowledged"),
    ("commander", "Incident Commander assigned"),
    ("internal_update", "Internal update posted"),
    ("internal_cadence", "Internal update every {cadence}"),
    ("public_update", "Public (status page) update"),
    ("mitigated", "Mitigated"),
    ("verifying", "Fix verified"),
    ("resolved", "Resolved"),
)


@dataclass(frozen=True)
class Event:
    """One timeline event, as the report needs it."""

    at: datetime
    kind: str
    actor: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IncidentFacts:
    """The incident's timestamps, as the report needs them."""

    ref: str
    title: str
    severity: str
    status: str
    detected_at: datetime
    declared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    mitigated_at: datetime | None
    resolved_at: datetime | None


@dataclass(frozen=True)
class DrillFacts:
    """The drill itself: when the fault went on and what it expected."""

    id: int
    scenario: str
    faults: tuple[str, ...]
    target_url: str
    started_at: datetime
    expected_severity: str | None
    status: str
    outcome: str | None
    ended_at: datetime | None
    fault_removed: bool | None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds(), 1)


def _first(events: list[Event], kind: str, **data: str) -> datetime | None:
    for e in events:
        if e.kind == kind and all(e.data.get(k) == v for k, v in data.items()):
            return e.at
    return None


def _cadence_kept(
    events: list[Event], start: datetime, end: datetime, every: timedelta
) -> bool | None:
    """True when no stretch longer than ``every`` passed without an internal update."""
    if end - start <= every:
        return None  # never due
    marks = [start, *(e.at for e in events if e.kind == "internal_update"), end]
    return all(b - a <= every for a, b in itertools.pairwise(marks))


def build(
    *,
    drill: DrillFacts,
    incident: IncidentFacts | None,
    events: list[Event],
    response_time: timedelta | None,
    update_every: timedelta | None,
    now: datetime,
) -> dict[str, Any]:
    """The report as JSON-ready data: times, targets, steps (happened or skipped), timeline."""
    end = drill.ended_at or now
    steps: list[dict[str, Any]] = []
    times: dict[str, float | None] = {}
    if incident is not None:
        when: dict[str, datetime | None] = {
            "detected": incident.detected_at,
            "declared": incident.declared_at,
            "paged": _first(events, "page"),
            "acknowledged": incident.acknowledged_at,
            "commander": _first(events, "role_assigned", role="incident_commander"),
            "internal_update": _first(events, "internal_update"),
            "public_update": _first(events, "public_update"),
            "mitigated": incident.mitigated_at,
            "verifying": _first(events, "status_changed", to="verifying"),
            "resolved": incident.resolved_at,
        }
        cadence_end = incident.resolved_at or end
        cadence = (
            _cadence_kept(events, incident.declared_at, cadence_end, update_every)
            if update_every and incident.declared_at
            else None
        )
        times = {
            "detect": _seconds(drill.started_at, incident.detected_at),
            "acknowledge": _seconds(incident.detected_at, incident.acknowledged_at),
            "mitigate": _seconds(incident.detected_at, incident.mitigated_at),
            "resolve": _seconds(incident.detected_at, incident.resolved_at),
        }
    else:
        when, cadence = {}, None
    for key, label in STEPS:
        if key == "internal_cadence":
            if update_every is None:
                continue
            label = label.format(cadence=format_duration(update_every))
            state = {True: "done", False: "skipped", None: "not due"}[cadence]
            steps.append({"step": key, "label": label, "state": state, "at": None})
            continue
        at = when.get(key)
        steps.append(
            {
                "step": key,
                "label": label,
                "state": "done" if at else "skipped",
                "at": at.isoformat() if at else None,
                "after_seconds": _seconds(drill.started_at, at),
            }
        )
    target = response_time.total_seconds() if response_time else None
    ack = times.get("acknowledge")
    return {
        "drill": {
            "id": drill.id,
            "scenario": drill.scenario,
            "faults": list(drill.faults),
            "target_url": drill.target_url,
            "started_at": drill.started_at.isoformat(),
            "ended_at": drill.ended_at.isoformat() if drill.ended_at else None,
            "status": drill.status,
            "outcome": drill.outcome,
            "fault_removed": drill.fault_removed,
            "expected_severity": drill.expected_severity,
        },
        "incident": None
        if incident is None
        else {
            "ref": incident.ref,
            "title": incident.title,
            "severity": incident.severity,
            "status": incident.status,
            "acknowledged_by": incident.acknowledged_by,
        },
        "severity_as_expected": None
        if incident is None or drill.expected_severity is None
        else incident.severity == drill.expected_severity,
        "times_seconds": times,
        "response_time_seconds": target,
        "acknowledged_in_time": None if ack is None or target is None else ack <= target,
        "steps": steps,
        "skipped": [s["label"] for s in steps if s["state"] == "skipped"],
        "timeline": [
            {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "body": e.body}
            for e in events
        ],
    }


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown, for the file written beside the JSON."""
    d, inc = report["drill"], report["incident"]
    lines = [f"# Drill {d['id']}: {d['scenario']}", ""]
    lines.append(f"- Target: {d['target_url']} (faults: {', '.join(d['faults'])})")
    lines.append(f"- Started: {d['started_at']}; ended: {d['ended_at'] or '-'}")
    lines.append(f"- Outcome: {d['outcome'] or d['status']}")
    removed = {True: "yes", False: "NO - check the target", None: "-"}[d["fault_removed"]]
    lines.append(f"- Fault removed: {removed}")
    if inc is None:
        lines += ["", "**No incident was opened**: warroom never detected the fault.", ""]
    else:
        lines.append(
            f"- Incident: {inc['ref']} {inc['title']} ({inc['severity']}, {inc['status']})"
        )
        if d["expected_severity"] and not report["severity_as_expected"]:
            lines.append(f"- Severity: expected {d['expected_severity']}, got {inc['severity']}")
    t = report["times_seconds"]
    target = report["response_time_seconds"]
    lines += ["", "## Times", "", "| Measure | Time | Target |", "|---|---|---|"]
    lines.append(f"| Time to detect | {_duration(t.get('detect'))} | |")
    lines.append(
        f"| Time to acknowledge | {_duration(t.get('acknowledge'))} | {_duration(target)} |"
    )
    lines.append(f"| Time to mitigate | {_duration(t.get('mitigate'))} | |")
    lines.append(f"| Time to resolve | {_duration(t.get('resolve'))} | |")
    if report["acknowledged_in_time"] is False:
        lines += ["", "**Acknowledgement missed the response time.**"]
    lines += ["", "## The seed's steps", "", "| Step | State | After |", "|---|---|---|"]
    for s in report["steps"]:
        lines.append(f"| {s['label']} | {s['state']} | {_duration(s.get('after_seconds'))} |")
    if report["skipped"]:
        lines += ["", "Skipped: " + "; ".join(report["skipped"]) + "."]
    lines += ["", "## Timeline", ""]
    for e in report["timeline"]:
        body = " ".join(e["body"].split())[:160]
        lines.append(f"- `{e['at']}` **{e['kind']}** ({e['actor']}) {body}")
    if not report["timeline"]:
        lines.append("(empty)")
    return "\n".join(lines) + "\n"
