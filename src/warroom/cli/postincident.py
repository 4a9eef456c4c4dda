"""What the post-incident commands share: their API client and the one-call helper.

Same conventions as `warroom incident`: --url/--token/--json, tables by default, `error: ...`
on stderr, exit 1 when the server refused and 2 for usage errors or no server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from warroom.cli.calls import call_api
from warroom.cli.client import INCIDENTS, JSON, ApiClient, _ref

T = TypeVar("T")


class PostIncidentClient(ApiClient):
    """Checklist, post-mortem, action-item, change, metrics and report endpoints."""

    def checklist(self, ref: str) -> JSON:
        return self._json("GET", f"{INCIDENTS}/{_ref(ref)}/checklist")

    def tick(self, ref: str, item: str, *, done: bool, note: str) -> JSON:
        path = f"{INCIDENTS}/{_ref(ref)}/checklist/{_ref(item)}"
        return self._json("PUT", path, body={"done": done, "note": note})

    def create_postmortem(self, ref: str) -> JSON:
        return self._json("POST", f"{INCIDENTS}/{_ref(ref)}/postmortem")

    def postmortem(self, ref: str) -> JSON:
        return self._json("GET", f"{INCIDENTS}/{_ref(ref)}/postmortem")

    def postmortems(self, status: str | None) -> JSON:
        params = [("status", status)] if status else []
        return self._json("GET", "/api/v1/postmortems", params=params)

    def postmortem_markdown(self, ref: str) -> str:
        path = f"{INCIDENTS}/{_ref(ref)}/postmortem"
        return self._send("GET", path, params=[("format", "markdown")]).text

    def edit_postmortem(self, ref: str, changes: JSON) -> JSON:
        return self._json("PATCH", f"{INCIDENTS}/{_ref(ref)}/postmortem", body=changes)

    def add_action(self, body: JSON) -> JSON:
        return self._json("POST", "/api/v1/action-items", body=body)

    def actions(self, params: list[tuple[str, str]]) -> JSON:
        return self._json("GET", "/api/v1/action-items", params=params)

    def actions_markdown(self, params: list[tuple[str, str]]) -> str:
        params = [*params, ("format", "markdown")]
        return self._send("GET", "/api/v1/action-items", params=params).text

    def edit_action(self, item_id: int, changes: JSON) -> JSON:
        return self._json("PATCH", f"/api/v1/action-items/{item_id}", body=changes)

    def record_change(self, body: JSON) -> JSON:
        return self._json("POST", "/api/v1/changes", body=body)

    def changes(self, params: list[tuple[str, str]]) -> JSON:
        return self._json("GET", "/api/v1/changes", params=params)

    def metrics(self, params: list[tuple[str, str]]) -> JSON:
        return self._json("GET", "/api/v1/metrics", params=params)

    def report(self, kind: str, params: list[tuple[str, str]], fmt: str) -> str:
        params = [*params, ("format", fmt)]
        return self._send("GET", f"/api/v1/reports/{kind}", params=params).text


def call(url: str, token: str | None, request: Callable[[PostIncidentClient], T]) -> T:
    """Make one API call; a missing token or a refusal becomes a message and an exit code."""
    return call_api(PostIncidentClient, url, token, request)


def text_or_file(value: str | None) -> str | None:
    """An option's text, or the contents of a file when it is written ``@path``."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}") from None


def params(**values: Any) -> list[tuple[str, str]]:
    """Query parameters from the options that were given."""
    return [(key, str(value)) for key, value in values.items() if value not in (None, False)]
