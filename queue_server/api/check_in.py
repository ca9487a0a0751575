"""预约签到: a kiosk checks a booking in and gets its appointment ticket."""

from fastapi import APIRouter, Request, Response

from queue_server.api.deps import IssuerHere
from queue_server.api.mutations import mutate
from queue_server.api.tickets import check_issue_rate
from queue_server.protocol import AppointmentCheckIn, TicketPublic
from queue_server.services import check_in

router = APIRouter(prefix="/api/appointments", tags=["appointments"])


@router.post(
    "/check-in",
    status_code=201,
    response_model=TicketPublic,
    responses={429: {"description": "A kiosk token issuing faster than its limit"}},
)
async def check_in_booking(
    body: AppointmentCheckIn, request: Request, here: IssuerHere
) -> Response:
    """The booking by its `code`, or by the `id_number` a card reader typed (the holder's
    booking of today in this hall): 201 the appointment ticket (`appointment_slot` set).
    409 `check_in_too_early` says from when; 409 `check_in_too_late` says the slot is over
    and to take a walk-in number; a cancelled, no-show, already checked-in booking, or one of
    another day or hall → 409 saying why; an unknown code → 404. Nothing changes then."""
    await check_issue_rate(here, "appointment")
    secret, catalog = here.resources.secret_key, here.catalog
    return await mutate(
        request,
        here,
        lambda scope: check_in.check_in(scope, body, secret=secret, catalog=catalog),
        status_code=201,
    )
