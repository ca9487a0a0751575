"""The zone's care as pure rules: a repair case's steps, and which inspection rounds count as
missed (inside the round, boundaries included; only devices in service; working days only)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.errors import IllegalTransition
from queue_server.domain.self_service import RepairStatus
from queue_server.domain.zone_care import MissedRound, Round, missed_rounds, repair_step

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = Round("开门前检查", time(8), time(9))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=SHANGHAI)


def test_a_repair_case_goes_open_assigned_fixed_verified() -> None:
    assert repair_step(RepairStatus.OPEN, "assign") is RepairStatus.ASSIGNED
    assert repair_step(RepairStatus.ASSIGNED, "assign") is RepairStatus.ASSIGNED
    assert repair_step(RepairStatus.OPEN, "fix") is RepairStatus.FIXED
    assert repair_step(RepairStatus.FIXED, "verify") is RepairStatus.VERIFIED
    with pytest.raises(IllegalTransition, match="维修单当前为“待派修”，不能验收"):
        repair_step(RepairStatus.OPEN, "verify")
    with pytest.raises(IllegalTransition, match="已验收"):
        repair_step(RepairStatus.VERIFIED, "assign")


def test_a_round_is_missed_by_devices_in_service_without_an_inspection_inside_it() -> None:
    def missed(now: datetime, **overrides: object) -> list[str]:
        arguments: dict[str, object] = {
            "now": now,
            "tz": SHANGHAI,
            "is_workday": True,
            "rounds": [MORNING],
            "in_service": {"a": at(7), "b": at(7), "c": at(7), "late": at(9, 1)},
            "inspected": {"a": [at(8)], "b": [at(9)], "c": [at(7, 59), at(9, 1)]},
            "raised": frozenset(),
        } | overrides
        found: list[MissedRound] = missed_rounds(**arguments)  # type: ignore[arg-type]
        return [item.device for item in found]

    assert missed(at(8, 59)) == []
    assert missed(at(9)) == ["c"]
    assert missed(at(9), raised=frozenset({("c", "开门前检查")})) == []
    assert missed(at(9), is_workday=False) == []
    assert missed_rounds(
        now=at(9, 30),
        tz=SHANGHAI,
        is_workday=True,
        rounds=[MORNING],
        in_service={"c": at(7)},
        inspected={},
        raised=frozenset(),
    ) == [MissedRound("c", at(9).date(), "开门前检查", at(9))]
