"""`warroom target ...`: run the practice target, and flip its faults from the terminal.

``serve`` runs the target; ``fault`` and ``status`` are thin clients of its fault switch and
health route, with the usual exit codes: 0 done, 1 the target refused, 2 a usage error or no
target to talk to.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import httpx
import typer
import uvicorn
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from warroom.cli import output
from warroom.cli.client import JSON, ApiClient, ClientError, Unreachable
from warroom.target.app import FAULT_PATH, create_target_app
from warroom.target.faults import (
    FAULTS,
    FaultInputError,
    fault_kind,
    parse_fault_duration,
    parse_latency,
    parse_rate,
)

app = typer.Typer(help="The practice target: a service to break on purpose.", no_args_is_help=True)

DEFAULT_TARGET_URL = "http://127.0.0.1:8090"
T = TypeVar("T")

Url = Annotated[
    str,
    typer.Option("--url", envvar="WARROOM_TARGET_URL", help="Base URL of the practice target."),
]
Token = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="WARROOM_TARGET_TOKEN",
        help="The target's admin token.",
        show_default=False,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the target's JSON and nothing else.")]


class TargetUnreachable(Unreachable):
    """No answer from the target; the hint names the command that starts it."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        hint = " — is `warroom target serve` running?" if reason != "invalid URL" else ""
        self.message = f"cannot reach the target at {url}: {reason}{hint}"
        self.args = (self.message,)


class TargetClient(ApiClient):
    """The target's fault switch and health route over HTTP."""

    def __init__(self, base_url: str, token: str) -> None:
        super().__init__(base_url, token)
        if not token:  # health needs none, and "Bearer " alone is not a valid header
            del self._http.headers["Authorization"]

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return super()._send(method, path, **kwargs)
        except Unreachable as exc:
            raise TargetUnreachable(exc.url, exc.reason) from None

    def health(self) -> tuple[int, JSON]:
        """GET /health, whatever its status (a 503 is an answer here, not an error)."""
        try:
            response = self._http.get("/health")
        except httpx.HTTPError as exc:
            raise TargetUnreachable(self.base_url, _reason(exc)) from None
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text[:200]}
        return response.status_code, body if isinstance(body, dict) else {"raw": body}

    def faults(self) -> JSON:
        """GET /__faults: every fault, on or off."""
        return self._json("GET", FAULT_PATH)

    def switch(self, body: JSON) -> JSON:
        """POST /__faults: the fault's state afterwards."""
        return self._json("POST", FAULT_PATH, body=body)


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "no answer (timed out)"
    return "connection refused" if "refused" in str(exc).lower() else str(exc) or "error"


def _call(url: str, token: str, request: Callable[[TargetClient], T]) -> T:
    client = TargetClient(url, token)
    try:
        return request(client)
    except ClientError as err:
        output.client_error(err)
        raise typer.Exit(output.exit_code(err)) from None
    finally:
        client.close()


def _need_token(token: str | None) -> str:
    if not token:
        output.error(
            "no target token; pass --token or set WARROOM_TARGET_TOKEN "
            "(`warroom target serve` prints it when it starts)"
        )
        raise typer.Exit(2)
    return token


def _console() -> Console:
    return Console(highlight=False)


def _clock_time(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%H:%M:%SZ") if value else "-"


# -- commands -------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(envvar="WARROOM_TARGET_HOST", help="Address to bind.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(envvar="WARROOM_TARGET_PORT", min=1, max=65535, help="Port to bind.")
    ] = 8090,
    admin_token: Annotated[
        str | None,
        typer.Option(
            envvar="WARROOM_TARGET_TOKEN",
            help="Admin token for admin routes and the fault switch (default: generated).",
            show_default=False,
        ),
    ] = None,
    traffic: Annotated[
        bool, typer.Option("--traffic/--no-traffic", help="Simulate users making requests.")
    ] = True,
) -> None:
    """Run the practice target (HTTP + WebSocket) until Ctrl-C."""
    token = admin_token or f"wt_{secrets.token_urlsafe(24)}"
    url = f"http://{host}:{port}"
    console = Console(soft_wrap=True, highlight=False)
    console.print(f"[bold]warroom practice target[/] serving on {url}")
    console.print(f"faults: {', '.join(FAULTS)}")
    if admin_token is None:
        console.print(f"admin token (generated): {token}")
    console.print("Break it from a shell with:")
    console.print(f"  export WARROOM_TARGET_URL={url} WARROOM_TARGET_TOKEN={token}")
    console.print("  warroom target fault down --on --duration 10m")
    uvicorn.run(
        create_target_app(token=token, traffic=traffic), host=host, port=port, log_level="warning"
    )


