"""PagerDuty Events API v2: alert events (``/v2/enqueue``) and change events.

Field rules follow PagerDuty's specification: routing_key and event_action are required;
triggers need payload.summary (at most 1024 characters), payload.source and payload.severity;
dedup_key (at most 255) is required unless the action is trigger, and generated when a
trigger has none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from warroom.alerts.event import ACTIONS, AlertEvent
from warroom.alerts.formats import PayloadError, Problems
from warroom.alerts.models import DEDUP_KEY_MAX, SOURCE_SEVERITIES, SUMMARY_MAX

STRING_MAX = 1024
CHANGE_SUMMARY_MAX = 1024


def routing_key(body: Any) -> str:
    """The routing key of an event body, or PayloadError."""
    if not isinstance(body, dict):
        raise PayloadError(["Event object must be a JSON object"])
    key = body.get("routing_key")
    if not isinstance(key, str) or not key.strip():
        raise PayloadError(["'routing_key' is missing or blank"])
    return key.strip()


def parse_event(body: dict[str, Any], *, integration_id: int) -> AlertEvent:
    """One Events v2 alert event as warroom's AlertEvent; PayloadError lists every problem."""
    p = Problems()
    action = body.get("event_action")
    if action not in ACTIONS:
        p.add("'event_action' must be one of trigger, acknowledge, resolve")
    dedup_key = p.string(
        body, "dedup_key", "dedup_key", required=action != "trigger", max_length=DEDUP_KEY_MAX
    )
    payload = p.object(body, "payload", "payload")
    summary, severity, labels = "", "error", {}
    assert action is None or isinstance(action, str)
    if action == "trigger":
        if "payload" not in body:
            p.add("'payload' is missing")
        summary = (
            p.string(payload, "summary", "payload.summary", required=True, max_length=SUMMARY_MAX)
            or ""
        )
        source = p.string(payload, "source", "payload.source", required=True, max_length=STRING_MAX)
        severity = str(payload.get("severity"))
        if severity not in SOURCE_SEVERITIES:
            p.add("'payload.severity' must be one of critical, error, warning, info")
        for key in ("timestamp", "component", "group", "class"):
            p.string(payload, key, f"payload.{key}", required=False, max_length=STRING_MAX)
        labels = {
            k: payload[k]
            for k in ("component", "group", "class")
            if isinstance(payload.get(k), str) and payload[k]
        }
        if source:
            labels["source"] = source
    links = p.links(body, "links", "links", "href")
    images = p.links(body, "images", "images", "src")
    client = p.string(body, "client", "client", required=False, max_length=STRING_MAX)
    client_url = p.string(body, "client_url", "client_url", required=False, max_length=STRING_MAX)
    p.raise_if_any()
    if client_url:
        links.append({"href": client_url, "text": client or client_url})
    links += [{"href": i.get("href") or i["src"], "text": i.get("alt", "image")} for i in images]
    raw = {k: v for k, v in body.items() if k != "routing_key"}  # never store the key
    return AlertEvent(
        source="pagerduty",
        dedup_key=dedup_key or uuid.uuid4().hex,
        action=next(a for a in ACTIONS if a == action),
        summary=summary,
        severity=str(severity) if action == "trigger" else "error",
        labels=labels,
        links=links,
        raw=raw,
        integration_id=integration_id,
    )


@dataclass(frozen=True)
class ChangeEvent:
    summary: str
    source: str | None
    timestamp: str | None
    links: list[dict[str, Any]]
    details: dict[str, Any]


def parse_change(body: dict[str, Any]) -> ChangeEvent:
    """A change event (deployment); only payload.summary is required."""
    p = Problems()
    payload = p.object(body, "payload", "payload")
    if "payload" not in body:
        p.add("'payload' is missing")
    summary = p.string(
        payload, "summary", "payload.summary", required=True, max_length=CHANGE_SUMMARY_MAX
    )
    source = p.string(payload, "source", "payload.source", required=False, max_length=STRING_MAX)
    timestamp = p.string(payload, "timestamp", "payload.timestamp", required=False, max_length=64)
    details = p.object(payload, "custom_details", "payload.custom_details")
    links = p.links(body, "links", "links", "href")
    p.raise_if_any()
    return ChangeEvent(
        summary=summary or "", source=source, timestamp=timestamp, links=links, details=details
    )
