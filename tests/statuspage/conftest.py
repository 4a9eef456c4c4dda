"""Fixtures for the communication tests: declaring incidents and posting updates over the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support import auth_header

Declare = Callable[..., dict[str, Any]]
Post = Callable[..., Any]


@pytest.fixture
def declare(client: TestClient, alice_token: str) -> Declare:
    """Declare an incident as alice; returns the incident JSON."""

    def run(
        title: str = "Checkout is down", severity: str = "P1", service: str = "api", **extra: Any
    ) -> dict[str, Any]:
        response = client.post(
            "/api/v1/incidents",
            json={"title": title, "severity": severity, "service": service, **extra},
            headers=auth_header(alice_token),
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def post_public(client: TestClient, alice_token: str) -> Post:
    """POST a public update as alice; returns the response."""

    def run(ref: str, **body: Any) -> Any:
        return client.post(
            f"/api/v1/incidents/{ref}/public-updates", json=body, headers=auth_header(alice_token)
        )

    return run
