"""`warroom postmortem`: open, read, edit and export post-mortems."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warroom.cli import output
from warroom.cli.client import DEFAULT_URL, JSON
from warroom.cli.incident import AsJson, Ref, Token, Url, _time
from warroom.cli.postincident import call, text_or_file

app = typer.Typer(help="Post-mortems: open, edit, export as Markdown.", no_args_is_help=True)

Section = Annotated[str | None, typer.Option(help="Text, or @FILE to read it from a file.")]


class DocStatus(StrEnum):
    draft = "draft"
    complete = "complete"


def _summary(pm: JSON) -> None:
    overdue = " (OVERDUE)" if pm.get("overdue") else ""
    meeting = output.when(pm.get("meeting_at"), seconds=False)
    owner = f"@{pm['owner']}" if pm.get("owner") else "-"
    typer.echo(
        f"{pm['ref']}: post-mortem {pm['status']}, owner {owner}, due "
        f"{output.when(pm['due_at'], seconds=False)}{overdue}, meeting {meeting}"
    )


@app.command()
def create(ref: Ref, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """Open a post-mortem by hand (P0/P1 get one automatically when resolved)."""
    pm = call(url, token, lambda client: client.create_postmortem(ref))
    output.print_json(pm) if as_json else _summary(pm)


@app.command()
def show(ref: Ref, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False) -> None:
    """The post-mortem's state: owner, due date, meeting."""
    pm = call(url, token, lambda client: client.postmortem(ref))
    output.print_json(pm) if as_json else _summary(pm)


@app.command()
def export(ref: Ref, url: Url = DEFAULT_URL, token: Token = None) -> None:
    """The document as Markdown on stdout: `warroom postmortem export INC-7 > INC-7.md`."""
    output.print_text(call(url, token, lambda client: client.postmortem_markdown(ref)))


@app.command()
def edit(
    ref: Ref,
    summary: Section = None,
    impact: Section = None,
    root_cause: Section = None,
    went_well: Section = None,
    could_improve: Section = None,
    notes: Section = None,
    owner: Annotated[str | None, typer.Option(help="Owner's handle.")] = None,
    meeting: Annotated[
        str | None, typer.Option(callback=_time, help="Meeting time, e.g. 2026-11-03T14:00Z.")
    ] = None,
    status: Annotated[DocStatus | None, typer.Option(help="draft or complete.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Edit sections (text or @FILE), the owner, the meeting time or the status."""
    candidates = {
        "summary": text_or_file(summary),
        "impact": text_or_file(impact),
        "root_cause": text_or_file(root_cause),
        "went_well": text_or_file(went_well),
        "could_improve": text_or_file(could_improve),
        "notes": text_or_file(notes),
        "owner": owner.removeprefix("@") if owner else None,
        "meeting_at": meeting,
        "status": status.value if status else None,
    }
    changes: JSON = {k: v for k, v in candidates.items() if v is not None}
    if not changes:
        raise typer.BadParameter("nothing to change; pass at least one option")
    pm = call(url, token, lambda client: client.edit_postmortem(ref, changes))
    output.print_json(pm) if as_json else _summary(pm)


@app.command("list")
def list_(
    status: Annotated[DocStatus | None, typer.Option(help="Only drafts or completed.")] = None,
    url: Url = DEFAULT_URL,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Post-mortems, latest due first."""
    page = call(url, token, lambda client: client.postmortems(status.value if status else None))
    if as_json:
        output.print_json(page)
        return
    table = Table("Incident", "Status", "Owner", "Due (UTC)", "Meeting (UTC)", title="Post-mortems")
    for pm in page["items"]:
        due = output.when(pm["due_at"], seconds=False) + (" OVERDUE" if pm["overdue"] else "")
        table.add_row(
            pm["ref"],
            pm["status"],
            f"@{pm['owner']}" if pm["owner"] else "-",
            due,
            output.when(pm["meeting_at"], seconds=False),
        )
    Console(highlight=False).print(table)
