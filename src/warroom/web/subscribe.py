"""The public subscribe form and its confirmation pages (no login).

``POST /status/subscribe`` takes the form on ``/status`` (``email``, repeated ``component``),
form-encoded. It only ever creates a *pending* row and mails a link, so cross-site forgery gains
an attacker nothing but a mail to an address they chose; still, a browser posting from another
site is refused by a same-origin check (``Origin``, or without it ``Referer``, must name this
host or the host of ``status_page.url``). A hidden token would not work here anyway: the page is
served from one cache for everyone. Requests are limited per client address and in all.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from warroom.api.deps import NowDep, PlaybookDep, SessionDep
from warroom.errors import InvalidInput
from warroom.playbook import Playbook
from warroom.updates import signup, subscriptions
from warroom.web import pages

router = APIRouter(tags=["status page"], include_in_schema=False)

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 100
PER_CLIENT = 5
TOTAL = 200
WINDOW = timedelta(minutes=10)
STATE_ATTRIBUTE = "warroom_subscribe_limits"


class Limits:
    """Sliding-window counts of subscribe requests, per client address and in all."""

    def __init__(self, *, per_client: int = PER_CLIENT, total: int = TOTAL) -> None:
        self.per_client = per_client
        self.total = total
        self._lock = threading.Lock()
        self._seen: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()

    def allow(self, client: str, now: datetime) -> bool:
        """Count this request; False if it is one too many."""
        with self._lock:
            since = now - WINDOW
            for times in (self._all, *self._seen.values()):
                while times and times[0] <= since:
                    times.popleft()
            self._seen = {k: v for k, v in self._seen.items() if v}
            mine = self._seen.setdefault(client, deque())
            if len(mine) >= self.per_client or len(self._all) >= self.total:
                return False
            mine.append(now)
            self._all.append(now)
            return True


def _limits(request: Request) -> Limits:
    limits: Limits | None = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if limits is None:
        limits = Limits()
        setattr(request.app.state, STATE_ATTRIBUTE, limits)
    return limits


def same_origin(request: Request, playbook: Playbook) -> bool:
    """Whether a browser sent this from our own page (requests without either header, such as
    curl's, are not a browser's forgery and pass)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return True
    if source == "null":  # sandboxed frames, data: URLs
        return False
    allowed = {request.headers.get("host", "").lower(), urlsplit(playbook.status_page.url).netloc}
    return urlsplit(source).netloc.lower() in allowed


def _form_page(
    playbook: Playbook, *, status: int, state: str, email: str = "", message: str = ""
) -> HTMLResponse:
    return HTMLResponse(
        pages.subscribe_page(playbook=playbook, state=state, email=email, message=message),
        status_code=status,
    )


@router.get("/status/subscribe", response_class=HTMLResponse)
def subscribe_form(playbook: PlaybookDep) -> HTMLResponse:
    """The subscribe form on a page of its own."""
    if not playbook.status_page.public_subscriptions:
        return _form_page(playbook, status=404, state="off")
    return _form_page(playbook, status=200, state="form")


@router.post("/status/subscribe", response_class=HTMLResponse)
async def subscribe(
    request: Request, session: SessionDep, playbook: PlaybookDep, now: NowDep
) -> HTMLResponse:
    """Ask for e-mail updates: a pending subscription and a confirmation mail."""
    if not playbook.status_page.public_subscriptions:
        return _form_page(playbook, status=404, state="off")
    if not same_origin(request, playbook):
        return _form_page(
            playbook,
            status=403,
            state="form",
            message="This form must be sent from the status page itself.",
        )
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        return _form_page(
            playbook, status=415, state="form", message=f"Send the form as {FORM_TYPE}."
        )
    try:
        fields = parse_qs((await request.body()).decode(), max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        return _form_page(playbook, status=400, state="form", message="The form is not UTF-8.")
    except ValueError:
        return _form_page(
            playbook, status=422, state="form", message=f"The form has over {MAX_FIELDS} fields."
        )
    email = (fields.get("email") or [""])[0]
    unknown = sorted(set(fields) - {"email", "component"})
    if unknown:
        return _form_page(
            playbook,
            status=422,
            state="form",
            email=email,
            message=f"Unknown form field: {', '.join(unknown)}.",
        )
    client = request.client.host if request.client else "unknown"
    if not _limits(request).allow(client, now):
        return _form_page(
            playbook,
            status=429,
            state="form",
            email=email,
            message="Too many subscription requests; try again in a few minutes.",
        )
    try:
        signup.request(
            session,
            playbook=playbook,
            email=email,
            component_keys=fields.get("component", []),
            now=now,
        )
    except InvalidInput as exc:
        return _form_page(playbook, status=422, state="form", email=email, message=exc.message)
    # The same answer whether the address was new, pending or already subscribed.
    return _form_page(playbook, status=200, state="sent", email=signup.check_email(email))


@router.get("/status/subscribe/confirm/{token}", response_class=HTMLResponse)
def confirm_form(
    token: str, session: SessionDep, playbook: PlaybookDep, now: NowDep
) -> HTMLResponse:
    """Show the Confirm button: mail scanners follow links, they do not press buttons."""
    row = signup.pending_by_token(session, token, now=now)
    if row is None:
        return _confirm_page(playbook, status=404, state="invalid")
    return _confirm_page(
        playbook,
        status=200,
        state="confirm" if row.confirmed_at is None else "done",
        target=subscriptions.address(row.target),
        action=f"/status/subscribe/confirm/{token}",
    )


@router.post("/status/subscribe/confirm/{token}", response_class=HTMLResponse)
def confirm(token: str, session: SessionDep, playbook: PlaybookDep, now: NowDep) -> HTMLResponse:
    """Start the subscription: the unguessable token in the link is the authority."""
    row = signup.pending_by_token(session, token, now=now)
    if row is None:
        return _confirm_page(playbook, status=404, state="invalid")
    row = signup.confirm(session, token=token, now=now)
    return _confirm_page(
        playbook, status=200, state="done", target=subscriptions.address(row.target)
    )


def _confirm_page(
    playbook: Playbook, *, status: int, state: str, target: str | None = None, action: str = ""
) -> HTMLResponse:
    page = pages.confirm_page(
        page_name=playbook.status_page.name, state=state, target=target, action=action
    )
    return HTMLResponse(page, status_code=status)
