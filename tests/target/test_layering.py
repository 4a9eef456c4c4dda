"""The target's model (faults, state, windows) knows no transport; only ``app`` is the edge."""

from __future__ import annotations

import subprocess
import sys

MODEL_MODULES = ["warroom.target.faults", "warroom.target.state", "warroom.target.cache"]
EDGE_PACKAGES = ["fastapi", "starlette", "typer", "uvicorn", "rich", "httpx"]


def test_the_target_model_does_not_import_the_edges() -> None:
    # One interpreter for all: the model modules import one another anyway.
    code = (
        f"import sys, {', '.join(MODEL_MODULES)}; "
        f"print(','.join(p for p in {EDGE_PACKAGES!r} if p in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"the target's model imports {loaded}"
