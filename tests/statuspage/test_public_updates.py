"""Public updates: the playbook's templates filled in, previewed, edited, posted; bad input."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tests.statuspage.conftest import Declare, Post
from tests.support import auth_header
from warroom.clock import FrozenClock


def test_preview_fills_the_template_and_stores_nothing(
    client: TestClient, alice_token: str, declare: Declare
) -> None:
    ref = declare(title="Checkout is down")["ref"]
    response = client.post(
        f"/api/v1/incidents/{ref}/public-updates/preview",
        json={"template": "identified", "components": {"api": "partial_outage"}},
        headers=auth_header(alice_token),
    )
    assert response.status_code == 200, response.text
    draft = response.json()
    assert draft["status"] == "identified"
    assert draft["body"].startswith("We have identified the issue affecting api: Checkout is down.")
    assert "Our team is working on implementing a fix." in draft["body"]
    assert draft["components"] == {"api": "partial_outage"}
    assert client.get("/api/v2/incidents.json").json()["incidents"] == []
    components = client.get("/api/v2/components.json").json()["components"]
    assert {c["name"]: c["status"] for c in components}["API"] == "operational"


def test_post_with_template_publishes_and_records_the_timeline(
    client: TestClient, alice_token: str, declare: Declare, post_public: Post
) -> None:
    ref = declare(title="Checkout is down", severity="P0")["ref"]
    response = post_public(ref, template="investigating", components={"api": "major_outage"})
    assert response.status_code == 201, response.text
    update = response.json()
    assert update["status"] == "investigating"
    assert update["body"].startswith("We are investigating reports of api experiencing issues")
    assert update["affected_components"][0]["old_status"] == "operational"
    assert update["affected_components"][0]["new_status"] == "major_outage"

    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=auth_header(alice_token))
    public = [e for e in events.json()["events"] if e["kind"] == "public_update"]
    assert len(public) == 1
    assert public[0]["data"]["status"] == "investigating"
    assert public[0]["body"] == update["body"]

    incidents = client.get("/api/v2/incidents/unresolved.json").json()["incidents"]
    assert [i["name"] for i in incidents] == ["Checkout is down"]
    assert incidents[0]["impact"] == "critical"
    assert incidents[0]["incident_updates"][0]["body"] == update["body"]
    status = client.get("/api/v2/status.json").json()["status"]
    assert status == {"indicator": "critical", "description": "Major System Outage"}


def test_edited_body_replaces_the_template_text(
    client: TestClient, declare: Declare, post_public: Post
) -> None:
    ref = declare()["ref"]
    response = post_public(ref, template="identified", body="  We found a bad deploy.  ")
    assert response.status_code == 201
    assert response.json()["body"] == "We found a bad deploy."
    assert response.json()["status"] == "identified"


def test_updates_are_listed_newest_first_and_resolution_is_tracked(
    client: TestClient, clock: FrozenClock, declare: Declare, post_public: Post
) -> None:
    ref = declare()["ref"]
    for template in ("investigating", "identified", "monitoring", "resolved"):
        assert post_public(ref, template=template).status_code == 201
        clock.advance(timedelta(minutes=10))
    incident = client.get("/api/v2/incidents.json").json()["incidents"][0]
    assert [u["status"] for u in incident["incident_updates"]] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]
    assert incident["status"] == "resolved"
    assert incident["monitoring_at"] is not None
    assert incident["resolved_at"] is not None
    assert client.get("/api/v2/incidents/unresolved.json").json()["incidents"] == []


def test_bad_input_gets_precise_errors_and_stores_nothing(
    client: TestClient, alice_token: str, declare: Declare, post_public: Post
) -> None:
    ref = declare()["ref"]
    cases = [
        (
            {"template": "identified", "components": {"nope": "major_outage"}},
            422,
            "unknown component 'nope'",
        ),
        (
            {"template": "identified", "components": {"api": "on_fire"}},
            422,
            "invalid component status 'on_fire'",
        ),
        ({"template": "identified", "status": "fixed"}, 422, "invalid incident status 'fixed'"),
        ({"template": "nonsense"}, 422, "unknown status page template 'nonsense'"),
        ({"status": "identified", "body": "   "}, 422, "body must not be empty"),
        ({"body": "text only"}, 422, "say which status"),
        ({}, 422, "give a template"),
    ]
    for body, code, message in cases:
        response = post_public(ref, **body)
        assert response.status_code == code, (body, response.text)
        assert message in response.json()["error"]["message"], (body, response.text)
    unknown_field = post_public(ref, template="identified", colour="red")
    assert unknown_field.status_code == 422
    assert client.get("/api/v2/incidents.json").json()["incidents"] == []
    events = client.get(f"/api/v1/incidents/{ref}/timeline", headers=auth_header(alice_token))
    assert not [e for e in events.json()["events"] if e["kind"] == "public_update"]


def test_closed_incident_refuses_updates(
    client: TestClient, alice_token: str, declare: Declare, post_public: Post
) -> None:
    ref = declare(severity="P2")["ref"]  # a ticket: the short path to closed
    for to in ("investigating", "resolved", "closed"):
        moved = client.post(
            f"/api/v1/incidents/{ref}/transitions",
            json={"to": to},
            headers=auth_header(alice_token),
        )
        assert moved.status_code == 200, moved.text
    response = post_public(ref, template="resolved", publish=True)
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        f"{ref} is closed; public updates can no longer be posted to it"
    )


def test_unknown_incident_is_404(post_public: Post) -> None:
    response = post_public("INC-999", template="identified")
    assert response.status_code == 404


def test_viewer_cannot_post(client: TestClient, viewer_token: str, declare: Declare) -> None:
    ref = declare()["ref"]
    response = client.post(
        f"/api/v1/incidents/{ref}/public-updates",
        json={"template": "identified"},
        headers=auth_header(viewer_token),
    )
    assert response.status_code == 403
    assert client.post(f"/api/v1/incidents/{ref}/public-updates", json={}).status_code == 401


def test_public_name_hides_the_internal_title(
    client: TestClient, declare: Declare, post_public: Post
) -> None:
    ref = declare(title="db-07 disk full after ACME's bulk import")["ref"]
    posted = post_public(
        ref, status="investigating", body="Checkout is slow.", name="Slow checkout"
    )
    assert posted.status_code == 201, posted.text
    for path in ("/api/v2/incidents.json", "/status", "/history.atom"):
        text = client.get(path).text
        assert "Slow checkout" in text
        assert "ACME" not in text
        assert "db-07" not in text
    assert post_public(ref, template="identified", name="  ").status_code == 422
