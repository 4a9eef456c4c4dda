"""`warroom alert list|show|report` and `warroom alert silence ...`: clients of the API.

Exit codes as everywhere: 0 done, 1 the server refused, 2 a usage error or no server.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from warroom.cli import output
from warroom.cli.calls import call_api
from warroom.cli.client import DEFAULT_URL, JSON, ApiClient
from warroom.cli.incident import AsJson, Token, Url, _many, _time

app = typer.Typer(help="Alerts: list, show, report by hand, and silences.", no_args_is_help=True)
silence_app = typer.Typer(help="Silences (maintenance windows).", no_args_is_help=True)
app.add_typer(silence_app, name="silence")

T = TypeVar("T")


class SourceSeverity(StrEnum):
    critical = "critical"
    error = "error"
    warning = "warning"
    info = "info"


class AlertClient(ApiClient):
    """The alert and silence endpoints."""

    def list_alerts(self, params: list[tuple[str, str]]) -> JSON:
        return self._json("GET", "/api/v1/alerts", params=params)

    def get_alert(self, alert_id: int) -> JSON:
        return self._json("GET", f"/api/v1/alerts/{alert_id}")

    def report(self, body: JSON) -> JSON:
        return self._json("POST", "/api/v1/alerts", body=body)

    def silences(self, expired: bool) -> list[JSON]:
        params = [("expired", "true")] if expired else []
        data: Any = self._send("GET", "/api/v1/silences", params=params).json()
        return list(data)

    def silence(self, body: JSON) -> JSON:
        return self._json("POST", "/api/v1/silences", body=body)

    def expire(self, silence_id: int) -> None:
        self._send("DELETE", f"/api/v1/silences/{silence_id}")


def _call(url: str, token: str | None, request: Callable[[AlertClient], T]) -> T:
    """Make one API call; a missing token or a refusal becomes a message and an exit code."""
    return call_api(AlertClient, url, token, request)


def _console() -> Console:
    return Console(highlight=False)


def _cell(value: Any) -> Text:
    return Text("-" if value in (None, "") else str(value))


def _alert_table(page: JSON) -> None:
    items: list[JSON] = page.get("items", [])
    if not items:
        _console().print("No alerts match.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Id", "Status", "Sev", "Source", "Service", "Summary", "Count", "Incident"):
        table.add_column(column, overflow="fold" if column == "Summary" else "ellipsis")
    for a in items:
        table.add_row(
            _cell(a["id"]),
            _cell(a["status"] + (" (silenced)" if a.get("silence_id") else "")),
            _cell(a["severity"]),
            _cell(a.get("integration") or a["source"]),
            _cell(a.get("service")),
            _cell(a["summary"]),
            _cell(a["count"]),
            _cell(a.get("incident")),
        )
    console = _console()
    console.print(table)
    shown = page["offset"] + len(items)
    console.print(f"{page['offset'] + 1}-{shown} of {page['total']}")


def _alert_detail(alert: JSON) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    rows = [
        ("Alert", alert["id"]),
        ("Summary", alert["summary"]),
        ("Status", alert["status"]),
        (
            "Severity",
            f"{alert['severity']} (rule: {alert.get('rule') or 'default'}; "
            f"sender said {alert['source_severity']})",
        ),
        ("Source", alert.get("integration") or alert["source"]),
        ("Service", alert.get("service")),
        ("Incident", alert.get("incident")),
        ("Silenced by", alert.get("silence_id")),
        ("Dedup key", alert["dedup_key"]),
        ("Fingerprint", alert["fingerprint"]),
        ("Group", alert.get("group_key")),
        (
            "Seen",
            f"{alert['count']}x, first {output.when(alert['first_seen_at'])}, "
            f"last {output.when(alert['last_seen_at'])}",
        ),
        ("Resolved", output.when(alert.get("resolved_at"))),
        ("Labels", ", ".join(f"{k}={v}" for k, v in alert.get("labels", {}).items())),
        ("Links", " ".join(link.get("href", "") for link in alert.get("links", []))),
    ]
    for label, value in rows:
        grid.add_row(label, _cell(value))
    _console().print(grid)


def _print(as_json: bool, data: Any, render: Callable[[Any], None]) -> None:
    if as_json:
        output.print_json(data)
    else:
        render(data)


@app.command("list")
def list_(
    status: Annotated[
        list[str] | None, typer.Option(help="triggered, acknowledged, resolved.")
    ] = None,
    service: Annotated[
        list[str] | None, typer.Option(help="Only this service (repeatable).")
    ] = None,
    integration: Annotated[
        list[str] | None, typer.Option(help="Only from this integration.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """List alerts, newest first."""
    params = [("status", s) for s in _many(status)]
    params += [("service", s) for s in _many(service)]
    params += [("integration", s) for s in _many(integration)]
    params += [("limit", str(limit)), ("offset", str(offset))]
    page = _call(url, token, lambda client: client.list_alerts(params))
    _print(as_json, page, _alert_table)


@app.command()
def show(
    alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Show one alert, with its triage and incident."""
    alert = _call(url, token, lambda client: client.get_alert(alert_id))
    _print(as_json, alert, _alert_detail)


