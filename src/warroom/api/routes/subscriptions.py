"""/api/v1/subscriptions: stakeholders' e-mail subscriptions to components (responders manage
them; the subscriber leaves through the link in every message, without logging in)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from warroom.api.deps import NowDep, PlaybookDep, Responder, SessionDep
from warroom.playbook import Playbook
from warroom.statuspage.models import Subscription
from warroom.updates import subscriptions

router = APIRouter(prefix="/api/v1/subscriptions", tags=["subscriptions"])


class SubscriptionIn(BaseModel):
    """An address to subscribe."""

    model_config = ConfigDict(extra="forbid")
    target: str = Field(description="An e-mail address or an Apprise mailto:// URL")
    components: list[str] = Field(default_factory=list, description="Component keys; all if empty")


class SubscriptionOut(BaseModel):
    """A subscription and its unsubscribe link."""

    id: int
    address: str
    components: list[str]
    created_at: datetime
    unsubscribe_url: str


def _out(row: Subscription, playbook: Playbook) -> SubscriptionOut:
    return SubscriptionOut(
        id=row.id,
        address=subscriptions.address(row.target),
        components=list(row.components),
        created_at=row.created_at,
        unsubscribe_url=f"{playbook.status_page.url.rstrip('/')}/unsubscribe/{row.token}",
    )


@router.post("", status_code=201, response_model=SubscriptionOut)
def subscribe(
    body: SubscriptionIn,
    session: SessionDep,
    playbook: PlaybookDep,
    now: NowDep,
    actor: Responder,
) -> SubscriptionOut:
    """Subscribe an address to some components."""
    row = subscriptions.subscribe(
        session,
        playbook=playbook,
        target=body.target,
        component_keys=body.components,
        actor=actor.label,
        now=now,
    )
    return _out(row, playbook)


@router.get("", response_model=list[SubscriptionOut])
def list_subscriptions(
    session: SessionDep, playbook: PlaybookDep, _actor: Responder
) -> list[SubscriptionOut]:
    """Active subscriptions (addresses are personal data: responders only)."""
    return [_out(row, playbook) for row in subscriptions.list_active(session)]


@router.delete("/{subscription_id}", status_code=204)
def remove(subscription_id: int, session: SessionDep, now: NowDep, _actor: Responder) -> Response:
    """End a subscription."""
    subscriptions.remove(session, subscription_id=subscription_id, now=now)
    return Response(status_code=204)
