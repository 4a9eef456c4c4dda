"""Group commit: requests queued together share one commit; a bad one fails alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from warroom.alerts import service
from warroom.alerts.event import AlertEvent
from warroom.alerts.models import Alert
from warroom.alerts.writer import GroupCommitter
from warroom.clock import FrozenClock
from warroom.db import make_sessionmaker
from warroom.errors import InvalidInput
from warroom.incidents.models import Incident
from warroom.playbook import Playbook, default_playbook_text, parse_playbook
from warroom.timeline.models import TimelineEvent
from warroom.triage.rules import effective_triage


def _event(key: str, service: str = "api") -> AlertEvent:
    return AlertEvent(
        source="monitor", dedup_key=key, action="trigger", summary=f"s {key}", service=service
    )


@contextmanager
def _writer_session(engine: Engine, playbook: Playbook, clock: FrozenClock) -> Iterator[Session]:
    """A session on a writer thread's own connection, as the writer's batches get; the
    connection goes back to the pool after."""
    writer = GroupCommitter(make_sessionmaker(engine), playbook=playbook, clock=clock)
    try:
        with writer._session() as session:
            yield session
    finally:
        writer._forget_connection()
        writer.close()


def test_queued_requests_share_a_commit_and_a_bad_one_fails_alone(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    sessions = make_sessionmaker(engine)
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0.2)
    try:
        good = [writer.submit([_event(f"k{i}"), _event(f"k{i}-b")]) for i in range(5)]
        bad = writer.submit([_event("x"), _event("y", service="nope")])
        results = [future.result(timeout=30) for future in good]
        with pytest.raises(InvalidInput, match="nope"):
            bad.result(timeout=30)
    finally:
        writer.close()
    assert results == [[True, True]] * 5
    with sessions() as session:
        keys = set(session.scalars(select(Alert.dedup_key)))
        incidents = session.scalar(select(func.count(func.distinct(Alert.incident_id))))
    assert keys == {f"k{i}" for i in range(5)} | {f"k{i}-b" for i in range(5)}
    assert incidents == 1
    assert writer.batches == 1


def test_two_writers_receiving_the_same_new_alerts_at_once_count_each_twice(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # Two API processes (here two writers, each with its own connection) get the same new
    # alerts at the same moment: one inserts each alert, the other's becomes a repeat. On
    # PostgreSQL the unique index refuses the second insert and the writer retries; on SQLite
    # the writers take turns through the file lock.
    sessions = make_sessionmaker(engine)
    first = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0)
    second = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0)
    keys = [f"k{i}" for i in range(40)]
    try:
        futures = []
        for key in keys:
            futures.append(first.submit([_event(key)]))
            futures.append(second.submit([_event(key)]))
        results = [future.result(timeout=60) for future in futures]
    finally:
        first.close()
        second.close()
    assert results == [[True]] * len(futures)
    with sessions() as session:
        rows = session.execute(select(Alert.dedup_key, Alert.count)).all()
    assert sorted((key, count) for key, count in rows) == sorted((key, 2) for key in keys)


def test_an_invalid_event_fails_its_request_alone_before_any_write(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    sessions = make_sessionmaker(engine)
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0.2)
    bogus = AlertEvent(source="monitor", dedup_key="b", action="trigger", summary="s",
                       severity="bogus", service="api")  # fmt: skip
    try:
        good = writer.submit([_event("g1"), _event("g2")])
        bad = writer.submit([_event("b0"), bogus])
        assert good.result(timeout=30) == [True, True]
        with pytest.raises(InvalidInput, match="bogus"):
            bad.result(timeout=30)
    finally:
        writer.close()
    with sessions() as session:
        assert set(session.scalars(select(Alert.dedup_key))) == {"g1", "g2"}


def test_the_writer_uses_the_work_its_senders_prepared(
    engine: Engine, playbook: Playbook, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The API prepares (validates and triages) each request's events on its own thread; the
    # writer prepares only the requests that come without it, so under SQLite's turns the
    # triage is not done while the write lock is held.
    sessions = make_sessionmaker(engine)
    prepared_events = [_event("p1"), _event("p2")]
    ready = service.Prepared(playbook, prepared_events, {})
    made: list[int] = []
    original = service.Prepared.__init__

    def counting(self: service.Prepared, *args: Any, **kwargs: Any) -> None:
        made.append(len(args[1]))
        original(self, *args, **kwargs)

    monkeypatch.setattr(service.Prepared, "__init__", counting)
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0.2)
    try:
        with_work = writer.submit(prepared_events, ready)
        without = writer.submit([_event("n1")])
        assert with_work.result(timeout=30) == [True, True]
        assert without.result(timeout=30) == [True]
    finally:
        writer.close()
    assert made == [1]  # only the request that came without its work
    assert writer.batches == 1
    with sessions() as session:
        assert set(session.scalars(select(Alert.dedup_key))) == {"p1", "p2", "n1"}


def test_a_new_alert_repeated_in_its_own_batch_is_stored_as_the_repeat_left_it(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # A new alert's columns are drafted before the write (JSON already encoded); a repeat in
    # the same batch changes them, and what is stored must be the repeat's.
    sessions = make_sessionmaker(engine)
    first = AlertEvent(source="monitor", dedup_key="k", action="trigger", summary=" Disk full ",
                       service="api", labels={"disk": "sda"}, raw={"n": 1})  # fmt: skip
    again = AlertEvent(source="monitor", dedup_key="k", action="trigger", summary="Disk full!",
                       service="api", labels={"disk": "sdb"}, links=[{"href": "http://x"}],
                       raw={"n": 2})  # fmt: skip
    joined = AlertEvent(source="monitor", dedup_key="j", action="trigger", summary="Disk slow",
                        service="api", labels={"a": "b"})  # fmt: skip
    events = [first, again, joined]
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0)
    try:
        result = writer.submit(events, service.Prepared(playbook, events, {}))
        assert result.result(timeout=30) == [True, True, True]
    finally:
        writer.close()
    with sessions() as session:
        alert = session.scalars(select(Alert).where(Alert.dedup_key == "k")).one()
        assert (alert.count, alert.summary) == (2, "Disk full!")
        assert (alert.labels, alert.links, alert.raw) == (
            {"disk": "sdb"},
            [{"href": "http://x"}],
            {"n": 2},
        )
        other = session.scalars(select(Alert).where(Alert.dedup_key == "j")).one()
        assert other.labels == {"a": "b"}
        entries = session.scalars(
            select(TimelineEvent).where(TimelineEvent.kind == "alert").order_by(TimelineEvent.id)
        ).all()
    assert [e.data["event"] for e in entries] == ["opened", "joined"]
    entry = entries[1]
    assert entry.body == f"Alert joined ({other.severity}, monitor): Disk slow"
    assert entry.data == {
        "event": "joined",
        "fingerprint": other.fingerprint,
        "dedup_key": "j",
        "source": "monitor",
        "source_severity": "error",
        "severity": other.severity,
        "rule": other.rule,
    }


def test_prepared_work_merges_only_under_the_same_rules(playbook: Playbook) -> None:
    first, second = [_event("a")], [_event("b")]
    one = service.Prepared(playbook, first, {})
    two = service.Prepared(playbook, second, {})
    merged = service.Prepared.merged([one, two])
    assert merged is not None
    assert merged.verdicts == {**one.verdicts, **two.verdicts}
    assert set(merged.verdicts) == {id(first[0]), id(second[0])}
    other = parse_playbook(default_playbook_text())  # the same rules, a reloaded playbook
    assert service.Prepared.merged([one, service.Prepared(other, second, {})]) is None
    assert service.Prepared.merged([]) is None


def test_the_writer_connection_plans_intake_statements_once_on_postgresql(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with _writer_session(engine, playbook, clock) as session:
        mode = session.connection().exec_driver_sql("SHOW plan_cache_mode").scalar()
    assert mode == "force_generic_plan"


def test_the_batch_read_stops_at_a_groups_latest_alert_on_postgresql(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # Whether an Alertmanager group's incident is still active (an alert of the group seen
    # within the grouping window) must cost an index probe, not a scan of every recent alert
    # of the incident: a storm's incident holds hundreds of thousands (a bitmap scan of them
    # all made each 100-alert batch slower by 1.5 ms per 10,000 alerts).
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner")
    import psycopg

    sessions = make_sessionmaker(engine)
    with sessions() as session:
        events = [
            AlertEvent(
                source="alertmanager",
                dedup_key=f"k{i}",
                action="trigger",
                summary="Disk full",
                service="api",
                group_key="g",
            )
            for i in range(10)
        ]
        service.apply_events(session, playbook=playbook, now=clock.now(), events=events)
        incident = session.scalars(select(Alert.incident_id)).first()
        # A storm's worth more in the same incident and group, quicker than through intake.
        session.execute(
            text(
                "INSERT INTO alerts (scope, source, dedup_key, fingerprint, status, summary,"
                " source_severity, severity, service, group_key, labels, links, raw,"
                " incident_id, count, first_seen_at, last_seen_at)"
                " SELECT scope, source, dedup_key || '-' || n, fingerprint, status, summary,"
                " source_severity, severity, service, group_key, labels, links, raw,"
                " incident_id, count, first_seen_at, last_seen_at"
                " FROM alerts, generate_series(1, 3000) AS n WHERE incident_id = :incident"
            ),
            {"incident": incident},
        )
        session.commit()
    sql, _order, _processors = service._READ_POSTGRESQL._for(engine.dialect)
    since = clock.now() - effective_triage(playbook).grouping_window
    parameters = {
        "scopes": ["alertmanager"] * 2,
        "keys": ["new-1", "k1"],
        "services": ["api"],
        "groups": ["g"],
        "since": since,
        "now": clock.now(),
    }
    # As the intake writer runs it: prepared, with one generic plan (its connection's setting).
    types = ["varchar[]"] * 4 + ["timestamptz"] * 2
    for number, name in enumerate(parameters, start=1):
        sql = sql.replace(f"%({name})s", f"${number}")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE alerts")
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        raw = connection.connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        cursor = psycopg.ClientCursor(raw)
        cursor.execute(f"PREPARE intake_read ({', '.join(types)}) AS {sql}")
        placeholders = ", ".join(["%s"] * len(parameters))
        cursor.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE intake_read ({placeholders})",
            list(parameters.values()),
        )
        plan = cursor.fetchone()[0][0]["Plan"]  # type: ignore[index]
        connection.rollback()

    def on_alerts(
        node: dict[str, Any], parent: dict[str, Any]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        if node.get("Relation Name") == "alerts" or node.get("Index Name", "").startswith(
            ("ix_alerts", "uq_alerts")
        ):
            yield node, parent
        for child in node.get("Plans", []):
            yield from on_alerts(child, node)

    scans = list(on_alerts(plan, {}))
    assert len(scans) == 3, plan  # open alerts by key, the service's and the group's incident
    for scan, parent in scans:
        # Each stops at its first row, whatever the planner thinks of the table's statistics:
        # a join (the planner's choice for EXISTS) may read every recent alert of the incident.
        assert parent["Node Type"] == "Limit", plan
        assert scan["Actual Rows"] <= 1, plan


def test_a_new_alert_another_process_stored_first_is_retried_as_a_repeat(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # PostgreSQL, deterministically: another connection has inserted the same new alert but
    # not committed; the writer's insert waits on the unique index, fails once the other
    # commits, and the writer applies the event again: a repeat.
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers take turns; they never race")
    import time

    sessions = make_sessionmaker(engine)
    with sessions() as session:  # the service's incident, so no advisory lock serializes us
        service.ingest(
            session,
            playbook=playbook,
            now=clock.now(),
            source="monitor",
            dedup_key="first",
            action="trigger",
            summary="s first",
            service="api",
        )
        session.commit()
    other = sessions()
    service.ingest(
        other,
        playbook=playbook,
        now=clock.now(),
        source="monitor",
        dedup_key="k",
        action="trigger",
        summary="s k",
        service="api",
    )
    other.flush()  # inserted, not committed
    writer = GroupCommitter(sessions, playbook=playbook, clock=clock, gather_seconds=0)
    try:
        future = writer.submit([_event("k")])
        deadline = time.monotonic() + 30
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        with engine.connect() as watcher:
            while not watcher.execute(text(waiting)).scalar():
                assert time.monotonic() < deadline, "the writer never waited on the index"
                assert not future.done(), future.result()
                watcher.rollback()
        other.commit()
        assert future.result(timeout=30) == [True]
    finally:
        other.close()
        writer.close()
    with sessions() as session:
        count = session.scalar(select(Alert.count).where(Alert.dedup_key == "k"))
    assert count == 2


def _keys_seen_by_another_connection(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(Alert.dedup_key)))


def _open_incident(engine: Engine, playbook: Playbook, clock: FrozenClock) -> None:
    with make_sessionmaker(engine)() as session:
        service.apply_events(session, playbook=playbook, now=clock.now(), events=[_event("first")])
        session.commit()


def test_a_batch_only_adding_alerts_commits_its_one_insert_by_itself_on_postgresql(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # New alerts joining an open incident: the batch's read and its one INSERT (alerts and
    # their timeline events together) run outside a transaction, so the writer saves the
    # BEGIN and COMMIT round trips. The INSERT is one statement: all of it or nothing.
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no round trips to save")
    _open_incident(engine, playbook, clock)
    with _writer_session(engine, playbook, clock) as session:
        isolation = session.connection().exec_driver_sql("SHOW transaction_isolation").scalar()
        session.rollback()
        events = [_event("a"), _event("b")]
        service.apply_events(session, playbook=playbook, now=clock.now(), events=events)
        driver = session.connection().connection.driver_connection
        assert driver is not None
        assert driver.info.transaction_status == 0  # idle: nothing left to commit
        assert _keys_seen_by_another_connection(engine) == {"first", "a", "b"}
        session.commit()
        assert not driver.autocommit
    assert isolation == "read committed"
    with make_sessionmaker(engine)() as check:
        joined = check.scalar(
            select(func.count()).select_from(TimelineEvent).where(TimelineEvent.kind == "alert")
        )
    assert joined == 3


def test_a_batch_with_other_writes_stays_one_transaction_on_postgresql(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # The first alert of a service opens its incident before the alerts are inserted: the
    # INSERT then runs in the batch's transaction, and a rollback leaves nothing.
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no round trips to save")
    with _writer_session(engine, playbook, clock) as session:
        service.apply_events(session, playbook=playbook, now=clock.now(), events=[_event("a")])
        assert _keys_seen_by_another_connection(engine) == set()
        session.rollback()
    with make_sessionmaker(engine)() as check:
        assert check.scalar(select(func.count()).select_from(Incident)) == 0
        assert check.scalar(select(func.count()).select_from(Alert)) == 0


def test_only_the_writers_connection_commits_statements_by_themselves_on_postgresql(
    engine: Engine, playbook: Playbook, clock: FrozenClock
) -> None:
    # Anyone else's session (the API's, the CLI's) ingests inside its own transaction, even
    # on the DBAPI connection the writer used before (the option stays with the writer's).
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no round trips to save")
    _open_incident(engine, playbook, clock)
    with _writer_session(engine, playbook, clock) as session:
        used = session.connection().connection.dbapi_connection
    # the writer's DBAPI connection is back in the pool
    with make_sessionmaker(engine)() as session:
        assert session.connection().connection.dbapi_connection is used  # the only one pooled
        service.apply_events(session, playbook=playbook, now=clock.now(), events=[_event("a")])
        assert _keys_seen_by_another_connection(engine) == {"first"}
        session.rollback()
    assert _keys_seen_by_another_connection(engine) == {"first"}
