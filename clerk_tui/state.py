"""What the console knows about its window and the hall, and pure functions that update it."""

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.protocol import (
    CategoryPublic,
    ClerkDayPublic,
    EventMessage,
    EventType,
    HallSnapshot,
    JourneyPublic,
    TicketPublic,
    TicketStatus,
    WindowPublic,
)

NEXT_NUMBERS = 5
"""How many upcoming numbers the queue panel lists."""

QUEUE_EVENTS = frozenset(
    {
        EventType.TICKET_ISSUED,
        EventType.TICKET_CALLED,
        EventType.TICKET_REQUEUED,
        EventType.TICKET_TRANSFERRED,
        EventType.TICKET_CANCELLED,
    }
)
"""Events after which the waiting counts and the next numbers must be read again."""


@dataclass(frozen=True, slots=True)
class QueueEntry:
    number: str
    category_name: str
    priority: bool
    to_this_window: bool


@dataclass(frozen=True, slots=True)
class CategoryQueue:
    code: str
    name: str
    waiting: int
    oldest_issued_at: datetime | None
    helped: bool = False
    """A category the window `also_serves` (跨窗通办), not one of its own."""


@dataclass(frozen=True, slots=True)
class ConsoleState:
    """Everything the main screen shows; replaced as a whole on each change."""

    window_no: int
    online: bool = False
    connection_note: str | None = None
    hall_name: str = ""
    timezone: str = "Asia/Shanghai"
    window: WindowPublic | None = None
    windows: tuple[WindowPublic, ...] = ()
    categories: tuple[CategoryPublic, ...] = ()
    queues: tuple[CategoryQueue, ...] = ()
    transferred_here: int = 0
    next_numbers: tuple[QueueEntry, ...] = ()
    hall_waiting: int = 0
    history: tuple[TicketPublic, ...] = ()
    my_day: ClerkDayPublic | None = None
    busy: str | None = None
    """The label of the action in flight, if any."""
    message: str = ""
    message_is_error: bool = False
    seq: int | None = None
    journey: JourneyPublic | None = None
    """The journey of the return visit at the window: its earlier visits (补件回访)."""

    @property
    def current(self) -> TicketPublic | None:
        return self.window.current if self.window else None

    def category(self, code: str) -> CategoryPublic | None:
        return next((c for c in self.categories if c.code == code), None)

    def category_name(self, code: str) -> str:
        category = self.category(code)
        return category.name if category else code

    @property
    def helped_names(self) -> tuple[str, ...]:
        """The names of the categories the window helps with (跨窗通办)."""
        window = self.window
        return tuple(self.category_name(code) for code in window.also_serves) if window else ()

    @property
    def tidal_note(self) -> str:
        """潮汐：本窗口临时办理<category> 至 HH:MM, while the window is switched; else empty."""
        window = self.window
        if window is None or window.tidal_category is None or window.tidal_until is None:
            return ""
        until = window.tidal_until.astimezone(ZoneInfo(self.timezone))
        return f"潮汐：本窗口临时办理{self.category_name(window.tidal_category)} 至 {until:%H:%M}"


def with_hall(state: ConsoleState, hall: HallSnapshot, seq: int | None = None) -> ConsoleState:
    """Take the hall's snapshot: this window, the categories, the hall's waiting total."""
    window = next((w for w in hall.windows if w.number == state.window_no), state.window)
    return replace(
        state,
        hall_name=hall.name,
        timezone=hall.timezone,
        window=window,
        windows=tuple(hall.windows),
        categories=tuple(hall.categories),
        hall_waiting=sum(category.waiting for category in hall.categories),
        seq=seq if seq is not None else state.seq,
    )


def with_event(state: ConsoleState, event: EventMessage) -> ConsoleState:
    """Apply one live event: only this window's own record changes here; counts are re-read."""
    if event.window is None:
        return replace(state, seq=event.seq)
    changed = event.window
    window = changed if changed.number == state.window_no else state.window
    windows = tuple(changed if w.number == changed.number else w for w in state.windows)
    return replace(state, window=window, windows=windows, seq=event.seq)


def needs_refresh(event: EventMessage, window_no: int) -> bool:
    """Whether the queue, history or figures shown may have changed with this event."""
    if event.type in QUEUE_EVENTS:
        return True
    return event.window is not None and event.window.number == window_no


def with_queue(state: ConsoleState, waiting: list[TicketPublic]) -> ConsoleState:
    """Build the queue panel from the day's waiting tickets (in queue order): transferred here,
    the window's own, then those of the categories it helps with (called before its own only
    when they are due, so they are listed last)."""
    window = state.window
    if window is None:
        return state
    mine = set(window.categories)
    here = [t for t in waiting if t.target_window_no == state.window_no]
    own = [t for t in waiting if t.target_window_no is None and t.category in mine]
    helped = [t for t in waiting if t.target_window_no is None and t.category in window.also_serves]
    queues = []
    for code in (*window.categories, *window.also_serves):
        tickets = [t for t in waiting if t.target_window_no is None and t.category == code]
        queues.append(
            CategoryQueue(
                code=code,
                name=state.category_name(code),
                waiting=len(tickets),
                oldest_issued_at=min((t.issued_at for t in tickets), default=None),
                helped=code not in mine,
            )
        )
    upcoming = [
        QueueEntry(
            number=t.number,
            category_name=t.category_name,
            priority=t.priority is not None,
            to_this_window=t.target_window_no == state.window_no,
        )
        for t in [*here, *own, *helped]
    ]
    return replace(
        state,
        queues=tuple(queues),
        transferred_here=len(here),
        next_numbers=tuple(upcoming[:NEXT_NUMBERS]),
    )


def with_ticket(state: ConsoleState, ticket: TicketPublic) -> ConsoleState:
    """Show the answer to one of this window's own actions at once, before its event."""
    if state.window is None:
        return state
    at_window = ticket.window_no == state.window_no and ticket.status in (
        TicketStatus.CALLED,
        TicketStatus.SERVING,
    )
    current = state.window.current
    if at_window:
        window = state.window.model_copy(update={"current": ticket})
    elif current is not None and current.id == ticket.id:
        window = state.window.model_copy(update={"current": None})
    else:
        return state
    return replace(state, window=window)


def with_window(state: ConsoleState, window: WindowPublic) -> ConsoleState:
    if window.number != state.window_no:
        return state
    return replace(state, window=window)
