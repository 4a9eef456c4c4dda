from datetime import UTC, datetime, timedelta

from warroom.incidents.lifecycle import Status
from warroom.playbook import default_playbook, default_playbook_text, dump_playbook, parse_playbook
from warroom.playbook.context import (
    SAMPLE_CONTEXT,
    SAMPLE_UPDATE_CONTEXT,
    IncidentContext,
    MessageContext,
    UpdateMessageContext,
)
from warroom.playbook.templates import render


def test_default_playbook_matches_the_seed_severities():
    pb = default_playbook()
    assert pb.severity_keys() == ["P0", "P1", "P2", "P3"]
    assert [pb.severity(k).name for k in pb.severity_keys()] == [
        "Critical",
        "High",
        "Medium",
        "Low",
    ]
    assert [pb.severity(k).response_time for k in pb.severity_keys()] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=24),
    ]
    assert [pb.severity(k).declare for k in pb.severity_keys()] == [True, True, False, False]
    assert pb.severity("P0").internal_update_every == timedelta(minutes=30)
    assert pb.severity("P1").internal_update_every == timedelta(minutes=30)
    assert pb.severity("P2").internal_update_every is None
    assert pb.severity("P0").examples == ("Site down", "Data breach", "Total auth failure")
    assert pb.severity("P1").definition == "Major feature broken affecting >30% users"
    assert pb.severity("P1").escalation == "Engineering Lead + On-call"
    assert pb.rank("P0") == 0
    assert pb.rank("P3") == 3


def test_default_playbook_matches_the_seed_roles():
    pb = default_playbook()
    assert pb.role_keys() == [
        "incident_commander",
        "technical_lead",
        "communications_lead",
        "scribe",
    ]
    ic = pb.roles["incident_commander"]
    assert ic.authority == "Can make any decision needed to resolve incident"
    assert ic.not_doing == "Hands-on technical work"
    assert pb.roles["technical_lead"].reports_to == "incident_commander"
    assert pb.roles["technical_lead"].focus == "Root cause analysis and fix"
    assert pb.roles["communications_lead"].channels == ("Slack", "status page", "email")
    assert pb.roles["communications_lead"].frequency == "Every 30 minutes for P0/P1"
    assert pb.roles["scribe"].output == "Incident report for post-mortem"
    assert pb.roles["scribe"].tools == ("Incident template", "shared doc")


def test_default_playbook_matches_the_seed_procedures():
    pb = default_playbook()
    assert pb.organization.name == "Pitchey Platform"
    assert pb.organization.service == "Pitchey Production"
    assert len(pb.closure_checklist) == 7
    assert pb.closure_checklist[0].text == "Service fully restored"
    assert pb.closure_checklist[-1].text == "Post-mortem scheduled"
    assert pb.postmortem.required_for == ("P0", "P1")
    assert pb.postmortem.deadline == timedelta(hours=48)
    assert len(pb.postmortem.agenda) == 5
    assert pb.postmortem.total_minutes() == 60
    assert pb.verification.window == timedelta(minutes=15)
    assert set(pb.lifecycle) == set(Status)  # guidance for every state
    detected = pb.stage("detected")
    assert detected is not None
    assert detected.label == "Detection & Triage"
    assert detected.within == timedelta(minutes=5)
    assert any("health" in check for check in detected.checks)
    assert pb.lifecycle[Status.DECLARED].within == timedelta(minutes=15)
    assert pb.lifecycle[Status.INVESTIGATING].within == timedelta(minutes=30)
    assert {s.name for s in pb.services} == {
        "api",
        "web",
        "database",
        "cache",
        "websocket",
        "auth",
        "payments",
    }
    assert set(pb.templates.status_page) == {
        "investigating",
        "identified",
        "monitoring",
        "resolved",
    }


def test_default_people_are_marked_as_examples():
    pb = default_playbook()
    alice, bob = pb.person("alice"), pb.person("bob")
    assert alice is not None
    assert alice.timezone == "Europe/London"
    assert bob is not None
    assert bob.timezone == "America/New_York"
    assert "EXAMPLE" in default_playbook_text()
    team = pb.team("engineering")
    assert team is not None
    assert team.lead == "alice"
    assert team.members == ("alice", "bob")
    assert pb.person("carol") is None


def test_default_playbook_is_cached():
    assert default_playbook() is default_playbook()


