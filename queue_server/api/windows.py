"""Windows: signing in and out, pausing, and calling tickets."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from queue_server.api.deps import Anyone, Clerk, ClerkOrAdmin, ResourcesDep, Staff, WindowNo
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.domain.numbering import service_day
from queue_server.protocol import CallNumberRequest, PauseRequest, TicketPublic, WindowPublic
from queue_server.services import calling, windows
from queue_server.services.access import load_window
from queue_server.services.clerk_day import window_history
from queue_server.services.views import window_public, windows_public

router = APIRouter(prefix="/api/windows", tags=["windows"])


@router.get("", response_model=list[WindowPublic])
async def list_windows(_: Anyone, resources: ResourcesDep) -> list[WindowPublic]:
    return await resources.db.read(lambda session: windows_public(session, resources.hall))


@router.get("/{window_no}", response_model=WindowPublic)
async def get_window(window_no: WindowNo, _: Anyone, resources: ResourcesDep) -> WindowPublic:
    def query(session: Session) -> WindowPublic:
        return window_public(
            session, load_window(session, resources.hall, window_no), resources.hall
        )

    return await resources.db.read(query)


@router.get("/{window_no}/history", response_model=list[TicketPublic])
async def get_history(
    window_no: WindowNo,
    _: Staff,
    resources: ResourcesDep,
    limit: Annotated[int, Query(ge=1, le=100), DIGITS_ONLY] = 10,
) -> list[TicketPublic]:
    """The tickets that ended at this window today (done, no-show, transferred, cancelled),
    the latest first."""
    hall = resources.hall
    day = service_day(
        now=resources.clock.now(), tz=hall.tz, start_hour=hall.hall.service_day_start_hour
    )

    def query(session: Session) -> list[TicketPublic]:
        load_window(session, hall, window_no)
        return window_history(session, hall=hall, window_no=window_no, day=day, limit=limit)

    return await resources.db.read(query)


@router.post("/{window_no}/sign-in", response_model=WindowPublic)
async def sign_in(
    window_no: WindowNo, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: windows.sign_in(
            session=session, hall=resources.hall, principal=principal, window_no=window_no, now=now
        ),
    )


@router.post("/{window_no}/sign-out", response_model=WindowPublic)
async def sign_out(
    window_no: WindowNo, request: Request, principal: ClerkOrAdmin, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: windows.sign_out(
            session=session, hall=resources.hall, principal=principal, window_no=window_no, now=now
        ),
    )


@router.post("/{window_no}/pause", response_model=WindowPublic)
async def pause(
    window_no: WindowNo,
    body: PauseRequest,
    request: Request,
    principal: Clerk,
    resources: ResourcesDep,
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: windows.pause(
            session=session,
            hall=resources.hall,
            principal=principal,
            window_no=window_no,
            reason=body.reason,
            now=now,
        ),
    )


@router.post("/{window_no}/resume", response_model=WindowPublic)
async def resume(
    window_no: WindowNo, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: windows.resume(
            session=session, hall=resources.hall, principal=principal, window_no=window_no, now=now
        ),
    )


@router.post(
    "/{window_no}/call-next",
    response_model=TicketPublic,
    responses={204: {"description": "Nobody is waiting for this window"}},
)
async def call_next(
    window_no: WindowNo, request: Request, principal: Clerk, resources: ResourcesDep
) -> Response:
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: calling.call_next(
            session=session, hall=resources.hall, principal=principal, window_no=window_no, now=now
        ),
    )


@router.post("/{window_no}/call", response_model=TicketPublic)
async def call_number(
    window_no: WindowNo,
    body: CallNumberRequest,
    request: Request,
    principal: Clerk,
    resources: ResourcesDep,
) -> Response:
    """Call a given number (特呼)."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: calling.call_number(
            session=session,
            hall=resources.hall,
            principal=principal,
            window_no=window_no,
            number=body.number,
            now=now,
        ),
    )
