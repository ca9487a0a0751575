"""预约 statistics, pure: a period's bookings by what became of them, and how long appointment
tickets waited to be called compared with walk-in tickets, per category.

- `booked` counts every booking made for a day of the period, whatever became of it;
  `cancelled`, `checked_in` and `no_shows` count those that ended so (a booking still waiting
  for its day is in `booked` only).
- An appointment ticket waits from its slot's start, or from its check-in when that came
  later: checking in early to wait for one's slot is not a wait the hall caused. A walk-in
  ticket waits from its issue. Both until the call. Tickets never called are left out.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from queue_server.domain.enums import AppointmentStatus
from queue_server.domain.stats.percentiles import Durations


@dataclass(frozen=True, slots=True)
class BookingRecord:
    category: str
    status: AppointmentStatus


@dataclass(frozen=True, slots=True)
class CalledTicket:
    """A ticket of the period that was called. `slot_start`: its booking's slot, None for a
    walk-in ticket."""

    category: str
    issued_at: datetime
    called_at: datetime
    slot_start: datetime | None = None

    @property
    def wait_seconds(self) -> float:
        since = self.issued_at if self.slot_start is None else max(self.issued_at, self.slot_start)
        return max(0.0, (self.called_at - since).total_seconds())


@dataclass
class AppointmentFigures:
    """One category's (or a hall's, or the city's) figures; `add` sums them exactly (the waits
    are kept, so the percentiles of a sum are those of all its tickets)."""

    key: str
    booked: int = 0
    cancelled: int = 0
    checked_in: int = 0
    no_shows: int = 0
    appointment_waits: list[float] = field(default_factory=list)
    walk_in_waits: list[float] = field(default_factory=list)

    @property
    def appointment_wait(self) -> Durations:
        return Durations.of(self.appointment_waits)

    @property
    def walk_in_wait(self) -> Durations:
        return Durations.of(self.walk_in_waits)

    def add(self, other: "AppointmentFigures") -> None:
        self.booked += other.booked
        self.cancelled += other.cancelled
        self.checked_in += other.checked_in
        self.no_shows += other.no_shows
        self.appointment_waits.extend(other.appointment_waits)
        self.walk_in_waits.extend(other.walk_in_waits)


ENDINGS = {
    AppointmentStatus.CANCELLED: "cancelled",
    AppointmentStatus.CHECKED_IN: "checked_in",
    AppointmentStatus.NO_SHOW: "no_shows",
}


def appointment_figures(
    categories: Iterable[str], bookings: Iterable[BookingRecord], tickets: Iterable[CalledTicket]
) -> list[AppointmentFigures]:
    """The figures of each category of `categories` (in that order), then of any other
    category that has bookings; tickets of categories in neither are left out."""
    figures = {code: AppointmentFigures(code) for code in categories}
    for booking in bookings:
        row = figures.setdefault(booking.category, AppointmentFigures(booking.category))
        row.booked += 1
        ending = ENDINGS.get(booking.status)
        if ending is not None:
            setattr(row, ending, getattr(row, ending) + 1)
    for ticket in tickets:
        row_or_none = figures.get(ticket.category)
        if row_or_none is None:
            continue
        waits = (
            row_or_none.walk_in_waits
            if ticket.slot_start is None
            else row_or_none.appointment_waits
        )
        waits.append(ticket.wait_seconds)
    return list(figures.values())
