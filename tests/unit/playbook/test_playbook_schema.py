import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pydantic
import pytest

from warroom.errors import PlaybookError
from warroom.playbook import default_playbook, dump_playbook, parse_playbook
from warroom.playbook.schema import Playbook, Severity

SRC = Path(__file__).resolve().parents[3] / "src"


def test_severity_lookup_and_rank():
    pb = default_playbook()
    assert pb.severity("P1").name == "High"
    with pytest.raises(KeyError, match="unknown severity 'P9'; known: P0, P1, P2, P3"):
        pb.severity("P9")
    with pytest.raises(KeyError):
        pb.rank("P9")
    assert sorted(["P3", "P0", "P2"], key=pb.rank) == ["P0", "P2", "P3"]


def test_lookups_return_none_when_missing():
    pb = default_playbook()
    assert pb.person("nobody") is None
    assert pb.team("nobody") is None
    service = pb.service("payments")
    assert service is not None
    assert service.team == "engineering"
    assert pb.service("nope") is None
    assert pb.stage("closed") is not None


def test_models_are_frozen():
    pb = default_playbook()
    with pytest.raises(pydantic.ValidationError):
        pb.version = 1  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        pb.severity("P0").name = "Meh"  # type: ignore[misc]


def test_constructing_a_playbook_runs_the_reference_checks():
    data = default_playbook().model_dump(mode="json")
    data["teams"][0]["members"].append("zed")
    with pytest.raises(PlaybookError) as info:
        Playbook.model_validate(data)
    assert [(p.path, p.line) for p in info.value.problems] == [("teams[0].members[2]", None)]


def test_severity_fields_accept_durations_and_timedeltas():
    severity = Severity(
        name="High",
        definition="x",
        response_time="1h30m",
        declare=True,
    )
    assert severity.response_time == timedelta(minutes=90)
    assert severity.model_dump(mode="json")["response_time"] == "1h30m"


def test_json_schema_documents_every_field():
    schema = Playbook.model_json_schema()
    defs = schema["$defs"]
    for name, model in defs.items():
        for field, spec in model.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    assert defs["Severity"]["properties"]["response_time"]["examples"] == ["15m", "1h30m"]


def test_dump_redacts_contact_urls():
    data = default_playbook().model_dump(mode="json")
    data["people"].append(
        {
            "handle": "carol",
            "name": "Carol",
            "contact": [
                {"url": "slack://T1JJ3T3L2/A1BRTD4JD/TWNZyGBVrTfKyyQYpnVvmrgb", "label": "slack"},
                {"url": "mailto://carol:hunter2@example.com"},
            ],
        }
    )
    pb = Playbook.model_validate(data)
    dumped = dump_playbook(pb)
    assert "TWNZyGBVrTfKyyQYpnVvmrgb" not in dumped
    assert "hunter2" not in dumped
    assert "slack://***/***/***" in dumped
    assert "mailto://carol:***@example.com" in dumped
    assert "hunter2" in dump_playbook(pb, redact=False)
    assert parse_playbook(dump_playbook(pb, redact=False)) == pb


def test_importing_the_playbook_does_not_import_jinja():
    code = (
        f"import sys; sys.path.insert(0, {str(SRC)!r}); import warroom.playbook; "
        "print('jinja2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
