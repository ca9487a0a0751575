"""Which console actions apply now, and if not, the reason to show next to the key.

Ticket rules come from the server's own state machine (`queue_server.domain.states`, pure
and importable by terminals), so the console says exactly what the server would answer.
"""

from clerk_tui.state import ConsoleState
from queue_server.domain.enums import TicketAction
from queue_server.domain.errors import IllegalTransition
from queue_server.domain.states import transition
from queue_server.protocol import TicketStatus, WindowStatus

OFFLINE = "离线：与服务器的连接已断开，操作不会发送"
NO_TICKET = "当前没有号码"
CROSS_REGION_CATEGORIES = frozenset({"cross_region", "pickup"})
"""跨域通办 windows work the hall's 市域通办 cases; 出件 windows hand results over (送达)."""
NOT_CROSS_REGION = "本窗口不办理跨域通办或出件"
PICKUP_CATEGORY = "pickup"
"""出件 windows hand results over, or put them into the zone's smart locker."""
NOT_PICKUP = "只有出件窗口可以存入智能文件柜"

_TICKET_ACTIONS = {
    "recall": TicketAction.RECALL,
    "start": TicketAction.START,
    "finish": TicketAction.FINISH,
    "needs_documents": TicketAction.FINISH,
    "no_show": TicketAction.NO_SHOW,
    "transfer": TicketAction.TRANSFER,
}


def blocked_reason(action: str, state: ConsoleState) -> str | None:
    """None when `action` may be tried now, else why not (in Chinese, for the clerk)."""
    if action == "quit":
        return None
    if not state.online:
        return OFFLINE
    if state.busy is not None:
        return f"正在{state.busy}，请稍候"
    window = state.window
    if window is None:
        return "尚未签到窗口"
    current = window.current
    if action == "cross_region_cases":
        return None if serves_cross_region(state) else NOT_CROSS_REGION
    if action == "cross_region":
        return NO_TICKET if current is None else None
    if action == "locker_deposit":
        if not serves_pickup(state):
            return NOT_PICKUP
        return NO_TICKET if current is None else None
    if action in ("call_next", "call_number"):
        if window.status == WindowStatus.PAUSED:
            return "窗口暂停服务中，请先恢复服务"
        if current is not None:
            return f"{current.number}号尚未办结，请先办结、过号或转移"
        return None
    if action in _TICKET_ACTIONS:
        if current is None:
            return NO_TICKET
        try:
            transition(number=current.number, status=current.status, action=_TICKET_ACTIONS[action])
        except IllegalTransition as error:
            return error.message
        return None
    return None


def serves_cross_region(state: ConsoleState) -> bool:
    """A 跨域通办 window (category `cross_region`) or an 出件 window (`pickup`), whose
    clerks see the hall's 市域通办 cases and take its steps."""
    window = state.window
    return window is not None and not CROSS_REGION_CATEGORIES.isdisjoint(window.categories)


def serves_pickup(state: ConsoleState) -> bool:
    """An 出件 window (category `pickup`), whose clerk may deposit results in the locker."""
    window = state.window
    return window is not None and PICKUP_CATEGORY in window.categories


def offers_needs_documents(state: ConsoleState) -> bool:
    """补件 has its own key while a ticket is being served in a category whose F4 asks no
    outcome (where F4 asks, 补件 is one of its answers)."""
    current = state.current
    if current is None or current.status != TicketStatus.SERVING:
        return False
    category = state.category(current.category)
    return category is None or not category.finish_outcome_required


def pause_label(state: ConsoleState) -> str:
    """F7 pauses an open window and resumes a paused one."""
    if state.window is not None and state.window.status == WindowStatus.PAUSED:
        return "恢复服务"
    return "暂停服务"
