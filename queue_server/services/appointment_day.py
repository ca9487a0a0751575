"""The hall's bookings of a day, slot by slot, for its staff (`GET /api/appointments`)."""

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select

from queue_server.domain.enums import APPOINTMENT_STATUS_LABELS, AppointmentStatus
from queue_server.domain.errors import InvalidInput
from queue_server.models import Appointment, Ticket
from queue_server.protocol import AppointmentBooking, AppointmentSlotBookings
from queue_server.services.appointment_slots import slots_of
from queue_server.services.appointments import slot_of
from queue_server.services.scope import Scope


def _slot_rows(
    scope: Scope, category: str, day: date, bookings: Sequence[Appointment]
) -> list[AppointmentSlotBookings]:
    slots = {slot.start: slot for slot in slots_of(scope.hall, category, day)}
    for appointment in bookings:  # a slot the hours no longer have still shows its bookings
        slots.setdefault(appointment.slot_start, slot_of(appointment, scope))
    ids = [a.id for a in bookings if a.status is AppointmentStatus.CHECKED_IN]
    numbers = dict(
        scope.session.exec(
            select(Ticket.appointment_id, Ticket.number).where(col(Ticket.appointment_id).in_(ids))
        ).all()
        if ids
        else []
    )
    rules = scope.hall.appointments.category(category)
    capacity = rules.capacity if rules else 0
    entry = scope.hall.category_by_code.get(category)
    rows = []
    for start in sorted(slots):
        slot = slots[start]
        held = [a for a in bookings if a.slot_start == start]
        count = {status: sum(a.status is status for a in held) for status in AppointmentStatus}
        rows.append(
            AppointmentSlotBookings(
                category=category,
                category_name=entry.name if entry else category,
                slot=slot.label,
                end=slot.end_label,
                capacity=capacity,
                booked=len(held) - count[AppointmentStatus.CANCELLED],
                checked_in=count[AppointmentStatus.CHECKED_IN],
                no_shows=count[AppointmentStatus.NO_SHOW],
                cancelled=count[AppointmentStatus.CANCELLED],
                bookings=[
                    AppointmentBooking(
                        code=a.code,
                        id_masked=a.id_masked,
                        matter=a.matter,
                        status=a.status,
                        status_label=APPOINTMENT_STATUS_LABELS[a.status],
                        ticket_number=numbers.get(a.id),
                    )
                    for a in held
                ],
            )
        )
    return rows


def day_bookings(
    scope: Scope, *, day: date, category: str | None = None
) -> list[AppointmentSlotBookings]:
    """A day's slots with their bookings, per category that takes bookings (or just one)."""
    rules = scope.hall.appointments
    if category is not None and rules.category(category) is None:
        raise InvalidInput(f"“{category}”不是本大厅接受预约的业务类别")
    codes = [category] if category else [entry.code for entry in rules.categories]
    bookings = scope.session.exec(
        select(Appointment)
        .where(
            Appointment.hall == scope.code,
            Appointment.day == day,
            col(Appointment.category).in_(codes),
        )
        .order_by(col(Appointment.booked_at), col(Appointment.id))
    ).all()
    return [
        row
        for code in codes
        for row in _slot_rows(scope, code, day, [a for a in bookings if a.category == code])
    ]
