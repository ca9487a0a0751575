"""The ticket state machine: which action may follow which status, and why not otherwise."""

from typing import Final

from queue_server.domain.enums import STATUS_LABELS, TicketAction, TicketStatus
from queue_server.domain.errors import IllegalTransition

_S = TicketStatus
_A = TicketAction

TRANSITIONS: Final[dict[TicketAction, tuple[frozenset[TicketStatus], TicketStatus]]] = {
    _A.CALL: (frozenset({_S.WAITING}), _S.CALLED),
    _A.RECALL: (frozenset({_S.CALLED}), _S.CALLED),
    _A.START: (frozenset({_S.CALLED}), _S.SERVING),
    _A.FINISH: (frozenset({_S.SERVING}), _S.DONE),
    _A.NO_SHOW: (frozenset({_S.CALLED}), _S.NO_SHOW),
    _A.REQUEUE: (frozenset({_S.NO_SHOW}), _S.WAITING),
    _A.TRANSFER: (frozenset({_S.CALLED, _S.SERVING}), _S.TRANSFERRED),
    _A.CANCEL: (frozenset({_S.WAITING, _S.CALLED, _S.NO_SHOW}), _S.CANCELLED),
}

ACTION_LABELS: Final[dict[TicketAction, str]] = {
    _A.CALL: "叫号",
    _A.RECALL: "重呼",
    _A.START: "开始办理",
    _A.FINISH: "办结",
    _A.NO_SHOW: "过号",
    _A.REQUEUE: "过号重排",
    _A.TRANSFER: "转移",
    _A.CANCEL: "取消",
}

_HINTS: Final[dict[tuple[TicketAction, TicketStatus], str]] = {
    (_A.FINISH, _S.CALLED): "请先开始办理",
    (_A.START, _S.SERVING): "已在办理中",
    (_A.NO_SHOW, _S.SERVING): "已在办理中，不能过号",
    (_A.REQUEUE, _S.WAITING): "仍在等候中，无需重排",
}

TERMINAL: Final[frozenset[TicketStatus]] = frozenset({_S.DONE, _S.TRANSFERRED, _S.CANCELLED})


def transition(*, number: str, status: TicketStatus, action: TicketAction) -> TicketStatus:
    """Return the status `action` leads to, or raise IllegalTransition saying why not."""
    allowed, target = TRANSITIONS[action]
    if status in allowed:
        return target
    reason = f"{number}号当前为“{STATUS_LABELS[status]}”，不能{ACTION_LABELS[action]}"
    hint = _HINTS.get((action, status))
    if status in TERMINAL:
        hint = "该号码已结束"
    raise IllegalTransition(f"{reason}：{hint}" if hint else reason)
