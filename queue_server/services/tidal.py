"""潮汐 switches: the live snapshot a suggestion is made from, the suggestion, and switching a
window to one of its `also_serves` categories for a while (and back, by hand or at its end)."""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, Role, TicketStatus, WindowStatus
from queue_server.domain.errors import Conflict
from queue_server.domain.tidal import LiveHall, Suggestion, TidalSwitch
from queue_server.models import Ticket, User, WindowState
from queue_server.protocol import (
    TidalEndedPayload,
    TidalEndReason,
    TidalRequest,
    TidalStartedPayload,
    TidalSuggestionPublic,
    TidalSwitchPublic,
)
from queue_server.services import journal
from queue_server.services.access import load_user, load_window
from queue_server.services.dispatch_window import stored_switch, switch_in_force
from queue_server.services.scope import Scope
from queue_server.services.views import window_states
from queue_server.services.waits import service_times, window_loads
from queue_server.simulation.forward import suggest_tidal

ARRIVALS_LOOKBACK = timedelta(hours=1)
"""New tickets in this last stretch make each category's arrival rate."""


def live_hall(scope: Scope) -> LiveHall:
    """The hall now, as a suggestion is scored from it: queues, windows (switches included),
    typical service times, the last hour's arrivals, targets and overflow thresholds."""
    session, hall, now, today = scope.session, scope.hall, scope.now, scope.today
    waiting: dict[str, list[datetime]] = defaultdict(list)
    for category, key in session.exec(
        select(Ticket.category, Ticket.queue_key)
        .where(
            Ticket.hall == hall.code,
            Ticket.service_day == today,
            Ticket.status == TicketStatus.WAITING,
            col(Ticket.target_window_no).is_(None),
        )
        .order_by(col(Ticket.queue_key))
    ).all():
        waiting[category].append(key)
    since = now - ARRIVALS_LOOKBACK
    arrivals = dict(
        session.exec(
            select(Ticket.category, func.count())
            .where(
                Ticket.hall == hall.code,
                Ticket.service_day == today,
                col(Ticket.issued_at) > since,
                col(Ticket.issued_at) <= now,
                col(Ticket.transferred_from_id).is_(None),
            )
            .group_by(col(Ticket.category))
        ).all()
    )
    hours = ARRIVALS_LOOKBACK / timedelta(hours=1)
    states = window_states(session, hall)
    return LiveHall(
        now=now,
        waiting=dict(waiting),
        windows=window_loads(session, hall, states),
        service=service_times(session, hall, day=today),
        arrivals_per_hour={c.code: arrivals.get(c.code, 0) / hours for c in hall.categories},
        target_wait={c.code: timedelta(minutes=c.target_wait_minutes) for c in hall.categories},
        overflow_waiting={c.code: c.overflow_waiting for c in hall.categories},
        switches=tuple(
            switch
            for switch in (switch_in_force(state, now) for state in states)
            if switch is not None
        ),
    )


def _minutes(seconds: float) -> int:
    return round(seconds / 60)


def suggestion_public(suggestion: Suggestion, hall: HallConfig) -> TidalSuggestionPublic:
    move = suggestion.move
    category = hall.category_by_code.get(move.category)
    name = category.name if category else move.category
    return TidalSuggestionPublic(
        window=move.window,
        category=move.category,
        category_name=name,
        minutes=move.minutes,
        mean_wait_without_seconds=round(suggestion.mean_wait_without_seconds, 1),
        mean_wait_with_seconds=round(suggestion.mean_wait_with_seconds, 1),
        gain_seconds=round(suggestion.gain_seconds, 1),
        message=(
            f"建议：{move.window}号窗口转办 {name} {move.minutes} 分钟，预计平均等候 "
            f"{_minutes(suggestion.mean_wait_without_seconds)}→"
            f"{_minutes(suggestion.mean_wait_with_seconds)} 分钟"
        ),
    )


