"""What a board shows, rebuilt from the live feed by pure functions.

A board keeps one `BoardState`: a snapshot replaces it (keeping the recent calls the board
already knew), each event updates it, and the link's `ConnectionState` sets the offline flag.
Waiting counts follow the events between two hall reads; the ETA comes from the last read.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from queue_server.client import ConnectionState
from queue_server.protocol import (
    BoardSettingsPublic,
    CategoryPublic,
    EventMessage,
    EventType,
    HallSnapshot,
    SelfServiceZonePublic,
    TicketPublic,
    TicketStatus,
    WindowPublic,
    WindowStatus,
    ZoneDevicePublic,
)

CALL_EVENTS = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED})

WINDOW_STATUS_LABELS = {
    WindowStatus.OPEN: "服务中",
    WindowStatus.PAUSED: "暂停服务",
    WindowStatus.CLOSED: "未开放",
}


@dataclass(frozen=True, slots=True)
class RecentCall:
    """One call or recall as the hall board lists it: number → window."""

    ticket_id: int
    number: str
    window_no: int
    at: datetime
    recall: bool = False

    @property
    def key(self) -> tuple[int, datetime]:
        """Changes with every call or recall, so a board knows when to highlight again."""
        return self.ticket_id, self.at


@dataclass(frozen=True, slots=True)
class BoardState:
    hall_name: str = ""
    timezone: str = "Asia/Shanghai"
    notice: str = ""
    call_template: str = "请{number}号到{window}号窗口办理"
    settings: BoardSettingsPublic = field(default_factory=BoardSettingsPublic)
    windows: tuple[WindowPublic, ...] = ()
    categories: tuple[CategoryPublic, ...] = ()
    recent: tuple[RecentCall, ...] = ()
    seq: int | None = None
    connected: bool = False
    problem: str | None = None
    """Why the link is down, for the offline banner."""
    open_now: bool = True
    opens_at: datetime | None = None
    day_off: bool = False
    """The hall does not open at all today: 今日休息 rather than 大厅已下班."""
    zone: SelfServiceZonePublic | None = None
    """The 24-hour self-service zone, shown after hours."""

    @property
    def latest(self) -> RecentCall | None:
        return self.recent[0] if self.recent else None

    def window(self, number: int) -> WindowPublic | None:
        return next((w for w in self.windows if w.number == number), None)


def _current_calls(windows: tuple[WindowPublic, ...]) -> list[RecentCall]:
    calls = []
    for window in windows:
        ticket = window.current
        if ticket is not None and ticket.called_at is not None:
            calls.append(
                RecentCall(
                    ticket_id=ticket.id,
                    number=ticket.number,
                    window_no=window.number,
                    at=ticket.called_at,
                )
            )
    return calls


def from_snapshot(previous: BoardState, snapshot: HallSnapshot, seq: int) -> BoardState:
    """The whole hall again; calls the board already listed stay, the windows' current
    tickets are added when missing, newest first."""
    windows = tuple(snapshot.windows)
    known = {call.ticket_id for call in previous.recent}
    merged = list(previous.recent) + [
        call for call in _current_calls(windows) if call.ticket_id not in known
    ]
    merged.sort(key=lambda call: call.at, reverse=True)
    return replace(
        previous,
        hall_name=snapshot.name,
        timezone=snapshot.timezone,
        notice=snapshot.board_notice,
        call_template=snapshot.call_template,
        settings=snapshot.board,
        windows=windows,
        categories=tuple(snapshot.categories),
        recent=tuple(merged[: snapshot.board.recent_calls]),
        seq=seq,
        open_now=snapshot.open_now,
        opens_at=snapshot.opens_at,
        day_off=snapshot.day_off,
        zone=snapshot.self_service,
    )


def _with_window(
    windows: tuple[WindowPublic, ...], window: WindowPublic
) -> tuple[WindowPublic, ...]:
    if not any(w.number == window.number for w in windows):
        return tuple(sorted((*windows, window), key=lambda w: w.number))
    return tuple(window if w.number == window.number else w for w in windows)


def _in_own_queue(ticket: TicketPublic | None) -> bool:
    return ticket is not None and ticket.target_window_no is None


def _waiting_change(event: EventMessage) -> dict[str, int]:
    """How an event changes the categories' own queues (tickets sent to a named window are
    not counted there)."""
    ticket = event.ticket
    if ticket is None:
        return {}
    changes: dict[str, int] = {}
    if event.type == EventType.TICKET_ISSUED and _in_own_queue(ticket):
        changes[ticket.category] = 1
    elif event.type == EventType.TICKET_CALLED and _in_own_queue(ticket):
        changes[ticket.category] = -1
    elif event.type == EventType.TICKET_REQUEUED and _in_own_queue(ticket):
        changes[ticket.category] = 1
    elif event.type == EventType.TICKET_CANCELLED and event.window is None:
        if _in_own_queue(ticket):
            changes[ticket.category] = -1
    elif event.type == EventType.TICKET_TRANSFERRED and _in_own_queue(event.new_ticket):
        assert event.new_ticket is not None
        changes[event.new_ticket.category] = 1
    return changes


def _counted(
    categories: tuple[CategoryPublic, ...], changes: dict[str, int]
) -> tuple[CategoryPublic, ...]:
    if not changes:
        return categories
    return tuple(
        category.model_copy(update={"waiting": max(0, category.waiting + changes[category.code])})
        if category.code in changes
        else category
        for category in categories
    )


def apply_event(state: BoardState, event: EventMessage) -> BoardState:
    windows = state.windows
    if event.window is not None:
        windows = _with_window(windows, event.window)
    recent = state.recent
    ticket = event.ticket
    if event.type in CALL_EVENTS and ticket is not None and ticket.window_no is not None:
        call = RecentCall(
            ticket_id=ticket.id,
            number=ticket.number,
            window_no=ticket.window_no,
            at=event.at,
            recall=event.type == EventType.TICKET_RECALLED,
        )
        others = tuple(c for c in recent if c.ticket_id != ticket.id)
        recent = (call, *others)[: state.settings.recent_calls]
    zone = state.zone
    if event.type == EventType.DEVICE_STATUS_CHANGED and event.payload is not None:
        zone = _with_device(zone, ZoneDevicePublic.model_validate(event.payload))
    return replace(
        state,
        windows=windows,
        recent=recent,
        categories=_counted(state.categories, _waiting_change(event)),
        seq=event.seq,
        zone=zone,
    )


def _with_device(
    zone: SelfServiceZonePublic | None, device: ZoneDevicePublic
) -> SelfServiceZonePublic | None:
    """The zone with one device's new status (`device.status_changed`)."""
    if zone is None:
        return None
    devices = [device if known.name == device.name else known for known in zone.devices]
    return zone.model_copy(update={"devices": devices})


def with_connection(state: BoardState, link: ConnectionState) -> BoardState:
    return replace(state, connected=link.connected, problem=None if link.connected else link.error)


def with_categories(state: BoardState, categories: list[CategoryPublic]) -> BoardState:
    """Fresh waiting counts and ETAs from a hall read between snapshots."""
    return replace(state, categories=tuple(categories))


def with_hall(state: BoardState, hall: HallSnapshot) -> BoardState:
    """A hall read between snapshots: fresh queues, opening hours and zone (this is how a
    board goes back to its calls when the hall opens)."""
    return replace(
        with_categories(state, hall.categories),
        open_now=hall.open_now,
        opens_at=hall.opens_at,
        day_off=hall.day_off,
        zone=hall.self_service,
    )


def window_label(window: WindowPublic) -> str:
    """ "暂停服务", "未开放", or the state of the window's current ticket."""
    if window.status != WindowStatus.OPEN:
        return WINDOW_STATUS_LABELS[window.status]
    if window.current is None:
        return "空闲"
    return "办理中" if window.current.status == TicketStatus.SERVING else "请前往"
