"""Make ``src/`` importable when warroom is not installed into the venv (editable install)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

if importlib.util.find_spec("warroom") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "src"))
