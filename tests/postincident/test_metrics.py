"""Metrics in SQL: figures with mean/median/p90, missing timestamps, counts and rates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from warroom.actions.models import ActionItem
from warroom.changes import service as changes
from warroom.errors import InvalidInput
from warroom.incidents.models import Incident
from warroom.metrics import period
from warroom.metrics import service as metrics
from warroom.playbook import Playbook

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 5, tzinfo=UTC)


def incident(
    session: Session,
    *,
    at: datetime,
    ttr_min: float | None,
    title: str = "Checkout is down",
    service: str = "api",
    severity: str = "P1",
    ttd_min: float | None = 2,
) -> Incident:
    row = Incident(
        title=title,
        severity=severity,
        status="resolved" if ttr_min is not None else "investigating",
        service=service,
        impact="",
        created_by="@alice",
        created_at=at,
        updated_at=at,
        impact_started_at=at - timedelta(minutes=ttd_min) if ttd_min is not None else None,
        detected_at=at,
        acknowledged_at=at + timedelta(minutes=1),
        mitigated_at=at + timedelta(minutes=ttr_min / 2) if ttr_min is not None else None,
        resolved_at=at + timedelta(minutes=ttr_min) if ttr_min is not None else None,
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def november(session: Session) -> list[Incident]:
    rows = [
        incident(session, at=NOV + timedelta(days=d), ttr_min=m)
        for d, m in [(1, 10), (2, 20), (3, 30), (4, 40), (5, 100)]
    ]
    rows.append(
        incident(
            session,
            at=NOV + timedelta(days=6),
            ttr_min=None,
            title="DB slow",
            service="database",
            severity="P2",
            ttd_min=None,
        )
    )
    # October, same title and service as the 2 November one within 30 days: a recurrence.
    incident(session, at=NOV - timedelta(days=5), ttr_min=5, title="checkout IS down")
    for i in range(4):
        changes.record_change(
            session,
            now=NOW,
            service="api",
            summary=f"deploy {i}",
            source="cli",
            at=NOV + timedelta(days=i),
        )
    for status in ("done", "done", "todo", "wont_do"):
        session.add(
            ActionItem(
                incident_id=rows[0].id,
                title="x",
                owner="bob",
                due_on=date(2026, 11, 20),
                status=status,
                kind="process",
                created_at=NOV,
                created_by="@a",
                updated_at=NOV,
            )
        )
    session.commit()
    return rows


def test_figures_mean_median_p90(session: Session, playbook: Playbook, november: object) -> None:
    result = metrics.compute(session, playbook=playbook, start=NOV, end=DEC, now=NOW)
    ttr = result.figures["ttr"]
    assert ttr.measured == 5
    assert ttr.mean_seconds == pytest.approx(40 * 60, abs=0.01)
    assert ttr.median_seconds == pytest.approx(30 * 60, abs=0.01)
    assert ttr.p90_seconds == pytest.approx(100 * 60, abs=0.01)
    tta = result.figures["tta"]
    assert tta.measured == 6
    assert tta.median_seconds == pytest.approx(60, abs=0.01)


def test_even_count_median_is_the_mean_of_the_middle_two(
    session: Session, playbook: Playbook, november: object
) -> None:
    result = metrics.compute(
        session, playbook=playbook, start=NOV + timedelta(days=2), end=DEC, now=NOW
    )
    ttr = result.figures["ttr"]  # 20, 30, 40, 100 → median 35
    assert ttr.measured == 4
    assert ttr.median_seconds == pytest.approx(35 * 60, abs=0.01)


def test_missing_timestamps_are_counted_and_listed_never_zeroed(
    session: Session, playbook: Playbook, november: list[Incident]
) -> None:
    result = metrics.compute(session, playbook=playbook, start=NOV, end=DEC, now=NOW)
    ttr = result.figures["ttr"]
    assert ttr.missing == 1
    assert ttr.missing_still_open == 1
    assert ttr.missing_refs == [f"INC-{november[5].id}"]
    ttd = result.figures["ttd"]
    assert ttd.missing == 1
    assert ttd.missing_still_open == 1
    assert ttd.mean_seconds == pytest.approx(120, abs=0.01)  # the missing one is not a zero


def test_counts_rates_and_completion(
    session: Session, playbook: Playbook, november: object
) -> None:
    result = metrics.compute(session, playbook=playbook, start=NOV, end=DEC, now=NOW)
    assert result.incidents == 6
    assert result.by_severity == {"P1": 5, "P2": 1}
    assert result.by_service == {"api": 5, "database": 1}
    assert result.by_kind == {"incident": 5, "ticket": 1}
    assert result.top_types[0] == {"service": "api", "title": "Checkout is down", "count": 5}
    assert result.changes == 4
    assert result.incident_rate_per_deployment == pytest.approx(1.5)
    # Each November "checkout is down" had one within 30 days before it; "DB slow" did not.
    assert result.recurring == 5
    assert result.recurrence_rate == pytest.approx(5 / 6)
    items = result.action_items
    assert (items.total, items.done, items.wont_do, items.open, items.overdue) == (4, 2, 1, 1, 1)
    assert items.completion_rate == pytest.approx(2 / 3)
    assert "detected_at - impact_started_at" in result.definitions["ttd"]


def test_service_filter_and_empty_periods(
    session: Session, playbook: Playbook, november: object
) -> None:
    db = metrics.compute(
        session, playbook=playbook, start=NOV, end=DEC, now=NOW, service="database"
    )
    assert db.incidents == 1
    assert db.changes == 0
    assert db.incident_rate_per_deployment is None
    assert db.figures["ttr"].mean_seconds is None
    assert db.figures["ttr"].missing == 1
    empty = metrics.compute(
        session,
        playbook=playbook,
        start=datetime(2020, 1, 1, tzinfo=UTC),
        end=datetime(2020, 2, 1, tzinfo=UTC),
        now=NOW,
    )
    assert empty.incidents == 0
    assert empty.recurrence_rate is None


def test_the_exclusion_hook_narrows_what_is_counted(
    session: Session, playbook: Playbook, november: object
) -> None:
    result = metrics.compute(
        session,
        playbook=playbook,
        start=NOV,
        end=DEC,
        now=NOW,
        where=[Incident.service != "database"],
    )
    assert result.incidents == 5


def test_bad_periods_and_services_are_refused(session: Session, playbook: Playbook) -> None:
    with pytest.raises(InvalidInput, match=r"from \(2026-12-01T00:00:00\+00:00\) must be before"):
        metrics.compute(session, playbook=playbook, start=DEC, end=NOV, now=NOW)
    with pytest.raises(InvalidInput, match="unknown service 'mainframe'"):
        metrics.compute(
            session, playbook=playbook, start=NOV, end=DEC, now=NOW, service="mainframe"
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "month '2026-13': 13 is not a month"),
        ("2026-00", "0 is not a month"),
        ("November", "must look like 2026-11"),
    ],
)
def test_bad_months(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        period.month(text)


def test_periods() -> None:
    assert period.month("2026-11") == period.Period(NOV, DEC, "2026-11")
    q4 = period.quarter("2026Q4")
    assert (q4.start, q4.end) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert [p.label for p in period.previous(period.month("2026-02"), 3)] == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert next(p.label for p in period.previous(q4, 5)) == "2025Q4"
    with pytest.raises(InvalidInput, match="Q5 is not a quarter"):
        period.quarter("2026Q5")
    with pytest.raises(InvalidInput, match="has no time zone"):
        period.parse_instant("2026-11-01T09:00", "from")
