"""Lookups shared by the operations, each failing with a message a clerk understands."""

from sqlmodel import Session, select

from queue_server.config import HallConfig
from queue_server.domain.enums import Role, WindowStatus
from queue_server.domain.errors import Conflict, Forbidden, NotFound
from queue_server.models import Ticket, User, WindowState
from queue_server.services.accounts import Principal


def load_ticket(session: Session, hall: HallConfig, ticket_id: int) -> Ticket:
    """The hall's ticket `ticket_id`; another hall's ticket is not found here."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.hall != hall.code:
        raise NotFound(f"没有编号为{ticket_id}的票据")
    return ticket


def load_window(session: Session, hall: HallConfig, number: int) -> WindowState:
    state = (
        session.get(WindowState, (hall.code, number)) if number in hall.window_by_number else None
    )
    if state is None:
        raise NotFound(f"没有{number}号窗口")
    return state


def check_evaluator_window(principal: Principal, window_no: int) -> None:
    """An evaluator tablet rates only the window its token was issued for."""
    bound = principal.window_no
    if principal.role is Role.EVALUATOR and bound is not None and bound != window_no:
        raise Forbidden(f"此评价器只能评价{bound}号窗口的服务，不能评价{window_no}号窗口")


def load_user(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Forbidden("只有工作人员账号可以操作窗口")
    return user


def window_of(session: Session, hall: HallConfig, principal: Principal) -> WindowState | None:
    """The hall's window the caller is signed in to, if any."""
    if principal.user_id is None:
        return None
    return session.exec(
        select(WindowState).where(
            WindowState.hall == hall.code, WindowState.clerk_id == principal.user_id
        )
    ).first()


def operated_window(
    session: Session, hall: HallConfig, principal: Principal, number: int
) -> WindowState:
    """The window `number`, provided the caller is the clerk signed in to it."""
    state = load_window(session, hall, number)
    if principal.role is not Role.CLERK or state.clerk_id != principal.user_id:
        raise Forbidden(f"您未在{number}号窗口签到，不能操作该窗口")
    return state


def window_holding(
    session: Session, hall: HallConfig, principal: Principal, ticket: Ticket
) -> WindowState:
    """The caller's window, provided the ticket is at it."""
    own = window_of(session, hall, principal)
    if own is None or principal.role is not Role.CLERK:
        raise Forbidden("请先签到窗口")
    if ticket.window_no != own.number or own.current_ticket_id != ticket.id:
        where = f"在{ticket.window_no}号窗口" if ticket.window_no else "未被叫到窗口"
        raise Forbidden(f"{ticket.number}号{where}，不在您的{own.number}号窗口")
    return own


def ready_to_call(state: WindowState) -> None:
    if state.status == WindowStatus.PAUSED:
        raise Conflict(f"{state.number}号窗口暂停服务中，请先恢复服务")
    if state.current_ticket_id is not None:
        raise Conflict(f"{state.number}号窗口还有未办结的号码，请先办结、过号或转移")
