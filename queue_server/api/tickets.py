"""Tickets: issuing at a kiosk, reading, and the clerk's actions on one ticket."""

import logging
import math
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response
from sqlmodel import Session, col, select

from queue_server.api.deps import Clerk, Issuer, Resources, ResourcesDep, Staff, TicketId
from queue_server.api.mutations import mutate
from queue_server.api.params import ISO_DAY_ONLY
from queue_server.domain.enums import Role, TicketStatus
from queue_server.domain.numbering import service_day
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
from queue_server.services.accounts import Principal
from queue_server.services.views import ticket_public
from queue_server.throttle import RateLimited

router = APIRouter(prefix="/api/tickets", tags=["tickets"])

MAX_LIST = 1000

log = logging.getLogger(__name__)


async def check_issue_rate(resources: Resources, principal: Principal, category: str) -> None:
    """A kiosk token issues no faster than a kiosk can print: a stolen token cannot fill the
    queue. The refusal costs no write; the first one (and one each ten minutes after) raises
    an `alert.device` for the managers."""
    if principal.role is not Role.KIOSK:
        return
    decision = resources.issue_limiter.take(principal.token_id)
    if decision.allowed:
        return
    rate = resources.issue_limiter.rate
    if decision.alert:
        log.warning("kiosk token %r is over its issuing limit", principal.name)
        await resources.db.write(
            lambda session: alerts.record_device_alert(
                session,
                hall=resources.hall,
                now=resources.clock.now(),
                device=principal.name,
                category=category,
                rate=rate,
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
async def issue(
    body: TicketCreate, request: Request, principal: Issuer, resources: ResourcesDep
) -> Response:
    await check_issue_rate(resources, principal, body.category)
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: issuing.issue_ticket(
            session=session,
            hall=resources.hall,
            request=body,
            now=now,
            catalog=resources.catalog,
        ),
        status_code=201,
    )


@router.get("", response_model=list[TicketPublic])
async def list_tickets(
    _: Staff,
    resources: ResourcesDep,
    status: TicketStatus | None = None,
    category: str | None = None,
    day: Annotated[
        date | None, Query(description="service day; today by default"), ISO_DAY_ONLY
    ] = None,
) -> list[TicketPublic]:
    hall = resources.hall
    wanted_day = day or service_day(
        now=resources.clock.now(), tz=hall.tz, start_hour=hall.hall.service_day_start_hour
    )

    def query(session: Session) -> list[TicketPublic]:
        statement = select(Ticket).where(Ticket.service_day == wanted_day)
        if status is not None:
            statement = statement.where(Ticket.status == status)
        if category is not None:
            statement = statement.where(Ticket.category == category)
        rows = session.exec(
            statement.order_by(col(Ticket.queue_key), col(Ticket.id)).limit(MAX_LIST)
        ).all()
        return [ticket_public(row, hall) for row in rows]

    return await resources.db.read(query)


@router.get("/{ticket_id}", response_model=TicketPublic)
async def get_ticket(ticket_id: TicketId, _: Staff, resources: ResourcesDep) -> TicketPublic:
    return await resources.db.read(
        lambda session: ticket_public(load_ticket(session, ticket_id), resources.hall)
    )


@router.post("/{ticket_id}/recall", response_model=TicketPublic)
async def recall(
    ticket_id: TicketId, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.recall(
            session=session, hall=resources.hall, principal=principal, ticket_id=ticket_id, now=now
        ),
    )


@router.post("/{ticket_id}/start", response_model=TicketPublic)
async def start(
    ticket_id: TicketId, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.start(
            session=session, hall=resources.hall, principal=principal, ticket_id=ticket_id, now=now
        ),
    )


@router.post("/{ticket_id}/finish", response_model=TicketPublic)
async def finish(
    ticket_id: TicketId,
    request: Request,
    principal: Clerk,
    resources: ResourcesDep,
    body: Annotated[FinishRequest | None, Body()] = None,
) -> Response:
    outcome = body.outcome if body else None
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.finish(
            session=session,
            hall=resources.hall,
            principal=principal,
            ticket_id=ticket_id,
            outcome=outcome,
            now=now,
        ),
    )


@router.post("/{ticket_id}/no-show", response_model=TicketPublic)
async def no_show(
    ticket_id: TicketId, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.no_show(
            session=session, hall=resources.hall, principal=principal, ticket_id=ticket_id, now=now
        ),
    )


@router.post("/{ticket_id}/requeue", response_model=TicketPublic)
async def requeue(
    ticket_id: TicketId, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.requeue(
            session=session, hall=resources.hall, principal=principal, ticket_id=ticket_id, now=now
        ),
    )


@router.post("/{ticket_id}/transfer", response_model=TicketPublic)
async def transfer(
    ticket_id: TicketId,
    body: TransferRequest,
    request: Request,
    principal: Clerk,
    resources: ResourcesDep,
) -> Response:
    """Returns the new ticket, waiting in its new queue (`transferred_from_id` links back)."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.transfer(
            session=session,
            hall=resources.hall,
            principal=principal,
            ticket_id=ticket_id,
            request=body,
            now=now,
        ),
    )


@router.post("/{ticket_id}/cancel", response_model=TicketPublic)
async def cancel(
    ticket_id: TicketId,
    request: Request,
    principal: Staff,
    resources: ResourcesDep,
    body: Annotated[ReasonRequest | None, Body()] = None,
) -> Response:
    reason = body.reason if body else None
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: ticket_actions.cancel(
            session=session,
            hall=resources.hall,
            principal=principal,
            ticket_id=ticket_id,
            reason=reason,
            now=now,
        ),
    )
