"""潮汐 switches: the current suggestion, and switching a window for a while (and back)."""

from fastapi import APIRouter, Request, Response

from queue_server.api.deps import ManagementHere, WindowNo
from queue_server.api.mutations import mutate
from queue_server.protocol import TidalRequest, TidalSuggestionPublic, TidalSwitchPublic
from queue_server.services import tidal

router = APIRouter(tags=["tidal"])


@router.get("/api/tidal/suggestion", response_model=TidalSuggestionPublic | None)
async def suggestion(here: ManagementHere) -> TidalSuggestionPublic | None:
    """The 潮汐 switch worth making now, scored by playing the hall forward from its live
    state with and without it; null when none gains enough."""
    return await here.read(lambda scope: tidal.current_suggestion(scope))


@router.post("/api/windows/{window_no}/tidal", status_code=201, response_model=TidalSwitchPublic)
async def start(
    window_no: WindowNo, body: TidalRequest, request: Request, here: ManagementHere
) -> Response:
    """Switch the window to one of its `also_serves` categories for `minutes`: it calls that
    category first, then its own. 409 when the category is not one it may serve, the window
    is closed, or a switch is already in force there."""
    return await mutate(
        request, here, lambda scope: tidal.start(scope, window_no, body), status_code=201
    )


@router.delete("/api/windows/{window_no}/tidal", response_model=TidalSwitchPublic)
async def end(window_no: WindowNo, request: Request, here: ManagementHere) -> Response:
    """End the window's switch by hand (409 when none is in force); answers the switch ended."""
    return await mutate(request, here, lambda scope: tidal.end(scope, window_no))
