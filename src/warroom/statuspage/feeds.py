"""The incident history as Atom and RSS 2.0 feeds (``/history.atom``, ``/history.rss``): one entry
per published incident or maintenance, its updates newest first. ElementTree escapes the text."""

from __future__ import annotations

import re
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from warroom.statuspage.snapshot import IncidentView, Snapshot

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _entries(snapshot: Snapshot) -> list[IncidentView]:
    items = snapshot.incidents + snapshot.maintenances
    return sorted(items, key=lambda i: i.updated_at, reverse=True)


def _content(item: IncidentView) -> str:
    """Plain text of the updates; feed readers show it as is (it is escaped as XML text)."""
    lines = [
        f"{u.created_at:%Y-%m-%d %H:%M UTC} - {u.status.replace('_', ' ').title()}: {u.body}"
        for u in item.updates
    ]
    return _xml_text("\n\n".join(lines))


def atom(snapshot: Snapshot) -> bytes:
    """The history as an Atom feed."""
    ET.register_namespace("", ATOM)
    settings = snapshot.playbook.status_page
    url = settings.url
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{url}#history"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{settings.name} - Incident History"
    entries = _entries(snapshot)
    updated = entries[0].updated_at if entries else snapshot.built_at
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    ET.SubElement(feed, f"{{{ATOM}}}link", href=url, rel="alternate", type="text/html")
    for item in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{url}#{item.id}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _xml_text(item.name)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = item.created_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = item.updated_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{url}#{item.id}", rel="alternate")
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = _content(item)
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(feed, encoding="unicode").encode()
    )


def rss(snapshot: Snapshot) -> bytes:
    """The history as an RSS 2.0 feed."""
    settings = snapshot.playbook.status_page
    url = settings.url
    root = ET.Element("rss", version="2.0")
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = f"{settings.name} - Incident History"
    ET.SubElement(channel, "link").text = url
    ET.SubElement(channel, "description").text = f"Statuspage updates for {settings.name}"
    for item in _entries(snapshot):
        node = ET.SubElement(channel, "item")
        ET.SubElement(node, "title").text = _xml_text(item.name)
        ET.SubElement(node, "description").text = _content(item)
        ET.SubElement(node, "pubDate").text = format_datetime(item.created_at)
        ET.SubElement(node, "link").text = f"{url}#{item.id}"
        ET.SubElement(node, "guid", isPermaLink="false").text = f"{url}#{item.id}"
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode()
    )
