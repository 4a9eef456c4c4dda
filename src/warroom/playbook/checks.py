"""Cross-reference checks: what a field-by-field schema cannot see on its own.

They read the plain data (the parsed YAML, or a dumped model) rather than the models, so they
still run when some other part of the file is malformed: a file with a bad duration AND an
unknown team member reports both. Anything of the wrong shape is skipped here; the schema
reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from warroom.errors import Problem

REQUIRED_ROLES = ("incident_commander", "technical_lead", "communications_lead", "scribe")
REQUIRED_STATUS_PAGES = ("investigating", "identified", "monitoring", "resolved")

LineOf = Callable[[str, int | None], int | None]
"""Maps a path (and, for templates, a line within the template) to a line of the file."""


def _no_lines(path: str, template_line: int | None) -> int | None:
    return None


def _items(data: Mapping[str, Any], section: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    value = data.get(section)
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                yield i, item


def _known(names: Mapping[str, object] | set[str], what: str) -> str:
    return f"{what} are: {', '.join(sorted(names))}" if names else f"no {what} are defined"


class _Checker:
    def __init__(self, data: Mapping[str, Any], line_of: LineOf) -> None:
        self.data = data
        self.line_of = line_of
        self.problems: list[Problem] = []

    def add(self, path: str, message: str, template_line: int | None = None) -> None:
        self.problems.append(Problem(path, message, self.line_of(path, template_line)))

    def unique(self, section: str, field: str, what: str) -> set[str]:
        """The values of ``field`` across ``section``'s items, reporting repeats."""
        first: dict[str, int] = {}
        for i, item in _items(self.data, section):
            value = item.get(field)
            if not isinstance(value, str):
                continue
            if value in first:
                self.add(
                    f"{section}[{i}].{field}",
                    f'duplicate {what} "{value}" (also {section}[{first[value]}])',
                )
            else:
                first[value] = i
        return set(first)

    def exists(self, path: str, value: object, names: set[str], what: str, plural: str) -> None:
        if isinstance(value, str) and value not in names:
            self.add(path, f'unknown {what} "{value}"; {_known(names, plural)}')


def _people_teams_services(c: _Checker) -> None:
    handles = c.unique("people", "handle", "handle")
    teams = c.unique("teams", "name", "team name")
    c.unique("services", "name", "service name")
    for i, team in _items(c.data, "teams"):
        c.exists(f"teams[{i}].lead", team.get("lead"), handles, "person", "people")
        members = team.get("members")
        if isinstance(members, list | tuple):
            for j, member in enumerate(members):
                c.exists(f"teams[{i}].members[{j}]", member, handles, "person", "people")
    for i, service in _items(c.data, "services"):
        c.exists(f"services[{i}].team", service.get("team"), teams, "team", "teams")


def _roles(c: _Checker) -> None:
    roles = c.data.get("roles")
    if not isinstance(roles, Mapping):
        return
    missing = [key for key in REQUIRED_ROLES if key not in roles]
    if missing:
        c.add("roles", f"missing required role(s): {', '.join(missing)}")
    keys = {str(k) for k in roles}
    for key, role in roles.items():
        if isinstance(role, Mapping):
            c.exists(f"roles.{key}.reports_to", role.get("reports_to"), keys, "role", "roles")


def _severity_refs(c: _Checker) -> None:
    severities = c.data.get("severities")
    postmortem = c.data.get("postmortem")
    if not isinstance(severities, Mapping) or not isinstance(postmortem, Mapping):
        return
    keys = {str(k) for k in severities}
    required_for = postmortem.get("required_for")
    if isinstance(required_for, list | tuple):
        for i, key in enumerate(required_for):
            c.exists(f"postmortem.required_for[{i}]", key, keys, "severity", "severities")


def _templates(c: _Checker) -> None:
    from warroom.playbook import context as ctx
    from warroom.playbook.templates import check_template_line

    found: list[tuple[str, object, Mapping[str, Any]]] = []
    war_room = c.data.get("war_room")
    if isinstance(war_room, Mapping):
        for key in ("channel", "video_call", "shared_doc"):
            found.append((f"war_room.{key}", war_room.get(key), ctx.SAMPLE_WAR_ROOM_CONTEXT))
    templates = c.data.get("templates")
    if isinstance(templates, Mapping):
        found.append(("templates.declaration", templates.get("declaration"), ctx.SAMPLE_CONTEXT))
        found.append(
            (
                "templates.internal_update",
                templates.get("internal_update"),
                ctx.SAMPLE_UPDATE_CONTEXT,
            )
        )
        pages = templates.get("status_page")
        if isinstance(pages, Mapping):
            missing = [key for key in REQUIRED_STATUS_PAGES if key not in pages]
            if missing:
                c.add("templates.status_page", f"missing status page text(s): {', '.join(missing)}")
            for key, source in pages.items():
                found.append((f"templates.status_page.{key}", source, ctx.SAMPLE_CONTEXT))
    for path, source, sample in found:
        if isinstance(source, str):
            result = check_template_line(source, sample)
            if result is not None:
                c.add(path, result[0], result[1])


def _triage(c: _Checker) -> None:
    from warroom.playbook.triage import triage_problems

    for path, message in triage_problems(c.data):
        c.add(path, message)


def _statuspage(c: _Checker) -> None:
    from warroom.playbook.statuspage import check_references

    check_references(c)


def _monitors(c: _Checker) -> None:
    from warroom.playbook.monitors import monitor_problems

    services = {str(s.get("name")) for _, s in _items(c.data, "services")}
    for path, message in monitor_problems(c.data, services):
        c.add(path, message)


def _drills(c: _Checker) -> None:
    from warroom.playbook.drills import drill_problems

    for path, message in drill_problems(dict(c.data)):
        c.add(path, message)


def _engine(c: _Checker) -> None:
    from warroom.playbook.escalation import escalation_problems
    from warroom.playbook.notify import notify_problems
    from warroom.playbook.oncall import schedule_problems

    for check in (schedule_problems, escalation_problems, notify_problems):
        c.problems.extend(check(c.data, c.line_of))


def reference_problems(data: Mapping[str, Any], line_of: LineOf | None = None) -> list[Problem]:
    """Every cross-reference problem in a playbook's plain data, with lines if ``line_of`` knows.

    Checks: unique handles, team, service and checklist ids; team leads/members are people;
    service teams exist; roles.*.reports_to exist; the four required roles are present;
    postmortem.required_for are severities; the four status-page texts exist; every template
    compiles and renders against the sample context of its kind.
    """
    c = _Checker(data, line_of or _no_lines)
    _people_teams_services(c)
    c.unique("closure_checklist", "id", "checklist id")
    _roles(c)
    _severity_refs(c)
    _templates(c)
    _statuspage(c)
    _triage(c)
    _monitors(c)
    _engine(c)
    _drills(c)
    return c.problems
