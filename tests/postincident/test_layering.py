"""The post-incident domains know no transport: importing them pulls in no web or CLI stack."""

from __future__ import annotations

import subprocess
import sys

MODULES = [
    "warroom.changes.service",
    "warroom.closure.service",
    "warroom.postmortems.service",
    "warroom.postmortems.document",
    "warroom.postmortems.jobs",
    "warroom.actions.service",
    "warroom.metrics.service",
    "warroom.metrics.review",
    "warroom.metrics.markdown",
    "warroom.metrics.html",
    "warroom.metrics.exposition",
]
EDGE_PACKAGES = ["fastapi", "starlette", "typer", "uvicorn", "rich"]


def test_post_incident_domains_do_not_import_the_edges() -> None:
    code = (
        f"import sys\nfor m in {MODULES!r}: __import__(m)\n"
        f"print(','.join(p for p in {EDGE_PACKAGES!r} if p in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"the post-incident domains import {loaded}"
