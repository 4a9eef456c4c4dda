"""The `warroom` command: server and admin commands, and the responder client of the API."""

from __future__ import annotations

import typer

from warroom.cli import action as action_cli
from warroom.cli import alert, incident, integration, playbook, server, target, token, update
from warroom.cli import check as check_cli
from warroom.cli import checklist as checklist_cli
from warroom.cli import demo as demo_cli
from warroom.cli import deploy as deploy_cli
from warroom.cli import drill as drill_cli
from warroom.cli import metrics as metrics_cli
from warroom.cli import monitor as monitor_cli
from warroom.cli import oncall as oncall_cli
from warroom.cli import postmortem as postmortem_cli
from warroom.cli import report as report_cli

app = typer.Typer(
    name="warroom",
    help="warroom: your incident response playbook, run as software.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(server.serve)
app.command("engine")(server.engine_command)
app.add_typer(server.db_app, name="db")
app.add_typer(playbook.app, name="playbook")
app.add_typer(token.app, name="token")
app.add_typer(incident.app, name="incident")
app.add_typer(alert.app, name="alert")
app.add_typer(integration.app, name="integration")
app.add_typer(target.app, name="target")
app.add_typer(drill_cli.app, name="drill")
app.add_typer(update.app, name="update")
app.add_typer(update.maintenance_app, name="maintenance")
app.add_typer(update.component_app, name="component")
app.add_typer(monitor_cli.app, name="monitor")
app.add_typer(oncall_cli.app, name="oncall")
app.add_typer(check_cli.app, name="check")

app.add_typer(checklist_cli.app, name="checklist")
app.add_typer(postmortem_cli.app, name="postmortem")
app.add_typer(action_cli.app, name="action")
app.add_typer(deploy_cli.app, name="deploy")
app.add_typer(report_cli.app, name="report")
app.command("metrics")(metrics_cli.metrics)
app.command("demo")(demo_cli.demo)

if __name__ == "__main__":  # pragma: no cover
    app()