@app.command()
def report(
    summary: Annotated[str, typer.Argument(help="What is wrong, in a line.")],
    service: Annotated[str, typer.Option(help="The affected service, e.g. api.")],
    severity: Annotated[
        SourceSeverity, typer.Option(help="How bad it looks; triage decides P0-P3.")
    ] = SourceSeverity.error,
    dedup_key: Annotated[
        str | None, typer.Option(help="Same key again while open = the same report.")
    ] = None,
    label: Annotated[list[str] | None, typer.Option(help="NAME=VALUE (repeatable).")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Report a problem by hand (support, a team member); it is triaged like any alert."""
    labels: dict[str, str] = {}
    for item in label or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"label {item!r} is not NAME=VALUE", param_hint="--label")
        labels[name.strip()] = value.strip()
    body: JSON = {"summary": summary, "service": service, "severity": severity.value}
    if dedup_key:
        body["dedup_key"] = dedup_key
    if labels:
        body["labels"] = labels
    alert = _call(url, token, lambda client: client.report(body))
    if as_json:
        output.print_json(alert)
        return
    where = f"opened/joined {alert['incident']}" if alert.get("incident") else "silenced"
    _console().print(f"alert {alert['id']} triaged {alert['severity']}; {where}")


@silence_app.command("create")
def silence_create(
    ends: Annotated[str, typer.Option("--ends", help="When it ends, e.g. 2026-11-02T12:00Z.")],
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    matcher: Annotated[
        list[str] | None, typer.Option("--match", help="NAME=VALUE, !=, =~ or !~ (repeatable).")
    ] = None,
    starts: Annotated[str | None, typer.Option("--starts", help="When it starts (now).")] = None,
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Silence alerts of a service and/or labels for a while: recorded, but no incident."""
    from warroom.alerts.silences import parse_matcher
    from warroom.errors import InvalidInput

    try:
        matchers = [parse_matcher(m) for m in matcher or []]
    except InvalidInput as exc:
        raise typer.BadParameter(exc.message, param_hint="--match") from None
    body: JSON = {"ends_at": _time(ends), "matchers": matchers, "comment": comment}
    if service:
        body["service"] = service
    if starts:
        body["starts_at"] = _time(starts)
    silence = _call(url, token, lambda client: client.silence(body))
    if as_json:
        output.print_json(silence)
        return
    _console().print(f"silence {silence['id']} until {output.when(silence['ends_at'])}")


@silence_app.command("list")
def silence_list(
    expired: Annotated[bool, typer.Option(help="Include silences that ended.")] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """List silences, newest first."""
    items = _call(url, token, lambda client: client.silences(expired))
    if as_json:
        output.print_json(items)
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Id", "Service", "Matchers", "Starts", "Ends", "Active", "Comment"):
        table.add_column(column)
    for s in items:
        table.add_row(
            _cell(s["id"]),
            _cell(s.get("service") or "any"),
            _cell(", ".join(f"{m['name']}{m['op']}{m['value']}" for m in s["matchers"])),
            _cell(output.when(s["starts_at"], seconds=False)),
            _cell(output.when(s["ends_at"], seconds=False)),
            _cell("yes" if s["active"] else "no"),
            _cell(s["comment"]),
        )
    _console().print(table)


@silence_app.command("expire")
def silence_expire(
    silence_id: Annotated[int, typer.Argument(help="The silence's id.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
) -> None:
    """End a silence now."""
    _call(url, token, lambda client: client.expire(silence_id))
    _console().print(f"silence {silence_id} expired")
