"""What can be booked (预约取号), for anyone: the halls and categories that take bookings, their
matters and open days, and the free places of a day's slots. No token (one sent is ignored),
nothing personal.

This router must be included before the one serving `GET /api/public/appointments/{code}`,
or `slots` and `options` would be read as booking codes."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from queue_server.api.deps import ResourcesDep
from queue_server.api.params import ISO_DAY_ONLY
from queue_server.city import CityConfig
from queue_server.config import HallConfig
from queue_server.domain.errors import InvalidInput, NotFound
from queue_server.protocol import AppointmentHallPublic, AppointmentSlotPublic
from queue_server.services.appointment_offer import booking_halls, free_slots, hall_options

router = APIRouter(prefix="/api/public/appointments", tags=["appointments"])

CODE_PATTERN = r"^[a-z][a-z0-9_-]*$"

HallQuery = Annotated[
    str | None,
    Query(
        max_length=32,
        pattern=CODE_PATTERN,
        description="The hall (its code); may be left out in a city of one hall",
    ),
]
CategoryQuery = Annotated[
    str, Query(max_length=32, pattern=CODE_PATTERN, description="The category (its code)")
]
DayQuery = Annotated[date, Query(description="The day, YYYY-MM-DD"), ISO_DAY_ONLY]


def public_hall(city: CityConfig, code: str | None) -> HallConfig:
    """The hall a public request names; the only one when the city has one and none is named."""
    if code is None:
        if city.single:
            return city.hall(city.default_code)
        raise InvalidInput("请指定大厅（hall）")
    if code not in city.codes:
        raise NotFound(f"没有代码为“{code}”的大厅")
    return city.hall(code)


@router.get("/options", response_model=list[AppointmentHallPublic])
async def options(resources: ResourcesDep, hall: HallQuery = None) -> list[AppointmentHallPublic]:
    """Every hall that takes bookings (or only the one `hall=` names), with its bookable
    categories, their matters and materials (一次告知), the days open for booking now, and the
    cancellation and check-in rules: all a booking page needs. An unknown hall → 404; a hall
    that takes no bookings → 404 saying so."""
    now = resources.clock.now()
    if hall is None:
        return booking_halls(resources.city.halls, catalogs=resources.catalogs, now=now)
    config = public_hall(resources.city, hall)
    if not config.appointments.categories:
        raise NotFound(f"{config.hall.name}暂不接受预约，请现场取号")
    entry = resources.city.entry(config.code)
    return [hall_options(entry, catalog=resources.catalogs.get(config.code), now=now)]


@router.get("/slots", response_model=list[AppointmentSlotPublic])
async def slots(
    resources: ResourcesDep, category: CategoryQuery, day: DayQuery, hall: HallQuery = None
) -> list[AppointmentSlotPublic]:
    """The slots of `day` for `category` that have not started, each with its capacity and
    free places (0: full). A malformed hall, category or day → 422; an unknown hall, or a
    category the hall lacks or does not book → 404; a day that cannot be booked now (past,
    too near or too far ahead, a day off) → 409 saying which days can."""
    config = public_hall(resources.city, hall)
    now = resources.clock.now()
    return await resources.db.read(
        lambda session: free_slots(session, hall=config, category=category, day=day, now=now)
    )
