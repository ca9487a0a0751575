"""Looking after the 24-hour zone, as pure rules: the repair case's steps and deadline, which
inspection rounds were missed, which repairs are overdue, and when silence became offline."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.errors import IllegalTransition
from queue_server.domain.self_service import REPAIR_STATUS_LABELS, RepairStatus

REPAIR_STEPS: dict[str, tuple[frozenset[RepairStatus], RepairStatus]] = {
    "assign": (frozenset({RepairStatus.OPEN, RepairStatus.ASSIGNED}), RepairStatus.ASSIGNED),
    "fix": (frozenset({RepairStatus.OPEN, RepairStatus.ASSIGNED}), RepairStatus.FIXED),
    "verify": (frozenset({RepairStatus.FIXED}), RepairStatus.VERIFIED),
}
"""Each step of a repair case: the states it may be taken from, and the state it leads to.
Assigning again hands the case to someone else; a case may be fixed before anyone is named."""

STEP_NAMES = {"assign": "派修", "fix": "修复", "verify": "验收"}


def repair_step(current: RepairStatus, step: str) -> RepairStatus:
    """The state after `step`, or IllegalTransition naming the case's state."""
    allowed, after = REPAIR_STEPS[step]
    if current not in allowed:
        raise IllegalTransition(
            f"维修单当前为“{REPAIR_STATUS_LABELS[current]}”，不能{STEP_NAMES[step]}"
        )
    return after


def repair_due(opened_at: datetime, *, repair_hours: float) -> datetime:
    return opened_at + timedelta(hours=repair_hours)


def is_overdue(*, status: RepairStatus, due_at: datetime, now: datetime) -> bool:
    return status is not RepairStatus.VERIFIED and now > due_at


def went_offline_at(last_seen_at: datetime, *, offline_after: timedelta) -> datetime:
    """The moment silence became offline: the last heartbeat plus the limit."""
    return last_seen_at + offline_after


@dataclass(frozen=True, slots=True)
class Round:
    """An inspection round on one day, in the hall's time zone."""

    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class MissedRound:
    device: str
    day: date
    round: str
    end: datetime


def missed_rounds(
    *,
    now: datetime,
    tz: ZoneInfo,
    is_workday: bool,
    rounds: Iterable[Round],
    in_service: Mapping[str, datetime],
    inspected: Mapping[str, Iterable[datetime]],
    raised: frozenset[tuple[str, str]],
) -> list[MissedRound]:
    """The rounds of today (local) that ended with no inspection of a device inside them, not
    raised yet. No round is due on a day off, nor from a device before it is in service
    (`in_service`: each device's first heartbeat; a device configured but never heard from
    is not installed yet). `inspected`: each device's inspection times today; `raised`:
    (device, round) pairs already alerted today."""
    if not is_workday:
        return []
    local = now.astimezone(tz)
    day = local.date()
    missed = []
    for round in rounds:
        start = datetime.combine(day, round.start, tz)
        end = datetime.combine(day, round.end, tz)
        if now < end:
            continue
        for device, since in in_service.items():
            if since > end or (device, round.name) in raised:
                continue
            if not any(start <= at <= end for at in inspected.get(device, ())):
                missed.append(MissedRound(device, day, round.name, end))
    return missed