def test_dump_round_trips():
    pb = default_playbook()
    text = dump_playbook(pb)
    assert parse_playbook(text) == pb
    assert "response_time: 15m" in text
    assert "declaration: |" in text  # templates are literal blocks
    assert text.index("P0:") < text.index("P1:") < text.index("P2:") < text.index("P3:")


def _incident(**changes: object) -> IncidentContext:
    incident: IncidentContext = {
        "ref": "INC-7",
        "title": "Checkout is down",
        "severity": "P0",
        "severity_name": "Critical",
        "service": "payments",
        "impact": "No one can pay",
        "status": "declared",
        "kind": "incident",
        "detected_at": datetime(2026, 11, 1, 23, 50, tzinfo=UTC),
        "declared_at": datetime(2026, 11, 2, 0, 5, tzinfo=UTC),
        "impact_started_at": None,
        "url": None,
    }
    incident.update(changes)  # type: ignore[typeddict-item]
    return incident


def test_default_declaration_reads_like_the_seed():
    pb = default_playbook()
    incident = _incident()
    war_room = pb.render_war_room(incident)
    assert war_room == {
        "channel": "#incident-20261102-checkout-is-down",
        "video_call": None,
        "shared_doc": None,
    }
    ctx: MessageContext = {
        "incident": incident,
        "ic": {"handle": "alice", "name": "Alice Example"},
        "roles": {"incident_commander": {"handle": "alice", "name": "Alice Example"}},
        "war_room": war_room,
        "organization": pb.organization_context(),
        "now": datetime(2026, 11, 2, 0, 6, tzinfo=UTC),
    }
    assert render(pb.templates.declaration, ctx) == (
        "@channel INCIDENT DECLARED - P0\n"
        "**Service**: Pitchey Production (payments)\n"
        "**Severity**: P0 - Critical\n"
        "**Impact**: No one can pay\n"
        "**IC**: @alice\n"
        "**War Room**: #incident-20261102-checkout-is-down\n"
        "**Tracking**: INC-7"
    )


def test_war_room_date_uses_the_organization_timezone():
    pb = default_playbook().model_copy(
        update={
            "organization": default_playbook().organization.model_copy(
                update={"timezone": "America/New_York"}
            )
        }
    )
    assert pb.render_war_room(_incident())["channel"] == "#incident-20261101-checkout-is-down"
    undeclared = _incident(declared_at=None)
    assert pb.render_war_room(undeclared)["channel"] == "#incident-20261101-checkout-is-down"


def test_default_templates_cope_with_missing_optional_values():
    pb = default_playbook()
    sparse: UpdateMessageContext = {
        **SAMPLE_UPDATE_CONTEXT,
        "incident": _incident(impact="", url=None, detected_at=None),
        "ic": None,
        "roles": {},
        "war_room": {"channel": "#incident-x", "video_call": None, "shared_doc": None},
        "update": {"status": "", "current_state": "", "next_steps": "", "eta": "", "need": ""},
    }
    declaration = render(pb.templates.declaration, sparse)
    assert "**IC**: not assigned yet" in declaration
    assert "**Impact**: Being assessed" in declaration
    update = render(pb.templates.internal_update, sparse)
    assert update.splitlines() == [
        "**UPDATE** - 09:30 UTC",
        "**Status**: Declared",
        "**Current State**: —",
        "**Next Steps**: —",
        "**ETA**: TBD",
        "**Need**: Nothing at the moment",
    ]
    for source in pb.templates.status_page.values():
        assert "payments" in render(source, sparse)


def test_default_status_page_texts():
    pb = default_playbook()
    texts = {key: render(src, SAMPLE_CONTEXT) for key, src in pb.templates.status_page.items()}
    assert texts["investigating"].startswith("We are investigating reports of Pitchey Production")
    assert texts["investigating"].endswith(
        "We will provide updates as more information becomes available."
    )
    assert texts["identified"].endswith("Our team is working on implementing a fix.")
    assert texts["monitoring"] == (
        "A fix has been implemented and we are monitoring the results.\n"
        "Pitchey Production should be operating normally."
    )
    assert texts["resolved"] == (
        "The issue with Pitchey Production has been resolved.\n"
        "All systems are operating normally.\n"
        "We apologize for any inconvenience."
    )
