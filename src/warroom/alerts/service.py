"""The single path every alert takes: dedup, triage, silences, grouping, incidents, resolve.

A trigger for an open alert (same scope and dedup key) is a repeat: it bumps the count and may
raise the incident's severity, it never opens a second alert. A new alert is triaged by the
playbook's rules; unless a silence covers it, it joins the open incident of its Alertmanager
group or service that was active within the grouping window, or opens a new one (P0/P1 a
declared incident, P2/P3 a ticket). acknowledge and resolve apply only to an open alert and
never create one. Every alert joining and resolving is an ``alert`` event on the timeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol, cast

import orjson
from sqlalchemy import Table, bindparam, func, select, text
from sqlalchemy.orm import Session

from warroom.alerts import bulk
from warroom.alerts import silences as silence_rules
from warroom.alerts.event import Action, AlertEvent
from warroom.alerts.models import Alert, Silence
from warroom.alerts.routing import (
    OPEN_INCIDENT_STATES,
    Entry,
    IncidentRouter,
    Known,
    alert_entry,
)
from warroom.db import UTCDateTime
from warroom.errors import InvalidInput
from warroom.integrations.models import Integration
from warroom.playbook import Playbook
from warroom.triage.rules import Facts, Verdict, effective_triage, evaluate

_OPEN_ALERT = text("alerts.status IN ('triggered', 'acknowledged')")


def ingest(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    source: str,
    dedup_key: str,
    action: Action,
    summary: str = "",
    severity: str = "error",
    service: str | None = None,
    labels: dict[str, str] | None = None,
    links: list[dict[str, Any]] | None = None,
    raw: dict[str, Any] | None = None,
    integration_id: int | None = None,
    group_key: str | None = None,
    actor: str | None = None,
) -> Alert | None:
    """Apply one alert event; the alert it created or changed, or None for an acknowledge or
    resolve that matched no open alert."""
    event = AlertEvent(
        source=source,
        dedup_key=dedup_key,
        action=action,
        summary=summary,
        severity=severity,
        service=service,
        labels=dict(labels or {}),
        links=list(links or []),
        raw=dict(raw or {}),
        integration_id=integration_id,
        group_key=group_key,
    )
    return ingest_many(session, playbook=playbook, now=now, events=[event], actor=actor)[0]


class Serviced(Protocol):
    """What triage needs of an integration: its service (an Integration row, or the intake's
    cached key information)."""

    @property
    def service(self) -> str: ...


class Draft(NamedTuple):
    """A trigger's alert as far as it can be written before its transaction: its columns but
    the few the transaction decides (incident, silence, times), its JSON columns also as JSON
    text, and its timeline entry should it join an incident. Used only for a new alert (a
    repeat keeps its stored values where the event has none)."""

    columns: dict[str, Any]
    labels: str
    links: str
    raw: str
    joined: Entry


def _draft(event: AlertEvent, service: str, verdict: Verdict) -> Draft:
    summary = event.summary.strip()
    columns = {
        "scope": event.scope,
        "integration_id": event.integration_id,
        "source": event.source,
        "dedup_key": event.dedup_key,
        "fingerprint": event.fingerprint,
        "status": "triggered",
        "summary": summary,
        "source_severity": event.severity,
        "severity": verdict.severity,
        "rule": verdict.rule,
        "service": service,
        "group_key": event.group_key,
        "labels": event.labels,
        "links": event.links,
        "raw": event.raw,
        "incident_id": None,
        "silence_id": None,
        "count": 1,
        "acknowledged_at": None,
        "resolved_at": None,
    }
    joined = alert_entry(
        "joined",
        severity=verdict.severity,
        source=event.source,
        summary=summary,
        fingerprint=event.fingerprint,
        dedup_key=event.dedup_key,
        source_severity=event.severity,
        rule=verdict.rule,
    )
    return Draft(
        columns,
        bulk.json_text(event.labels),
        bulk.json_text(event.links),
        bulk.json_text(event.raw),
        joined,
    )


# New alerts' JSON columns are read from their drafts, already JSON text.
_DRAFTED = {"labels": "draft.labels", "links": "draft.links", "raw": "draft.raw"}


class Prepared:
    """What can be worked out about events before their transaction: each is validated and
    every trigger's service, triage verdict and draft (``Draft``) found. Pure work, no
    database: intake does it on the request's own thread before queueing the events for the
    writer, so it runs beside other processes' writes and the serialized part of intake (the
    write turn SQLite's writers take) stays short."""

    def __init__(
        self,
        playbook: Playbook,
        events: Sequence[AlertEvent],
        integrations: Mapping[int, Serviced],
    ) -> None:
        for event in events:
            event.validate()
        triage = effective_triage(playbook)
        self.triage = triage
        self.verdicts: dict[int, tuple[str, Verdict, Draft]] = {}
        for event in events:
            if event.action != "trigger":
                continue
            service = _known_service(playbook, integrations, event)
            if service is not None:
                verdict = evaluate(triage, _facts(event, service))
                self.verdicts[id(event)] = (service, verdict, _draft(event, service, verdict))

    @classmethod
    def merged(cls, parts: Sequence[Prepared]) -> Prepared | None:
        """One Prepared for the events of all ``parts`` (None if they were prepared with
        different triage rules: a playbook reloaded in between)."""
        if not parts:
            return None
        whole = cls.__new__(cls)
        whole.triage = parts[0].triage
        whole.verdicts = {}
        for part in parts:
            if part.triage is not whole.triage:
                return None
            whole.verdicts.update(part.verdicts)
        return whole


