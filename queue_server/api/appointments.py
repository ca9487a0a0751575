"""预约取号: applicants book, read and cancel a time without a token (throttled per client
address); the hall's staff read a day's bookings per slot."""

import math
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from queue_server.api.deps import Here, Resources, ResourcesDep, StaffHere
from queue_server.api.evaluations import refuse_tokens
from queue_server.api.mutations import mutate
from queue_server.api.params import ISO_DAY_ONLY
from queue_server.domain.enums import Role
from queue_server.domain.errors import NotFound
from queue_server.protocol import AppointmentCreate, AppointmentPublic, AppointmentSlotBookings
from queue_server.security import PUBLIC_CODE_ALPHABET
from queue_server.services import appointment_day, appointments
from queue_server.services.accounts import Principal
from queue_server.services.personal_data import identify
from queue_server.throttle import RateLimited

router = APIRouter(tags=["appointments"])

CODE_SYMBOLS = PUBLIC_CODE_ALPHABET + PUBLIC_CODE_ALPHABET.lower().lstrip("23456789")
"""A booking code's symbols, typed in either case."""
BookingCode = Annotated[
    str,
    Path(
        min_length=4,
        max_length=16,
        pattern=rf"^[{CODE_SYMBOLS}]+$",
        description="The booking code (shown as text and QR on the booking page)",
    ),
]
THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many booking requests from this client address"}
}


@dataclass(frozen=True, slots=True)
class Applicant(Principal):
    """An anonymous applicant, known only by their client address; its idempotency records
    are kept per address. `role` means nothing here."""

    address: str = ""

    @property
    def key(self) -> str:
        return f"address:{self.address}"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def throttle(
    request: Request, resources: ResourcesDep, _: Annotated[None, Depends(refuse_tokens)]
) -> Principal:
    """No token (a clerk does not book for an applicant from the console), and no faster
    than a person books: one bucket per client address."""
    address = _address(request)
    decision = resources.booking_limiter.take(address)
    if not decision.allowed:
        wait = math.ceil(decision.retry_after)
        raise RateLimited(f"预约操作过于频繁，请{wait}秒后再试", retry_after=wait)
    return Applicant(token_id=0, role=Role.BOARD, name="applicant", address=address)


Public = Annotated[Principal, Depends(throttle)]


async def _at_code(resources: Resources, principal: Principal, code: str) -> Here:
    """The applicant in the hall of the booking `code`."""
    hall = await resources.db.read(lambda session: appointments.hall_of(session, code))
    return Here(principal, resources.city.hall(hall), resources)


@router.post(
    "/api/public/appointments",
    status_code=201,
    response_model=AppointmentPublic,
    responses=THROTTLED,
)
async def book(
    body: AppointmentCreate, request: Request, applicant: Public, resources: ResourcesDep
) -> Response:
    """Book a slot: 201 with the booking `code` and the matter's materials (一次告知).
    Refusals say why: the slot is full, the person booked that day already, the day is not
    open for booking, no such slot, or booking is blocked after no-shows until a date."""
    if body.hall not in resources.city.codes:
        raise NotFound(f"没有代码为“{body.hall}”的大厅")
    here = Here(applicant, resources.city.hall(body.hall), resources)
    person = identify(resources.secret_key, id_number=body.id_number, phone=body.phone)
    catalog = here.catalog
    return await mutate(
        request,
        here,
        lambda scope: appointments.book(scope, body, person=person, catalog=catalog),
        status_code=201,
    )


@router.get(
    "/api/public/appointments/{code}", response_model=AppointmentPublic, responses=THROTTLED
)
async def booking(
    code: BookingCode, applicant: Public, resources: ResourcesDep
) -> AppointmentPublic:
    """The booking of this code, as its holder sees it (the person only masked)."""
    here = await _at_code(resources, applicant, code)
    catalog = here.catalog
    return await here.read(
        lambda scope: appointments.appointment_public(
            scope, appointments.by_code(scope, code), catalog
        )
    )


@router.post(
    "/api/public/appointments/{code}/cancel",
    response_model=AppointmentPublic,
    responses=THROTTLED,
)
async def cancel(
    code: BookingCode, request: Request, applicant: Public, resources: ResourcesDep
) -> Response:
    """Cancel until `cancel_hours` before the slot; the place is free again."""
    here = await _at_code(resources, applicant, code)
    catalog = here.catalog
    return await mutate(
        request, here, lambda scope: appointments.cancel(scope, code, catalog=catalog)
    )


@router.get("/api/appointments", response_model=list[AppointmentSlotBookings])
async def day_bookings(
    here: StaffHere,
    day: Annotated[
        date | None, Query(description="The booked day; today when left out"), ISO_DAY_ONLY
    ] = None,
    category: Annotated[
        str | None, Query(max_length=32, description="One category; all bookable when left out")
    ] = None,
) -> list[AppointmentSlotBookings]:
    """A day's slots with capacity, places booked, check-ins, no-shows, cancellations and
    the bookings themselves (code, masked ID, status, ticket number once checked in)."""
    return await here.read(
        lambda scope: appointment_day.day_bookings(scope, day=day or scope.today, category=category)
    )
