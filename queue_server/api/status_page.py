"""The applicant's status page `/t/{public_code}`: the page with the ticket rendered in (or a
readable 404 page), a read-only JSON view of that one ticket, and a websocket that pushes the
ticket's view whenever the hall changes.

No token: the unguessable code printed in the ticket's QR code is the capability, and it
reaches nothing but that ticket's own public view (no personal data, no other ticket).
"""

import asyncio
import contextlib
import json
import logging
import re
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, WebSocket
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from queue_server.api.deps import Resources, ResourcesDep
from queue_server.api.page_headers import ASSET_HEADERS, PAGE_HEADERS
from queue_server.api.responses import ERROR_RESPONSES
from queue_server.api.status_render import render_not_found, render_status_page
from queue_server.catalog import MatterCatalog
from queue_server.domain.enums import TicketStatus
from queue_server.domain.errors import DomainError, NotFound
from queue_server.models import Ticket
from queue_server.protocol import (
    PublicEvaluationState,
    TicketStatusMessage,
    TicketStatusPublic,
)
from queue_server.services.cross_region_applicant import cross_region_status
from queue_server.services.evaluations import public_state
from queue_server.services.journeys import applicant_view, ticket_ids
from queue_server.services.lockers import applicant_pickup, waiting_pickup
from queue_server.services.public_status import find_by_code, ticket_status

log = logging.getLogger(__name__)

router = APIRouter(tags=["status page"])

CODE_PATTERN = r"^[2-9A-HJ-NP-Z]{10,16}$"
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_AGAIN_LATER = 1013
SEND_TIMEOUT_SECONDS = 30.0
SETTLE_SECONDS = 0.2
"""After a relevant event, wait this long for the rest of a burst before reading once."""

PublicCode = Annotated[
    str, Path(pattern=CODE_PATTERN, description="The code printed in the ticket's QR code")
]


class StatusAsset(StrEnum):
    CSS = "status.css"
    JS = "status.js"


MEDIA_TYPES = {
    StatusAsset.CSS: "text/css; charset=utf-8",
    StatusAsset.JS: "text/javascript; charset=utf-8",
}

_HTML: Final = {"text/html": {"schema": {"type": "string"}}}
PAGE_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "The page, with the ticket's number, status and queue in it",
        "content": _HTML,
    },
    404: {
        "description": "A readable page (HTML, zh-CN) when no ticket has this code; JSON "
        "`{detail, code}` when the address is no status page at all (a `/` in the code)",
        "content": {**_HTML, **ERROR_RESPONSES[404]["content"]},
    },
    422: ERROR_RESPONSES[422],
}
ASSET_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "The page's style sheet or script (no data in it)",
        "content": {media: {"schema": {"type": "string"}} for media in MEDIA_TYPES.values()},
    },
    422: ERROR_RESPONSES[422],
}


@cache
def _static(name: str) -> str:
    return files("queue_server").joinpath("static", name).read_text(encoding="utf-8")


async def _read_page(
    resources: Resources, code: str
) -> tuple[TicketStatusPublic, PublicEvaluationState | None, ZoneInfo]:
    """The ticket's view, its rating state once done, and its hall's time zone."""
    now = resources.clock.now()

    def query(
        session: Session,
    ) -> tuple[TicketStatusPublic, PublicEvaluationState | None, ZoneInfo]:
        ticket = find_by_code(session, code)
        hall = resources.city.hall(ticket.hall)
        view = _view(resources, session, ticket, now)
        rating = None
        if view.status is TicketStatus.DONE:
            rating = public_state(session, hall=hall, public_code=code, now=now)
        return view, rating, hall.tz

    return await resources.db.read(query)


@router.get("/t/{public_code}", response_class=Response, responses=PAGE_RESPONSES)
async def status_page(
    public_code: Annotated[str, Path(max_length=64)], resources: ResourcesDep
) -> HTMLResponse:
    """The page behind the ticket's QR code, with the ticket in it; its script then follows
    the ticket live. An unknown code gets a readable 404 page."""
    try:
        if not re.fullmatch(CODE_PATTERN, public_code):
            raise NotFound("not a status-page code")
        view, rating, timezone = await _read_page(resources, public_code)
    except NotFound:
        page = render_not_found(_static("not_found.html"), hall_name=resources.city.name)
        return HTMLResponse(page, status_code=404, headers=PAGE_HEADERS)
    page = render_status_page(_static("status.html"), view=view, rating=rating, timezone=timezone)
    return HTMLResponse(page, headers=PAGE_HEADERS)


@router.get("/status-page/{asset}", response_class=Response, responses=ASSET_RESPONSES)
async def status_asset(asset: StatusAsset) -> Response:
    """Public: the page's style sheet and script."""
    return Response(_static(asset.value), media_type=MEDIA_TYPES[asset], headers=ASSET_HEADERS)