def ingest_many(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    events: Sequence[AlertEvent],
    actor: str | None = None,
    integrations: Mapping[int, Integration] | None = None,
    prepared: Prepared | None = None,
) -> list[Alert | None]:
    """Apply events in order, all or nothing: every event is validated before any is applied.

    Set-based where it can be (one query for the open alerts of the whole batch, one for the
    silences), so a 100-alert Alertmanager notification costs a handful of statements.
    ``integrations`` are rows the caller already holds (the intake writer keeps them), by id;
    ``prepared`` is the events' pure work done beforehand (``Prepared`` of these events or of
    a batch holding them).
    """
    results = _ingest(session, playbook, now, events, actor, integrations, prepared, ids=True)
    return [_materialized(result) for result in results]


def apply_events(
    session: Session,
    *,
    playbook: Playbook,
    now: datetime,
    events: Sequence[AlertEvent],
    integrations: Mapping[int, Integration] | None = None,
    prepared: Prepared | None = None,
) -> list[bool]:
    """``ingest_many`` for the intake writer, which only needs to know, per event, whether it
    created or changed an alert (an acknowledge or resolve of nothing open does not): new
    alerts are never turned into ORM objects."""
    results = _ingest(session, playbook, now, events, None, integrations, prepared, ids=False)
    return [result is not None for result in results]


def _ingest(
    session: Session,
    playbook: Playbook,
    now: datetime,
    events: Sequence[AlertEvent],
    actor: str | None,
    integrations: Mapping[int, Integration] | None,
    prepared: Prepared | None,
    *,
    ids: bool,
) -> list[Alert | None]:
    if prepared is None:
        for event in events:
            event.validate()
    batch = _Batch(session, playbook, now, actor, prepared, ids=ids)
    batch.integrations.update(integrations or {})
    batch.preload(events)
    results = [batch.apply(event) for event in events]
    batch.finish()
    return results


def _known_service(
    playbook: Playbook, integrations: Mapping[int, Serviced], event: AlertEvent
) -> str | None:
    """The event's service if the playbook knows it, else its integration's (None if neither
    is known here)."""
    if event.service and playbook.service(event.service) is not None:
        return event.service
    if event.integration_id is not None and event.integration_id in integrations:
        return integrations[event.integration_id].service
    return None


def _facts(event: AlertEvent, service: str | None) -> Facts:
    return Facts(
        source=event.source,
        source_severity=event.severity,
        service=service,
        summary=event.summary,
        labels=event.labels,
    )


