"""The applicant's status page `/t/{public_code}`: the page with the ticket rendered in (or a
readable 404 page), a read-only JSON view of that one ticket, and a websocket that pushes the
ticket's view whenever the hall changes.

No token: the unguessable code printed in the ticket's QR code is the capability, and it
reaches nothing but that ticket's own public view (no personal data, no other ticket).
"""

import asyncio
import contextlib
import functools
import json
import logging
import re
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
from queue_server.domain.enums import TicketStatus
from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.status_pages import PageTicket
from queue_server.protocol import (
    PublicEvaluationState,
    TicketStatusMessage,
    TicketStatusPublic,
)
from queue_server.services.evaluations import public_state
from queue_server.services.status_views import (
    StatusContext,
    StatusView,
    status_view,
    status_views,
)
from queue_server.status_fanout import HallStatusView, Outbox, ViewReader

log = logging.getLogger(__name__)

router = APIRouter(tags=["status page"])

CODE_PATTERN = r"^[2-9A-HJ-NP-Z]{10,16}$"
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_AGAIN_LATER = 1013
SEND_TIMEOUT_SECONDS = 30.0
SETTLE_SECONDS = 0.05
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


def _context(resources: Resources) -> StatusContext:
    return StatusContext(
        city=resources.city, catalogs=resources.catalogs, secret=resources.secret_key
    )


async def _read_page(
    resources: Resources, code: str
) -> tuple[TicketStatusPublic, PublicEvaluationState | None, ZoneInfo]:
    """The ticket's view, its rating state once done, and its hall's time zone."""
    now = resources.clock.now()

    def query(
        session: Session,
    ) -> tuple[TicketStatusPublic, PublicEvaluationState | None, ZoneInfo]:
        found = status_view(session, context=_context(resources), code=code, now=now)
        hall = resources.city.hall(found.ticket.hall)
        rating = None
        if found.view.status is TicketStatus.DONE:
            rating = public_state(session, hall=hall, public_code=code, now=now)
        return found.view, rating, hall.tz

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


async def _read_status(resources: Resources, code: str) -> StatusView:
    now = resources.clock.now()
    return await resources.db.read(
        functools.partial(status_view, context=_context(resources), code=code, now=now)
    )


def _reader(resources: Resources) -> ViewReader:
    """Reads many pages' views in one batch, each encoded once (in the reading thread)."""

    async def read(codes: frozenset[str]) -> dict[str, tuple[str, PageTicket]]:
        now = resources.clock.now()

        def query(session: Session) -> dict[str, tuple[str, PageTicket]]:
            found = status_views(session, context=_context(resources), codes=codes, now=now)
            return {code: (_encode(view.view), view.page_ticket) for code, view in found.items()}

        return await resources.db.read(query)

    return read


def _encode(view: TicketStatusPublic) -> str:
    return TicketStatusMessage(ticket=view).model_dump_json()


@router.get(
    "/api/public/tickets/{public_code}",
    response_model=TicketStatusPublic,
)
async def public_ticket(public_code: PublicCode, resources: ResourcesDep) -> TicketStatusPublic:
    return (await _read_status(resources, public_code)).view


async def _read_until_closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


async def _push_updates(websocket: WebSocket, first: str, outbox: Outbox) -> None:
    """The page's first view, then every view the hall's shared status view leaves for it."""
    text = first
    while True:
        # asyncio.timeout, not wait_for, which would wrap every send in a task of its own.
        async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
            await websocket.send_text(text)
        text = await outbox.take()


@router.websocket("/ws/t/{public_code}")
async def ticket_live(websocket: WebSocket, resources: ResourcesDep, public_code: str) -> None:
    """`{"type": "ticket_status", "ticket": …}` at once, after every change that may concern
    the ticket, and every heartbeat interval; an unknown code is closed with 4404."""
    await websocket.accept()
    try:
        if not re.fullmatch(CODE_PATTERN, public_code):
            raise ValueError("bad code")
        opened = await _read_status(resources, public_code)
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
    hall, views = opened.ticket.hall, resources.status_views
    outbox: Outbox | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        # Registered first, then read: every event published from now on reaches the
        # shared view, and views it read before this read began are dropped (`floor`).
        outbox = views.open(
            hall,
            public_code,
            opened.page_ticket,
            floor=views.mark(),
            build=lambda: HallStatusView(
                resources.hubs[hall],
                _reader(resources),
                mark=views.mark,
                heartbeat=resources.settings.heartbeat_seconds,
                settle=SETTLE_SECONDS,
            ),
        )
        found = await _read_status(resources, public_code)
        tasks = [
            asyncio.create_task(_read_until_closed(websocket)),
            asyncio.create_task(_push_updates(websocket, _encode(found.view), outbox)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        pages.close(public_code)
        if outbox is not None:
            views.close(hall, public_code, outbox)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
