"""市域通办 figures per hall, worked out by hand over the 2026 Mid-autumn and National Day
holidays (09-25…09-27 and 10-01…10-07 off, Saturday 10-10 a make-up workday)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.cross_region import (
    CaseHalls,
    CrossRegionStatus,
    CrossRegionStep,
    due_at,
)
from queue_server.domain.stats.cross_region import (
    TIMED_STEPS,
    CaseRecord,
    CrossRegionFigures,
    HallCalendar,
    StepRecord,
    Timeliness,
    cross_region_figures,
)
from queue_server.domain.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()
HALLS = [
    HallCalendar("east", TZ, CALENDAR.is_workday),
    HallCalendar("west", TZ, CALENDAR.is_workday),
]
START, END = date(2026, 9, 28), date(2026, 10, 16)
NOW = datetime(2026, 10, 19, 10, 0, tzinfo=TZ)
S = CrossRegionStep
ST = CrossRegionStatus
EAST_FOR_WEST = CaseHalls(receiving="east", owner="west", delivering="east")
WEST_FOR_EAST_BY_MAIL = CaseHalls(receiving="west", owner="east", delivering="east")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def due(start: datetime, days: int) -> datetime:
    value = due_at(start=start, days=days, tz=TZ, is_workday=CALENDAR.is_workday)
    assert value is not None
    return value


def end_of(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 23, 59, 59, 999999, tzinfo=TZ)


def step(
    case_id: int, kind: CrossRegionStep, hall: str, due_at: datetime | None, done: datetime | None
) -> StepRecord:
    return StepRecord(case_id=case_id, step=kind, hall=hall, due_at=due_at, done_at=done)


# Case 1, east for west, picked up at east: opened Wednesday 09-30, the eve of National Day.
#   forward (east)  due 1 working day after 09-30 = 10-08; done 09-30 16:00   on time
#   accept  (west)  due 1 after 09-30 = 10-08;             done 10-08 09:00   on time
#   decide  (west)  due 5 after 10-08 = 10-09, 10-10 (Sat, worked), 10-12, 10-13, 10-14;
#                   done 10-09 11:00                                         on time
#   deliver (east)  due 1 after 10-09 = 10-10, the make-up Saturday; done 10-12 09:30: late
#   received → delivered: 10-08, 10-09, 10-10, 10-12 = 4 working days (8 on weekdays alone)
# Case 2, west for east, mailed by east: opened Friday 10-09 15:00.
#   forward (west)  due 1 after 10-09 = 10-10 (Sat); done Monday 10-12 08:00: late
#   return  (east)  due 1 after 10-12 = 10-13;              done 10-13 17:00   on time
#   resubmit (west) no due time (the applicant corrects);   done 10-15
#   accept  (east)  due 1 after 10-15 = 10-16; still open on 10-19:           late
# Case 3, east for west, opened Thursday 09-24 (before the period), Mid-autumn Friday off.
#   forward (east)  done 09-24: before the period, not counted
#   accept  (west)  due 1 after 09-24 = 09-28 (Monday);     done 09-28 10:00   on time
#   decide  (west)  due 5 after 09-28 = 09-29, 09-30, 10-08, 10-09, 10-10; still open: late
CASES = [
    CaseRecord(1, EAST_FOR_WEST, at(9, 30, 10), ST.DELIVERED, at(10, 12, 9, 30)),
    CaseRecord(2, WEST_FOR_EAST_BY_MAIL, at(10, 9, 15), ST.FORWARDED, None),
    CaseRecord(3, EAST_FOR_WEST, at(9, 24, 10), ST.ACCEPTED, None),
]
STEPS = [
    step(1, S.RECEIVE, "east", None, at(9, 30, 10)),
    step(1, S.FORWARD, "east", due(at(9, 30, 10), 1), at(9, 30, 16)),
    step(1, S.ACCEPT, "west", due(at(9, 30, 16), 1), at(10, 8, 9)),
    step(1, S.DECIDE, "west", due(at(10, 8, 9), 5), at(10, 9, 11)),
    step(1, S.DELIVER, "east", due(at(10, 9, 11), 1), at(10, 12, 9, 30)),
    step(2, S.RECEIVE, "west", None, at(10, 9, 15)),
    step(2, S.FORWARD, "west", due(at(10, 9, 15), 1), at(10, 12, 8)),
    step(2, S.RETURN, "east", due(at(10, 12, 8), 1), at(10, 13, 17)),
    step(2, S.RESUBMIT, "west", None, at(10, 15, 9)),
    step(2, S.ACCEPT, "east", due(at(10, 15, 9), 1), None),
    step(3, S.RECEIVE, "east", None, at(9, 24, 10)),
    step(3, S.FORWARD, "east", due(at(9, 24, 10), 1), at(9, 24, 11)),
    step(3, S.ACCEPT, "west", due(at(9, 24, 11), 1), at(9, 28, 10)),
    step(3, S.DECIDE, "west", due(at(9, 28, 10), 5), None),
]


def figures(
    cases: list[CaseRecord] = CASES,
    steps: list[StepRecord] = STEPS,
    *,
    start: date = START,
    end: date = END,
    now: datetime = NOW,
) -> tuple[dict[str, CrossRegionFigures], CrossRegionFigures]:
    rows, total = cross_region_figures(
        cases=cases, steps=steps, halls=HALLS, start=start, end=end, now=now
    )
    return {row.key: row for row in rows}, total


def shares(row: CrossRegionFigures) -> dict[CrossRegionStep, tuple[int, int]]:
    return {kind: (row.steps[kind].on_time, row.steps[kind].counted) for kind in TIMED_STEPS}


def states(**counts: int) -> dict[CrossRegionStatus, int]:
    return {status: counts.get(status.value, 0) for status in CrossRegionStatus}


def test_the_due_dates_of_the_worked_example() -> None:
    """The clocks the example relies on, so a reader can check the table above."""
    assert due(at(9, 30, 10), 1) == end_of(10, 8)
    assert due(at(10, 8, 9), 5) == end_of(10, 14)
    assert due(at(10, 9, 11), 1) == end_of(10, 10)
    assert due(at(10, 15, 9), 1) == end_of(10, 16)
    assert due(at(9, 24, 11), 1) == end_of(9, 28)
    assert due(at(9, 28, 10), 5) == end_of(10, 10)


def test_a_hand_worked_period_across_national_day() -> None:
    rows, total = figures()
    assert list(rows) == ["east", "west"]
    east, west = rows["east"], rows["west"]

    assert (east.received_for_others, east.decided_for_others) == (1, 0)
    assert (west.received_for_others, west.decided_for_others) == (1, 1)
    assert (total.received_for_others, total.decided_for_others) == (2, 1)

    both = states(delivered=1, forwarded=1)
    assert east.by_state == west.by_state == total.by_state == both

    assert shares(east) == {
        S.FORWARD: (1, 1),
        S.ACCEPT: (0, 1),
        S.RETURN: (1, 1),
        S.DECIDE: (0, 0),
        S.DELIVER: (0, 1),
    }
    assert shares(west) == {
        S.FORWARD: (0, 1),
        S.ACCEPT: (2, 2),
        S.RETURN: (0, 0),
        S.DECIDE: (1, 2),
        S.DELIVER: (0, 0),
    }
    assert shares(total) == {
        S.FORWARD: (1, 2),
        S.ACCEPT: (2, 3),
        S.RETURN: (1, 1),
        S.DECIDE: (1, 2),
        S.DELIVER: (0, 1),
    }
    assert (east.on_time.on_time, east.on_time.counted, east.on_time.share) == (2, 4, 0.5)
    assert (west.on_time.on_time, west.on_time.late, west.on_time.share) == (3, 2, 0.6)
    assert total.on_time.share == 0.5556
    assert west.steps[S.DECIDE].share == 0.5
    assert east.steps[S.DECIDE].share is None

    assert (east.delivered, east.working_days_mean) == (1, 4.0)
    assert (west.delivered, west.working_days_mean) == (0, None)
    assert (total.delivered, total.working_days_mean) == (1, 4.0)


def test_weekdays_alone_would_get_the_example_wrong() -> None:
    """The same period on a Monday–Friday calendar: the make-up Saturday is not worked, so
    the result is 8 working days after receipt instead of 4."""
    weekdays = [HallCalendar(hall.code, TZ, lambda day: day.weekday() < 5) for hall in HALLS]
    rows, total = cross_region_figures(
        cases=CASES, steps=STEPS, halls=weekdays, start=START, end=END, now=NOW
    )
    assert rows[0].delivery_working_days == [8]
    assert total.working_days_mean == 8.0


def test_days_are_the_halls_local_dates() -> None:
    """A step done at 01:00 Beijing time on 10-17 is after a period ending 10-16, though it is
    still 10-16 in UTC; one done at 23:59 on 10-16 is inside."""
    late_night = at(10, 16, 23, 59)
    after_midnight = at(10, 17, 1)
    assert after_midnight.astimezone(ZoneInfo("UTC")).date() == date(2026, 10, 16)
    extra = [
        step(1, S.FORWARD, "east", end_of(10, 16), late_night),
        step(1, S.FORWARD, "east", end_of(10, 16), after_midnight),
    ]
    rows, _ = figures(steps=STEPS + extra)
    assert rows["east"].steps[S.FORWARD] == Timeliness(counted=2, on_time=2)


def test_open_steps_count_as_late_only_once_overdue_and_due_in_the_period() -> None:
    """Before the accept of case 2 is due (10-16 ends), it is not counted; an overdue step
    due before the period is not this period's."""
    rows, _ = figures(now=at(10, 16, 18))
    assert rows["east"].steps[S.ACCEPT] == Timeliness(counted=0, on_time=0)
    rows, _ = figures(start=date(2026, 10, 11))
    assert rows["west"].steps[S.DECIDE] == Timeliness(counted=0, on_time=0)
    assert rows["west"].steps[S.FORWARD] == Timeliness(counted=1, on_time=0)


