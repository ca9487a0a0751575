"""The hall TOML's `[appointments]`, `[journeys]` and `[privacy]`: booking a time (预约取号),
the journey from 补件 to 出件, and how long anything about a person is kept."""

from datetime import time
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from queue_server.config_base import check_unique
from queue_server.domain.opening_hours import TimeRange, parse_day

CategoryCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=32)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppointmentCategory(_Strict):
    """A category that takes bookings (`[[appointments.categories]]`)."""

    code: CategoryCode
    capacity: Annotated[int, Field(gt=0, le=1000)]
    """Bookings one slot takes."""
    slot_minutes: Annotated[int, Field(gt=0, le=240)] | None = None
    """This category's slot length; the hall's `slot_minutes` when left out."""
    appointment_ratio: Annotated[int, Field(ge=1, le=20)] = 2
    """Most appointment tickets a window calls in a row while walk-ins wait (like
    `priority_ratio`): appointments are served within their slot, walk-ins never starve."""


class AppointmentsConfig(_Strict):
    """`[appointments]`: the hall's booking rules; `categories` lists what can be booked."""

    hours: str = "09:00-12:00,13:30-17:00"
    """When slots lie, on working days (ranges comma-separated), within the hall's hours."""
    slot_minutes: Annotated[int, Field(gt=0, le=240)] = 30
    min_days_ahead: Annotated[int, Field(ge=0, le=60)] = 1
    """Working days between today and the booked day, at least …"""
    max_days_ahead: Annotated[int, Field(ge=0, le=60)] = 5
    """… and at most."""
    cutoff: time = time(17, 0)
    """Booking a day closes at this local time on the last day allowed to book it (the
    `min_days_ahead`-th working day before it)."""
    cancel_hours: Annotated[float, Field(ge=0, le=240)] = 2.0
    """A booking may be cancelled until this long before its slot starts."""
    no_show_limit: Annotated[int, Field(ge=1, le=100)] = 3
    """This many no-shows within `no_show_window_days` …"""
    no_show_window_days: Annotated[int, Field(ge=1, le=365)] = 30
    no_show_block_days: Annotated[int, Field(ge=1, le=365)] = 30
    """… and the person may not book for this many days after the last of them."""
    check_in_early_minutes: Annotated[int, Field(ge=0, le=240)] = 30
    """Check-in at the kiosk opens this long before the slot starts …"""
    check_in_late_minutes: Annotated[int, Field(ge=0, le=240)] = 10
    """… and closes this long after it ends; a booking not checked in by then is a no-show."""
    categories: list[AppointmentCategory] = []

    @field_validator("hours")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_day(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.max_days_ahead < self.min_days_ahead:
            raise ValueError("max_days_ahead must not be less than min_days_ahead")
        check_unique("appointments.categories", "code", [c.code for c in self.categories])
        return self

    @property
    def ranges(self) -> tuple[TimeRange, ...]:
        return parse_day(self.hours)

    def category(self, code: str) -> AppointmentCategory | None:
        return next((c for c in self.categories if c.code == code), None)

    def slot_minutes_of(self, code: str) -> int:
        entry = self.category(code)
        return (entry.slot_minutes if entry else None) or self.slot_minutes


class JourneysConfig(_Strict):
    """`[journeys]`: a matter from its first visit to 出件."""

    return_valid_days: Annotated[int, Field(ge=1, le=365)] = 30
    """A return code (回执码) given with 补件 works for this many days."""
    pickup_category: CategoryCode | None = "pickup"
    """The 出件 category: where a ready result is collected (None: the hall has none)."""


class PrivacyConfig(_Strict):
    """`[privacy]`: how long anything about a person is kept."""

    retention_days: Annotated[int, Field(ge=1, le=3650)] = 90
    """After this many days even the keyed hash of an ID or phone number is removed (the
    masked form goes with it); the booking or ticket itself stays for the statistics."""
