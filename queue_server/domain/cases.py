"""The case desk (办不成事反映) and follow-ups of bad reviews (回访/整改): the vocabulary, the
state machine 受理 → 分类 → 转办 → 办结 → 反馈 → 回访, deadlines and who may work a case."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from queue_server.domain.errors import IllegalTransition, InvalidInput


class CaseKind(StrEnum):
    UNRESOLVED = "unresolved"
    """办不成事反映: a matter the applicant could not get done."""
    FOLLOWUP = "followup"
    """回访/整改: opened by a bad review."""


class CaseClass(StrEnum):
    SIMPLE = "simple"
    ORDINARY = "ordinary"
    LEGALLY_IMPOSSIBLE = "legally_impossible"
    HARD = "hard"
    SPECIAL = "special"


class CaseStatus(StrEnum):
    ACCEPTED = "accepted"
    CLASSIFIED = "classified"
    ASSIGNED = "assigned"
    RESOLVED = "resolved"
    REPLIED = "replied"
    FOLLOWED_UP = "followed_up"


class CaseAction(StrEnum):
    CLASSIFY = "classify"
    ASSIGN = "assign"
    LOG = "log"
    CLOSE = "close"
    FEEDBACK = "feedback"
    FOLLOW_UP = "follow_up"


class CaseResolution(StrEnum):
    DONE = "done"
    """办成: the matter was done, or the problem fixed."""
    NOT_POSSIBLE = "not_possible"
    """不能办: a negative answer, always with its reason."""


class CaseLogKind(StrEnum):
    OPENED = "opened"
    CLASSIFIED = "classified"
    ASSIGNED = "assigned"
    NOTE = "note"
    CALLBACK = "callback"
    FIX = "fix"
    CLOSED = "closed"
    FEEDBACK = "feedback"
    FOLLOWED_UP = "followed_up"


KIND_LABELS: Final[dict[CaseKind, str]] = {
    CaseKind.UNRESOLVED: "办不成事",
    CaseKind.FOLLOWUP: "差评回访整改",
}
CLASS_LABELS: Final[dict[CaseClass, str]] = {
    CaseClass.SIMPLE: "简单类",
    CaseClass.ORDINARY: "一般类",
    CaseClass.LEGALLY_IMPOSSIBLE: "依法不能办类",
    CaseClass.HARD: "疑难复杂类",
    CaseClass.SPECIAL: "特殊类",
}
STATUS_LABELS: Final[dict[CaseStatus, str]] = {
    CaseStatus.ACCEPTED: "受理",
    CaseStatus.CLASSIFIED: "分类",
    CaseStatus.ASSIGNED: "转办",
    CaseStatus.RESOLVED: "办结",
    CaseStatus.REPLIED: "反馈",
    CaseStatus.FOLLOWED_UP: "回访",
}
ACTION_LABELS: Final[dict[CaseAction, str]] = {
    CaseAction.CLASSIFY: "分类",
    CaseAction.ASSIGN: "转办",
    CaseAction.LOG: "记录",
    CaseAction.CLOSE: "办结",
    CaseAction.FEEDBACK: "反馈",
    CaseAction.FOLLOW_UP: "回访",
}
LOG_LABELS: Final[dict[CaseLogKind, str]] = {
    CaseLogKind.OPENED: "受理",
    CaseLogKind.CLASSIFIED: "分类",
    CaseLogKind.ASSIGNED: "转办",
    CaseLogKind.NOTE: "记录",
    CaseLogKind.CALLBACK: "回访电话",
    CaseLogKind.FIX: "整改",
    CaseLogKind.CLOSED: "办结",
    CaseLogKind.FEEDBACK: "反馈",
    CaseLogKind.FOLLOWED_UP: "回访",
}
_S = CaseStatus
_A = CaseAction
OPEN: Final[frozenset[CaseStatus]] = frozenset({_S.ACCEPTED, _S.CLASSIFIED, _S.ASSIGNED})
"""Not yet 办结: these count against the due date."""

_TRANSITIONS: Final[dict[CaseKind, dict[CaseAction, tuple[frozenset[CaseStatus], CaseStatus]]]] = {
    # 转办 may be skipped when the desk settles the matter itself, never 分类.
    CaseKind.UNRESOLVED: {
        _A.CLASSIFY: (frozenset({_S.ACCEPTED, _S.CLASSIFIED}), _S.CLASSIFIED),
        _A.ASSIGN: (frozenset({_S.CLASSIFIED, _S.ASSIGNED}), _S.ASSIGNED),
        _A.CLOSE: (frozenset({_S.CLASSIFIED, _S.ASSIGNED}), _S.RESOLVED),
        _A.FEEDBACK: (frozenset({_S.RESOLVED}), _S.REPLIED),
        _A.FOLLOW_UP: (frozenset({_S.REPLIED}), _S.FOLLOWED_UP),
    },
    # A bad review needs no class: its deadline is the configured follow-up period.
    CaseKind.FOLLOWUP: {
        _A.ASSIGN: (frozenset({_S.ACCEPTED, _S.ASSIGNED}), _S.ASSIGNED),
        _A.CLOSE: (frozenset({_S.ACCEPTED, _S.ASSIGNED}), _S.RESOLVED),
        _A.FEEDBACK: (frozenset({_S.RESOLVED}), _S.REPLIED),
        _A.FOLLOW_UP: (frozenset({_S.REPLIED}), _S.FOLLOWED_UP),
    },
}

_HINTS: Final[dict[tuple[CaseAction, CaseStatus], str]] = {
    (_A.ASSIGN, _S.ACCEPTED): "请先分类",
    (_A.CLOSE, _S.ACCEPTED): "请先分类",
    (_A.FEEDBACK, _S.ACCEPTED): "请先办结",
    (_A.FEEDBACK, _S.CLASSIFIED): "请先办结",
    (_A.FEEDBACK, _S.ASSIGNED): "请先办结",
    (_A.FOLLOW_UP, _S.RESOLVED): "请先反馈办理结果",
}


def case_transition(
    *, case_id: int, kind: CaseKind, status: CaseStatus, action: CaseAction
) -> CaseStatus:
    """The status `action` leads to, or IllegalTransition saying why not."""
    if action is CaseAction.LOG:
        if status is CaseStatus.FOLLOWED_UP:
            raise IllegalTransition(f"案件{case_id}已回访完毕，不能再记录")
        return status
    rule = _TRANSITIONS[kind].get(action)
    if rule is not None and status in rule[0]:
        return rule[1]
    reason = f"案件{case_id}当前为“{STATUS_LABELS[status]}”，不能{ACTION_LABELS[action]}"
    if rule is None:
        hint = f"{KIND_LABELS[kind]}案件无需{ACTION_LABELS[action]}"
    elif status is CaseStatus.FOLLOWED_UP:
        hint = "案件已回访完毕"
    else:
        hint = _HINTS.get((action, status), "")
    raise IllegalTransition(f"{reason}：{hint}" if hint else reason)


def allowed_case_actions(kind: CaseKind, status: CaseStatus) -> frozenset[CaseAction]:
    """What a console may offer for a case now."""
    actions = {a for a, (allowed, _) in _TRANSITIONS[kind].items() if status in allowed}
    if status is not CaseStatus.FOLLOWED_UP:
        actions.add(CaseAction.LOG)
    return frozenset(actions)


def in_time(*, closed_on: date, due: date) -> bool:
    return closed_on <= due


def is_overdue(*, status: CaseStatus, due: date, today: date) -> bool:
    return status in OPEN and today > due


def check_closing(*, resolution: CaseResolution, reason: str | None) -> None:
    """A negative answer is never a silent end: it carries its reason."""
    if resolution is CaseResolution.NOT_POSSIBLE and not reason:
        raise InvalidInput("答复“不能办理”时必须写明原因和依据")


def check_follow_up(*, kind: CaseKind, level: int | None) -> None:
    """The follow-up of a bad review records the applicant's re-rating of the fix."""
    if kind is CaseKind.FOLLOWUP and level is None:
        raise InvalidInput("差评回访须记录群众对整改的再次评价（level 1-5）")


@dataclass(frozen=True, slots=True)
class CaseScope:
    """Facts about the caller that decide which cases they may see and work."""

    manager: bool
    """A manager or admin: every case."""
    user_id: int | None
    at_desk: bool
    """A clerk signed in at a window that serves the 办不成事 category."""


def may_access(
    scope: CaseScope, *, kind: CaseKind, owner_id: int | None, opened_by_id: int | None
) -> bool:
    """Managers: any case. Clerks: cases they own or opened, and at the 办不成事 desk every
    办不成事 case. Follow-ups of bad reviews stay with managers unless given to a clerk."""
    if scope.manager:
        return True
    if scope.user_id is not None and scope.user_id in (owner_id, opened_by_id):
        return True
    return scope.at_desk and kind is CaseKind.UNRESOLVED
