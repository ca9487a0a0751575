"""Journeys from 补件 to 出件: the kiosk's return code, staff reading a journey and its visits,
and marking a result ready for collection."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from queue_server.api.deps import MAX_DATABASE_ID, IssuerHere, StaffHere
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.domain.enums import JourneyStatus
from queue_server.protocol import JourneyPublic, JourneyReady, JourneyReturn, TicketPublic
from queue_server.services import journeys

router = APIRouter(prefix="/api/journeys", tags=["journeys"])

JourneyId = Annotated[
    int, Path(ge=1, le=MAX_DATABASE_ID, description="The journey's id"), DIGITS_ONLY
]


@router.post("/return", response_model=TicketPublic, status_code=201)
async def return_with_code(body: JourneyReturn, request: Request, here: IssuerHere) -> Response:
    """The kiosk's 补件回执: 201 with a return ticket continuing the journey (`return_visit`,
    same category and matter), or, once the result is ready, a ticket of the 出件 category;
    404 for an unknown code, 409 saying why when the code issues nothing now."""
    catalog = here.catalog
    return await mutate(
        request,
        here,
        lambda scope: journeys.return_ticket(scope, body.return_code, catalog=catalog),
        status_code=201,
    )


@router.get("", response_model=list[JourneyPublic])
async def list_journeys(
    here: StaffHere, status: JourneyStatus | None = None
) -> list[JourneyPublic]:
    """The hall's journeys, newest first (at most 500), optionally in one status."""
    return await here.read(lambda scope: journeys.list_journeys(scope, status))


@router.get("/{journey_id:int}", response_model=JourneyPublic)
async def get_journey(journey_id: JourneyId, here: StaffHere) -> JourneyPublic:
    """A journey with its visits and what was missing at each (for the clerk serving the
    next one)."""
    return await here.read(
        lambda scope: journeys.journey_public(scope, journeys.load(scope, journey_id))
    )


@router.post("/{journey_id:int}/ready", response_model=JourneyPublic)
async def ready(
    journey_id: JourneyId, request: Request, here: StaffHere, body: JourneyReady | None = None
) -> Response:
    """The result can be collected: the applicant's status page says where (`collect_at`
    window: the 出件 category's window; locker: once deposited, with its pickup code)."""
    chosen = body or JourneyReady()
    return await mutate(request, here, lambda scope: journeys.mark_ready(scope, journey_id, chosen))
