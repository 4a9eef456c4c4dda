"""`warroom monitor list|show|run NAME`: monitors' state and results through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from warroom.cli import output
from warroom.cli.calls import call_api
from warroom.cli.client import DEFAULT_URL, JSON, ApiClient, _ref
from warroom.cli.incident import AsJson, Token, Url

app = typer.Typer(help="Monitors: state, results, run one now.", no_args_is_help=True)
T = TypeVar("T")
MONITORS = "/api/v1/monitors"
STATE_STYLES = {"up": "green", "degraded": "yellow", "down": "bold red", "unknown": "dim"}


class MonitorClient(ApiClient):
    """The monitor and check endpoints of the API."""

    def list_monitors(self, results: int = 1) -> JSON:
        """GET /monitors: ``{"items": [...]}``."""
        return self._json("GET", MONITORS, params=[("results", str(results))])

    def get_monitor(self, name: str) -> JSON:
        return self._json("GET", f"{MONITORS}/{_ref(name)}")

    def run_monitor(self, name: str) -> JSON:
        return self._json("POST", f"{MONITORS}/{_ref(name)}/run")

    def attach_check(self, ref: str, report: JSON) -> JSON:
        """POST /incidents/{ref}/checks: the timeline event."""
        return self._json("POST", f"/api/v1/incidents/{_ref(ref)}/checks", body=report)


def call(url: str, token: str | None, request: Callable[[MonitorClient], T]) -> T:
    """Make one API call; a missing token or a refusal becomes a message and an exit code."""
    return call_api(MonitorClient, url, token, request)


def _state(value: Any) -> Text:
    return Text(str(value), style=STATE_STYLES.get(str(value), ""))


def _ms(value: Any) -> str:
    return "-" if value is None else f"{value:.0f} ms"


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value * 100:.2f}%"


def _table(page: JSON) -> None:
    items: list[JSON] = page.get("items") or []
    console = Console(highlight=False)
    if not items:
        console.print("No monitors. Add them to the playbook's monitors: section.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Name", "Kind", "State", "Service", "Last check", "Latency", "Error"):
        table.add_column(column, no_wrap=column != "Error", overflow="fold")
    for item in items:
        last = (item.get("results") or [None])[0] or {}
        table.add_row(
            Text(str(item.get("name"))),
            item.get("kind", ""),
            _state(item.get("state") if item.get("enabled") else "disabled"),
            Text(str(item.get("service") or "-")),
            output.when(item.get("last_run_at")),
            _ms(last.get("latency_ms")),
            Text(str(item.get("last_error") or "")),
        )
    console.print(table)


def _detail(item: JSON) -> None:
    console = Console(highlight=False)
    head = Text.assemble((str(item.get("name")), "bold"), f" ({item.get('kind')}) is ")
    head.append_text(_state(item.get("state")))
    console.print(head)
    uptime = item.get("uptime") or {}
    facts = [
        ("Service", str(item.get("service") or "-")),
        ("Origin", str(item.get("origin"))),
        ("Target", str(item["spec"].get("url") or item["spec"].get("host") or "-")),
        ("Alert open", "yes" if item.get("alert_open") else "no"),
        (
            "Failures/successes in a row",
            f"{item.get('consecutive_failures')}/{item.get('consecutive_successes')}",
        ),
        ("Uptime 24h / 7d / 30d", " / ".join(_pct(uptime.get(k)) for k in ("24h", "7d", "30d"))),
        ("Next check", output.when(item.get("next_run_at"))),
    ]
    if item.get("heartbeat_url"):
        facts.append(("Push URL", str(item["heartbeat_url"])))
    for label, value in facts:
        console.print(Text.assemble((f"  {label}: ", "bold"), value))
    table = Table(title="Recent results", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("At (UTC)", "OK", "Latency", "Status", "Error"):
        table.add_column(column, overflow="fold")
    for result in item.get("results") or []:
        table.add_row(
            output.when(result.get("at")),
            Text(
                "ok" if result.get("ok") else "FAIL", style="green" if result.get("ok") else "red"
            ),
            _ms(result.get("latency_ms")),
            str(result.get("status_code") or "-"),
            Text(str(result.get("error") or "")),
        )
    console.print(table)


def _ran(body: JSON) -> None:
    console = Console(highlight=False)
    monitor = body.get("monitor") or {}
    verdict = Text("passed", style="green") if body.get("ok") else Text("FAILED", style="bold red")
    console.print(
        Text.assemble(f"{monitor.get('name')}: ", verdict, f" — state {monitor.get('state')}")
    )
    for row in body.get("conditions") or []:
        mark = {True: "ok  ", False: "FAIL", None: "wait"}[row.get("ok")]
        console.print(Text(f"  {mark} {row.get('reason') or row.get('condition')}"))
    if body.get("reason") and not body.get("conditions"):
        console.print(Text(f"  {body['reason']}"))


@app.command("list")
def list_(url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Every monitor with its state and latest result."""
    page = call(url, token, lambda c: c.list_monitors())
    output.print_json(page) if as_json else _table(page)


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="Monitor name.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """One monitor: state, uptime, push URL and recent results."""
    item = call(url, token, lambda c: c.get_monitor(name))
    output.print_json(item) if as_json else _detail(item)


@app.command()
def run(
    name: Annotated[str, typer.Argument(help="Monitor name.")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Probe a monitor now (the result is stored); exit 1 if it failed."""
    body = call(url, token, lambda c: c.run_monitor(name))
    output.print_json(body) if as_json else _ran(body)
    if not body.get("ok"):
        raise typer.Exit(1)
