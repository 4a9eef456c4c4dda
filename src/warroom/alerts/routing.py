"""Where an alert's incident is: the open incident of its group or service within the
grouping window, or a new one; raising its severity; the ``alert`` events on its timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from warroom.alerts import bulk
from warroom.alerts.models import Alert
from warroom.incidents import service as incidents
from warroom.incidents.lifecycle import OPEN_STATES, Kind, Status
from warroom.incidents.models import TITLE_MAX, Incident
from warroom.playbook import Playbook
from warroom.timeline import service as timeline
from warroom.timeline.models import BODY_MAX, EventKind, TimelineEvent

OPEN_INCIDENT_STATES = [s.value for s in OPEN_STATES]
_OPEN = frozenset(OPEN_INCIDENT_STATES)
_TIMELINE = cast(Table, TimelineEvent.__table__)


class Known:
    """What grouping needs to know of an incident: joining one needs no ORM object (loading
    one costs more than the rest of a small batch); raising or acknowledging loads it."""

    __slots__ = ("id", "severity", "status")

    def __init__(self, id: int, status: str, severity: str) -> None:
        self.id = id
        self.status = status
        self.severity = severity

    @property
    def open(self) -> bool:
        return self.status in _OPEN


class IncidentRouter:
    """The incident side of one ingest batch, with what it has looked up so far."""

    def __init__(
        self,
        session: Session,
        connection: Connection,
        playbook: Playbook,
        now: datetime,
        *,
        find: Callable[[str, str], Known | None],
    ):
        self.session = session
        self.connection = connection  # the session's
        self.playbook = playbook
        self.now = now
        # Looks up the open incident of a service or group the batch's read did not cover
        # (the intake's read statement holds the grouping rule; see alerts.service).
        self._find_group = find
        self._groups: dict[tuple[str, str], Known | None] = {}
        self._known: dict[int, Known] = {}
        # The session's identity map holds objects weakly; keep the batch's incidents alive so
        # a hundred alerts of one incident load it once.
        self._incidents: dict[int, Incident] = {}
        self._timeline_rows: list[dict[str, Any]] = []
        self.ranks = {key: rank for rank, key in enumerate(playbook.severity_keys())}

    # -- what is known ----------------------------------------------------------------------

    def seed(self, what: str, value: str, incident: Known | None) -> None:
        """Record a group lookup made elsewhere (the intake's one-statement read)."""
        if incident is not None:
            incident = self._known.setdefault(incident.id, incident)
        self._groups[(what, value)] = incident

    def seed_incident(self, incident: Known) -> None:
        """Record an incident's state read elsewhere (that of an open alert's incident)."""
        self._known.setdefault(incident.id, incident)

    def clear(self) -> None:
        """Forget every lookup (before reading again, nothing applied yet)."""
        self._groups.clear()
        self._known.clear()

    def looked_up(self, what: str, value: str) -> bool:
        return (what, value) in self._groups

    def state(self, incident_id: int | None) -> Known | None:
        """The status and severity of an incident, read once per batch."""
        if incident_id is None:
            return None
        known = self._known.get(incident_id)
        if known is None:
            row = self.connection.execute(_STATE, {"id": incident_id}).first()
            if row is None:
                return None
            known = self._known[incident_id] = Known(row.id, row.status, row.severity)
        return known

    def incident(self, incident_id: int) -> Incident:
        """The ORM incident, for changing it; what is known of it follows its changes."""
        incident = self._incidents.get(incident_id)
        if incident is None:
            incident = self.session.get_one(Incident, incident_id)
            self._incidents[incident_id] = incident
        return incident

    def _changed(self, incident: Incident) -> None:
        known = self._known.get(incident.id)
        if known is None:
            self._known[incident.id] = Known(incident.id, incident.status, incident.severity)
        else:
            known.status, known.severity = incident.status, incident.severity

    # -- routing ----------------------------------------------------------------------------

    def attach(self, alert: Alert, actor: str, joined: Entry | None = None) -> None:
        """Join the group's open incident (raising it if need be) or open a new one.
        ``joined``: the timeline entry of the alert joining, if worked out ahead."""
        assert alert.service is not None
        known = self._group_incident(alert)
        if known is None:
            incident = incidents.declare(
                self.session,
                playbook=self.playbook,
                actor=actor,
                now=self.now,
                title=_title(alert.summary),
                severity=alert.severity,
                service=alert.service,
            )
            self._incidents[incident.id] = incident
            self._changed(incident)
            self._remember(alert, self._known[incident.id])
            alert.incident_id = incident.id
            self.record(incident.id, alert, actor, "opened this incident")
            return
        alert.incident_id = known.id
        self.record(known.id, alert, actor, "joined", joined)
        self.raise_severity(alert, actor)

    def raise_severity(self, alert: Alert, actor: str) -> None:
        """Raise the alert's open incident to the alert's severity if that is higher."""
        known = self.state(alert.incident_id)
        if known is None or not known.open:
            return
        if self.ranks[alert.severity] >= self.ranks[known.severity]:
            return
        self.flush_timeline()
        incident = self.incident(known.id)
        incidents.update(
            self.session,
            playbook=self.playbook,
            incident=incident,
            actor=actor,
            now=self.now,
            changes={"severity": alert.severity},
        )
        if (
            incidents.kind_of(incident, self.playbook) is Kind.INCIDENT
            and incident.status == Status.TRIAGED.value
        ):
            # A ticket (opened in "triaged") that an alert raised to P0/P1 is declared now.
            incidents.transition(
                self.session,
                playbook=self.playbook,
                incident=incident,
                to=Status.DECLARED,
                actor=actor,
                now=self.now,
                note=f"raised to {alert.severity} by an alert",
            )
        self._changed(incident)

    def acknowledge(self, alert: Alert, actor: str) -> None:
        """The sender acknowledged the alert: so is its open incident."""
        if alert.incident_id is None:
            return
        self.record(alert.incident_id, alert, actor, "acknowledged")
        incident = self.incident(alert.incident_id)
        if incident.acknowledged_at is None and incident.status in OPEN_INCIDENT_STATES:
            self.flush_timeline()
            incidents.acknowledge(
                self.session, playbook=self.playbook, incident=incident, actor=actor, now=self.now
            )
            self._changed(incident)

    def _group_incident(self, alert: Alert) -> Known | None:
        """The open incident this alert joins: same Alertmanager group, else same service."""
        assert alert.service is not None
        if alert.group_key:
            known = self._looked_up("group", alert.group_key)
            if known is not None and known.open:
                return known
        known = self._looked_up("service", alert.service)
        return known if known is not None and known.open else None

    def _looked_up(self, what: str, value: str) -> Known | None:
        """The incident of a group or service, looked up if the batch's read did not."""
        try:
            return self._groups[(what, value)]
        except KeyError:
            self.seed(what, value, self._find_group(what, value))
            return self._groups[(what, value)]

    def has_open_incident(self, service: str) -> bool:
        """Whether the service has an open incident its new alerts would join."""
        if ("service", service) not in self._groups:
            self.seed("service", service, self._find_group("service", service))
        known = self._groups[("service", service)]
        return known is not None and known.open

    def _remember(self, alert: Alert, known: Known) -> None:
        assert alert.service is not None
        self._groups[("service", alert.service)] = known
        if alert.group_key:
            self._groups[("group", alert.group_key)] = known

    def record(
        self, incident_id: int, alert: Alert, actor: str, what: str, entry: Entry | None = None
    ) -> None:
        """An ``alert`` timeline event, written with the batch (``flush_timeline``); ``entry``
        is its text and data if worked out ahead (``alert_entry``)."""
        if entry is None:
            entry = alert_entry(
                what,
                severity=alert.severity,
                source=alert.source,
                summary=alert.summary,
                fingerprint=alert.fingerprint,
                dedup_key=alert.dedup_key,
                source_severity=alert.source_severity,
                rule=alert.rule,
            )
        self._timeline_rows.append(
            {
                "incident_id": incident_id,
                "at": self.now,
                "recorded_at": self.now,
                "kind": _ALERT_EVENT,
                "actor": actor,
                "body": entry[0],
                "data": entry[1],
            }
        )

    def flush_timeline(self) -> None:
        """Write buffered alert events in one statement, now, so they keep their order among
        the events the incident service records."""
        bulk.insert_all(self.connection, [self.take_timeline()])

    def take_timeline(self) -> bulk.Insert:
        """The buffered alert events, to be inserted now (with the batch's alerts at its end).
        Core, not the ORM: its bulk path costs more than the rows themselves. The session is
        flushed first, so events the incident service recorded keep their place before ours."""
        rows, self._timeline_rows = self._timeline_rows, []
        if rows:
            self.session.flush()
        return bulk.Insert(_TIMELINE, rows, encoded=_ENCODED_DATA)


# An alert's timeline entry: its redacted text and its data as JSON text.
Entry = tuple[str, str]
_ALERT_EVENT = EventKind.ALERT.value
_ENCODED_DATA = {"data": "data"}  # the rows' data is JSON text already (alert_entry)


def alert_entry(
    what: str,
    *,
    severity: str,
    source: str,
    summary: str,
    fingerprint: str,
    dedup_key: str,
    source_severity: str,
    rule: str | None,
) -> Entry:
    """The timeline entry of an alert that ``what`` ("joined", "resolved", ...)."""
    body = f"Alert {what} ({severity}, {source}): {summary}"
    data = {
        "event": what.split()[0],
        "fingerprint": fingerprint,
        "dedup_key": dedup_key,
        "source": source,
        "source_severity": source_severity,
        "severity": severity,
        "rule": rule,
    }
    return timeline.redact_text(body[:BODY_MAX]), bulk.json_text(data)


_STATE = select(Incident.id, Incident.status, Incident.severity).where(
    Incident.id == bindparam("id")
)


def _title(summary: str) -> str:
    title = " ".join(summary.split())
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"