def test_a_period_of_one_day_and_a_quiet_period() -> None:
    rows, total = figures(start=date(2026, 10, 9), end=date(2026, 10, 9))
    assert (rows["west"].received_for_others, rows["west"].decided_for_others) == (1, 1)
    assert rows["east"].received_for_others == 0
    assert rows["east"].by_state == states(forwarded=1)
    assert total.delivered == 0
    rows, total = figures(start=date(2026, 11, 2), end=date(2026, 11, 6))
    for figure in (*rows.values(), total):
        assert figure.received_for_others == figure.decided_for_others == 0
        assert figure.by_state == states()
        assert figure.on_time == Timeliness()
        assert figure.working_days_mean is None


def test_cases_of_halls_outside_the_list_are_left_out() -> None:
    north = CaseHalls(receiving="east", owner="north", delivering="east")
    elsewhere = CaseRecord(9, north, at(10, 9, 9), ST.RECEIVED, None)
    stray = step(9, S.FORWARD, "east", end_of(10, 10), at(10, 9, 10))
    rows, total = figures(cases=[*CASES, elsewhere], steps=[*STEPS, stray])
    assert (rows["east"].received_for_others, total.received_for_others) == (1, 2)
    assert rows["east"].steps[S.FORWARD] == Timeliness(counted=1, on_time=1)


def test_a_due_time_is_kept_to_the_microsecond() -> None:
    deadline = end_of(10, 14)
    on_time = step(1, S.DECIDE, "west", deadline, deadline)
    late = step(1, S.DECIDE, "west", deadline, deadline + timedelta(microseconds=1))
    rows, _ = figures(steps=[on_time, late])
    assert rows["west"].steps[S.DECIDE] == Timeliness(counted=2, on_time=1)