def _view(
    resources: Resources, session: Session, ticket: Ticket, now: datetime
) -> TicketStatusPublic:
    """The ticket's public view, by the rules of its own hall, with the 市域通办 case opened
    from it (whose steps other halls may take)."""
    hall = resources.city.hall(ticket.hall)
    catalog = resources.catalogs.get(ticket.hall) or MatterCatalog()
    case = cross_region_status(session, city=resources.city, ticket=ticket)
    locker = applicant_pickup(
        session, city=resources.city, public_code=ticket.public_code, secret=resources.secret_key
    )
    journey_locker = (
        waiting_pickup(
            session,
            city=resources.city,
            ticket_ids=ticket_ids(ticket.journey_id),
            secret=resources.secret_key,
        )
        if ticket.journey_id is not None
        else None
    )
    journey = applicant_view(session, hall=hall, ticket=ticket, locker=journey_locker)
    view = ticket_status(
        session,
        hall=hall,
        catalog=catalog,
        ticket=ticket,
        now=now,
        cross_region=case,
        locker=locker or journey_locker,
    )
    view.journey = journey
    return view


async def _read_status(resources: Resources, code: str) -> tuple[TicketStatusPublic, Ticket]:
    now = resources.clock.now()

    def query(session: Session) -> tuple[TicketStatusPublic, Ticket]:
        ticket = find_by_code(session, code)
        return _view(resources, session, ticket, now), ticket

    return await resources.db.read(query)


@router.get(
    "/api/public/tickets/{public_code}",
    response_model=TicketStatusPublic,
)
async def public_ticket(public_code: PublicCode, resources: ResourcesDep) -> TicketStatusPublic:
    view, _ = await _read_status(resources, public_code)
    return view


def _concerns(text: str, ticket: Ticket) -> bool:
    """Whether an event may change this ticket's view: its own queue moved, it was acted
    on, a window opened, closed or paused (which changes the estimate), or a 市域通办 case
    of this hall took a step or a locker of the hall was filled or emptied (rare enough to
    read again for any of them)."""
    try:
        event = json.loads(text)
    except ValueError:
        return True
    if str(event.get("type", "")).startswith(("window.", "cross_region.", "locker.", "journey.")):
        return True
    for key in ("ticket", "new_ticket"):
        other = event.get(key)
        if isinstance(other, dict) and (
            other.get("id") == ticket.id
            or other.get("category") == ticket.category
            or other.get("number") == ticket.number
        ):
            return True
    return False


async def _next_concerning(
    queue: "asyncio.Queue[tuple[int, str]]", ticket: Ticket, deadline: float
) -> str | None:
    """The next event that may concern the ticket, or None when `deadline` (loop time)
    passes first, however many unrelated events arrive meanwhile."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            _, text = await asyncio.wait_for(queue.get(), max(0.0, deadline - loop.time()))
        except TimeoutError:
            return None
        if _concerns(text, ticket):
            return text


async def _read_until_closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


async def _push_updates(websocket: WebSocket, resources: Resources, code: str, hall: str) -> None:
    async def send(view: TicketStatusPublic) -> None:
        message = TicketStatusMessage(ticket=view).model_dump_json()
        await asyncio.wait_for(websocket.send_text(message), SEND_TIMEOUT_SECONDS)

    loop = asyncio.get_running_loop()
    heartbeat = resources.settings.heartbeat_seconds
    with resources.hubs[hall].subscribe() as subscriber:
        view, ticket = await _read_status(resources, code)
        await send(view)
        while True:
            # Read again at least once a heartbeat however busy the hall is with other
            # people's events: a 市域通办 case moves in other halls, whose events never
            # reach this hall's stream.
            deadline = loop.time() + heartbeat
            if subscriber.overflowed.is_set():
                while not subscriber.queue.empty():
                    subscriber.queue.get_nowait()
                subscriber.overflowed.clear()
            else:
                text = await _next_concerning(subscriber.queue, ticket, deadline)
                if text is not None:
                    await asyncio.sleep(SETTLE_SECONDS)
                while not subscriber.queue.empty():
                    subscriber.queue.get_nowait()
            view, ticket = await _read_status(resources, code)
            await send(view)


@router.websocket("/ws/t/{public_code}")
async def ticket_live(websocket: WebSocket, resources: ResourcesDep, public_code: str) -> None:
    """`{"type": "ticket_status", "ticket": …}` at once, after every change that may concern
    the ticket, and every heartbeat interval; an unknown code is closed with 4404."""
    await websocket.accept()
    try:
        if not re.fullmatch(CODE_PATTERN, public_code):
            raise ValueError("bad code")
        _, ticket = await _read_status(resources, public_code)
    except (DomainError, ValueError):
        await websocket.send_text(json.dumps({"type": "error", "detail": "没有找到这张号票"}))
        await websocket.close(code=CLOSE_NOT_FOUND, reason="not_found")
        return
    pages = resources.open_pages
    if not pages.open(public_code):
        await websocket.send_text(
            json.dumps({"type": "error", "detail": "打开的页面太多，请关闭其他页面后再试"})
        )
        await websocket.close(code=CLOSE_TRY_AGAIN_LATER, reason="too_many_pages")
        return
    reader = asyncio.create_task(_read_until_closed(websocket))
    sender = asyncio.create_task(_push_updates(websocket, resources, public_code, ticket.hall))
    try:
        await asyncio.wait({reader, sender}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        pages.close(public_code)
        for task in (reader, sender):
            task.cancel()
        for task in (reader, sender):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
