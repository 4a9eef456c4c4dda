"""`warroom check http|metrics|ws|sql|load`: one-off diagnostics run from the responder's shell.

The check runs here, like curl or ab would; ``--incident INC-7`` then posts the result to that
incident's timeline through the API (a ``check`` event). Exit codes: 0 the check passed, 1 it
failed (or the server refused the attachment), 2 a usage error or no server to attach to.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from warroom.checks import diagnostics, load, timing
from warroom.checks.report import CheckReport
from warroom.cli import output
from warroom.cli.client import DEFAULT_URL
from warroom.cli.incident import AsJson, Token, Url
from warroom.cli.monitor import call
from warroom.monitors.conditions import ConditionError, parse

app = typer.Typer(help="One-off diagnostic checks (curl -w, grep /metrics, wscat, psql, ab).")

Incident = Annotated[
    str | None,
    typer.Option("--incident", help="Attach the result to this incident's timeline, e.g. INC-7."),
]
Timeout = Annotated[float, typer.Option(min=0.1, max=300, help="Seconds before giving up.")]
Insecure = Annotated[
    bool, typer.Option("--insecure", "-k", help="Accept invalid TLS certificates.")
]


def _expectations(values: list[str] | None) -> tuple[str, ...]:
    """--expect values, each a condition like '[STATUS] == 200', checked before running."""
    found = tuple(values or ())
    for value in found:
        try:
            parse(value)
        except ConditionError as exc:
            raise typer.BadParameter(str(exc), param_hint="--expect") from None
    return found


Expect = Annotated[
    list[str] | None,
    typer.Option(
        "--expect",
        "-e",
        help="A condition that must hold, e.g. '[STATUS] == 200' (repeatable).",
        callback=_expectations,
    ),
]


def _headers(values: list[str] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values or []:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{value!r} is not 'Name: value'", param_hint="--header")
        headers[name.strip()] = content.strip()
    return headers


def _print(report: CheckReport) -> None:
    console = Console(highlight=False)
    verdict = Text("PASS", style="bold green") if report.ok else Text("FAIL", style="bold red")
    console.print(Text.assemble(verdict, f" {report.kind} {report.target}: {report.summary}"))
    data = report.data
    for section in ("timings", "latency_ms"):
        values = data.get(section) or {}
        for key, value in values.items():
            shown = "-" if value is None else f"{value:.2f} ms"
            console.print(Text(f"  {key.replace('_', ' '):<11} {shown}"))
    for key in ("statuses", "errors"):
        for name, count in (data.get(key) or {}).items():
            console.print(Text(f"  {key[:-1]} {name}: {count}"))
    for line in data.get("matches") or []:
        console.print(Text(f"  {line}"))
    for row in data.get("rows") or []:
        console.print(Text("  " + " | ".join(str(v) for v in row)))
    for row in data.get("conditions") or []:
        if row.get("ok") is False:
            console.print(Text(f"  FAIL {row.get('reason')}", style="red"))


def _finish(
    job: Coroutine[Any, Any, CheckReport],
    *,
    incident: str | None,
    url: str,
    token: str | None,
    as_json: bool,
) -> None:
    report = asyncio.run(job)
    attached = None
    if incident:
        attached = call(url, token, lambda c: c.attach_check(incident, report.to_dict()))
    if as_json:
        body = report.to_dict()
        if attached is not None:
            body["timeline_event"] = attached
        output.print_json(body)
    else:
        _print(report)
        if attached is not None:
            Console(highlight=False).print(f"Attached to {incident}'s timeline.")
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def http(
    target: Annotated[str, typer.Argument(help="The URL to request.")],
    expect: Expect = None,
    method: Annotated[str, typer.Option("--method", "-X", help="HTTP method.")] = "GET",
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", help="'Name: value' (repeatable).")
    ] = None,
    timeout: Timeout = 10.0,
    insecure: Insecure = False,
    incident: Incident = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Request a URL once: status and timings (DNS, connect, TLS, first byte, total)."""
    job = timing.http_timing(
        target,
        method=method.upper(),
        headers=_headers(header),
        expect=tuple(expect or ()),
        timeout=timeout,
        verify=not insecure,
    )
    _finish(job, incident=incident, url=url, token=token, as_json=as_json)


@app.command()
def metrics(
    target: Annotated[str, typer.Argument(help="The /metrics URL.")],
    match: Annotated[
        str | None, typer.Option("--match", "-m", help="Show sample lines matching this regex.")
    ] = None,
    expect: Expect = None,
    timeout: Timeout = 10.0,
    insecure: Insecure = False,
    incident: Incident = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Scrape a Prometheus endpoint: matching lines, and expressions like 'error_rate < 0.05'."""
    job = diagnostics.metrics_grep(
        target, match=match, expect=tuple(expect or ()), timeout=timeout, verify=not insecure
    )
    _finish(job, incident=incident, url=url, token=token, as_json=as_json)


@app.command()
def ws(
    target: Annotated[str, typer.Argument(help="The ws:// or wss:// URL.")],
    send: Annotated[str | None, typer.Option(help="A message to send; its reply is shown.")] = None,
    expect: Expect = None,
    timeout: Timeout = 10.0,
    insecure: Insecure = False,
    incident: Incident = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Connect to a WebSocket (like wscat -c), optionally send one message."""
    job = diagnostics.websocket_check(
        target, send=send, expect=tuple(expect or ()), timeout=timeout, verify=not insecure
    )
    _finish(job, incident=incident, url=url, token=token, as_json=as_json)


@app.command()
def sql(
    dsn_env: Annotated[
        str,
        typer.Option(
            "--dsn-env", help="Environment variable holding the database URL.", show_default=True
        ),
    ] = "DATABASE_URL",
    query: Annotated[str, typer.Option("--query", "-q", help="The query to run.")] = "SELECT 1",
    timeout: Timeout = 10.0,
    incident: Incident = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Run a query (psql -c "SELECT 1"); the URL comes from an environment variable."""
    dsn = os.environ.get(dsn_env)
    if not dsn:
        output.error(f"environment variable {dsn_env} is not set; export the database URL there")
        raise typer.Exit(2)
    job = diagnostics.sql_check(dsn, label=f"${dsn_env}", query=query, timeout=timeout)
    _finish(job, incident=incident, url=url, token=token, as_json=as_json)


@app.command("load")
def load_(
    target: Annotated[str, typer.Argument(help="The URL to load.")],
    requests: Annotated[
        int, typer.Option("-n", min=1, max=load.MAX_REQUESTS, help="Requests in all.")
    ] = 100,
    concurrency: Annotated[
        int, typer.Option("-c", min=1, max=load.MAX_CONCURRENCY, help="At the same time.")
    ] = 10,
    timeout: Timeout = 10.0,
    insecure: Insecure = False,
    incident: Incident = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """A small load test (ab -n 100 -c 10): requests/s, latency percentiles, errors."""
    job = load.load_test(
        target, requests=requests, concurrency=concurrency, timeout=timeout, verify=not insecure
    )
    _finish(job, incident=incident, url=url, token=token, as_json=as_json)
