import textwrap
from pathlib import Path

import pytest

from warroom.errors import PlaybookError, Problem
from warroom.playbook import format_problems, load_playbook, parse_playbook

MINIMAL = textwrap.dedent(
    """\
    version: 1
    severities:
      P1:
        name: High
        definition: Major feature broken
        response_time: 30m
        declare: true
    templates:
      declaration: "INCIDENT {{ incident.ref }}"
      internal_update: "UPDATE {{ update.status }}"
      status_page:
        investigating: Investigating
        identified: Identified
        monitoring: Monitoring
        resolved: Resolved
    """
)

BROKEN = textwrap.dedent(
    """\
    version: 1
    organization:
      name: Acme
      timezone: Mars/Olympus
      incident_prefx: INC
    severities:
      P0:
        name: Critical
        definition: Everything is down
        response_time: fast
        declare: true
        declare: false
    people:
      - handle: alice
        name: Alice
        timezone: Europe/Lndon
    teams:
      - name: eng
        lead: alice
        members: [alice, carol]
    templates:
      declaration: |
        INCIDENT {{ incident.ref }}
        {{ incident.titel }}
      status_page:
        investigating: "{% if %}"
        identified: Identified
        monitoring: Monitoring
        resolved: Resolved
      internal_update: "{{ update.eta }}"
    lifecycle:
      fixed: {label: Fixed}
    """
)


