"""Prometheus Alertmanager webhook (payload version 4) → alert events.

Each alert is keyed by Alertmanager's own ``fingerprint`` (never the summary) and grouped by
the notification's ``groupKey``; firing triggers, resolved resolves. Unknown fields, which
newer Alertmanager versions add, are ignored.
"""

from __future__ import annotations

from typing import Any

from warroom.alerts.event import AlertEvent
from warroom.alerts.formats import PayloadError, Problems, group_key, labels_fingerprint
from warroom.alerts.models import DEDUP_KEY_MAX, SUMMARY_MAX

MAX_ALERTS = 5000
SEVERITY_WORDS = {
    "critical": "critical",
    "page": "critical",
    "emergency": "critical",
    "high": "critical",
    "error": "error",
    "major": "error",
    "warning": "warning",
    "warn": "warning",
    "minor": "warning",
    "info": "info",
    "none": "info",
    "low": "info",
}


def parse(body: Any, *, integration_id: int) -> list[AlertEvent]:
    """Every alert of a notification, validated all together (a batch is all or nothing)."""
    if not isinstance(body, dict):
        raise PayloadError(["the webhook body must be a JSON object"])
    p = Problems()
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        raise PayloadError(["'alerts' is missing or not a list"])
    if len(alerts) > MAX_ALERTS:
        raise PayloadError([f"'alerts' has {len(alerts)} alerts; at most {MAX_ALERTS}"])
    group = p.string(body, "groupKey", "groupKey", required=False, max_length=10_000)
    external = body.get("externalURL") if isinstance(body.get("externalURL"), str) else None
    events = []
    for i, alert in enumerate(alerts):
        where = f"alerts[{i}]"
        if not isinstance(alert, dict):
            p.add(f"'{where}' must be an object")
            continue
        status = alert.get("status")
        if status not in ("firing", "resolved"):
            p.add(f"'{where}.status' must be firing or resolved")
        labels = p.string_map(alert, "labels", f"{where}.labels")
        annotations = p.string_map(alert, "annotations", f"{where}.annotations")
        fingerprint = p.string(
            alert, "fingerprint", f"{where}.fingerprint", required=False, max_length=DEDUP_KEY_MAX
        )
        for key in ("startsAt", "endsAt", "generatorURL"):
            p.string(alert, key, f"{where}.{key}", required=False, max_length=2048)
        if status not in ("firing", "resolved") or len(p.errors):
            continue
        links = (
            [{"href": alert["generatorURL"], "text": "Source"}] if alert.get("generatorURL") else []
        )
        if external:
            links.append({"href": external, "text": "Alertmanager"})
        events.append(
            AlertEvent(
                source="alertmanager",
                dedup_key=fingerprint or labels_fingerprint(labels),
                action="trigger" if status == "firing" else "resolve",
                summary=_summary(labels, annotations),
                severity=SEVERITY_WORDS.get(labels.get("severity", "").lower(), "error"),
                service=labels.get("service"),
                labels=labels,
                links=links,
                raw={
                    "alert": alert,
                    "receiver": body.get("receiver"),
                    "groupKey": group,
                    "externalURL": external,
                },
                integration_id=integration_id,
                group_key=group_key(group),
            )
        )
    p.raise_if_any()
    return events


def _summary(labels: dict[str, str], annotations: dict[str, str]) -> str:
    for key in ("summary", "title", "message", "description"):
        if annotations.get(key, "").strip():
            text = annotations[key].strip()
            break
    else:
        name = labels.get("alertname", "Alert")
        where = labels.get("instance") or labels.get("job") or ""
        text = f"{name} {where}".strip()
    return text[:SUMMARY_MAX]
