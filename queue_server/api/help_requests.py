"""一键求助: `/api/help-requests` — raised by kiosks and zone devices, answered by staff."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from queue_server.api.deps import MAX_DATABASE_ID, Here, StaffHere, at_hall
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.domain.enums import Role
from queue_server.protocol import HelpRequestCreate, HelpRequestPublic
from queue_server.services import help_requests

router = APIRouter(prefix="/api/help-requests", tags=["help"])

HelpId = Annotated[
    int, Path(ge=1, le=MAX_DATABASE_ID, description="The help request's id"), DIGITS_ONLY
]
CallerHere = Annotated[Here, Depends(at_hall(Role.KIOSK, Role.DEVICE, Role.ADMIN))]
"""A kiosk or a zone device of the hall (and an admin testing the button)."""


@router.post("", status_code=201, response_model=HelpRequestPublic)
async def request_help(body: HelpRequestCreate, request: Request, here: CallerHere) -> Response:
    """一键求助: raises `alert.help_requested`. A token names only its own devices (`device`
    defaults to the token's name)."""
    return await mutate(
        request, here, lambda scope: help_requests.request_help(scope, body), status_code=201
    )


@router.get("", response_model=list[HelpRequestPublic])
async def list_help_requests(here: StaffHere, open: bool = False) -> list[HelpRequestPublic]:
    """The hall's help requests, newest first (at most 200); `open=true`: unanswered only."""
    return await here.read(lambda scope: help_requests.list_requests(scope, open_only=open))


@router.post("/{help_id}/ack", response_model=HelpRequestPublic)
async def acknowledge(help_id: HelpId, request: Request, here: StaffHere) -> Response:
    """Any staff member of the hall answers (`help.acknowledged`); a second answer is 409."""
    return await mutate(request, here, lambda scope: help_requests.acknowledge(scope, help_id))
