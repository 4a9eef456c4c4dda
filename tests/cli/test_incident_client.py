"""ApiClient against a fake transport: what it sends, and how it reads errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from warroom.cli.client import ApiClient, ApiError, Unreachable

URL = "http://warroom.test"
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> ApiClient:
    return ApiClient(URL, "wr_secret", transport=httpx.MockTransport(handler))


def test_sends_the_token_and_reads_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ref": "INC-7"})

    assert client(handler).get("INC-7") == {"ref": "INC-7"}
    assert seen[0].headers["authorization"] == "Bearer wr_secret"
    assert seen[0].url.path == "/api/v1/incidents/INC-7"


def test_a_reference_stays_one_path_segment() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json={})

    api = client(handler)
    api.get("INC-1/../../tokens")
    api.get("..")
    assert paths == [
        "/api/v1/incidents/INC-1%2F%2E%2E%2F%2E%2E%2Ftokens",
        "/api/v1/incidents/%2E%2E",
    ]


def test_list_sends_repeated_filters() -> None:
    queries: list[list[tuple[str, str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        queries.append(list(request.url.params.multi_items()))
        return httpx.Response(200, json={"items": [], "total": 0, "limit": 5, "offset": 0})

    client(handler).list_incidents(
        status=["declared", "investigating"],
        severity=["P0"],
        kind="incident",
        open_only=True,
        limit=5,
    )
    assert queries[0] == [
        ("status", "declared"),
        ("status", "investigating"),
        ("severity", "P0"),
        ("kind", "incident"),
        ("open", "true"),
        ("limit", "5"),
        ("offset", "0"),
    ]


def test_bodies_sent_for_writes() -> None:
    bodies: list[tuple[str, str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        bodies.append((request.method, request.url.path, body))
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={})

    api = client(handler)
    api.transition("INC-1", "investigating", "looking")
    api.assign("INC-1", "ic", "bob")
    api.unassign("INC-1", "ic")
    api.add_entry("INC-1", kind="decision", body="roll back", at="2026-11-02T09:00:00+00:00")
    api.edit("INC-1", {"title": "New"})
    assert bodies == [
        ("POST", "/api/v1/incidents/INC-1/transitions", {"to": "investigating", "note": "looking"}),
        ("PUT", "/api/v1/incidents/INC-1/roles/ic", {"person": "bob"}),
        ("DELETE", "/api/v1/incidents/INC-1/roles/ic", None),
        (
            "POST",
            "/api/v1/incidents/INC-1/timeline",
            {"kind": "decision", "body": "roll back", "at": "2026-11-02T09:00:00+00:00"},
        ),
        ("PATCH", "/api/v1/incidents/INC-1", {"title": "New"}),
    ]


def test_timeline_markdown_is_text() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["format"] == "markdown"
        assert request.headers["accept"] == "text/markdown"
        return httpx.Response(200, text="## Timeline\n", headers={"content-type": "text/markdown"})

    assert client(handler).timeline_markdown("INC-1") == "## Timeline\n"


def test_an_error_body_becomes_an_api_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = {
            "code": "illegal_transition",
            "message": "INC-1 cannot go from 'declared' to 'closed'",
            "details": {"current": "declared", "requested": "closed", "allowed": ["investigating"]},
        }
        return httpx.Response(409, json={"error": error})

    with pytest.raises(ApiError) as caught:
        client(handler).transition("INC-1", "closed")
    assert caught.value.status == 409
    assert caught.value.code == "illegal_transition"
    assert caught.value.message == "INC-1 cannot go from 'declared' to 'closed'"
    assert caught.value.details["allowed"] == ["investigating"]


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (
            httpx.Response(502, text="<html><body>Bad Gateway</body></html>"),
            "the server failed (HTTP 502 Bad Gateway: <html><body>Bad Gateway</body></html>)",
        ),
        (httpx.Response(500, text="Internal Server Error"), "HTTP 500 Internal Server Error)"),
        (httpx.Response(404, json={"detail": "Not Found"}), "Not Found"),
        (httpx.Response(418), "HTTP 418 I'm a teapot"),
    ],
)
def test_an_error_without_warroom_body_falls_back(response: httpx.Response, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        client(lambda _request: response).get("INC-1")
    assert caught.value.status == response.status_code
    assert message in caught.value.message


def test_a_success_that_is_not_json_is_an_error() -> None:
    with pytest.raises(ApiError) as caught:
        client(lambda _request: httpx.Response(200, text="<html>login</html>")).get("INC-1")
    assert "is it a warroom server?" in caught.value.message


def test_a_timeout_is_unreachable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(Unreachable) as caught:
        client(handler).get("INC-1")
    assert caught.value.message == (
        f"cannot reach warroom at {URL}: no answer within 10s (timed out)"
        " — is `warroom serve` running?"
    )


def test_connection_refused_is_unreachable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(Unreachable, match="connection refused — is `warroom serve` running"):
        client(handler).get("INC-1")


def test_a_bad_url_is_unreachable() -> None:
    with pytest.raises(Unreachable, match=r"cannot reach warroom at ftp://x: invalid URL$"):
        ApiClient("ftp://x", "t").get("INC-1")
