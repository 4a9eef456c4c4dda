"""Server-side commands: db upgrade, playbook validate/show/init, tokens."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from warroom.cli.main import app

runner = CliRunner()


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    again = runner.invoke(app, ["db", "upgrade", "--database-url", url])
    assert again.exit_code == 0


def test_playbook_init_then_validate(tmp_path: Path) -> None:
    path = tmp_path / "playbook.yaml"
    assert runner.invoke(app, ["playbook", "init", str(path)]).exit_code == 0
    assert "severities:" in path.read_text()
    refused = runner.invoke(app, ["playbook", "init", str(path)])
    assert refused.exit_code == 1
    assert "--force" in refused.output
    result = runner.invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_validate_lists_every_problem_with_line(tmp_path: Path) -> None:
    path = tmp_path / "playbook.yaml"
    runner.invoke(app, ["playbook", "init", str(path)])
    text = path.read_text()
    text = text.replace("response_time: 15m", "response_time: fast", 1)
    text = text.replace("response_time: 30m", "response_time: soon", 1)
    path.write_text(text)
    result = runner.invoke(app, ["playbook", "validate", str(path)])
    assert result.exit_code == 1
    output = result.output.replace("\n", " ")
    assert "2 problems" in output
    assert 'severities.P0.response_time: expected a duration like "15m", got "fast"' in output
    assert "severities.P1.response_time" in output
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "response_time: fast" in row)
    assert f"{path}:{line}:" in output.replace("\n", "")


def test_validate_a_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["playbook", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1


def test_playbook_show_prints_the_effective_playbook() -> None:
    result = runner.invoke(app, ["playbook", "show"])
    assert result.exit_code == 0
    assert "Pitchey Platform" in result.output
    assert "response_time: 15m" in result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    assert runner.invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    return url


def test_tokens_create_list_revoke(db: str) -> None:
    created = runner.invoke(
        app,
        [
            "token",
            "create",
            "--name",
            "alice",
            "--role",
            "responder",
            "--person",
            "alice",
            "--database-url",
            db,
        ],
    )
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("wr_")
    listed = runner.invoke(app, ["token", "list", "--database-url", db])
    assert "alice" in listed.output
    assert secret not in listed.output
    assert runner.invoke(app, ["token", "revoke", "alice", "--database-url", db]).exit_code == 0
    unknown = runner.invoke(app, ["token", "revoke", "nobody", "--database-url", db])
    assert unknown.exit_code == 1
    assert "no token named 'nobody'" in unknown.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "x", "--role", "root"], "unknown role 'root'"),
        (["--name", "x", "--person", "mallory"], "unknown person 'mallory'"),
        (["--name", "bad name!"], "token name"),
    ],
)
def test_token_create_refuses_bad_input(db: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["token", "create", *args, "--database-url", db])
    assert result.exit_code == 1
    assert message in result.output.replace("\n", " ")
