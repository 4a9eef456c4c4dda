"""The domain core knows no transport: importing it must not pull in the web or CLI stack."""

from __future__ import annotations

import subprocess
import sys

import pytest

DOMAIN_MODULES = [
    "warroom.incidents.service",
    "warroom.incidents.lifecycle",
    "warroom.roles.service",
    "warroom.timeline.service",
    "warroom.auth.service",
    "warroom.playbook",
    "warroom.alerts.service",
    "warroom.integrations.service",
    "warroom.triage.rules",
    "warroom.oncall.service",
    "warroom.escalation.service",
    "warroom.notify.service",
    "warroom.notify.delivery",
    "warroom.reminders.service",
    "warroom.monitors.service",
    "warroom.monitors.scheduler",
    "warroom.checks.service",
    "warroom.statuspage.documents",
    "warroom.updates.public",
    "warroom.closure.service",
    "warroom.postmortems.service",
    "warroom.actions.service",
    "warroom.changes.service",
    "warroom.metrics.service",
    "warroom.engine.runner",
]
# (Not rich: httpx, which probes and notifications use, imports it for its own CLI.)
EDGE_PACKAGES = ["fastapi", "starlette", "typer", "uvicorn"]


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_does_not_import_the_edges(module: str) -> None:
    code = (
        f"import sys, {module}; print(','.join(p for p in {EDGE_PACKAGES!r} if p in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"{module} imports {loaded}"


def test_importing_warroom_does_nothing() -> None:
    code = "import sys, warroom; print(len([m for m in sys.modules if m.startswith('warroom.')]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
