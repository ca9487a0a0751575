"""Domain errors. Messages are Chinese because clerks read them on their consoles."""


class DomainError(Exception):
    """Base of every error the domain core raises; `code` is stable, `message` is for people."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, str]:
        """Stable facts sent beside `detail` and `code` in the error body (none by default)."""
        return {}


class NotFound(DomainError):
    code = "not_found"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class Conflict(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


class Unavailable(DomainError):
    """The request is well-formed but the hall cannot serve it now (cap reached, closed hours)."""

    code = "unavailable"


class InvalidInput(DomainError):
    code = "invalid_input"


# --- 预约: why a booking or a cancellation is refused (the booking page reads `code`) ------


class DayNotOpen(Unavailable):
    """The day cannot be booked now (too near, too far, or not a working day)."""

    code = "day_not_open"


class UnknownSlot(InvalidInput):
    """No slot of the day starts at the time asked for."""

    code = "unknown_slot"


class SlotFull(Conflict):
    code = "slot_full"


class AlreadyBooked(Conflict):
    """One booking per person per day per hall (cancelled ones do not count)."""

    code = "already_booked"


class BookingBlocked(Conflict):
    """Too many no-shows: no booking until a date."""

    code = "booking_blocked"


class TooLateToCancel(Conflict):
    code = "too_late_to_cancel"


class CheckInTooEarly(Conflict):
    """An appointment checked in before its check-in window opens (the message says when)."""

    code = "check_in_too_early"


class CheckInTooLate(Conflict):
    """An appointment checked in after its check-in window closed: a walk-in number instead.
    The body names the booking's `category`, so that the kiosk can offer its walk-in ticket."""

    code = "check_in_too_late"

    def __init__(self, message: str, *, category: str) -> None:
        super().__init__(message)
        self.category = category

    def details(self) -> dict[str, str]:
        return {"category": self.category}
