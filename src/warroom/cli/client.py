"""A small typed client of warroom's HTTP API: one method per endpoint, errors as exceptions.

ClientError                 anything that stops a request from getting an answer
├── ApiError                the server refused: status, code, message, details
└── Unreachable             no answer at all (connection refused, timeout, bad URL)
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from warroom import __version__

JSON = dict[str, Any]
DEFAULT_URL = "http://127.0.0.1:8080"
TIMEOUT_SECONDS = 10.0
INCIDENTS = "/api/v1/incidents"


class ClientError(Exception):
    """Base of the client's errors; ``message`` is meant for the person at the terminal."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ApiError(ClientError):
    """The API answered with an error body (or with something that was not warroom's JSON)."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.details: dict[str, Any] = details or {}


class Unreachable(ClientError):
    """The server could not be reached at all."""

    def __init__(self, url: str, reason: str) -> None:
        hint = " — is `warroom serve` running?" if reason != "invalid URL" else ""
        super().__init__(f"cannot reach warroom at {url}: {reason}{hint}")
        self.url = url
        self.reason = reason


def _ref(ref: str) -> str:
    """A reference as one path segment, so 'INC-4/../tokens' or '..' cannot walk elsewhere."""
    return quote(ref.strip(), safe="").replace(".", "%2E")


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {TIMEOUT_SECONDS:g}s (timed out)"
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return text or type(exc).__name__


def _error_from(response: httpx.Response) -> ApiError:
    """Read warroom's ``{"error": {...}}`` body, falling back on the status line."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        details = error.get("details")
        return ApiError(
            status,
            str(error.get("code") or f"http_{status}"),
            error["message"],
            details if isinstance(details, dict) else None,
        )
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return ApiError(status, f"http_{status}", body["detail"])
    reason = response.reason_phrase or "error"
    text = " ".join(response.text.split())[:200]
    message = f"HTTP {status} {reason}" + (f": {text}" if text and text != reason else "")
    if status >= 500:
        message = f"the server failed ({message}); its log says why"
    return ApiError(status, f"http_{status}", message)


class ApiClient:
    """warroom's API over ``httpx.Client``; every method returns the parsed response body."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": f"warroom-cli/{__version__}",
            },
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- transport --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        params: list[tuple[str, str]] | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        headers = {"Accept": accept} if accept else None
        try:
            response = self._http.request(
                method, path, json=body, params=tuple(params or ()), headers=headers
            )
        except httpx.InvalidURL:
            raise Unreachable(self.base_url, "invalid URL") from None
        except httpx.UnsupportedProtocol:
            raise Unreachable(self.base_url, "invalid URL") from None
        except httpx.HTTPError as exc:
            raise Unreachable(self.base_url, _reason(exc)) from None
        if response.is_error:
            raise _error_from(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> JSON:
        response = self._send(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ApiError(
                response.status_code,
                "bad_response",
                f"{self.base_url} answered {method} {path} with something other than a JSON "
                "object; is it a warroom server?",
            )
        return data

    # -- incidents --------------------------------------------------------------------------

    def list_incidents(
        self,
        *,
        status: Sequence[str] = (),
        severity: Sequence[str] = (),
        service: Sequence[str] = (),
        kind: str | None = None,
        open_only: bool = False,
        limit: int = 50,
        offset: int = 0,
    ) -> JSON:
        """GET /incidents with filters; ``{"items", "total", "limit", "offset"}``."""
        params = [("status", s) for s in status]
        params += [("severity", s) for s in severity]
        params += [("service", s) for s in service]
        if kind is not None:
            params.append(("kind", kind))
        if open_only:
            params.append(("open", "true"))
        params += [("limit", str(limit)), ("offset", str(offset))]
        return self._json("GET", INCIDENTS, params=params)

    def declare(self, body: JSON) -> JSON:
        """POST /incidents; the new incident in full."""
        return self._json("POST", INCIDENTS, body=body)

    def get(self, ref: str) -> JSON:
        return self._json("GET", f"{INCIDENTS}/{_ref(ref)}")

    def edit(self, ref: str, changes: JSON) -> JSON:
        return self._json("PATCH", f"{INCIDENTS}/{_ref(ref)}", body=changes)

    def transition(
        self, ref: str, to: str, note: str | None = None, override: str | None = None
    ) -> JSON:
        body: JSON = {"to": to}
        if note is not None:
            body["note"] = note
        if override is not None:
            body["override"] = override
        return self._json("POST", f"{INCIDENTS}/{_ref(ref)}/transitions", body=body)

    def acknowledge(self, ref: str) -> JSON:
        return self._json("POST", f"{INCIDENTS}/{_ref(ref)}/acknowledge")

    # -- roles ------------------------------------------------------------------------------

    def roles(self, ref: str) -> JSON:
        """``{"current": {role: holder}, "history": [...]}``."""
        return self._json("GET", f"{INCIDENTS}/{_ref(ref)}/roles")

    def assign(self, ref: str, role: str, person: str) -> JSON:
        path = f"{INCIDENTS}/{_ref(ref)}/roles/{_ref(role)}"
        return self._json("PUT", path, body={"person": person})

    def unassign(self, ref: str, role: str) -> None:
        self._send("DELETE", f"{INCIDENTS}/{_ref(ref)}/roles/{_ref(role)}")

    # -- timeline ---------------------------------------------------------------------------

    def timeline(self, ref: str) -> JSON:
        """``{"ref", "events": [...]}``, oldest first."""
        return self._json("GET", f"{INCIDENTS}/{_ref(ref)}/timeline")

    def timeline_markdown(self, ref: str) -> str:
        """The timeline as the Markdown table the server renders."""
        response = self._send(
            "GET",
            f"{INCIDENTS}/{_ref(ref)}/timeline",
            params=[("format", "markdown")],
            accept="text/markdown",
        )
        return response.text

    def add_entry(self, ref: str, *, kind: str, body: str, at: str | None = None) -> JSON:
        """POST a note, decision or action; the new event."""
        payload: JSON = {"kind": kind, "body": body}
        if at is not None:
            payload["at"] = at
        return self._json("POST", f"{INCIDENTS}/{_ref(ref)}/timeline", body=payload)
