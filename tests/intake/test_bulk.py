"""The intake fast paths store exactly what the ORM would, and the asyncio hand-off works."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from sqlalchemy import Table, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from warroom.alerts import bulk
from warroom.alerts.event import AlertEvent
from warroom.alerts.models import Alert, Silence
from warroom.alerts.writer import GroupCommitter
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.playbook import Playbook
from warroom.triage.rules import Facts, effective_triage, evaluate

ALERTS = cast(Table, Alert.__table__)


def _row(clock: FrozenClock, key: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "scope": "monitor",
        "integration_id": None,
        "source": "monitor",
        "dedup_key": key,
        "fingerprint": "f" * 32,
        "status": "triggered",
        "summary": "Disk 90% full — ünïcode",
        "source_severity": "warning",
        "severity": "P3",
        "rule": None,
        "service": "api",
        "group_key": None,
        "labels": {"instance": "db-1", "quote": 'a"b'},
        "links": [{"href": "https://grafana/d/1", "text": "Dashboard"}],
        "raw": {"nested": {"n": 1, "ok": True, "none": None}},
        "incident_id": None,
        "silence_id": None,
        "count": 1,
        "first_seen_at": clock.now(),
        "last_seen_at": clock.now(),
        "acknowledged_at": None,
        "resolved_at": None,
    }
    row.update(values)
    return row


def test_insert_rows_round_trips_json_and_datetimes(session: Session, clock: FrozenClock) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        ids = bulk.next_ids(connection, ALERTS, 2)
    else:
        ids = [1, 2]
    assert ids == sorted(ids)
    assert len(set(ids)) == 2
    rows = [_row(clock, "a", id=ids[0]), _row(clock, "b", id=ids[1], labels={}, links=[])]
    bulk.insert_rows(connection, ALERTS, rows)
    bulk.insert_rows(connection, ALERTS, [])  # nothing to do, no statement
    session.commit()
    stored = {a.dedup_key: a for a in session.scalars(select(Alert).order_by(Alert.id))}
    assert [a.id for a in stored.values()] == ids
    first = stored["a"]
    assert first.labels == {"instance": "db-1", "quote": 'a"b'}
    assert first.links == [{"href": "https://grafana/d/1", "text": "Dashboard"}]
    assert first.raw == {"nested": {"n": 1, "ok": True, "none": None}}
    assert first.summary == "Disk 90% full — ünïcode"
    assert first.first_seen_at == clock.now()
    assert first.last_seen_at.tzinfo is not None
    assert first.resolved_at is None
    assert stored["b"].labels == {}
    assert stored["b"].links == []


@pytest.mark.parametrize("size", [3, bulk.COPY_FROM + 1, 300])
def test_insert_rows_round_trips_batches_of_every_size(
    session: Session, clock: FrozenClock, size: int
) -> None:
    # PostgreSQL takes a few rows as one JSON document and many through COPY.
    connection = session.connection()
    odd = '\\ "q" \n\t{}[],'
    rows = [
        _row(clock, f"k{i}", labels={"i": str(i), "odd": odd}, raw={"i": i, "odd": [odd]})
        for i in range(size)
    ]
    bulk.insert_rows(connection, ALERTS, rows, [k for k in rows[0] if k != "id"])
    session.commit()
    stored = {a.dedup_key: a for a in session.scalars(select(Alert))}
    assert len(stored) == size
    last = stored[f"k{size - 1}"]
    assert last.labels == {"i": str(size - 1), "odd": odd}
    assert last.raw == {"i": size - 1, "odd": [odd]}
    assert last.summary == "Disk 90% full — ünïcode"
    assert last.first_seen_at == clock.now()
    assert last.acknowledged_at is None


@pytest.mark.parametrize("size", [2, bulk.COPY_FROM + 1])
def test_several_tables_rows_go_in_one_statement_on_postgresql(
    session: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    # A batch's timeline events and alerts: on PostgreSQL one round trip when both are a
    # few rows; otherwise (and on SQLite) a statement or COPY per table, as insert_rows does.
    connection = session.connection()
    statements: list[str] = []
    driver = bulk._driver

    def counting(connection: Any, sql: str) -> Any:
        statements.append(sql)
        return driver(connection, sql)

    monkeypatch.setattr(bulk, "_driver", counting)
    silences = [
        {
            "service": "api",
            "matchers": [{"name": "n", "op": "=", "value": str(i)}],
            "starts_at": clock.now(),
            "ends_at": clock.now(),
            "comment": "",
            "created_by": "t",
            "created_at": clock.now(),
        }
        for i in range(2)
    ]
    alerts = [_row(clock, f"k{i}") for i in range(size)]
    bulk.insert_all(
        connection,
        [
            bulk.Insert(cast(Table, Silence.__table__), silences),
            bulk.Insert(ALERTS, alerts, [k for k in alerts[0] if k != "id"]),
            bulk.Insert(ALERTS, []),  # nothing to insert: left out
        ],
    )
    session.commit()
    together = connection.dialect.name == "postgresql" and size <= bulk.COPY_FROM
    assert len(statements) == (1 if together else 2)
    stored = session.scalars(select(Silence.matchers).order_by(Silence.id)).all()
    assert stored == [s["matchers"] for s in silences]
    assert len(session.scalars(select(Alert.id)).all()) == size


def test_a_refused_row_in_a_combined_insert_refuses_all_of_it(
    session: Session, clock: FrozenClock
) -> None:
    from sqlalchemy.exc import IntegrityError

    from warroom.timeline.models import TimelineEvent

    connection = session.connection()
    orphan = {
        "incident_id": 999,
        "at": clock.now(),
        "recorded_at": clock.now(),
        "kind": "alert",
        "actor": "t",
        "body": "b",
        "data": {},
    }
    with pytest.raises(IntegrityError):
        bulk.insert_all(
            connection,
            [
                bulk.Insert(cast(Table, TimelineEvent.__table__), [orphan]),
                bulk.Insert(ALERTS, [_row(clock, "k")]),
            ],
        )
    session.rollback()
    assert session.scalars(select(Alert.id)).all() == []


@pytest.mark.parametrize("size", [3, bulk.COPY_FROM + 1])
def test_json_encoded_ahead_is_stored_as_the_json_it_encodes(
    session: Session, clock: FrozenClock, size: int
) -> None:
    # Intake encodes new alerts' JSON before its write turn; stored, it must be the same JSON
    # (not a JSON string holding it), on every path: executemany, one document, COPY.
    connection = session.connection()
    odd = '\\ "q" \n\t{}[],'

    class Draft:
        def __init__(self, labels: dict[str, str]) -> None:
            self.labels = bulk.json_text(labels)

    class Row:
        def __init__(self, key: str, labels: dict[str, str]) -> None:
            self.__dict__.update(_row(clock, key, labels={"stale": "x"}))
            self.draft = Draft(labels)

    rows = [Row(f"e{i}", {"i": str(i), "odd": odd}) for i in range(size)]
    columns = [k for k in _row(clock, "-") if k != "id"]
    bulk.insert_rows(
        connection, ALERTS, rows, columns, from_attributes=True, encoded={"labels": "draft.labels"}
    )
    session.commit()
    stored = {a.dedup_key: a for a in session.scalars(select(Alert))}
    assert len(stored) == size
    assert stored[f"e{size - 1}"].labels == {"i": str(size - 1), "odd": odd}
    assert stored["e0"].links == [{"href": "https://grafana/d/1", "text": "Dashboard"}]
    with pytest.raises(ValueError, match="cannot be read as the attribute"):
        bulk.insert_rows(
            connection, ALERTS, rows, columns, from_attributes=True, encoded={"labels": "a.b-c"}
        )


def test_a_silence_that_has_not_started_silences_nothing_yet(
    session: Session, clock: FrozenClock
) -> None:
    from datetime import timedelta

    from warroom.alerts import silences

    later = Silence(
        service=None,
        matchers=[],
        starts_at=clock.now() + timedelta(hours=1),
        ends_at=clock.now() + timedelta(hours=2),
        comment="",
        created_by="alice",
        created_at=clock.now(),
    )
    session.add(later)
    session.flush()
    assert silences.active(session, now=clock.now()) == []
    assert silences.active(session, now=clock.now() + timedelta(minutes=90)) == [later]


def test_compiled_triage_follows_rule_order_and_the_default(playbook: Playbook) -> None:
    triage = effective_triage(playbook)

    def facts(summary: str, severity: str = "warning") -> Facts:
        return Facts("monitor", severity, "api", summary, {})

    assert evaluate(triage, facts("The site is down")).severity == "P0"
    assert evaluate(triage, facts("nothing matches here", "info")).rule in (None, "errors")
    # Compiled once, the same answer every time.
    assert evaluate(triage, facts("The site is down")) == evaluate(triage, facts("site down"))


def test_submit_async_answers_on_the_loop_after_commit(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    sessions = make_sessionmaker(engine)
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock)

    async def send() -> list[list[bool]]:
        events = [
            [AlertEvent("monitor", f"k{i}", "trigger", summary="s", service="api")]
            for i in range(8)
        ]
        return list(await asyncio.gather(*(writer.submit_async(e) for e in events)))

    try:
        results = asyncio.run(send())
    finally:
        writer.close()
    assert results == [[True]] * 8
    with sessions() as session:
        stored = set(session.scalars(select(Alert.dedup_key)))
    assert stored == {f"k{i}" for i in range(8)}


def test_remembered_datetimes_stay_few() -> None:
    # Every batch brings a new now: the memo of converted values must not grow with them.
    from datetime import UTC, datetime, timedelta

    calls: list[datetime] = []

    def convert(value: datetime) -> str:
        calls.append(value)
        return value.isoformat()

    process = bulk._Memo(convert)
    start = datetime(2026, 11, 29, tzinfo=UTC)
    for i in range(1000):
        assert process(start + timedelta(seconds=i)) == (start + timedelta(seconds=i)).isoformat()
        process(start + timedelta(seconds=i))  # the same batch: remembered
    assert len(calls) == 1000
    assert len(process.seen) <= bulk.MEMO_SIZE
    assert process(None) is None


@pytest.mark.parametrize("size", [1, bulk.COPY_FROM + 1])
def test_a_second_open_alert_for_a_key_is_refused_as_sqlalchemy_refuses_it(
    session: Session, clock: FrozenClock, size: int
) -> None:
    # The writer retries a batch on IntegrityError (another process stored the same new
    # alert first): the driver-level inserts must raise it as SQLAlchemy would.
    from sqlalchemy.exc import IntegrityError

    connection = session.connection()
    columns = [k for k in _row(clock, "x") if k != "id"]
    rows = [_row(clock, f"k{i}") for i in range(size)]
    bulk.insert_rows(connection, ALERTS, rows, columns)
    with pytest.raises(IntegrityError) as raised:
        bulk.insert_rows(connection, ALERTS, rows[-1:] * size, columns)
    assert "[parameters:" not in str(raised.value)  # the rows stay out of the message
    session.rollback()
