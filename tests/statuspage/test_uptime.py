"""90-day uptime bars: drawn from the monitors' daily uptime, "no data" where there is none."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from warroom.clock import FrozenClock
from warroom.playbook import Playbook
from warroom.playbook.statuspage import Component
from warroom.statuspage import snapshot
from warroom.web import pages
from warroom.web.public import _percent, uptime_source


def test_bars_show_each_days_uptime(
    session: Session, playbook: Playbook, clock: FrozenClock
) -> None:
    book = playbook.model_copy(
        update={"components": (Component(key="api", name="API", monitors=("api-health",)),)}
    )
    asked: list[str] = []

    def uptime(_session: Session, monitor: str, _now: datetime) -> list[float | None]:
        asked.append(monitor)
        return [None] * 87 + [100.0, 99.5, 90.0]

    snap = snapshot.load(session, playbook=book, now=clock.now(), uptime=uptime)
    html = pages.status_page(snap, generated_at=clock.now())
    assert asked == ["api-health"]
    assert html.count('<span class="none"') == 87
    assert '<span class="ok" title="2026-10-31: 100.00% up">' in html
    assert '<span class="minor" title="2026-11-01: 99.50% up">' in html
    assert '<span class="major" title="2026-11-02: 90.00% up">' in html
    assert "96.50% uptime" in html


def test_monitor_fractions_become_percents() -> None:
    assert _percent((date(2026, 11, 2), 0.995)) == 99.5
    assert _percent((date(2026, 11, 2), None)) is None
    assert _percent("bad") is None


def test_unknown_monitor_gives_no_data(session: Session, clock: FrozenClock) -> None:
    source = uptime_source()
    assert source is not None  # the monitors feature is installed in this tree
    days = source(session, "no-such-monitor", clock.now())
    assert len(days) in (0, pages.UPTIME_DAYS)
    assert all(day is None for day in days)
