"""What the public may book: the halls and categories that take bookings with their matters and
open days, and the free places of one day's slots."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session

from queue_server.catalog import MatterCatalog
from queue_server.city import CityHall
from queue_server.config import HallConfig
from queue_server.domain.appointment_offer import closed_day_reason, slot_places
from queue_server.domain.errors import Conflict, NotFound
from queue_server.protocol import (
    AppointmentCategoryPublic,
    AppointmentHallPublic,
    AppointmentMatterPublic,
    AppointmentSlotPublic,
)
from queue_server.services.appointment_slots import open_days, slots_of, taken_places


def bookable_category(hall: HallConfig, category: str) -> int:
    """The capacity per slot of a category that takes bookings; NotFound (saying why) for a
    category the hall lacks or does not book."""
    entry = hall.category_by_code.get(category)
    if entry is None:
        raise NotFound(f"{hall.hall.name}没有代码为“{category}”的业务")
    rules = hall.appointments.category(category)
    if rules is None:
        raise NotFound(f"{hall.hall.name}的“{entry.name}”不接受预约，请现场取号")
    return rules.capacity


def hall_options(
    entry: CityHall, *, catalog: MatterCatalog | None, now: datetime
) -> AppointmentHallPublic:
    """One hall's bookable categories (in the hall's order), each with the matters of its
    catalog that it serves, and the days open for booking at `now`."""
    hall = entry.hall
    rules = hall.appointments
    matters = catalog.matters if catalog is not None else []
    categories = [
        AppointmentCategoryPublic(
            code=category.code,
            name=category.name,
            capacity=booking.capacity,
            slot_minutes=rules.slot_minutes_of(category.code),
            matters=[
                AppointmentMatterPublic(
                    id=matter.id, name=matter.name, materials=list(matter.materials)
                )
                for matter in matters
                if matter.category == category.code
            ],
        )
        for category in hall.categories
        if (booking := rules.category(category.code)) is not None
    ]
    return AppointmentHallPublic(
        hall=hall.code,
        hall_name=hall.hall.name,
        address=entry.address,
        timezone=hall.hall.timezone,
        categories=categories,
        days=open_days(hall, now),
        cancel_hours=rules.cancel_hours,
        check_in_early_minutes=rules.check_in_early_minutes,
        check_in_late_minutes=rules.check_in_late_minutes,
    )


def booking_halls(
    halls: Sequence[CityHall], *, catalogs: dict[str, MatterCatalog], now: datetime
) -> list[AppointmentHallPublic]:
    """Every hall of the city that takes bookings, in city order."""
    return [
        hall_options(entry, catalog=catalogs.get(entry.code), now=now)
        for entry in halls
        if entry.hall.appointments.categories
    ]


def free_slots(
    session: Session, *, hall: HallConfig, category: str, day: date, now: datetime
) -> list[AppointmentSlotPublic]:
    """The slots of a day open for booking that have not started, with their free places.
    NotFound for a category that takes no bookings; Conflict, saying which days can be
    booked, for a day that cannot (past, too near, too far, a day off)."""
    capacity = bookable_category(hall, category)
    reason = closed_day_reason(day, open_days=open_days(hall, now))
    if reason is not None:
        raise Conflict(reason)
    taken = taken_places(session, hall=hall.code, day=day, category=category)
    return [
        AppointmentSlotPublic(
            slot=place.slot.label,
            end=place.slot.end_label,
            capacity=place.capacity,
            free=place.free,
        )
        for place in slot_places(
            slots_of(hall, category, day), taken=taken, capacity=capacity, now=now
        )
    ]
