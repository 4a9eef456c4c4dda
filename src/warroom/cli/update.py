"""`warroom update`, `warroom maintenance` and `warroom component`: communication commands, each a
thin client of the HTTP API (same --url/--token/--json and exit codes as `warroom incident`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli import output
from warroom.cli.calls import call_api
from warroom.cli.client import DEFAULT_URL, INCIDENTS, JSON, ApiClient, _ref
from warroom.cli.incident import AsJson, Ref, Token, Url, _time

app = typer.Typer(help="Post public and internal incident updates.", no_args_is_help=True)
maintenance_app = typer.Typer(help="Schedule and run maintenance windows.", no_args_is_help=True)
component_app = typer.Typer(help="Status page components.", no_args_is_help=True)

T = TypeVar("T")


class CommsClient(ApiClient):
    """The communication endpoints of the API."""

    def public_update(self, ref: str, body: JSON, *, preview: bool = False) -> JSON:
        path = f"{INCIDENTS}/{_ref(ref)}/public-updates" + ("/preview" if preview else "")
        return self._json("POST", path, body=body)

    def internal_update(self, ref: str, body: JSON) -> JSON:
        return self._json("POST", f"{INCIDENTS}/{_ref(ref)}/internal-updates", body=body)

    def create_maintenance(self, body: JSON) -> JSON:
        return self._json("POST", "/api/v1/maintenances", body=body)

    def advance_maintenance(self, public_id: str, step: str, body: JSON) -> JSON:
        return self._json("POST", f"/api/v1/maintenances/{_ref(public_id)}/{step}", body=body)

    def set_component(self, key: str, status: str) -> JSON:
        path = f"/api/v1/statuspage/components/{_ref(key)}"
        return self._json("PUT", path, body={"status": status})

    def automate_component(self, key: str) -> JSON:
        path = f"/api/v1/statuspage/components/{_ref(key)}"
        return self._json("PUT", path, body={"automatic": True})

    def components(self) -> list[JSON]:
        response = self._send("GET", "/api/v1/statuspage/components")
        data: list[JSON] = response.json()
        return data


def _call(url: str, token: str | None, request: Callable[[CommsClient], T]) -> T:
    """Make one API call; a missing token or a refusal becomes a message and an exit code."""
    return call_api(CommsClient, url, token, request)


def _components(values: list[str] | None) -> dict[str, str]:
    """--component api=partial_outage (repeatable) → {"api": "partial_outage"}."""
    changes: dict[str, str] = {}
    for value in values or []:
        key, sep, status = value.partition("=")
        if not sep or not key.strip() or not status.strip():
            raise typer.BadParameter(
                f"{value!r} is not KEY=STATUS, e.g. api=partial_outage", param_hint="--component"
            )
        changes[key.strip()] = status.strip()
    return changes


def _show(as_json: bool, data: Any, text: str) -> None:
    if as_json:
        output.print_json(data)
    else:
        typer.echo(text)


@app.command("post")
def post(
    ref: Ref,
    public: Annotated[bool, typer.Option("--public", help="A status page update.")] = False,
    internal: Annotated[bool, typer.Option("--internal", help="An internal update.")] = False,
    template: Annotated[
        str | None, typer.Option(help="Status page template: investigating, identified, ...")
    ] = None,
    status: Annotated[str | None, typer.Option(help="Status the update reports.")] = None,
    body: Annotated[
        str | None, typer.Option(help="The text (edited), instead of the template's.")
    ] = None,
    component: Annotated[
        list[str] | None, typer.Option(help="KEY=STATUS to set with a public update (repeatable).")
    ] = None,
    impact: Annotated[
        str | None, typer.Option(help="Public impact: none|minor|major|critical.")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Title on the public page (default: the incident's).")
    ] = None,
    publish: Annotated[
        bool, typer.Option(help="Publish a P2/P3 ticket on the status page.")
    ] = False,
    current_state: Annotated[str | None, typer.Option(help="Internal: what is happening.")] = None,
    next_steps: Annotated[
        str | None, typer.Option(help="Internal: what we are doing next.")
    ] = None,
    eta: Annotated[str | None, typer.Option(help='Internal: best estimate, or "TBD".')] = None,
    need: Annotated[str | None, typer.Option(help="Internal: help needed.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the text; post nothing.")
    ] = False,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Post an update: --public (status page, from a template) or --internal (the UPDATE block)."""
    if public == internal:
        output.error("say --public or --internal (one of them)")
        raise typer.Exit(2)
    if public:
        payload: JSON = {"components": _components(component), "publish": publish}
        optional = {
            "template": template,
            "status": status,
            "body": body,
            "impact": impact,
            "name": name,
        }
        payload.update({k: v for k, v in optional.items() if v is not None})
        if dry_run:
            payload.pop("impact", None)
            payload.pop("name", None)
        result = _call(url, token, lambda c: c.public_update(ref, payload, preview=dry_run))
        heading = (
            "Preview (not posted)"
            if dry_run
            else f"Posted to the status page ({result.get('ref', ref)})"
        )
        _show(as_json, result, f"{heading} - {result['status']}:\n{result['body']}")
        return
    if template or component or impact or publish or name:
        output.error("--template, --component, --impact, --name and --publish are for --public")
        raise typer.Exit(2)
    fields = {
        "status": status,
        "current_state": current_state,
        "next_steps": next_steps,
        "eta": eta,
        "need": need,
        "body": body,
    }
    payload = {k: v for k, v in fields.items() if v is not None}
    payload["dry_run"] = dry_run
    result = _call(url, token, lambda c: c.internal_update(ref, payload))
    heading = "Preview (not posted)" if dry_run else f"Internal update posted ({result['ref']})"
    _show(as_json, result, f"{heading}:\n{result['body']}")


