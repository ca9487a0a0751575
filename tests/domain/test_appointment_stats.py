"""预约 statistics for a hand-made day, counted by hand: bookings by what became of them, and the
waits of appointment tickets (from the slot, or the check-in when later) against walk-ins."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from queue_server.domain.enums import AppointmentStatus
from queue_server.domain.stats.appointments import (
    AppointmentFigures,
    BookingRecord,
    CalledTicket,
    appointment_figures,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOOKED, CANCELLED = AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED
CHECKED_IN, NO_SHOW = AppointmentStatus.CHECKED_IN, AppointmentStatus.NO_SHOW


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2026, 12, 8), time(hour, minute), SHANGHAI)


BOOKINGS = [
    *(BookingRecord("general", status) for status in (CANCELLED, CHECKED_IN, CHECKED_IN)),
    *(BookingRecord("general", status) for status in (CHECKED_IN, NO_SHOW)),
    BookingRecord("enterprise", CHECKED_IN),
    BookingRecord("enterprise", BOOKED),
    BookingRecord("pickup", CANCELLED),  # a category no longer booked keeps its history
]
TICKETS = [
    # Appointments: early check-in waits from the slot; late check-in from the check-in.
    CalledTicket("general", issued_at=at(8, 50), called_at=at(9, 5), slot_start=at(9)),
    CalledTicket("general", issued_at=at(9, 40), called_at=at(9, 50), slot_start=at(9, 30)),
    CalledTicket("general", issued_at=at(9, 58), called_at=at(10), slot_start=at(10)),
    CalledTicket("enterprise", issued_at=at(13, 20), called_at=at(13, 29), slot_start=at(13, 30)),
    # Walk-ins.
    *(CalledTicket("general", issued_at=at(9), called_at=at(9, m)) for m in (10, 20, 30, 40)),
    CalledTicket("enterprise", issued_at=at(14), called_at=at(14, 45)),
    CalledTicket("consult", issued_at=at(9), called_at=at(11)),  # takes no bookings: left out
]


def test_a_hand_made_day_counted_by_hand() -> None:
    general, enterprise, pickup = appointment_figures(["general", "enterprise"], BOOKINGS, TICKETS)

    assert (general.key, general.booked, general.cancelled) == ("general", 5, 1)
    assert (general.checked_in, general.no_shows) == (3, 1)
    assert sorted(general.appointment_waits) == [0.0, 300.0, 600.0]
    assert general.appointment_wait.mean == 300.0
    assert general.appointment_wait.p90 == 600.0  # nearest rank: the 3rd of 3
    assert general.walk_in_waits == [600.0, 1200.0, 1800.0, 2400.0]
    assert general.walk_in_wait.mean == 1500.0
    assert general.walk_in_wait.p90 == 2400.0  # the 4th of 4

    assert (enterprise.booked, enterprise.checked_in, enterprise.cancelled) == (2, 1, 0)
    assert enterprise.appointment_waits == [0.0]  # called a minute before its slot: no wait
    assert enterprise.walk_in_waits == [2700.0]

    assert (pickup.key, pickup.booked, pickup.cancelled) == ("pickup", 1, 1)
    assert pickup.appointment_waits == pickup.walk_in_waits == []
    assert pickup.appointment_wait.mean is None


def test_figures_add_up_exactly() -> None:
    rows = appointment_figures(["general", "enterprise"], BOOKINGS, TICKETS)
    whole = AppointmentFigures("total")
    for row in rows:
        whole.add(row)
    assert (whole.booked, whole.cancelled, whole.checked_in, whole.no_shows) == (8, 2, 4, 1)
    assert whole.appointment_wait.count == 4
    assert whole.appointment_wait.mean == 225.0
    assert whole.walk_in_wait.count == 5
    assert whole.walk_in_wait.mean == (600 + 1200 + 1800 + 2400 + 2700) / 5
    assert rows[0].booked == 5  # adding leaves the parts as they were


def test_no_bookings_and_no_tickets_give_empty_rows_for_the_bookable_categories() -> None:
    (general,) = appointment_figures(["general"], [], [])
    assert (general.booked, general.appointment_wait.count, general.walk_in_wait.p90) == (
        0,
        0,
        None,
    )