class _Batch:
    """State shared by the events of one call: open alerts, silences, integrations, groups."""

    def __init__(
        self,
        session: Session,
        playbook: Playbook,
        now: datetime,
        actor: str | None,
        prepared: Prepared | None,
        *,
        ids: bool,
    ):
        self.session = session
        # Joining the session's transaction once: each session.connection() call costs.
        self.connection = session.connection()
        self.want_ids = ids
        self.playbook = playbook
        self.now = now
        self.actor = actor
        self.triage = effective_triage(playbook)
        self.verdicts = prepared.verdicts if prepared and prepared.triage is self.triage else {}
        self.open: dict[tuple[str, str], Alert] = {}
        self.integrations: dict[int, Integration] = {}
        self._actors: dict[int, str] = {}
        self._silences: list[Silence] | None = None
        self.router = IncidentRouter(session, self.connection, playbook, now, find=self._find_group)
        self.new: list[Alert] = []  # _NewAlert objects standing in for Alerts
        self.ranks = self.router.ranks

    def preload(self, events: Sequence[AlertEvent]) -> None:
        dialect = self.connection.dialect.name
        if dialect == "sqlite":
            # Take SQLite's write lock before reading: another writer (the engine's monitors
            # beside the API) then waits for our commit instead of grouping on a stale read.
            bulk.execute(self.connection, _SQLITE_WRITE_LOCK)
        keys = {(e.scope, e.dedup_key) for e in events}
        ids = {e.integration_id for e in events if e.integration_id is not None}
        ids -= set(self.integrations)
        if ids:
            found = self.session.scalars(select(Integration).where(Integration.id.in_(ids)))
            self.integrations.update({i.id: i for i in found})
            missing = ids - set(self.integrations)
            if missing:
                raise InvalidInput(f"no integration {min(missing)}", field="integration_id")
        if not keys:
            return
        open_ids = self._read(events, keys, locking=dialect == "postgresql")
        if not open_ids:
            return
        # Re-checked as open: on PostgreSQL the row lock waits out a concurrent resolve.
        query = _OPEN_BY_IDS_LOCKED if dialect == "postgresql" else _OPEN_BY_IDS
        rows = self.session.scalars(query, {"ids": open_ids})
        self.open = {(a.scope, a.dedup_key): a for a in rows}

    def _read(
        self, events: Sequence[AlertEvent], keys: set[tuple[str, str]], *, locking: bool
    ) -> list[int]:
        """What the batch must know before it writes, in one statement (a statement costs more
        than the work behind it, and on PostgreSQL a round trip too): which keys have an open
        alert (and the state of its incident), the open incident of each service and
        Alertmanager group the batch's new alerts could join, and whether any silence is in
        force. The open alerts' ids come back; they are loaded (and row-locked) after.

        PostgreSQL with several API processes (``locking``): intake serializes on a
        per-service advisory lock for the services with no open incident to join, so two
        processes never both open one; after waiting for the lock the read is made again
        (another process may have opened the incident, or stored the same new alerts,
        meanwhile). A service with an open incident needs no lock: its alerts join that
        incident, so processes ingest it in parallel. Locks are taken in one order (services
        sorted; open alerts later by id) to keep deadlocks away. (SQLite writers hold the
        database's one write lock already.)
        """
        services: set[str] = set()
        groups: set[str] = set()
        for event in events:
            if event.action != "trigger":
                continue
            try:
                service = self.service_of(event)
            except InvalidInput:
                continue
            if service is not None:
                services.add(service)
            if event.group_key:
                groups.add(event.group_key)
        with bulk.autocommit(self.connection):  # a transaction begins with the first write
            open_ids = self._read_once(keys, services, groups)
        if not locking:
            return open_ids
        lonely = [name for name in sorted(services) if not self.router.has_open_incident(name)]
        if not lonely:
            return open_ids
        for name in lonely:
            self.session.execute(_ADVISORY_LOCK, {"key": _lock_key(name)})
        self.router.clear()
        return self._read_once(keys, services, groups)

    def _read_once(
        self, keys: set[tuple[str, str]], services: set[str], groups: set[str]
    ) -> list[int]:
        rows = self._query(sorted(keys), services, groups)
        open_ids: list[int] = []
        self._silences = []  # unless the read finds one in force
        for what, row_id, name, incident, status, severity in rows:
            known = None if incident is None else Known(incident, status, severity)
            if what == _OPEN_ALERT_ROW:
                open_ids.append(row_id)
                if known is not None:
                    self.router.seed_incident(known)
            elif what == _SILENCE_ROW:
                self._silences = None  # loaded when an alert is routed
            else:
                self.router.seed("service" if what == _SERVICE_ROW else "group", name, known)
        for name in services:
            if not self.router.looked_up("service", name):
                self.router.seed("service", name, None)
        for name in groups:
            if not self.router.looked_up("group", name):
                self.router.seed("group", name, None)
        return open_ids

    def _query(
        self, pairs: list[tuple[str, str]], services: set[str], groups: set[str]
    ) -> list[Any]:
        """The read's rows: (what, id, name, incident, status, severity)."""
        since = self.now - self.triage.grouping_window
        if self.connection.dialect.name == "postgresql":
            return _READ_POSTGRESQL.rows(
                self.connection,
                {
                    "scopes": [scope for scope, _key in pairs],
                    "keys": [key for _scope, key in pairs],
                    "services": sorted(services),
                    "groups": sorted(groups),
                    "since": since,
                    "now": self.now,
                },
            )
        return _READ_SQLITE.rows(
            self.connection,
            {
                "pairs": orjson.dumps(pairs).decode(),
                "services": orjson.dumps(sorted(services)).decode(),
                "groups": orjson.dumps(sorted(groups)).decode(),
                "since": since,
                "now": self.now,
            },
        )

    def _find_group(self, what: str, value: str) -> Known | None:
        """The open incident of one service or group the read did not ask about (a repeat
        routed by the service it was stored with), through the same statement."""
        services = {value} if what == "service" else set()
        groups = {value} if what == "group" else set()
        for kind, _id, _name, incident, status, severity in self._query([], services, groups):
            if kind in (_SERVICE_ROW, _GROUP_ROW):
                return Known(incident, status, severity)
        return None

    # -- facts ------------------------------------------------------------------------------

    def actor_of(self, event: AlertEvent) -> str:
        if self.actor:
            return self.actor
        if event.integration_id is not None:
            actor = self._actors.get(event.integration_id)
            if actor is None:
                name = self.integrations[event.integration_id].name
                actor = self._actors[event.integration_id] = f"integration:{name}"
            return actor
        return event.source

    def service_of(self, event: AlertEvent) -> str | None:
        """The event's service if the playbook knows it, else the integration's."""
        known = self.verdicts.get(id(event))
        if known is not None:  # worked out beforehand (Prepared), the same way
            return known[0]
        service = _known_service(self.playbook, self.integrations, event)
        if service is not None:
            return service
        if event.service:
            raise InvalidInput(f"unknown service {event.service!r}", field="service")
        return None

    def silences(self) -> list[Silence]:
        if self._silences is None:
            self._silences = silence_rules.active(self.session, now=self.now)
        return self._silences

    # -- applying ---------------------------------------------------------------------------

    def apply(self, event: AlertEvent) -> Alert | None:
        alert = self.open.get((event.scope, event.dedup_key))
        if event.action == "trigger":
            if alert is None:
                return self.open_alert(event)
            return self.repeat(alert, event)
        if alert is None:
            return None  # ack/resolve of nothing open: dropped, never creates an alert
        if event.action == "acknowledge":
            return self.acknowledge(alert, event)
        return self.resolve(alert, event)

    def open_alert(self, event: AlertEvent) -> Alert:
        service = self.service_of(event)
        if service is None:
            raise InvalidInput(
                "the alert names no service the playbook knows; give a service", field="service"
            )
        known = self.verdicts.get(id(event))
        if known is not None and known[0] == service:  # worked out beforehand (Prepared)
            draft = known[2]
        else:
            draft = _draft(event, service, evaluate(self.triage, _facts(event, service)))
        alert = _NewAlert.of(draft.columns)
        alert.first_seen_at = alert.last_seen_at = self.now
        alert.__dict__["draft"] = draft
        self.new.append(alert)
        self.open[(alert.scope, alert.dedup_key)] = alert
        self.route(alert, event, draft.joined)
        return alert

    def finish(self) -> None:
        """Write the batch's new alerts and timeline events, each table in one statement (on
        PostgreSQL both in one when each is a few rows: a round trip saved).

        New alerts are kept out of the unit of work and inserted with one executemany (the
        ORM's per-object bookkeeping costs more than the rest of intake together). Their ids
        are set on the returned objects when the caller wants them (the intake writer does
        not: the database numbers them, a round trip saved). On PostgreSQL the partial unique
        index still refuses a second open alert for a key when two processes insert it at
        once: that fails this transaction, and the writer retries it (a repeat by then).
        """
        timeline = self.router.take_timeline()
        connection = self.connection
        if not self.new:
            bulk.insert_all(connection, [timeline])
            return
        columns = _COLUMNS
        if self.want_ids:
            columns = _ALL_COLUMNS
            for alert, alert_id in zip(self.new, self._new_ids(), strict=True):
                alert.id = alert_id
        alerts = bulk.Insert(_ALERTS, self.new, columns, from_attributes=True, encoded=_DRAFTED)
        self.new = []
        session = self.session
        if (
            bulk.one_statement(connection.dialect, [timeline, alerts])
            and not session.new
            and not session.dirty
            and not session.deleted
        ):
            # The batch's only write, if nothing ran before it since the read: it commits
            # itself, with no BEGIN and COMMIT round trips (the commit after finds nothing).
            with bulk.autocommit(connection):
                bulk.insert_all(connection, [timeline, alerts])
            return
        bulk.insert_all(connection, [timeline, alerts])

    def _new_ids(self) -> Sequence[int]:
        if self.connection.dialect.name == "sqlite":
            # We hold SQLite's write lock (see preload), so ids after the current maximum are
            # ours; giving them explicitly spares a RETURNING.
            last = self.connection.scalar(_MAX_ID) or 0
            return range(last + 1, last + 1 + len(self.new))
        return bulk.next_ids(self.connection, _ALERTS, len(self.new))

    def repeat(self, alert: Alert, event: AlertEvent) -> Alert:
        alert.count += 1
        alert.last_seen_at = self.now
        alert.summary = event.summary.strip() or alert.summary
        alert.source_severity = event.severity
        if event.labels:
            alert.labels = event.labels
        if event.links:
            alert.links = event.links
        if event.raw:
            alert.raw = event.raw
        draft: Draft | None = alert.__dict__.get("draft")
        if draft is not None:  # new in this batch: its JSON text follows the repeat
            alert.__dict__["draft"] = draft._replace(
                labels=bulk.json_text(alert.labels),
                links=bulk.json_text(alert.links),
                raw=bulk.json_text(alert.raw),
            )
        verdict = self.verdict(event, alert.service)
        if self.ranks[verdict.severity] < self.ranks[alert.severity]:
            alert.severity, alert.rule = verdict.severity, verdict.rule
        known = self.router.state(alert.incident_id)
        if known is None or not known.open:
            # A silence may have ended since it first fired, or people resolved its incident
            # while it still fires: it opens (or joins) an incident now.
            self.route(alert, event)
        else:
            self.router.raise_severity(alert, self.actor_of(event))
        return alert

    def acknowledge(self, alert: Alert, event: AlertEvent) -> Alert:
        if alert.status == "acknowledged":
            return alert
        alert.status = "acknowledged"
        alert.acknowledged_at = self.now
        self.router.acknowledge(alert, self.actor_of(event))
        return alert

    def resolve(self, alert: Alert, event: AlertEvent) -> Alert:
        alert.status = "resolved"
        alert.resolved_at = self.now
        del self.open[(alert.scope, alert.dedup_key)]
        if alert.incident_id is not None:
            self.router.record(alert.incident_id, alert, self.actor_of(event), "resolved")
        return alert

    # -- incidents --------------------------------------------------------------------------

    def route(self, alert: Alert, event: AlertEvent, joined: Entry | None = None) -> None:
        """Join the group's open incident, open a new one, or stay silenced. ``joined``: the
        timeline entry of a new alert joining, worked out ahead (``Draft``)."""
        silences = self.silences()
        silence = (
            silence_rules.silencing(silences, service=alert.service, labels=alert.labels)
            if silences
            else None
        )
        alert.silence_id = silence.id if silence is not None else None
        if silence is None:
            self.router.attach(alert, self.actor_of(event), joined)

    def verdict(self, event: AlertEvent, service: str | None) -> Verdict:
        """The triage verdict for the event's alert (worked out beforehand if prepared)."""
        known = self.verdicts.get(id(event))
        if known is not None and known[0] == service:
            return known[1]
        return evaluate(self.triage, _facts(event, service))


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
# Built once: constructing a statement costs about as much as running it.
# PostgreSQL: the batch's one read (see _Batch._read). Each part probes an index
# per wanted item through a LATERAL join: the (scope, key) pairs against the partial unique
# index, each service's and group's newest open incident through the grouping indexes. The
# LIMITs keep the planner from flattening a LATERAL into a join it may plan as a scan (such a
# join scanned every open alert once the table had outgrown its statistics: 83 ms per batch
# with 12,000 open). Whether an incident still has a recent alert (of the group) is the
# newest such alert's time, a scalar subquery with ORDER BY ... LIMIT 1: an EXISTS is turned
# into a join, and the join was planned as a bitmap scan of every alert of the incident seen
# within the window (a storm's incident holds hundreds of thousands: 10 ms per batch at
# 60,000, growing with every batch). The literal status tests match the indexes' predicates.
# ``what`` tells the parts apart.
_OPEN_ALERT_ROW, _SERVICE_ROW, _GROUP_ROW, _SILENCE_ROW = 0, 1, 2, 3
_OPEN_INCIDENT_SQL = ", ".join(f"'{state}'" for state in sorted(OPEN_INCIDENT_STATES))
_READ_POSTGRESQL = bulk.Query(
    text(
        f"""
SELECT {_OPEN_ALERT_ROW} AS what, a.id, a.scope AS name, i.id AS incident, i.status, i.severity
FROM unnest(CAST(:scopes AS VARCHAR[]), CAST(:keys AS VARCHAR[])) AS wanted(scope, dedup_key)
CROSS JOIN LATERAL (
    SELECT alerts.id, alerts.scope, alerts.incident_id FROM alerts
    WHERE alerts.scope = wanted.scope AND alerts.dedup_key = wanted.dedup_key
    AND alerts.status IN ('triggered', 'acknowledged')
    LIMIT 1
) AS a
LEFT JOIN incidents AS i ON i.id = a.incident_id
UNION ALL
SELECT {_SERVICE_ROW}, i.id, wanted.name, i.id, i.status, i.severity
FROM unnest(CAST(:services AS VARCHAR[])) AS wanted(name)
CROSS JOIN LATERAL (
    SELECT incidents.id, incidents.status, incidents.severity FROM incidents
    WHERE incidents.service = wanted.name AND incidents.status IN ({_OPEN_INCIDENT_SQL})
    AND (incidents.detected_at >= :since OR (
        SELECT alerts.last_seen_at FROM alerts WHERE alerts.incident_id = incidents.id
        ORDER BY alerts.last_seen_at DESC LIMIT 1
    ) >= :since)
    ORDER BY incidents.id DESC LIMIT 1
) AS i
UNION ALL
SELECT {_GROUP_ROW}, i.id, wanted.name, i.id, i.status, i.severity
FROM unnest(CAST(:groups AS VARCHAR[])) AS wanted(name)
CROSS JOIN LATERAL (
    SELECT incidents.id, incidents.status, incidents.severity FROM incidents
    WHERE incidents.status IN ({_OPEN_INCIDENT_SQL}) AND (
        SELECT alerts.last_seen_at FROM alerts
        WHERE alerts.incident_id = incidents.id AND alerts.group_key = wanted.name
        ORDER BY alerts.last_seen_at DESC LIMIT 1
    ) >= :since
    ORDER BY incidents.id DESC LIMIT 1
) AS i
UNION ALL
(SELECT {_SILENCE_ROW}, silences.id, NULL, NULL, NULL, NULL FROM silences
 WHERE silences.ends_at > :now LIMIT 1)
"""
    ).bindparams(bindparam("since", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
)
# SQLite: the same read, the wanted items as JSON arrays (json_each). CROSS JOIN keeps each
# list the outer loop, so every item probes an index (without statistics SQLite preferred to
# scan the open alerts and look each up in the list).
_READ_SQLITE = bulk.Query(
    text(
        f"""
SELECT {_OPEN_ALERT_ROW} AS what, a.id, a.scope AS name, i.id AS incident, i.status, i.severity
FROM json_each(:pairs) AS wanted
CROSS JOIN alerts AS a
LEFT JOIN incidents AS i ON i.id = a.incident_id
WHERE a.scope = json_extract(wanted.value, '$[0]')
AND a.dedup_key = json_extract(wanted.value, '$[1]')
AND a.status IN ('triggered', 'acknowledged')
UNION ALL
SELECT {_SERVICE_ROW}, i.id, wanted.value, i.id, i.status, i.severity
FROM json_each(:services) AS wanted
CROSS JOIN incidents AS i
WHERE i.id = (
    SELECT incidents.id FROM incidents
    WHERE incidents.service = wanted.value AND incidents.status IN ({_OPEN_INCIDENT_SQL})
    AND (incidents.detected_at >= :since OR EXISTS (
        SELECT 1 FROM alerts
        WHERE alerts.incident_id = incidents.id AND alerts.last_seen_at >= :since
    ))
    ORDER BY incidents.id DESC LIMIT 1
)
UNION ALL
SELECT {_GROUP_ROW}, i.id, wanted.value, i.id, i.status, i.severity
FROM json_each(:groups) AS wanted
CROSS JOIN incidents AS i
WHERE i.id = (
    SELECT incidents.id FROM incidents
    WHERE incidents.status IN ({_OPEN_INCIDENT_SQL}) AND EXISTS (
        SELECT 1 FROM alerts
        WHERE alerts.incident_id = incidents.id AND alerts.group_key = wanted.value
        AND alerts.last_seen_at >= :since
    )
    ORDER BY incidents.id DESC LIMIT 1
)
UNION ALL
SELECT * FROM (
    SELECT {_SILENCE_ROW}, silences.id, NULL, NULL, NULL, NULL FROM silences
    WHERE silences.ends_at > :now LIMIT 1
)
"""
    ).bindparams(bindparam("since", type_=UTCDateTime()), bindparam("now", type_=UTCDateTime()))
)
_OPEN_BY_IDS = select(Alert).where(_OPEN_ALERT, Alert.id.in_(bindparam("ids", expanding=True)))
_OPEN_BY_IDS_LOCKED = _OPEN_BY_IDS.order_by(Alert.id).with_for_update()
_MAX_ID = select(func.max(Alert.id))
_SQLITE_WRITE_LOCK = "UPDATE alerts SET count = count WHERE 0 = 1"


def _lock_key(service: str) -> int:
    """A stable signed 64-bit advisory-lock key for a service's intake."""
    digest = hashlib.sha256(f"warroom.intake:{service}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


_ALERTS = cast(Table, Alert.__table__)
_ALL_COLUMNS = tuple(c.key for c in _ALERTS.columns)
_COLUMNS = tuple(key for key in _ALL_COLUMNS if key != "id")


class _NewAlert:
    """An alert first seen in this batch: Alert's columns as plain attributes. Building an ORM
    instance costs more than the rest of an alert's intake, and the intake writer never needs
    one; ``ingest_many`` turns these into Alerts for the callers that do. Inside a batch it
    stands in for an Alert (the router reads and sets the same attributes)."""

    @staticmethod
    def of(values: dict[str, Any]) -> Alert:
        alert = _NewAlert()
        alert.__dict__.update(values)
        return cast(Alert, alert)


def _materialized(result: Alert | None) -> Alert | None:
    """An Alert for a _NewAlert (new, not in the session, its id set), else the result."""
    if isinstance(result, _NewAlert):
        values = dict(result.__dict__)
        del values["draft"]  # not a column
        return _transient(values)
    return result


def _transient(values: dict[str, Any]) -> Alert:
    """A new, not yet stored Alert built the way the ORM builds loaded rows (filling its
    ``__dict__``), which skips the per-attribute events of the constructor."""
    alert: Alert = Alert._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    alert.__dict__.update(values)
    return alert
