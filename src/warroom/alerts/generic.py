"""The generic JSON webhook: one alert object, or a list of them (all or nothing).

``{"summary", "source", "severity", "dedup_key", "status": "firing"|"resolved", "labels",
"links", "service"}``; only ``summary`` is required for a firing alert and ``dedup_key`` for a
resolved one. A firing alert without a dedup key gets one generated (and returned).
"""

from __future__ import annotations

import uuid
from typing import Any

from warroom.alerts.event import AlertEvent
from warroom.alerts.formats import PayloadError, Problems
from warroom.alerts.models import DEDUP_KEY_MAX, SOURCE_SEVERITIES, SUMMARY_MAX

FIELDS = {"summary", "source", "severity", "dedup_key", "status", "labels", "links", "service"}
MAX_ALERTS = 5000


def parse(body: Any, *, integration_id: int) -> list[AlertEvent]:
    """Events for each alert object; PayloadError lists every problem, none are applied."""
    items = body if isinstance(body, list) else [body]
    if len(items) > MAX_ALERTS or not items:
        raise PayloadError([f"send 1 to {MAX_ALERTS} alerts"])
    p = Problems()
    events = []
    for i, item in enumerate(items):
        where = f"[{i}]." if isinstance(body, list) else ""
        if not isinstance(item, dict):
            p.add(f"'{where or 'body'}' must be a JSON object")
            continue
        unknown = sorted(set(item) - FIELDS)
        if unknown:
            p.add(f"'{where}{unknown[0]}' is not a field; fields are {', '.join(sorted(FIELDS))}")
        status = item.get("status", "firing")
        if status not in ("firing", "resolved"):
            p.add(f"'{where}status' must be firing or resolved")
        firing = status == "firing"
        summary = p.string(
            item, "summary", f"{where}summary", required=firing, max_length=SUMMARY_MAX
        )
        dedup = p.string(
            item, "dedup_key", f"{where}dedup_key", required=not firing, max_length=DEDUP_KEY_MAX
        )
        source = p.string(item, "source", f"{where}source", required=False, max_length=200)
        service = p.string(item, "service", f"{where}service", required=False, max_length=64)
        severity = item.get("severity", "error")
        if severity not in SOURCE_SEVERITIES:
            p.add(f"'{where}severity' must be one of {', '.join(SOURCE_SEVERITIES)}")
        labels = p.string_map(item, "labels", f"{where}labels")
        links = p.links(item, "links", f"{where}links", "href")
        if p.errors:
            continue
        if source:
            labels = {"source": source, **labels}
        events.append(
            AlertEvent(
                source="generic",
                dedup_key=dedup or uuid.uuid4().hex,
                action="trigger" if firing else "resolve",
                summary=summary or "",
                severity=severity,
                service=service,
                labels=labels,
                links=links,
                raw=item,
                integration_id=integration_id,
            )
        )
    p.raise_if_any()
    return events
