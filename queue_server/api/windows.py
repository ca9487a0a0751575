"""Windows: signing in and out, pausing, and calling tickets."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from queue_server.api.deps import AnyoneHere, ClerkHere, ClerkOrAdminHere, StaffHere, WindowNo
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.protocol import CallNumberRequest, PauseRequest, TicketPublic, WindowPublic
from queue_server.services import calling, windows
from queue_server.services.access import load_window
from queue_server.services.clerk_day import window_history
from queue_server.services.scope import Scope
from queue_server.services.views import window_public, windows_public

router = APIRouter(prefix="/api/windows", tags=["windows"])


@router.get("", response_model=list[WindowPublic])
async def list_windows(here: AnyoneHere) -> list[WindowPublic]:
    return await here.read(lambda scope: windows_public(scope.session, scope.hall))


@router.get("/{window_no}", response_model=WindowPublic)
async def get_window(window_no: WindowNo, here: AnyoneHere) -> WindowPublic:
    def query(scope: Scope) -> WindowPublic:
        state = load_window(scope.session, scope.hall, window_no)
        return window_public(scope.session, state, scope.hall)

    return await here.read(query)


@router.get("/{window_no}/history", response_model=list[TicketPublic])
async def get_history(
    window_no: WindowNo,
    here: StaffHere,
    limit: Annotated[int, Query(ge=1, le=100), DIGITS_ONLY] = 10,
) -> list[TicketPublic]:
    """The tickets that ended at this window today (done, no-show, transferred, cancelled),
    the latest first."""

    def query(scope: Scope) -> list[TicketPublic]:
        load_window(scope.session, scope.hall, window_no)
        return window_history(
            scope.session, hall=scope.hall, window_no=window_no, day=scope.today, limit=limit
        )

    return await here.read(query)


@router.post("/{window_no}/sign-in", response_model=WindowPublic)
async def sign_in(window_no: WindowNo, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: windows.sign_in(scope, window_no))


@router.post("/{window_no}/sign-out", response_model=WindowPublic)
async def sign_out(window_no: WindowNo, request: Request, here: ClerkOrAdminHere) -> Response:
    return await mutate(request, here, lambda scope: windows.sign_out(scope, window_no))


@router.post("/{window_no}/pause", response_model=WindowPublic)
async def pause(
    window_no: WindowNo, body: PauseRequest, request: Request, here: ClerkHere
) -> Response:
    return await mutate(request, here, lambda scope: windows.pause(scope, window_no, body.reason))


@router.post("/{window_no}/resume", response_model=WindowPublic)
async def resume(window_no: WindowNo, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: windows.resume(scope, window_no))


@router.post(
    "/{window_no}/call-next",
    response_model=TicketPublic,
    responses={204: {"description": "Nobody is waiting for this window"}},
)
async def call_next(window_no: WindowNo, request: Request, here: ClerkHere) -> Response:
    return await mutate(request, here, lambda scope: calling.call_next(scope, window_no))


@router.post("/{window_no}/call", response_model=TicketPublic)
async def call_number(
    window_no: WindowNo, body: CallNumberRequest, request: Request, here: ClerkHere
) -> Response:
    """Call a given number (特呼)."""
    return await mutate(
        request, here, lambda scope: calling.call_number(scope, window_no, body.number)
    )
