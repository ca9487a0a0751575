"""Per-stint facts and pause intervals, folded from a day's event sequence.

A stint is one ticket row: an applicant's time in one queue. A transfer ends a stint and opens
the next one (same number, a new ticket id) at the moment of the transfer.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    SERVED = "served"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    ABANDONED = "abandoned"
    """Still waiting, called or being served when its service day was over."""
    OPEN = "open"
    """Still waiting, called or being served, and its service day is not over yet."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One event as statistics sees it; `data` is the payload, for the few types that need it."""

    type: str
    at: datetime
    ticket_id: int | None = None
    category: str | None = None
    window_no: int | None = None
    clerk: str | None = None
    """The clerk's key: staff number, or display name when there is none."""
    reason: str | None = None
    new_ticket_id: int | None = None
    new_category: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Stint:
    ticket_id: int
    category: str
    queued_at: datetime | None
    """Issue time, or the moment of the transfer that opened this stint."""
    issued: bool
    """True for a ticket taken at the kiosk, False for the continuation of a transfer."""
    called_at: datetime | None = None
    """The call that counts: the last one (a requeue forgets the earlier call)."""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    ended: Outcome | None = None
    window_no: int | None = None
    clerk: str | None = None
    calls: int = 0
    recalls: int = 0
    requeues: int = 0

    def outcome(self, *, day_over: bool) -> Outcome:
        if self.ended is not None:
            return self.ended
        return Outcome.ABANDONED if day_over else Outcome.OPEN

    @property
    def wait_seconds(self) -> float | None:
        if self.called_at is None or self.queued_at is None:
            return None
        return (self.called_at - self.queued_at).total_seconds()

    @property
    def service_seconds(self) -> float | None:
        if self.ended is not Outcome.SERVED or self.started_at is None:
            return None
        assert self.finished_at is not None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def at_window_seconds(self) -> float | None:
        if self.ended is not Outcome.SERVED or self.called_at is None:
            return None
        assert self.finished_at is not None
        return (self.finished_at - self.called_at).total_seconds()

    def waiting_until(self, day_end: datetime) -> datetime:
        """Where this stint's waiting ends: its counting call, else its end, else `day_end`."""
        if self.called_at is not None:
            return self.called_at
        if self.finished_at is not None:
            return self.finished_at
        return day_end


def stints_from(events: Iterable[LogEvent]) -> dict[int, Stint]:
    """Fold ticket events (in log order) into stints, keyed by ticket id."""
    stints: dict[int, Stint] = {}

    def get(event: LogEvent) -> Stint | None:
        if event.ticket_id is None:
            return None
        stint = stints.get(event.ticket_id)
        if stint is None:
            stint = Stint(
                ticket_id=event.ticket_id,
                category=event.category or "",
                queued_at=None,
                issued=False,
            )
            stints[event.ticket_id] = stint
        return stint

    for event in events:
        if not event.type.startswith("ticket."):
            continue
        if event.type == "ticket.issued" and event.ticket_id is not None:
            stints[event.ticket_id] = Stint(
                ticket_id=event.ticket_id,
                category=event.category or "",
                queued_at=event.at,
                issued=True,
            )
            continue
        stint = get(event)
        if stint is None:
            continue
        match event.type:
            case "ticket.called":
                stint.called_at = event.at
                stint.window_no = event.window_no
                stint.clerk = event.clerk
                stint.calls += 1
            case "ticket.recalled":
                stint.recalls += 1
            case "ticket.started":
                stint.started_at = event.at
            case "ticket.finished":
                _end(stint, Outcome.SERVED, event.at)
            case "ticket.no_show":
                _end(stint, Outcome.NO_SHOW, event.at)
            case "ticket.requeued":
                stint.requeues += 1
                stint.ended = None
                stint.called_at = None
                stint.finished_at = None
                stint.window_no = None
                stint.clerk = None
            case "ticket.cancelled":
                _end(stint, Outcome.CANCELLED, event.at)
            case "ticket.transferred":
                _end(stint, Outcome.TRANSFERRED, event.at)
                if event.new_ticket_id is not None:
                    stints[event.new_ticket_id] = Stint(
                        ticket_id=event.new_ticket_id,
                        category=event.new_category or stint.category,
                        queued_at=event.at,
                        issued=False,
                    )
    return stints


def _end(stint: Stint, outcome: Outcome, at: datetime) -> None:
    stint.ended = outcome
    stint.finished_at = at


@dataclass(frozen=True, slots=True)
class Pause:
    window_no: int
    clerk: str | None
    reason: str
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def pauses_from(events: Iterable[LogEvent], *, until: datetime) -> list[Pause]:
    """Pause intervals per window: from `window.paused` to the next `window.resumed` or
    `window.signed_out` of that window; a pause still open is cut at `until`."""
    open_pauses: dict[int, LogEvent] = {}
    pauses: list[Pause] = []
    for event in events:
        if event.window_no is None:
            continue
        if event.type == "window.paused":
            open_pauses[event.window_no] = event
        elif event.type in ("window.resumed", "window.signed_out"):
            begun = open_pauses.pop(event.window_no, None)
            if begun is not None:
                pauses.append(_pause(begun, event.at))
    pauses.extend(_pause(begun, max(until, begun.at)) for begun in open_pauses.values())
    return sorted(pauses, key=lambda pause: (pause.start, pause.window_no))


def _pause(begun: LogEvent, end: datetime) -> Pause:
    assert begun.window_no is not None
    return Pause(
        window_no=begun.window_no,
        clerk=begun.clerk,
        reason=begun.reason or "",
        start=begun.at,
        end=end,
    )