def _line(text: str, needle: str) -> int:
    """1-based line of the only line containing ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, needle
    return found[0]


def _problems(text: str) -> list[Problem]:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, source="broken.yaml")
    assert info.value.source == "broken.yaml"
    return info.value.problems


def test_minimal_playbook_gets_defaults():
    pb = parse_playbook(MINIMAL)
    assert pb.role_keys() == [
        "incident_commander",
        "technical_lead",
        "communications_lead",
        "scribe",
    ]
    assert pb.organization.timezone == "UTC"
    assert pb.organization.incident_prefix == "INC"
    assert pb.war_room.channel == "#incident-{{ date }}-{{ slug }}"
    assert pb.people == ()
    assert pb.postmortem.required_for == ()


def test_broken_file_reports_every_problem_with_path_and_line():
    problems = _problems(BROKEN)
    by_path = {p.path: p for p in problems}
    expected = {
        "organization.timezone": ("Mars/Olympus", 'unknown timezone "Mars/Olympus"'),
        "organization.incident_prefx": ("incident_prefx", 'did you mean "incident_prefix"'),
        "severities.P0.response_time": ("fast", 'expected a duration like "15m", got "fast"'),
        "severities.P0.declare": ("declare: false", 'duplicate key "declare"'),
        "people[0].timezone": ("Europe/Lndon", 'unknown timezone "Europe/Lndon"'),
        "teams[0].members[1]": ("carol", 'unknown person "carol"'),
        "templates.declaration": ("incident.titel", "'titel'"),
        "templates.status_page.investigating": ("{% if %}", "syntax error (template line 1)"),
        "lifecycle.fixed": ("fixed:", 'unknown lifecycle state "fixed"'),
    }
    for path, (needle, message) in expected.items():
        assert path in by_path, f"{path} not reported; got {problems}"
        assert message in by_path[path].message
        assert by_path[path].line == _line(BROKEN, needle), path
    assert len(problems) == len(expected)
    lines = [p.line or 0 for p in problems]
    assert lines == sorted(lines)  # reported in file order


def test_undefined_template_variable_points_into_the_literal_block():
    problem = next(p for p in _problems(BROKEN) if p.path == "templates.declaration")
    assert problem.line == _line(BROKEN, "incident.titel")
    assert "template line 2" in problem.message


def test_cross_reference_problems():
    text = MINIMAL + textwrap.dedent(
        """\
        roles:
          incident_commander: {name: IC, responsibilities: all, reports_to: ceo}
        people:
          - {handle: alice, name: Alice}
          - {handle: alice, name: Alice Again}
        teams:
          - {name: eng, lead: zed, members: [alice]}
          - {name: eng, members: [alice]}
        services:
          - {name: api, team: platform}
          - {name: api}
        closure_checklist:
          - {id: done, text: Done}
          - {id: done, text: Done again}
        postmortem:
          required_for: [P1, P7]
        """
    )
    messages = {p.path: p.message for p in _problems(text)}
    assert messages == {
        "roles": "missing required role(s): technical_lead, communications_lead, scribe",
        "roles.incident_commander.reports_to": 'unknown role "ceo"; roles are: incident_commander',
        "people[1].handle": 'duplicate handle "alice" (also people[0])',
        "teams[0].lead": 'unknown person "zed"; people are: alice',
        "teams[1].name": 'duplicate team name "eng" (also teams[0])',
        "services[0].team": 'unknown team "platform"; teams are: eng',
        "services[1].name": 'duplicate service name "api" (also services[0])',
        "closure_checklist[1].id": 'duplicate checklist id "done" (also closure_checklist[0])',
        "postmortem.required_for[1]": 'unknown severity "P7"; severities are: P1',
    }


def test_schema_messages_are_human():
    text = MINIMAL.replace("version: 1", "version: 2").replace(
        "declare: true", "declare: maybe\n    bogus: 1"
    )
    text += "people:\n  - {handle: Bob, name: Bob, contact: [{url: not a url}]}\n"
    text += "severities_extra: 1\n"
    messages = {p.path: p.message for p in _problems(text)}
    assert messages["version"] == "unsupported playbook version 2; this warroom reads version 1"
    assert messages["severities.P1.declare"] == 'expected true or false, got "maybe"'
    assert messages["severities.P1.bogus"].startswith('unknown field "bogus"; allowed: name, ')
    assert messages["people[0].handle"].startswith("expected a handle of up to 40 lowercase")
    assert messages["people[0].contact[0].url"].startswith("expected an Apprise-style URL")
    assert (
        messages["severities_extra"]
        == 'unknown field "severities_extra" (did you mean "severities"?)'
    )


def test_missing_and_wrongly_typed_sections():
    text = "version: 1\nseverities: [P0, P1]\npeople: {alice: 1}\n"
    problems = {p.path: p for p in _problems(text)}
    assert problems["severities"].message == "expected a mapping (key: value), got a list"
    assert problems["severities"].line == 2
    assert problems["people"].message == "expected a list, got a mapping"
    assert problems["templates"].message == "required field missing"
    assert problems["templates"].line is None  # absent from the file


def test_missing_nested_field_points_at_its_parent():
    text = MINIMAL.replace("    response_time: 30m\n", "")
    (problem,) = _problems(text)
    assert problem == Problem("severities.P1.response_time", "required field missing", 3)


def test_invalid_severity_key():
    text = MINIMAL.replace("  P1:", "  High:")
    (problem,) = _problems(text)
    assert problem.path == "severities.High"
    assert problem.line == 3
    assert 'expected a severity key "P0" to "P9", got "High"' in problem.message


def test_yaml_syntax_error_is_one_problem_with_a_line():
    (problem,) = _problems("version: 1\nseverities:\n  P0: [unclosed\ntemplates: {}\n")
    assert problem.message.startswith("invalid YAML")
    assert problem.line == 4


def test_tab_indentation_is_a_yaml_error():
    (problem,) = _problems("version: 1\nseverities:\n\tP0: {}\n")
    assert problem.line == 3
    assert "invalid YAML" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n", "---\n"])
def test_empty_file(text):
    (problem,) = _problems(text)
    assert problem.message.startswith("the file is empty")


@pytest.mark.parametrize(("text", "got"), [("- a\n- b\n", "a list"), ("hello\n", '"hello"')])
def test_top_level_must_be_a_mapping(text, got):
    (problem,) = _problems(text)
    assert problem.message == f"a playbook must be a mapping (key: value), got {got}"


def test_multiple_documents_are_refused():
    (problem,) = _problems(MINIMAL + "---\nversion: 1\n")
    assert "single document" in problem.message


def test_duplicate_top_level_key():
    problems = _problems(MINIMAL + "version: 1\n")
    assert [(p.path, p.line) for p in problems] == [("version", MINIMAL.count("\n") + 1)]
    assert problems[0].message.startswith('duplicate key "version" (first on line 1)')


def test_load_playbook_reads_files(tmp_path: Path):
    path = tmp_path / "playbook.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_playbook(path).severity_keys() == ["P1"]
    assert load_playbook(str(path)).severity_keys() == ["P1"]


def test_load_playbook_problems_name_the_file(tmp_path: Path):
    path = tmp_path / "playbook.yaml"
    path.write_text(MINIMAL.replace("30m", "soon"), encoding="utf-8")
    with pytest.raises(PlaybookError) as info:
        load_playbook(path)
    assert format_problems(info.value) == [
        f'{path}:6: severities.P1.response_time: expected a duration like "15m", got "soon"'
    ]
    assert str(path) in str(info.value)


def test_unreadable_files_are_playbook_errors(tmp_path: Path):
    with pytest.raises(PlaybookError) as info:
        load_playbook(tmp_path / "missing.yaml")
    assert [p.message for p in info.value.problems] == ["file not found"]
    with pytest.raises(PlaybookError, match="is a directory"):
        load_playbook(tmp_path)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PlaybookError, match="not UTF-8"):
        load_playbook(binary)
