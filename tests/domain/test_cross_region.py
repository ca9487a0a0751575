"""The 市域通办 state machine, who takes which step, and the working-day clocks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.cross_region import (
    CaseHalls,
    CrossRegionMode,
    CrossRegionStatus,
    CrossRegionStep,
    Deadlines,
    Decision,
    Delivery,
    ForwardChannel,
    HallRole,
    MatterRules,
    Opening,
    OpenStep,
    allowed_steps,
    check_decision,
    check_delivery,
    check_forward,
    check_opening,
    due_at,
    hours_past,
    is_overdue,
    next_step,
    overdue_steps,
    status_label,
    step_hall,
    transition,
    working_days_for,
)
from queue_server.domain.errors import IllegalTransition, InvalidInput
from queue_server.domain.workdays import WorkCalendar

S = CrossRegionStatus
P = CrossRegionStep
SHANGHAI = ZoneInfo("Asia/Shanghai")
HALLS = frozenset({"main", "kangbashi", "ejinhoro"})
BIRTH = MatterRules(
    matter="新生儿出生",
    modes=frozenset({CrossRegionMode.REMOTE_ACCEPT}),
    deciding_halls=None,
    originals_by_mail=True,
)


def opening(**changes: object) -> Opening:
    fields: dict[str, object] = {
        "matter": BIRTH,
        "receiving": "main",
        "owner": "kangbashi",
        "mode": CrossRegionMode.REMOTE_ACCEPT,
        "delivery": Delivery.PICKUP,
        "pickup_hall": None,
        "mail_address": None,
    }
    return Opening(**(fields | changes))  # type: ignore[arg-type]


def test_the_whole_journey_with_one_correction() -> None:
    status, returned = S.RECEIVED, False
    for step in (P.FORWARD, P.RETURN, P.RESUBMIT, P.ACCEPT, P.DECIDE, P.DELIVER):
        status = transition(status=status, step=step, returned_before=returned)
        returned = returned or step is P.RETURN
    assert status is S.DELIVERED
    assert next_step(status) is None


def test_corrections_are_told_once_and_complete() -> None:
    with pytest.raises(IllegalTransition, match="一次性告知"):
        transition(status=S.FORWARDED, step=P.RETURN, returned_before=True)
    assert allowed_steps(
        status=S.FORWARDED, returned_before=True, roles=frozenset({HallRole.OWNING})
    ) == [P.ACCEPT]


def test_a_step_out_of_order_says_what_the_case_waits_for() -> None:
    with pytest.raises(IllegalTransition, match="等待属地大厅办结"):
        transition(status=S.ACCEPTED, step=P.DELIVER, returned_before=False)
    with pytest.raises(IllegalTransition):
        transition(status=S.RECEIVED, step=P.RECEIVE, returned_before=False)


def test_each_step_belongs_to_one_hall() -> None:
    halls = CaseHalls(receiving="main", owner="kangbashi", delivering="main")
    assert step_hall(P.FORWARD, halls) == "main"
    assert step_hall(P.DECIDE, halls) == "kangbashi"
    assert step_hall(P.DELIVER, halls) == "main"
    assert halls.roles("main") == {HallRole.RECEIVING, HallRole.DELIVERING}
    assert halls.involved == ("main", "kangbashi")
    assert allowed_steps(status=S.FORWARDED, returned_before=False, roles=halls.roles("main")) == []
    assert allowed_steps(
        status=S.FORWARDED, returned_before=False, roles=halls.roles("kangbashi")
    ) == [P.ACCEPT, P.RETURN]


def test_the_applicant_reads_plain_words() -> None:
    assert status_label(S.RETURNED, Delivery.PICKUP) == "需补正"
    assert status_label(S.DELIVERED, Delivery.PICKUP) == "已出件"
    assert status_label(S.DELIVERED, Delivery.MAIL) == "已送达"


def test_opening_checks_what_the_matter_allows() -> None:
    assert check_opening(opening(), city_halls=HALLS) == CaseHalls("main", "kangbashi", "main")
    mailed = check_opening(
        opening(delivery=Delivery.MAIL, mail_address="某路1号"), city_halls=HALLS
    )
    assert mailed.delivering == "kangbashi"
    refusals = [
        (opening(owner="nowhere"), "没有编号为nowhere"),
        (opening(owner="main"), "就是本大厅"),
        (opening(mode=CrossRegionMode.REMOTE_HANDLE), "只支持：异地代收、属地受理"),
        (opening(matter=MatterRules("入学", frozenset(), None, False)), "不支持市域通办"),
        (
            opening(matter=MatterRules("x", BIRTH.modes, frozenset({"ejinhoro"}), False)),
            "不由kangbashi大厅办理",
        ),
        (opening(mail_address="某路1号"), "不需要邮寄地址"),
        (opening(delivery=Delivery.MAIL), "须填写邮寄地址"),
        (opening(pickup_hall="nowhere"), "没有编号为nowhere"),
    ]
    for bad, message in refusals:
        with pytest.raises(InvalidInput, match=message):
            check_opening(bad, city_halls=HALLS)


def test_step_inputs() -> None:
    with pytest.raises(InvalidInput, match="纸质原件"):
        check_forward(channel=ForwardChannel.ELECTRONIC, tracking_no=None, originals_by_mail=True)
    with pytest.raises(InvalidInput, match="运单号"):
        check_forward(channel=ForwardChannel.MAIL, tracking_no=None, originals_by_mail=True)
    check_forward(channel=ForwardChannel.ELECTRONIC, tracking_no=None, originals_by_mail=False)
    with pytest.raises(InvalidInput, match="原因"):
        check_decision(result=Decision.REJECTED, reason=" ")
    with pytest.raises(InvalidInput, match="窗口领取"):
        check_delivery(delivery=Delivery.PICKUP, channel=Delivery.MAIL, tracking_no="SF1")


def test_clocks_count_working_days_across_a_holiday_and_a_make_up_day() -> None:
    calendar = WorkCalendar()
    deadlines = Deadlines()

    def due(start: datetime, step: CrossRegionStep, *, originals: bool = False) -> datetime:
        days = working_days_for(step, deadlines, originals_by_mail=originals)
        answer = due_at(start=start, days=days, tz=SHANGHAI, is_workday=calendar.is_workday)
        assert answer is not None
        return answer

    # National Day 2025: 10-01…10-08 off; Sunday 09-28 and Saturday 10-11 are make-up days.
    tuesday = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)
    forward = due(tuesday, P.FORWARD)
    assert forward == datetime(2025, 10, 9, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert due(tuesday, P.FORWARD, originals=True).date() == date(2025, 10, 10)
    friday = datetime(2025, 9, 26, 2, 0, tzinfo=UTC)
    assert due(friday, P.ACCEPT).date() == date(2025, 9, 28)
    assert due(friday, P.DECIDE).date() == date(2025, 10, 10)
    assert working_days_for(P.RESUBMIT, deadlines, originals_by_mail=False) is None
    assert working_days_for(P.DECIDE, deadlines, originals_by_mail=False, decide_days=20) == 20

    assert not is_overdue(due=forward, done=None, now=forward)
    assert is_overdue(due=forward, done=None, now=forward + timedelta(microseconds=1))
    assert not is_overdue(due=forward, done=tuesday, now=forward + timedelta(days=3))
    assert not is_overdue(due=None, done=None, now=forward)


def test_every_hall_of_a_case_hears_of_an_overdue_step_once() -> None:
    due = datetime(2025, 10, 9, 15, 59, 59, tzinfo=UTC)
    halls = CaseHalls(receiving="main", owner="kangbashi", delivering="main")
    waiting = OpenStep(1, "TB1", "新生儿出生", P.FORWARD, "main", due, halls)
    elsewhere = OpenStep(
        2, "TB2", "退休", P.ACCEPT, "ejinhoro", due, CaseHalls("ejinhoro", "ejinhoro", "ejinhoro")
    )
    stopped = OpenStep(3, "TB3", "退休", P.RESUBMIT, "main", None, halls)
    later = due + timedelta(hours=1)
    steps = [waiting, elsewhere, stopped]
    assert overdue_steps("main", steps=steps, raised=(), now=due) == []
    assert overdue_steps("main", steps=steps, raised=(), now=later) == [waiting]
    assert overdue_steps("kangbashi", steps=steps, raised=(), now=later) == [waiting]
    assert overdue_steps("main", steps=steps, raised={1}, now=later) == []
    assert hours_past(due, later) == 1.0
