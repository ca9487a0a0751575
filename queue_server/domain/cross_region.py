"""市域通办: a matter accepted in one hall of the city for the hall that owns it.

The offline 专窗 steps of seed 004 (申请、代收、流转、办理、送达) as a state machine, which hall
takes each step, and when each step is due in working days (the Inner Mongolia figures of
内政办发〔2023〕39号 as defaults). Everything here is pure: the service layer loads the case,
asks these functions, and writes what they answer.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from queue_server.domain.errors import IllegalTransition, InvalidInput
from queue_server.domain.workdays import add_working_days


class CrossRegionMode(StrEnum):
    REMOTE_ACCEPT = "remote_accept"
    """异地代收、属地受理: the receiving hall takes the materials, the owner accepts and decides."""
    REMOTE_HANDLE = "remote_handle"
    """异地受理、属地办理: the receiving hall accepts against the city-wide review points."""


class Delivery(StrEnum):
    PICKUP = "pickup"
    MAIL = "mail"


class ForwardChannel(StrEnum):
    ELECTRONIC = "electronic"
    MAIL = "mail"


class Decision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class CrossRegionStatus(StrEnum):
    RECEIVED = "received"
    FORWARDED = "forwarded"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    DECIDED = "decided"
    DELIVERED = "delivered"


class CrossRegionStep(StrEnum):
    RECEIVE = "receive"
    """收件: done when the case is opened."""
    FORWARD = "forward"
    ACCEPT = "accept"
    RETURN = "return"
    RESUBMIT = "resubmit"
    DECIDE = "decide"
    DELIVER = "deliver"


class HallRole(StrEnum):
    RECEIVING = "receiving"
    OWNING = "owning"
    DELIVERING = "delivering"


MODE_LABELS: Final[dict[CrossRegionMode, str]] = {
    CrossRegionMode.REMOTE_ACCEPT: "异地代收、属地受理",
    CrossRegionMode.REMOTE_HANDLE: "异地受理、属地办理",
}
DELIVERY_LABELS: Final[dict[Delivery, str]] = {
    Delivery.PICKUP: "窗口领取",
    Delivery.MAIL: "邮寄送达",
}
STEP_LABELS: Final[dict[CrossRegionStep, str]] = {
    CrossRegionStep.RECEIVE: "收件",
    CrossRegionStep.FORWARD: "转递",
    CrossRegionStep.ACCEPT: "受理",
    CrossRegionStep.RETURN: "补正告知",
    CrossRegionStep.RESUBMIT: "补正转递",
    CrossRegionStep.DECIDE: "办结",
    CrossRegionStep.DELIVER: "送达",
}
_S = CrossRegionStatus
_P = CrossRegionStep


def status_label(status: CrossRegionStatus, delivery: Delivery) -> str:
    """The applicant's plain words for the case's state."""
    if status is _S.DELIVERED:
        return "已出件" if delivery is Delivery.PICKUP else "已送达"
    return {
        _S.RECEIVED: "已收件",
        _S.FORWARDED: "已转递",
        _S.ACCEPTED: "已受理",
        _S.RETURNED: "需补正",
        _S.DECIDED: "已办结",
    }[status]


STEP_ROLES: Final[dict[CrossRegionStep, HallRole]] = {
    _P.RECEIVE: HallRole.RECEIVING,
    _P.FORWARD: HallRole.RECEIVING,
    _P.RESUBMIT: HallRole.RECEIVING,
    _P.ACCEPT: HallRole.OWNING,
    _P.RETURN: HallRole.OWNING,
    _P.DECIDE: HallRole.OWNING,
    _P.DELIVER: HallRole.DELIVERING,
}

_TRANSITIONS: Final[dict[CrossRegionStep, tuple[CrossRegionStatus, CrossRegionStatus]]] = {
    _P.FORWARD: (_S.RECEIVED, _S.FORWARDED),
    _P.ACCEPT: (_S.FORWARDED, _S.ACCEPTED),
    _P.RETURN: (_S.FORWARDED, _S.RETURNED),
    _P.RESUBMIT: (_S.RETURNED, _S.FORWARDED),
    _P.DECIDE: (_S.ACCEPTED, _S.DECIDED),
    _P.DELIVER: (_S.DECIDED, _S.DELIVERED),
}
_WAITING_FOR: Final[dict[CrossRegionStatus, str]] = {
    _S.RECEIVED: "等待收件窗口转递",
    _S.FORWARDED: "等待属地大厅受理或补正告知",
    _S.ACCEPTED: "等待属地大厅办结",
    _S.RETURNED: "等待申请人补正后再次转递",
    _S.DECIDED: "等待送达",
    _S.DELIVERED: "已送达，流程结束",
}


@dataclass(frozen=True, slots=True)
class CaseHalls:
    receiving: str
    owner: str
    delivering: str
    """The pickup hall for `pickup`, the owning hall (which mails it) for `mail`."""

    def of(self, role: HallRole) -> str:
        return {
            HallRole.RECEIVING: self.receiving,
            HallRole.OWNING: self.owner,
            HallRole.DELIVERING: self.delivering,
        }[role]

    def roles(self, hall: str) -> frozenset[HallRole]:
        return frozenset(role for role in HallRole if self.of(role) == hall)

    @property
    def involved(self) -> tuple[str, ...]:
        """Every hall the case concerns, each once, receiving hall first."""
        return tuple(dict.fromkeys((self.receiving, self.owner, self.delivering)))


def delivering_hall(*, delivery: Delivery, pickup_hall: str | None, owner: str) -> str:
    if delivery is Delivery.PICKUP:
        if pickup_hall is None:
            raise ValueError("a pickup needs its hall")
        return pickup_hall
    return owner


def step_hall(step: CrossRegionStep, halls: CaseHalls) -> str:
    return halls.of(STEP_ROLES[step])


def transition(
    *, status: CrossRegionStatus, step: CrossRegionStep, returned_before: bool
) -> CrossRegionStatus:
    """The status `step` leads to, or IllegalTransition saying why not. 补正 is told once and
    complete (一次告知): a case goes back to the receiving hall at most once."""
    rule = _TRANSITIONS.get(step)
    if rule is None:
        raise IllegalTransition(f"“{STEP_LABELS[step]}”在立案时已完成")
    if status is not rule[0]:
        raise IllegalTransition(
            f"案件当前为“{status_label(status, Delivery.PICKUP)}”，不能{STEP_LABELS[step]}："
            f"{_WAITING_FOR[status]}"
        )
    if step is _P.RETURN and returned_before:
        raise IllegalTransition("补正材料须一次性告知，本案已告知过一次，请受理或办结")
    return rule[1]


def allowed_steps(
    *, status: CrossRegionStatus, returned_before: bool, roles: frozenset[HallRole]
) -> list[CrossRegionStep]:
    """The steps a hall with these roles in the case may take now (what a console offers)."""
    return [
        step
        for step, (before, _) in _TRANSITIONS.items()
        if before is status
        and STEP_ROLES[step] in roles
        and not (step is _P.RETURN and returned_before)
    ]


def next_step(status: CrossRegionStatus) -> CrossRegionStep | None:
    """The step the case waits for (the owner's re-check is `accept`, `return` its other
    outcome); None once delivered."""
    return {
        _S.RECEIVED: _P.FORWARD,
        _S.FORWARDED: _P.ACCEPT,
        _S.ACCEPTED: _P.DECIDE,
        _S.RETURNED: _P.RESUBMIT,
        _S.DECIDED: _P.DELIVER,
        _S.DELIVERED: None,
    }[status]


@dataclass(frozen=True, slots=True)
class Deadlines:
    """Working days each step may take, counted from the step before it."""

    forward: int = 1
    """The receiving window checks the materials and forwards them electronically."""
    forward_originals: int = 2
    """…or mails the paper originals, for matters whose originals must travel."""
    recheck: int = 1
    """The owning hall re-checks and accepts, or tells what to correct (补正)."""
    decide: int = 5
    """The owning hall decides; an assumption where the matter names no 承诺时限."""
    deliver: int = 1
    """The result is handed over or mailed after the decision."""


def working_days_for(
    step: CrossRegionStep,
    deadlines: Deadlines,
    *,
    originals_by_mail: bool,
    decide_days: int | None = None,
) -> int | None:
    """None: the clock is stopped (补正 waits for the applicant, not for a hall)."""
    if step is _P.FORWARD:
        return deadlines.forward_originals if originals_by_mail else deadlines.forward
    if step is _P.ACCEPT:
        return deadlines.recheck
    if step is _P.DECIDE:
        return deadlines.decide if decide_days is None else decide_days
    if step is _P.DELIVER:
        return deadlines.deliver
    return None


def due_at(
    *, start: datetime, days: int | None, tz: tzinfo, is_workday: Callable[[date], bool]
) -> datetime | None:
    """The end of the working day `days` working days after `start` (in the hall's zone)."""
    if days is None:
        return None
    day = add_working_days(start.astimezone(tz).date(), days, is_workday=is_workday)
    return datetime.combine(day + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)


def is_overdue(*, due: datetime | None, done: datetime | None, now: datetime) -> bool:
    return due is not None and done is None and now > due


@dataclass(frozen=True, slots=True)
class MatterRules:
    """What a matter of the catalog allows across the city."""

    matter: str
    modes: frozenset[CrossRegionMode]
    deciding_halls: frozenset[str] | None
    """None: every hall of the city may own it."""
    originals_by_mail: bool
    decide_days: int | None = None
    """The matter's own 承诺时限 in working days; None: the city's default."""


@dataclass(frozen=True, slots=True)
class Opening:
    matter: MatterRules
    receiving: str
    owner: str
    mode: CrossRegionMode
    delivery: Delivery
    pickup_hall: str | None
    mail_address: str | None


def check_opening(opening: Opening, *, city_halls: frozenset[str]) -> CaseHalls:
    """The case's halls, or InvalidInput saying in Chinese what is wrong."""
    rules = opening.matter
    if opening.owner not in city_halls:
        raise InvalidInput(f"本市没有编号为{opening.owner}的大厅")
    if not rules.modes:
        raise InvalidInput(f"“{rules.matter}”须在属地大厅办理，不支持市域通办")
    if opening.owner == opening.receiving:
        raise InvalidInput("属地大厅就是本大厅：请按本厅业务办理，无需市域通办")
    if rules.deciding_halls is not None and opening.owner not in rules.deciding_halls:
        raise InvalidInput(f"“{rules.matter}”不由{opening.owner}大厅办理")
    if opening.mode not in rules.modes:
        allowed = "、".join(MODE_LABELS[m] for m in sorted(rules.modes))
        raise InvalidInput(f"“{rules.matter}”只支持：{allowed}")
    if opening.delivery is Delivery.PICKUP:
        if opening.mail_address:
            raise InvalidInput("选择窗口领取时不需要邮寄地址")
        pickup = opening.pickup_hall or opening.receiving
        if pickup not in city_halls:
            raise InvalidInput(f"本市没有编号为{pickup}的大厅")
    else:
        if opening.pickup_hall is not None:
            raise InvalidInput("选择邮寄送达时不需要领取大厅")
        if not opening.mail_address or not opening.mail_address.strip():
            raise InvalidInput("选择邮寄送达时须填写邮寄地址")
        pickup = None
    return CaseHalls(
        receiving=opening.receiving,
        owner=opening.owner,
        delivering=delivering_hall(
            delivery=opening.delivery, pickup_hall=pickup, owner=opening.owner
        ),
    )


def check_forward(
    *, channel: ForwardChannel, tracking_no: str | None, originals_by_mail: bool
) -> None:
    if originals_by_mail and channel is not ForwardChannel.MAIL:
        raise InvalidInput("该事项须邮寄纸质原件：请选择邮寄转递并填写运单号")
    if channel is ForwardChannel.MAIL and not tracking_no:
        raise InvalidInput("邮寄转递须填写运单号")


def check_decision(*, result: Decision, reason: str | None) -> None:
    if result is Decision.REJECTED and not (reason and reason.strip()):
        raise InvalidInput("不予办理须写明原因和依据")


def check_delivery(*, delivery: Delivery, channel: Delivery, tracking_no: str | None) -> None:
    if channel is not delivery:
        raise InvalidInput(
            f"申请人选择的是{DELIVERY_LABELS[delivery]}，不能按{DELIVERY_LABELS[channel]}送达"
        )
    if channel is Delivery.MAIL and not tracking_no:
        raise InvalidInput("邮寄送达须填写运单号")


@dataclass(frozen=True, slots=True)
class OpenStep:
    """A step a case waits for, with the case's halls: what the overdue check looks at."""

    step_id: int
    code: str
    matter_name: str
    step: CrossRegionStep
    hall: str
    """The hall that must take the step."""
    due: datetime | None
    halls: CaseHalls


def overdue_steps(
    hall: str, *, steps: Iterable[OpenStep], raised: Collection[int], now: datetime
) -> list[OpenStep]:
    """The open steps past due that `hall` is involved in and has not been alerted of yet:
    every hall of a case hears of its overdue step once, on its own stream."""
    return [
        step
        for step in steps
        if hall in step.halls.involved
        and step.step_id not in raised
        and is_overdue(due=step.due, done=None, now=now)
    ]


def hours_past(due: datetime, now: datetime) -> float:
    return max(0.0, (now - due).total_seconds() / 3600)


CASE_CODE_PREFIX: Final = "TB"
"""通办: the receipt's case code is this, the receiving day and a daily sequence number."""


def case_code_prefix(day: date) -> str:
    return f"{CASE_CODE_PREFIX}{day:%Y%m%d}"


def case_code(day: date, sequence: int) -> str:
    """`TB20261207001`: three digits, four once a day passes 999 cases."""
    return f"{case_code_prefix(day)}{sequence:03d}"


def next_sequence(codes: Iterable[str], *, day: date) -> int:
    """The sequence number after the highest of that day's codes (1 for the day's first)."""
    prefix = case_code_prefix(day)
    numbers = [int(code[len(prefix) :]) for code in codes if code.startswith(prefix)]
    return max(numbers, default=0) + 1


def wrong_hall_reason(step: CrossRegionStep, halls: CaseHalls, *, acting: str) -> str | None:
    """Why `acting` may not take `step` (it is another hall's), or None when it may."""
    owner = step_hall(step, halls)
    if owner == acting:
        return None
    return (
        f"“{STEP_LABELS[step]}”由{ROLE_LABELS[STEP_ROLES[step]]}（{owner}）办理，"
        f"大厅“{acting}”不能办理"
    )


ROLE_LABELS: Final[dict[HallRole, str]] = {
    HallRole.RECEIVING: "收件大厅",
    HallRole.OWNING: "属地大厅",
    HallRole.DELIVERING: "出件大厅",
}
