"""Clerks signing in to windows, pausing and resuming them."""

from sqlmodel import Session

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, Role, WindowStatus
from queue_server.domain.errors import Conflict, Forbidden
from queue_server.models import User, WindowState
from queue_server.protocol import WindowPublic
from queue_server.services import journal
from queue_server.services.access import load_user, load_window, operated_window, window_of
from queue_server.services.scope import Scope
from queue_server.services.views import window_public


def ensure_windows(session: Session, hall: HallConfig) -> None:
    """Give every configured window a state row; windows added to the config start closed."""
    for window in hall.windows:
        if session.get(WindowState, (hall.code, window.number)) is None:
            session.add(
                WindowState(hall=hall.code, number=window.number, status=WindowStatus.CLOSED)
            )


def sign_in(scope: Scope, window_no: int) -> WindowPublic:
    session, hall, principal, now = scope.session, scope.hall, scope.caller, scope.now
    state = load_window(session, hall, window_no)
    if principal.role is not Role.CLERK:
        raise Forbidden("只有窗口工作人员可以签到窗口")
    clerk = load_user(session, principal)
    if state.clerk_id == clerk.id:
        return window_public(session, state, hall)
    if state.clerk_id is not None:
        holder = session.get(User, state.clerk_id)
        name = holder.display_name if holder else "其他工作人员"
        raise Conflict(f"{window_no}号窗口已由{name}签到")
    elsewhere = window_of(session, hall, principal)
    if elsewhere is not None:
        raise Conflict(f"您已在{elsewhere.number}号窗口签到，请先签退")
    state.clerk_id = clerk.id
    state.signed_in_at = now
    state.status = WindowStatus.OPEN
    state.pause_reason = None
    state.paused_at = None
    session.add(state)
    journal.record(scope, type=EventType.WINDOW_SIGNED_IN, window=state, clerk=clerk)
    return window_public(session, state, hall)


def sign_out(scope: Scope, window_no: int) -> WindowPublic:
    """Close the window. A ticket still at it stays there for whoever signs in next."""
    session, hall, principal = scope.session, scope.hall, scope.caller
    if principal.role is Role.ADMIN:
        state = load_window(session, hall, window_no)
        if state.clerk_id is None:
            raise Conflict(f"{window_no}号窗口未签到")
    else:
        state = operated_window(session, hall, principal, window_no)
    clerk = session.get(User, state.clerk_id) if state.clerk_id is not None else None
    state.clerk_id = None
    state.signed_in_at = None
    state.status = WindowStatus.CLOSED
    state.pause_reason = None
    state.paused_at = None
    session.add(state)
    journal.record(scope, type=EventType.WINDOW_SIGNED_OUT, window=state, clerk=clerk)
    return window_public(session, state, hall)


def pause(scope: Scope, window_no: int, reason: str) -> WindowPublic:
    session, hall, principal, now = scope.session, scope.hall, scope.caller, scope.now
    state = operated_window(session, hall, principal, window_no)
    if state.status == WindowStatus.PAUSED:
        raise Conflict(f"{window_no}号窗口已在暂停服务中")
    state.status = WindowStatus.PAUSED
    state.pause_reason = reason
    state.paused_at = now
    session.add(state)
    journal.record(
        scope,
        type=EventType.WINDOW_PAUSED,
        window=state,
        clerk=load_user(session, principal),
        reason=reason,
    )
    return window_public(session, state, hall)


def resume(scope: Scope, window_no: int) -> WindowPublic:
    session, hall, principal = scope.session, scope.hall, scope.caller
    state = operated_window(session, hall, principal, window_no)
    if state.status != WindowStatus.PAUSED:
        raise Conflict(f"{window_no}号窗口没有暂停，无需恢复")
    reason = state.pause_reason
    state.status = WindowStatus.OPEN
    state.pause_reason = None
    state.paused_at = None
    session.add(state)
    journal.record(
        scope,
        type=EventType.WINDOW_RESUMED,
        window=state,
        clerk=load_user(session, principal),
        reason=reason,
    )
    return window_public(session, state, hall)
