"""Sentry webhooks → alert events: issue alerts (``event_alert``) and issues (``issue``).

The issue id is the dedup key, so an issue's ``resolved`` resolves what its alert opened.
When the integration has a client secret, ``Sentry-Hook-Signature`` (HMAC-SHA256 of the raw
body, hex) must match.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from warroom.alerts.event import Action, AlertEvent
from warroom.alerts.formats import PayloadError, Problems
from warroom.alerts.models import SUMMARY_MAX
from warroom.errors import Unauthenticated

LEVELS = {
    "fatal": "critical",
    "error": "error",
    "warning": "warning",
    "info": "info",
    "debug": "info",
}
ISSUE_ACTIONS: dict[str, Action] = {
    "created": "trigger",
    "unresolved": "trigger",
    "assigned": "acknowledge",
    "resolved": "resolve",
}
RESOURCES = ("event_alert", "issue")


def check_signature(secret: str | None, body: bytes, signature: str | None) -> None:
    """Refuse a body whose signature does not match the configured client secret."""
    if secret is None:
        return
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature.strip().lower()):
        raise Unauthenticated("Sentry-Hook-Signature does not match the integration's secret")


def parse(resource: str, body: Any, *, integration_id: int) -> list[AlertEvent]:
    """The events a Sentry webhook carries; none for resources and actions that open nothing."""
    if not isinstance(body, dict):
        raise PayloadError(["the webhook body must be a JSON object"])
    if resource not in RESOURCES:
        return []
    p = Problems()
    data = p.object(body, "data", "data")
    if resource == "event_alert":
        item = p.object(data, "event", "data.event")
        issue_id = item.get("issue_id")
        action: Action | None = "trigger"
        url = item.get("web_url")
        extra = {"rule": data.get("triggered_rule")}
        tags = item.get("tags")
        if isinstance(tags, list):
            extra.update(
                {str(t[0]): str(t[1]) for t in tags if isinstance(t, list | tuple) and len(t) == 2}
            )
    else:
        item = p.object(data, "issue", "data.issue")
        issue_id = item.get("id")
        action = ISSUE_ACTIONS.get(str(body.get("action")))
        url = item.get("web_url") or item.get("permalink")
        project = item.get("project")
        extra = {"project": project.get("slug")} if isinstance(project, dict) else {}
    if not isinstance(issue_id, str | int) or isinstance(issue_id, bool) or issue_id == "":
        p.add(f"'data.{'event.issue_id' if resource == 'event_alert' else 'issue.id'}' is missing")
    title = p.string(item, "title", "title", required=action == "trigger", max_length=10_000)
    p.raise_if_any()
    if action is None:
        return []  # e.g. "ignored": nothing to open or close
    labels = {k: str(v) for k, v in extra.items() if v is not None}
    level = str(item.get("level") or "error")
    if "culprit" in item and isinstance(item["culprit"], str):
        labels["culprit"] = item["culprit"]
    return [
        AlertEvent(
            source="sentry",
            dedup_key=f"issue:{issue_id}",
            action=action,
            summary=(title or "")[:SUMMARY_MAX],
            severity=LEVELS.get(level, "error"),
            labels=labels,
            links=[{"href": url, "text": "Sentry"}] if isinstance(url, str) and url else [],
            raw=body,
            integration_id=integration_id,
        )
    ]
