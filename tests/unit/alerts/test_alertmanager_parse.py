"""Alertmanager parsing: the quick check for well-formed alerts agrees with the full checks."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest

from warroom.alerts import alertmanager
from warroom.alerts.formats import PayloadError


def _alert(**changes: Any) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "status": "firing",
        "labels": {"alertname": "DiskFull", "instance": "db-1", "severity": "warning"},
        "annotations": {"summary": "Disk 90% full on db-1"},
        "startsAt": "2026-11-29T00:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph",
        "fingerprint": "abc123",
    }
    alert.update(changes)
    return alert


def _parse(*alerts: Any) -> list[Any]:
    body = {"version": "4", "groupKey": "{}:{}", "status": "firing", "alerts": list(alerts)}
    return alertmanager.parse(body, integration_id=1)


def test_a_well_formed_alert_becomes_an_event() -> None:
    (event,) = _parse(_alert())
    assert (event.dedup_key, event.action, event.severity) == ("abc123", "trigger", "warning")
    assert event.summary == "Disk 90% full on db-1"
    assert event.links == [{"href": "http://prometheus:9090/graph", "text": "Source"}]


def test_values_the_quick_check_is_unsure_of_pass_the_full_checks() -> None:
    class Text(str):
        pass

    labels = OrderedDict(alertname="DiskFull", instance="db-2")
    (event,) = _parse(_alert(labels=labels, fingerprint=Text("k2"), annotations=None))
    assert event.dedup_key == "k2"
    assert event.summary == "DiskFull db-2"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"status": "pending"}, "'alerts[1].status' must be firing or resolved"),
        ({"labels": {"a": 1}}, "'alerts[1].labels.a' must be a string"),
        ({"annotations": []}, "'alerts[1].annotations' must be an object"),
        ({"fingerprint": "x" * 256}, "'alerts[1].fingerprint' is 256 characters; at most 255"),
        ({"endsAt": 5}, "'alerts[1].endsAt' must be a string"),
    ],
)
def test_every_problem_is_named(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(PayloadError) as raised:
        _parse(_alert(), _alert(**changes), "not an alert")
    assert raised.value.errors == [problem, "'alerts[2]' must be an object"]
