"""Recording changes: the contract intake and the CLI rely on, and its precise refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from warroom.changes import service as changes
from warroom.clock import FrozenClock
from warroom.errors import InvalidInput


def test_record_change_defaults_and_links(session: Session, clock: FrozenClock) -> None:
    change = changes.record_change(
        session,
        now=clock.now(),
        service="api",
        summary="  Deploy   api 1.4.2 ",
        source="pagerduty",
        version="1.4.2",
        links=[{"href": "https://ci.example.com/build/7", "text": "build"}],
        details={"custom": {"build": 7}},
    )
    session.commit()
    assert change.summary == "Deploy api 1.4.2"
    assert change.at == clock.now()
    assert change.recorded_at == clock.now()
    assert change.links == [{"href": "https://ci.example.com/build/7", "text": "build"}]
    earlier = changes.record_change(
        session,
        now=clock.now(),
        service=None,
        summary="Config flag",
        source="cli",
        at=clock.now() - timedelta(hours=1),
    )
    page = changes.list_changes(session, service="api")
    assert [c.id for c in page.items] == [change.id]
    assert page.total == 1
    everything = changes.list_changes(session)
    assert [c.id for c in everything.items] == [change.id, earlier.id]


BAD_CHANGES: list[tuple[dict[str, object], str]] = [
    ({"summary": " "}, "summary must not be empty"),
    ({"source": "Pager Duty"}, "source 'Pager Duty' must be"),
    ({"at": "future"}, "at cannot be in the future"),
    ({"links": [{"text": "no href"}]}, r"links\[0\] needs an href"),
    ({"version": "v" * 200}, "version is 200 characters"),
]


def test_bad_changes_are_refused(session: Session, clock: FrozenClock) -> None:
    for kwargs, message in BAD_CHANGES:
        values: dict[str, object] = {"service": "api", "summary": "Deploy", "source": "cli"}
        values.update(kwargs)
        if values.get("at") == "future":
            values["at"] = clock.now() + timedelta(hours=1)
        with pytest.raises(InvalidInput, match=message):
            changes.record_change(session, now=clock.now(), **values)  # type: ignore[arg-type]
        assert changes.list_changes(session).total == 0
