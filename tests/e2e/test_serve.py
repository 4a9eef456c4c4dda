"""`warroom serve` as a user runs it: a real process, a fresh SQLite file, the printed token."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import free_port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    port = free_port()
    db = tmp_path / "warroom.db"
    env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{db}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "warroom.cli.main", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    output = ""
    assert process.stdout is not None
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            output += line
            if "export WARROOM_URL" in line:
                break
        match = re.search(r"WARROOM_TOKEN=(wr_\S+)", output)
        assert match, output
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url, match.group(1), db
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_prints_a_working_admin_token_once(served: tuple[str, str, Path]) -> None:
    url, token, db = served
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{url}/api/v1/whoami", headers=headers).json()["role"] == "admin"
    created = httpx.post(
        f"{url}/api/v1/incidents",
        json={"title": "Site down", "severity": "P0", "service": "api"},
        headers=headers,
    )
    assert created.status_code == 201
    assert created.json()["ref"] == "INC-1"
    # WAL mode on the embedded database, and the token stored only as a hash.
    import sqlite3

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        hashes = [row[0] for row in connection.execute("SELECT token_hash FROM api_tokens")]
    assert token not in hashes
    assert all(len(h) == 64 for h in hashes)
