"""`warroom drill ...`: run a game-day drill against the practice target and read reports."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich import box
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL, JSON, ClientError
from warroom.cli.target import DEFAULT_TARGET_URL, TargetClient
from warroom.drills.report import to_markdown
from warroom.drills.runner import DrillClient, DrillRunner, describe
from warroom.playbook import parse_duration

app = typer.Typer(help="Game-day drills: break the target on purpose, measure the response.")

Url = Annotated[
    str, typer.Option("--url", envvar="WARROOM_URL", help="Base URL of the warroom server.")
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="WARROOM_TOKEN", help="API token.", show_default=False),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the API's JSON and nothing else.")]
STATE_STYLE = {"done": "green", "skipped": "yellow", "not due": "dim"}


def _client(url: str, token: str | None) -> DrillClient:
    if not token:
        output.error("no token; pass --token or set WARROOM_TOKEN")
        raise typer.Exit(2)
    return DrillClient(url, token)


def _fail(err: ClientError) -> typer.Exit:
    output.client_error(err)
    return typer.Exit(output.exit_code(err))


def _view(drill: JSON) -> Group:
    report = drill.get("report") or {}
    incident = report.get("incident")
    head = Text.assemble(
        (f"drill {drill.get('id')} ", "bold"),
        f"{drill.get('scenario')} on {drill.get('target_url')} — ",
        (str(drill.get("outcome") or drill.get("status")), "bold"),
    )
    if incident:
        head.append(f"\n{incident['ref']} {incident['title']} ({incident['severity']}, ")
        head.append(f"{incident['status']})")
    else:
        head.append("\nwaiting for warroom to notice ...")
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Step", "State", "After"):
        table.add_column(column)
    for label, state, after in describe(drill):
        table.add_row(label, Text(state, style=STATE_STYLE.get(state, "")), after)
    return Group(head, table)


def _write(drill: JSON, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = out / f"drill-{drill['id']}"
    md, js = base.with_suffix(".md"), base.with_suffix(".json")
    js.write_text(json.dumps(drill.get("report") or {}, indent=2) + "\n", encoding="utf-8")
    md.write_text(to_markdown(drill["report"]), encoding="utf-8")
    return md, js


def _sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the runner's finally switches the faults off


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="outage, database, error-rate, performance ...")],
    severity: Annotated[
        str | None, typer.Option(help="The severity you expect, e.g. P1.", show_default=False)
    ] = None,
    duration: Annotated[str, typer.Option(help="Time limit, e.g. 10m.")] = "10m",
    target: Annotated[
        str, typer.Option("--target", envvar="WARROOM_TARGET_URL", help="The target's URL.")
    ] = DEFAULT_TARGET_URL,
    target_token: Annotated[
        str | None,
        typer.Option(envvar="WARROOM_TARGET_TOKEN", help="Target admin token.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for the reports.")] = Path("drill-reports"),
    url: Url = DEFAULT_URL,
    token: Token = None,
    poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks.")] = 1.0,
) -> None:
    """Inject a scenario's faults, follow the response live, remove them, write the report."""
    try:
        seconds = parse_duration(duration).total_seconds()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--duration") from None
    if not target_token:
        output.error("no target token; pass --target-token or set WARROOM_TARGET_TOKEN")
        raise typer.Exit(2)
    api = _client(url, token)
    target_client = TargetClient(target, target_token)
    console = Console(highlight=False)
    previous = signal.signal(signal.SIGTERM, _sigterm)
    try:
        with Live(console=console, refresh_per_second=4, transient=False) as live:
            runner = DrillRunner(
                api,
                target_client,
                scenario=scenario,
                duration=duration,
                duration_seconds=seconds,
                severity=severity,
                poll_seconds=poll,
                on_progress=lambda drill: live.update(_view(drill)),
            )
            final = runner.run()
    except ClientError as err:
        raise _fail(err) from None
    except KeyboardInterrupt:
        output.error("drill interrupted; its faults were switched off")
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
        api.close()
        target_client.close()
    if final.get("report"):
        md, js = _write(final, out)
        console.print(f"report: {md} and {js}")
    if final.get("fault_removed") is False:
        output.error("could not switch every fault off; check `warroom target status`")
        raise typer.Exit(1)


@app.command("list")
def list_(url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """The drills run so far, newest first."""
    api = _client(url, token)
    try:
        drills = api.drills()
    except ClientError as err:
        raise _fail(err) from None
    finally:
        api.close()
    if as_json:
        output.print_json({"items": drills})
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Id", "Scenario", "Started", "Outcome", "Incident", "Skipped"):
        table.add_column(column)
    for d in drills:
        report = d.get("report") or {}
        incident = report.get("incident") or {}
        table.add_row(
            str(d["id"]),
            d["scenario"],
            output.when(d["started_at"]),
            str(d.get("outcome") or d["status"]),
            str(incident.get("ref", "-")),
            str(len(report.get("skipped") or [])),
        )
    Console(highlight=False).print(table)


@app.command()
def scenarios(url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """The scenarios the server knows: the four built in and the playbook's."""
    api = _client(url, token)
    try:
        found = api.scenarios()
    except ClientError as err:
        raise _fail(err) from None
    finally:
        api.close()
    if as_json:
        output.print_json({"items": found})
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("Scenario", "Faults", "Expects", "What it rehearses"):
        table.add_column(column)
    for s in found:
        table.add_row(s["name"], ", ".join(s["faults"]), s.get("severity") or "-", s["description"])
    Console(highlight=False).print(table)


@app.command()
def report(
    drill_id: Annotated[int, typer.Argument(help="The drill's id (see `warroom drill list`).")],
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """A drill's report, as Markdown (or its JSON)."""
    api = _client(url, token)
    try:
        drill = api.drill(drill_id)
    except ClientError as err:
        raise _fail(err) from None
    finally:
        api.close()
    if as_json:
        output.print_json(drill.get("report") or {})
    else:
        typer.echo(to_markdown(drill["report"]), nl=False)
