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
    grouped = group_key(group)
    receiver = body.get("receiver")
    events = []
    for i, alert in enumerate(alerts):
        # Well-formed alerts (nearly all) pass one quick check; the others get every problem
        # named (several times the cost), and are kept if the full checks find none.
        if not _well_formed(alert):
            _problems(p, alert, f"alerts[{i}]")
        if p.errors:
            continue
        labels = alert.get("labels") or {}
        links = (
            [{"href": alert["generatorURL"], "text": "Source"}] if alert.get("generatorURL") else []
        )
        if external:
            links.append({"href": external, "text": "Alertmanager"})
        events.append(
            AlertEvent(
                source="alertmanager",
                dedup_key=alert.get("fingerprint") or labels_fingerprint(labels),
                action="trigger" if alert["status"] == "firing" else "resolve",
                summary=_summary(labels, alert.get("annotations") or {}),
                severity=SEVERITY_WORDS.get(labels.get("severity", "").lower(), "error"),
                service=labels.get("service"),
                labels=labels,
                links=links,
                raw={
                    "alert": alert,
                    "receiver": receiver,
                    "groupKey": group,
                    "externalURL": external,
                },
                integration_id=integration_id,
                group_key=grouped,
            )
        )
    p.raise_if_any()
    return events


def _well_formed(alert: Any) -> bool:
    """Whether an alert surely passes every check of ``_problems`` (exact types only; kept
    in step with it)."""
    if type(alert) is not dict or alert.get("status") not in ("firing", "resolved"):
        return False
    for key in ("labels", "annotations"):
        value = alert.get(key)
        if value is not None and (
            type(value) is not dict or not all(type(v) is str for v in value.values())
        ):
            return False
    fingerprint = alert.get("fingerprint")
    if fingerprint is not None and (
        type(fingerprint) is not str or len(fingerprint) > DEDUP_KEY_MAX
    ):
        return False
    for key in ("startsAt", "endsAt", "generatorURL"):
        value = alert.get(key)
        if value is not None and (type(value) is not str or len(value) > 2048):
            return False
    return True


def _problems(p: Problems, alert: Any, where: str) -> None:
    """Name every problem of an alert that is not well formed."""
    if not isinstance(alert, dict):
        p.add(f"'{where}' must be an object")
        return
    if alert.get("status") not in ("firing", "resolved"):
        p.add(f"'{where}.status' must be firing or resolved")
    p.string_map(alert, "labels", f"{where}.labels")
    p.string_map(alert, "annotations", f"{where}.annotations")
    p.string(alert, "fingerprint", f"{where}.fingerprint", required=False, max_length=DEDUP_KEY_MAX)
    for key in ("startsAt", "endsAt", "generatorURL"):
        p.string(alert, key, f"{where}.{key}", required=False, max_length=2048)


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
