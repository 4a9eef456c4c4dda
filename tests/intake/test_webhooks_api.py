"""Alertmanager, Sentry and generic webhooks: formats, dedup, batches all or nothing, errors."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import orjson
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from tests.intake.conftest import make_integration
from warroom.alerts.models import Alert
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.incidents.models import Incident
from warroom.playbook import Playbook

GROUP = '{}/{team="web"}:{alertname="InstanceDown"}'


def _am_alert(fingerprint: str, status: str = "firing", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "InstanceDown", "instance": fingerprint, **labels},
        "annotations": {"summary": f"Instance {fingerprint} down"},
        "startsAt": "2026-11-02T08:59:08.326990857Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": fingerprint,
        "someFieldFromTheFuture": {"ignored": True},
    }


def _am(alerts: list[dict[str, Any]], status: str = "firing") -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": GROUP,
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "warroom",
        "groupLabels": {"alertname": "InstanceDown"},
        "commonLabels": {"alertname": "InstanceDown"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
        "notification_reason": "new",
        "routeLabels": {},
    }


def _alerts(engine: Engine) -> list[Alert]:
    with make_sessionmaker(engine)() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def _incidents(engine: Engine) -> int:
    with make_sessionmaker(engine)() as session:
        return session.scalar(select(func.count()).select_from(Incident)) or 0


def test_alertmanager_fires_and_resolves(client: TestClient, am_key: str, engine: Engine) -> None:
    url = f"/api/v1/intake/alertmanager/{am_key}"
    batch = [_am_alert(f"fp{i}", severity="critical") for i in range(3)]
    answer = client.post(url, json=_am(batch))
    assert answer.status_code == 202, answer.text
    assert answer.json()["received"] == 3
    # Alertmanager re-sends the group: repeats, not new alerts.
    assert client.post(url, json=_am(batch)).status_code == 202
    alerts = _alerts(engine)
    assert [(a.dedup_key, a.count, a.severity) for a in alerts] == [
        ("fp0", 2, "P1"),
        ("fp1", 2, "P1"),
        ("fp2", 2, "P1"),
    ]
    assert len({a.incident_id for a in alerts}) == 1
    assert _incidents(engine) == 1
    assert alerts[0].group_key == GROUP
    assert alerts[0].summary == "Instance fp0 down"
    resolved = [_am_alert("fp0", "resolved", severity="critical")]
    assert client.post(url, json=_am(resolved, "resolved")).status_code == 202
    assert [a.status for a in _alerts(engine)] == ["resolved", "triggered", "triggered"]


def test_alertmanager_dedups_by_fingerprint_not_summary(
    client: TestClient, am_key: str, engine: Engine
) -> None:
    url = f"/api/v1/intake/alertmanager/{am_key}"
    one, two = _am_alert("aaa"), _am_alert("bbb")
    two["annotations"] = one["annotations"]
    client.post(url, json=_am([one, two]))
    assert len(_alerts(engine)) == 2


def test_a_bad_alert_refuses_the_whole_batch(
    client: TestClient, am_key: str, engine: Engine
) -> None:
    url = f"/api/v1/intake/alertmanager/{am_key}"
    bad = _am_alert("x")
    bad["status"] = "burning"
    worse = _am_alert("y")
    worse["labels"] = {"n": 1}
    answer = client.post(url, json=_am([_am_alert("ok"), bad, worse]))
    assert answer.status_code == 400
    errors = answer.json()["error"]["details"]["errors"]
    assert errors == [
        "'alerts[1].status' must be firing or resolved",
        "'alerts[2].labels.n' must be a string",
    ]
    assert client.post(url, json={"version": "4"}).status_code == 400
    assert client.post(url, content=b"[1,", headers={"content-type": "application/json"}).json()[
        "error"
    ]["code"] == ("malformed_json")
    assert _alerts(engine) == []


def test_unknown_keys_404_and_oversized_413(
    client: TestClient, am_key: str, engine: Engine
) -> None:
    assert client.post("/api/v1/intake/alertmanager/" + "f" * 32, json=_am([])).status_code == 404
    assert client.post(f"/api/v1/intake/sentry/{am_key}", json={}).status_code == 404
    big = _am([_am_alert(f"fp{i}") for i in range(2000)])
    assert len(orjson.dumps(big)) > 512 * 1024
    answer = client.post(f"/api/v1/intake/alertmanager/{am_key}", json=big)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "body_too_large"
    assert _alerts(engine) == []


def _sentry_alert(issue: str = "1117540176") -> dict[str, Any]:
    return {
        "action": "triggered",
        "actor": {"id": "sentry", "name": "Sentry", "type": "application"},
        "data": {
            "event": {
                "event_id": "e4874d664c3540c1a32eab185f12c5ab",
                "issue_id": issue,
                "web_url": f"https://sentry.io/organizations/test-org/issues/{issue}/events/e48/",
                "title": "ReferenceError: heck is not defined",
                "level": "error",
                "culprit": "?(<anonymous>)",
                "project": 1,
                "platform": "javascript",
                "datetime": "2019-08-19T21:06:17.677000Z",
                "tags": [["level", "error"], ["environment", "prod"]],
            },
            "triggered_rule": "Very Important Alert Rule!",
        },
        "installation": {"uuid": "a8e5d37a-696c-4c54-adb5-b3f28d64c7de"},
    }


def _issue(action: str, issue: str = "1117540176") -> dict[str, Any]:
    return {
        "action": action,
        "data": {
            "issue": {
                "id": issue,
                "title": "ReferenceError: heck is not defined",
                "level": "error",
                "status": action,
                "project": {"slug": "front-end"},
            }
        },
    }


def test_sentry_issue_alert_then_issue_resolved(
    client: TestClient, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    _id, key = make_integration(engine, playbook, clock, "sentry", service="web")
    url = f"/api/v1/intake/sentry/{key}"
    alert_hdr = {"Sentry-Hook-Resource": "event_alert"}
    assert client.post(url, json=_sentry_alert(), headers=alert_hdr).status_code == 202
    assert client.post(url, json=_sentry_alert(), headers=alert_hdr).status_code == 202
    (alert,) = _alerts(engine)
    assert (alert.dedup_key, alert.count, alert.severity, alert.service) == (
        "issue:1117540176",
        2,
        "P2",
        "web",
    )
    assert alert.labels["environment"] == "prod"
    issue_hdr = {"Sentry-Hook-Resource": "issue"}
    assert client.post(url, json=_issue("resolved"), headers=issue_hdr).status_code == 202
    assert _alerts(engine)[0].status == "resolved"
    # Resources that open nothing are accepted and ignored.
    install = {"Sentry-Hook-Resource": "installation"}
    assert client.post(url, json={"action": "created"}, headers=install).status_code == 202
    assert len(_alerts(engine)) == 1


def test_sentry_signatures_are_checked_when_a_secret_is_set(
    client: TestClient, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    _id, key = make_integration(engine, playbook, clock, "sentry", signing_secret="s3cret")
    url = f"/api/v1/intake/sentry/{key}"
    body = orjson.dumps(_sentry_alert())
    headers = {"Sentry-Hook-Resource": "event_alert", "content-type": "application/json"}
    bad = client.post(url, content=body, headers={**headers, "Sentry-Hook-Signature": "00"})
    assert bad.status_code == 401
    signature = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    good = client.post(url, content=body, headers={**headers, "Sentry-Hook-Signature": signature})
    assert good.status_code == 202
    assert len(_alerts(engine)) == 1


def test_generic_webhook(
    client: TestClient, engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    _id, key = make_integration(engine, playbook, clock, "generic", service="payments")
    url = f"/api/v1/intake/generic/{key}"
    answer = client.post(
        url,
        json={
            "summary": "Payment processing down",
            "source": "stripe-checker",
            "severity": "critical",
            "labels": {"region": "eu"},
            "links": [{"href": "https://status.stripe.com", "text": "Stripe"}],
        },
    )
    assert answer.status_code == 202, answer.text
    (dedup,) = answer.json()["dedup_keys"]
    (alert,) = _alerts(engine)
    assert (alert.severity, alert.rule, alert.labels["source"]) == (
        "P1",
        "payment-processing-down",
        "stripe-checker",
    )
    resolved = client.post(url, json={"dedup_key": dedup, "status": "resolved"})
    assert resolved.status_code == 202
    assert _alerts(engine)[0].status == "resolved"
    refused = client.post(url, json=[{"summary": "ok"}, {"summary": "x", "colour": "red"}])
    assert refused.status_code == 400
    assert "colour" in refused.json()["error"]["message"]
    assert client.post(url, json={"status": "resolved"}).status_code == 400
    assert len(_alerts(engine)) == 1


def test_alerts_are_listed_by_integration(
    client: TestClient, am_key: str, pd_key: str, viewer_token: str
) -> None:
    client.post(f"/api/v1/intake/alertmanager/{am_key}", json=_am([_am_alert("fp1")]))
    event = {
        "routing_key": pd_key,
        "event_action": "trigger",
        "payload": {"summary": "Disk full", "source": "db-1", "severity": "warning"},
    }
    assert client.post("/v2/enqueue", json=event).status_code == 202
    headers = {"Authorization": f"Bearer {viewer_token}"}
    page = client.get("/api/v1/alerts?integration=api-alertmanager", headers=headers).json()
    assert [(a["integration"], a["dedup_key"]) for a in page["items"]] == [
        ("api-alertmanager", "fp1")
    ]
    both = client.get(
        "/api/v1/alerts?integration=api-alertmanager&integration=api-pagerduty", headers=headers
    ).json()
    assert both["total"] == 2