def current_suggestion(
    scope: Scope, *, category: str | None = None
) -> TidalSuggestionPublic | None:
    """The switch worth making now (only to `category`, when given), or None."""
    suggestion = suggest_tidal(live_hall(scope), category=category)
    return None if suggestion is None else suggestion_public(suggestion, scope.hall)


def switch_public(switch: TidalSwitch, hall: HallConfig) -> TidalSwitchPublic:
    category = hall.category_by_code.get(switch.category)
    return TidalSwitchPublic(
        window=switch.window,
        category=switch.category,
        category_name=category.name if category else switch.category,
        until=switch.until,
    )


def start(scope: Scope, window_no: int, request: TidalRequest) -> TidalSwitchPublic:
    """Switch the window to one of the categories its clerks may serve, for a while."""
    session, hall, now = scope.session, scope.hall, scope.now
    state = load_window(session, hall, window_no)
    window = hall.window_by_number[window_no]
    if request.category not in window.also_serves:
        served = "、".join(_name(code, hall) for code in window.also_serves) or "无"
        raise Conflict(
            f"{window_no}号窗口不能转办{_name(request.category, hall)}："
            f"只能转办其协办的业务（{served}）"
        )
    if state.status == WindowStatus.CLOSED:
        raise Conflict(f"{window_no}号窗口未开放，不能转办")
    current = switch_in_force(state, now)
    if current is not None:
        raise Conflict(f"{window_no}号窗口已在潮汐转办中（至{_local(current.until, hall)}）")
    if stored_switch(state) is not None:
        _end(scope, state, reason="expired")
    until = now + timedelta(minutes=request.minutes)
    state.tidal_category = request.category
    state.tidal_until = until
    session.add(state)
    who = _who(scope)
    journal.record_payload(
        scope,
        type=EventType.WINDOW_TIDAL_STARTED,
        payload=TidalStartedPayload(
            window=window_no,
            category=request.category,
            until=until,
            who=who.display_name if who else "系统",
        ),
        category=request.category,
        window=state,
        clerk=who,
    )
    return switch_public(TidalSwitch(window_no, request.category, until), hall)


def end(scope: Scope, window_no: int) -> TidalSwitchPublic:
    """End the window's switch by hand."""
    state = load_window(scope.session, scope.hall, window_no)
    switch = switch_in_force(state, scope.now)
    if switch is None:
        raise Conflict(f"{window_no}号窗口没有潮汐转办")
    _end(scope, state, reason="ended")
    return switch_public(switch, scope.hall)


def check_expired(scope: Scope, *, dry_run: bool = False) -> int:
    """End the switches whose time is up (the watch, in its write transaction); with
    `dry_run`, only count them."""
    due = [
        state
        for state in window_states(scope.session, scope.hall)
        if stored_switch(state) is not None and switch_in_force(state, scope.now) is None
    ]
    for state in [] if dry_run else due:
        _end(scope, state, reason="expired")
    return len(due)


def _end(scope: Scope, state: WindowState, *, reason: TidalEndReason) -> None:
    category = state.tidal_category or ""
    state.tidal_category = None
    state.tidal_until = None
    scope.session.add(state)
    journal.record_payload(
        scope,
        type=EventType.WINDOW_TIDAL_ENDED,
        payload=TidalEndedPayload(window=state.number, category=category, reason=reason),
        category=category,
        window=state,
        clerk=_who(scope) if reason == "ended" else None,
    )


def _who(scope: Scope) -> User | None:
    principal = scope.principal
    if principal is None or principal.role not in (Role.MANAGER, Role.ADMIN):
        return None
    return load_user(scope.session, principal)


def _name(code: str, hall: HallConfig) -> str:
    category = hall.category_by_code.get(code)
    return category.name if category else code


def _local(at: datetime, hall: HallConfig) -> str:
    return f"{at.astimezone(hall.tz):%H:%M}"