@maintenance_app.command("create")
def create_maintenance(
    name: Annotated[str, typer.Argument(help="What is being done, in a line.")],
    start: Annotated[str, typer.Option(callback=_time, help="Start, e.g. 2026-11-02T22:00Z.")],
    end: Annotated[str, typer.Option(callback=_time, help="End, e.g. 2026-11-02T23:00Z.")],
    component: Annotated[list[str], typer.Option(help="Affected component key (repeatable).")],
    body: Annotated[str | None, typer.Option(help="Text shown on the page.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Schedule maintenance on some components."""
    payload: JSON = {
        "name": name,
        "scheduled_for": start,
        "scheduled_until": end,
        "components": component,
    }
    if body is not None:
        payload["body"] = body
    result = _call(url, token, lambda c: c.create_maintenance(payload))
    _show(as_json, result, f"Scheduled {result['id']}: {result['name']} ({result['status']})")


def _step(step: str) -> Callable[..., None]:
    def command(
        maintenance_id: Annotated[str, typer.Argument(help="The maintenance id.")],
        body: Annotated[str | None, typer.Option(help="Text of the update.")] = None,
        url: Url = DEFAULT_URL,
        token: Token = None,
        as_json: AsJson = False,
    ) -> None:
        payload: JSON = {} if body is None else {"body": body}
        result = _call(url, token, lambda c: c.advance_maintenance(maintenance_id, step, payload))
        _show(as_json, result, f"{result['id']}: {result['name']} is now {result['status']}")

    command.__doc__ = f"{step.capitalize()} a maintenance window."
    return command


for _name in ("start", "verify", "complete"):
    maintenance_app.command(_name)(_step(_name))


@component_app.command("set")
def set_component(
    name: Annotated[str, typer.Argument(help="Component key, e.g. api.")],
    status: Annotated[
        str,
        typer.Argument(
            help="operational|degraded_performance|partial_outage|major_outage|under_maintenance"
        ),
    ],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Set a component's status on the public page by hand (automation leaves it alone until
    `warroom component auto` or the incident it was set during is resolved)."""
    result = _call(url, token, lambda c: c.set_component(name, status))
    _show(as_json, result, f"{result['name']} ({result['key']}) is now {result['status']}")


@component_app.command("auto")
def automate_component(
    name: Annotated[str, typer.Argument(help="Component key, e.g. api.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Hand a component back to automation: it follows its monitors and open incidents."""
    result = _call(url, token, lambda c: c.automate_component(name))
    _show(
        as_json,
        result,
        f"{result['name']} ({result['key']}) is automatic: {result['status']} ({result['reason']})",
    )


@component_app.command("list")
def list_components(url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Components with their status, who sets it (auto or manual) and why, and the suggested one."""
    rows = _call(url, token, lambda c: c.components())
    if as_json:
        output.print_json(rows)
        return
    table = Table("Key", "Name", "Group", "Status", "Set", "Why", "Suggested")
    for row in rows:
        table.add_row(
            row["key"],
            row["name"],
            row["group"] or "-",
            row["status"],
            "auto" if row.get("automatic", True) else "manual",
            row.get("reason") or "-",
            row["suggested_status"],
        )
    Console(highlight=False).print(table)
