"""GET /status, the history feeds and the unsubscribe pages: content, escaping, no login."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from fastapi.testclient import TestClient

from tests.statuspage.conftest import Declare, Post
from tests.support import auth_header

HOSTILE = '<script>alert("x")</script> & "quotes" \'single\' ' + "W" * 150


def test_status_page_shows_components_incidents_and_maintenance(
    client: TestClient, alice_token: str, declare: Declare, post_public: Post
) -> None:
    ref = declare(title="Payments failing", severity="P1", service="payments")["ref"]
    post_public(ref, template="identified", components={"payments": "partial_outage"})
    client.post(
        "/api/v1/maintenances",
        json={
            "name": "Cache migration",
            "scheduled_for": "2026-11-04T01:00:00Z",
            "scheduled_until": "2026-11-04T02:00:00Z",
            "components": ["data"],
        },
        headers=auth_header(alice_token),
    )
    response = client.get("/status")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'data-indicator="major"' in html
    assert "Partial System Outage" in html
    assert "Payments failing" in html
    assert "We have identified the issue" in html
    assert 'id="component-payments" data-status="partial_outage"' in html
    assert "Cache migration" in html
    assert "Scheduled maintenance" in html
    assert html.count('class="none"') == 90 * 6  # no monitor history: "no data" bars
    assert '<a href="/history.atom">' in html


def test_everything_is_escaped(
    client: TestClient, alice_token: str, declare: Declare, post_public: Post
) -> None:
    ref = declare(title=HOSTILE[:200], severity="P0")["ref"]
    assert post_public(ref, status="investigating", body=HOSTILE).status_code == 201
    html = client.get("/status").text
    assert "<script>" not in html
    assert (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34; &#39;single&#39;"
        in html
    )
    assert "W" * 150 in html  # long words wrap by CSS (overflow-wrap), not by cutting them
    for path in ("/history.atom", "/history.rss"):
        feed = client.get(path)
        assert feed.status_code == 200
        assert b"<script>" not in feed.content
        root = ET.fromstring(feed.content)  # well-formed XML despite the title
        assert HOSTILE[:60] in ET.tostring(root, encoding="unicode").replace("&lt;", "<").replace(
            "&gt;", ">"
        ).replace("&amp;", "&").replace("&quot;", '"')
    summary = client.get("/api/v2/summary.json").json()
    assert summary["incidents"][0]["incident_updates"][0]["body"] == HOSTILE


def test_feeds_list_published_incidents(
    client: TestClient, declare: Declare, post_public: Post
) -> None:
    ref = declare(title="API slow")["ref"]
    post_public(ref, template="investigating")
    atom = ET.fromstring(client.get("/history.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert [e.findtext("a:title", namespaces=ns) for e in entries] == ["API slow"]
    assert "Investigating: We are investigating" in (
        entries[0].findtext("a:content", namespaces=ns) or ""
    )
    rss = ET.fromstring(client.get("/history.rss").content)
    assert [i.findtext("title") for i in rss.iter("item")] == ["API slow"]
    assert client.get("/history.rss").headers["content-type"] == "application/rss+xml"


def test_empty_page_says_all_operational(client: TestClient) -> None:
    html = client.get("/status").text
    assert "All Systems Operational" in html
    assert "No incidents reported in the last 14 days." in html