@app.command()
def fault(
    name: Annotated[str, typer.Argument(help=f"The fault: {', '.join(FAULTS)}.")],
    on: Annotated[
        bool | None, typer.Option("--on/--off", help="Switch it on or off.", show_default=False)
    ] = None,
    duration: Annotated[
        str | None, typer.Option(help="Clear it after this long, e.g. 10m.", show_default=False)
    ] = None,
    rate: Annotated[
        float | None,
        typer.Option(help="Share of requests that fail (error-rate, bad-release), e.g. 0.3."),
    ] = None,
    latency: Annotated[
        str | None, typer.Option(help="Added latency (slow), e.g. 800ms.", show_default=False)
    ] = None,
    url: Url = DEFAULT_TARGET_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Switch a fault of the practice target on or off."""
    if on is None:
        raise typer.BadParameter("say --on or --off", param_hint="--on/--off")
    body: JSON = {"fault": name, "on": on}
    try:
        kind = fault_kind(name)
        body["fault"] = kind.name
        given = [
            opt
            for opt, value in (("duration", duration), ("rate", rate), ("latency", latency))
            if value is not None
        ]
        if given and not on:
            raise FaultInputError(given[0], f"--{given[0]} only applies with --on")
        if rate is not None and not kind.takes_rate:
            raise FaultInputError("rate", f"{kind.name} takes no --rate")
        if latency is not None and not kind.takes_latency:
            raise FaultInputError("latency", f"{kind.name} takes no --latency")
        if duration is not None:
            parse_fault_duration(duration)
            body["duration"] = duration
        if rate is not None:
            body["rate"] = parse_rate(rate)
        if latency is not None:
            parse_latency(latency)
            body["latency"] = latency
    except FaultInputError as exc:
        hint = "NAME" if exc.field == "fault" else f"--{exc.field}"
        raise typer.BadParameter(exc.message, param_hint=hint) from None
    state = _call(url, _need_token(token), lambda client: client.switch(body))
    if as_json:
        output.print_json(state)
    elif state.get("on"):
        until = state.get("until")
        extra = f" until {_clock_time(until)}" if until else " until switched off"
        _console().print(Text.assemble((kind.name, "bold"), " is ", ("on", "bold red"), extra))
    else:
        was = "" if state.get("was_on") else " (it was not on)"
        _console().print(Text.assemble((kind.name, "bold"), " is ", ("off", "green"), was))


@app.command()
def status(url: Url = DEFAULT_TARGET_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Show the target's health and, with a token, which faults are on."""
    code, health = _call(url, token or "", lambda client: client.health())
    faults = _call(url, token, lambda client: client.faults()) if token else None
    if as_json:
        output.print_json({"health_status": code, "health": health, "faults": faults})
        return
    console = _console()
    overall = "down" if code == 503 else str(health.get("status", "?"))
    style = "green" if overall == "ok" else "bold red"
    console.print(Text.assemble("health: ", (overall, style), f" (HTTP {code})"))
    for part in ("database", "cache", "websocket", "version"):
        if part in health:
            console.print(f"  {part}: {health[part]}")
    if faults is None:
        console.print("(pass --token or set WARROOM_TARGET_TOKEN to see the faults)")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Fault", "State", "Until", "Settings", "What it does"):
        table.add_column(column, no_wrap=column != "What it does")
    for row in faults.get("faults", []):
        settings = []
        if row.get("rate") is not None:
            settings.append(f"rate {row['rate']:g}")
        if row.get("latency_ms") is not None:
            settings.append(f"latency {row['latency_ms']}ms")
        table.add_row(
            Text(str(row.get("name"))),
            Text("on", style="bold red") if row.get("on") else Text("off", style="green"),
            Text(_clock_time(row.get("until")) if row.get("on") else "-"),
            Text(", ".join(settings) or "-"),
            Text(str(row.get("description", ""))),
        )
    console.print(table)
