"""Tickets: issuing at a kiosk, reading, and the clerk's actions on one ticket."""

import logging
import math
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from sqlmodel import col, select

from queue_server.api.deps import ClerkHere, Here, IssuerHere, StaffHere, TicketId
from queue_server.api.mutations import mutate
from queue_server.api.params import ISO_DAY_ONLY
from queue_server.domain.enums import Role, TicketStatus
from queue_server.models import Ticket
from queue_server.protocol import (
    FinishRequest,
    ReasonRequest,
    TicketCreate,
    TicketPublic,
    TransferRequest,
)
from queue_server.services import alerts, issuing, ticket_actions
from queue_server.services.access import load_ticket
from queue_server.services.scope import Scope
from queue_server.services.views import ticket_public
from queue_server.throttle import RateLimited

router = APIRouter(prefix="/api/tickets", tags=["tickets"])

MAX_LIST = 1000

log = logging.getLogger(__name__)


async def check_issue_rate(here: Here, category: str) -> None:
    """A kiosk token issues no faster than a kiosk can print: a stolen token cannot fill the
    queue. The refusal costs no write; the first one (and one each ten minutes after) raises
    an `alert.device` for the managers."""
    principal, limiter = here.principal, here.resources.issue_limiter
    if principal.role is not Role.KIOSK:
        return
    decision = limiter.take(principal.token_id)
    if decision.allowed:
        return
    rate = limiter.rate
    if decision.alert:
        log.warning("kiosk token %r is over its issuing limit", principal.name)
        await here.write(
            lambda scope: alerts.record_device_alert(
                scope, device=principal.name, category=category, rate=rate
            )
        )
    wait = math.ceil(decision.retry_after)
    raise RateLimited(
        f"取号过于频繁：每台取号机每{rate.seconds_per_request:g}秒只能取一张号，请{wait}秒后再试",
        retry_after=wait,
    )


@router.post(
    "",
    status_code=201,
    response_model=TicketPublic,
    responses={429: {"description": "A kiosk token issuing faster than its limit"}},
)
async def issue(body: TicketCreate, request: Request, here: IssuerHere) -> Response:
    await check_issue_rate(here, body.category)
    catalog, secret = here.catalog, here.resources.secret_key
    return await mutate(
        request,
        here,
        lambda scope: issuing.issue_ticket(scope, body, catalog=catalog, secret=secret),
        status_code=201,
    )


@router.get("", response_model=list[TicketPublic])
async def list_tickets(
    here: StaffHere,
    status: TicketStatus | None = None,
    category: str | None = None,
    day: Annotated[
        date | None, Query(description="service day; today by default"), ISO_DAY_ONLY
    ] = None,
) -> list[TicketPublic]:
    def query(scope: Scope) -> list[TicketPublic]:
        statement = select(Ticket).where(
            Ticket.hall == scope.code, Ticket.service_day == (day or scope.today)
        )
        if status is not None:
            statement = statement.where(Ticket.status == status)
        if category is not None:
            statement = statement.where(Ticket.category == category)
        rows = scope.session.exec(
            statement.order_by(col(Ticket.queue_key), col(Ticket.id)).limit(MAX_LIST)
        ).all()
        return [ticket_public(row, scope.hall) for row in rows]

    return await here.read(query)


@router.get("/{ticket_id}", response_model=TicketPublic)
async def get_ticket(ticket_id: TicketId, here: StaffHere) -> TicketPublic:
    return await here.read(
        lambda scope: ticket_public(load_ticket(scope.session, scope.hall, ticket_id), scope.hall)
    )


@router.post("/{ticket_id}/recall", response_model=TicketPublic)
async def recall(ticket_id: TicketId, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: ticket_actions.recall(scope, ticket_id))


@router.post("/{ticket_id}/start", response_model=TicketPublic)
async def start(ticket_id: TicketId, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: ticket_actions.start(scope, ticket_id))


@router.post("/{ticket_id}/finish", response_model=TicketPublic)
async def finish(
    ticket_id: TicketId,
    request: Request,
    here: ClerkHere,
    body: Annotated[FinishRequest | None, Body()] = None,
) -> Response:
    """Outcome `needs_documents` (补件) with `missing` opens the ticket's journey (or
    continues it): the answer carries the `return_code`."""
    outcome = body.outcome if body else None
    context = ticket_actions.FinishContext(
        missing=list(body.missing) if body else [], catalog=here.catalog
    )
    return await mutate(
        request, here, lambda scope: ticket_actions.finish(scope, ticket_id, outcome, context)
    )


@router.post("/{ticket_id}/no-show", response_model=TicketPublic)
async def no_show(ticket_id: TicketId, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: ticket_actions.no_show(scope, ticket_id))


@router.post("/{ticket_id}/requeue", response_model=TicketPublic)
async def requeue(ticket_id: TicketId, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: ticket_actions.requeue(scope, ticket_id))


@router.post("/{ticket_id}/transfer", response_model=TicketPublic)
async def transfer(
    ticket_id: TicketId, body: TransferRequest, request: Request, here: ClerkHere
) -> Response:
    """Returns the new ticket, waiting in its new queue (`transferred_from_id` links back)."""
    return await mutate(
        request, here, lambda scope: ticket_actions.transfer(scope, ticket_id, body)
    )


@router.post("/{ticket_id}/cancel", response_model=TicketPublic)
async def cancel(
    ticket_id: TicketId,
    request: Request,
    here: StaffHere,
    body: Annotated[ReasonRequest | None, Body()] = None,
) -> Response:
    reason = body.reason if body else None
    return await mutate(
        request, here, lambda scope: ticket_actions.cancel(scope, ticket_id, reason)
    )
