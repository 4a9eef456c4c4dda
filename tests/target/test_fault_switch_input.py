"""Bad requests to the fault switch: a precise 422, and no fault switched."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.target.conftest import ADMIN
from warroom.target.faults import FAULTS


def _refused(tc: TestClient, body: Any) -> dict[str, Any]:
    response = tc.post("/__faults", json=body, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert not any(f["on"] for f in tc.get("/__faults", headers=ADMIN).json()["faults"])
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "invalid_input"
    return error


def test_an_unknown_fault_is_refused_with_the_list_of_faults(tc: TestClient) -> None:
    error = _refused(tc, {"fault": "meteor", "on": True, "duration": "never"})
    assert error["message"] == (
        "unknown fault 'meteor'; known faults: down, db-errors, error-rate, slow, "
        "cache-stale, ws-down, bad-release"
    )
    assert error["details"] == {"field": "fault", "faults": list(FAULTS)}


def test_switching_off_an_unknown_fault_is_refused_too(tc: TestClient) -> None:
    assert _refused(tc, {"fault": "meteor", "on": False})["details"]["field"] == "fault"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"fault": "down", "duration": "soon"}, "duration", 'duration like "15m"'),
        ({"fault": "down", "duration": "0s"}, "duration", "duration"),
        ({"fault": "down", "duration": True}, "duration", "duration"),
        ({"fault": "error-rate", "rate": 1.5}, "rate", "at most 1"),
        ({"fault": "error-rate", "rate": "lots"}, "rate", "at most 1"),
        ({"fault": "error-rate", "rate": 0}, "rate", "above 0"),
        ({"fault": "slow", "latency": "quick"}, "latency", "latency like"),
        ({"fault": "slow", "latency": "2m"}, "latency", "latency like"),
        ({"fault": "down", "rate": 0.5}, "rate", "down takes no rate"),
        ({"fault": "ws-down", "latency": "1s"}, "latency", "ws-down takes no latency"),
        ({"fault": "down", "on": "yes"}, "on", "true or false"),
        ({"fault": "down", "on": False, "duration": "1m"}, "duration", "only apply when"),
        ({"on": True}, "fault", "'fault' is required"),
        ({"fault": 7}, "fault", "'fault' is required"),
        ({"fault": "down", "severity": "P0"}, "severity", "unknown field(s): severity"),
        (["down"], "body", "JSON object"),
    ],
)
def test_bad_settings_are_refused_precisely(
    tc: TestClient, body: Any, field: str, words: str
) -> None:
    error = _refused(tc, body)
    assert error["details"]["field"] == field
    assert words in error["message"]


def test_a_body_that_is_not_json_is_refused(tc: TestClient) -> None:
    response = tc.post("/__faults", content=b"down please", headers=ADMIN)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "the body must be JSON"


def test_names_are_read_case_insensitively(tc: TestClient) -> None:
    response = tc.post("/__faults", json={"fault": " Down "}, headers=ADMIN)
    assert response.status_code == 200
    assert response.json()["name"] == "down"
