"""The self-service zone's figures on hand-made days: availability (完好率) exact to the
second, inspection rounds due and on time on working days, repairs, help response times."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from queue_server.domain.opening_hours import DayKind, Schedule, WeeklyHours
from queue_server.domain.self_service import RepairSource, ZoneStatus
from queue_server.domain.stats.self_service import (
    Calendar,
    DeviceRecords,
    HelpRecord,
    Period,
    RepairRecord,
    Round,
    RoundCount,
    StatusChange,
    ZoneFigures,
    available_time,
    device_figures,
    escalated,
    help_figures,
    inspection_rounds,
)

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 12, 7)
OK, FAULT, OFFLINE = ZoneStatus.OK, ZoneStatus.FAULT, ZoneStatus.OFFLINE
UNKNOWN = ZoneStatus.UNKNOWN


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, second, tzinfo=TZ)


def zone(hours: str) -> Schedule:
    return Schedule(WeeklyHours.every_day(hours), TZ, lambda _: DayKind.REGULAR)


def monday_intervals(hours: str) -> list[tuple[datetime, datetime]]:
    return list(zone(hours).open_intervals(at(7, 0), at(8, 0)))


TIMELINE = [
    # Given out of order: the function sorts.
    StatusChange(at(7, 14, 0, 45), OK),
    StatusChange(at(6, 20), OK),
    StatusChange(at(7, 2, 13, 7), OFFLINE),
    StatusChange(at(7, 5, 40), FAULT),
    StatusChange(at(7, 9, 15, 30), OK),
    StatusChange(at(7, 14), FAULT),
    StatusChange(at(7, 22, 30), OFFLINE),
]
"""A terminal's Monday: ok since Sunday evening; silent at 02:13:07, a repair case from 05:40
(offline at night), back at 09:15:30; a 45-second fault at 14:00; silent again at 22:30."""


def test_availability_over_a_day_with_closed_hours_is_exact_to_the_second() -> None:
    # The zone opens 06:00–23:00: 61,200 s. Available 09:15:30–14:00:00 (17,070 s) and
    # 14:00:45–22:30:00 (30,555 s); the night's offline stretch falls before opening.
    available = available_time(TIMELINE, monday_intervals("06:00-23:00"))
    assert available == timedelta(seconds=17_070 + 30_555)


def test_availability_all_day_counts_the_hours_before_the_night_outage() -> None:
    # 00:00–02:13:07 ok (7,987 s) on top of the day's two stretches.
    available = available_time(TIMELINE, monday_intervals("00:00-24:00"))
    assert available.total_seconds() == 7_987 + 17_070 + 30_555


def test_availability_in_a_split_day_clips_each_interval() -> None:
    # 09:00–12:00 and 13:30–17:00: ok 09:15:30–12:00 (9,870 s), 13:30–14:00 (1,800 s) and
    # 14:00:45–17:00 (10,755 s).
    available = available_time(TIMELINE, monday_intervals("09:00-12:00,13:30-17:00"))
    assert available.total_seconds() == 9_870 + 1_800 + 10_755


def test_before_the_first_record_a_device_is_unknown_and_not_available() -> None:
    first_heard = [StatusChange(at(7, 10, 0, 1), OK)]
    available = available_time(first_heard, monday_intervals("06:00-23:00"))
    assert available.total_seconds() == 13 * 3600 - 1
    assert available_time([], monday_intervals("06:00-23:00")) == timedelta()


def test_a_change_exactly_at_opening_and_unknown_states_count_as_not_available() -> None:
    timeline = [StatusChange(at(7, 6), OK), StatusChange(at(7, 7), UNKNOWN)]
    assert available_time(timeline, monday_intervals("06:00-23:00")) == timedelta(hours=1)


ROUNDS = [Round("开门前检查", time(8), time(9)), Round("闭门后检查", time(17), time(18))]
WEEKDAYS = Calendar(TZ, lambda day: day.weekday() < 5)


SINCE_LAST_WEEK = at(1, 12)
"""In service (first heard from) since Tuesday 2026-12-01."""


def test_rounds_are_due_on_working_days_and_on_time_only_within_the_round() -> None:
    counts = inspection_rounds(
        # Saturday's inspection is not due; Friday's before-opening round was done at 09:00:00,
        # its end (on time), the after-closing one at 18:00:01 (missed). Monday's
        # before-opening round on time at 08:00:00; its after-closing round has not ended at
        # 17:30 and is not counted yet.
        [at(5, 8, 30), at(4, 9), at(4, 18, 0, 1), at(7, 8, 0)],
        in_service_since=SINCE_LAST_WEEK,
        rounds=ROUNDS,
        calendar=WEEKDAYS,
        start=date(2026, 12, 4),
        end=MONDAY,
        now=at(7, 17, 30),
    )
    assert counts == {"开门前检查": RoundCount(2, 2), "闭门后检查": RoundCount(1, 0)}
    assert counts["闭门后检查"].missed == 1
    assert counts["开门前检查"].share == 1.0


def test_a_round_done_before_it_ends_counts_at_once() -> None:
    counts = inspection_rounds(
        [at(7, 17, 5)],
        in_service_since=SINCE_LAST_WEEK,
        rounds=ROUNDS,
        calendar=WEEKDAYS,
        start=MONDAY,
        end=MONDAY,
        now=at(7, 17, 30),
    )
    assert counts == {"开门前检查": RoundCount(1, 0), "闭门后检查": RoundCount(1, 1)}


def test_no_round_is_due_from_a_device_before_it_is_in_service() -> None:
    """Heard from first at 12:00 on Monday: only the after-closing round is due; never heard
    from (not installed yet): none, whatever was inspected."""

    def monday(since: datetime | None) -> dict[str, RoundCount]:
        return inspection_rounds(
            [at(7, 8, 30)],
            in_service_since=since,
            rounds=ROUNDS,
            calendar=WEEKDAYS,
            start=MONDAY,
            end=MONDAY,
            now=at(7, 20),
        )

    assert monday(at(7, 12)) == {"开门前检查": RoundCount(), "闭门后检查": RoundCount(1, 0)}
    assert monday(at(7, 18)) == {"开门前检查": RoundCount(), "闭门后检查": RoundCount(1, 0)}
    assert monday(at(7, 18, 0, 1))["闭门后检查"] == RoundCount()
    assert monday(None) == {"开门前检查": RoundCount(), "闭门后检查": RoundCount()}


PERIOD = Period(start=MONDAY, end=MONDAY, first=at(7, 0), last=at(8, 0), now=at(8, 9))
THREE_MINUTES = timedelta(minutes=3)


def test_help_requests_count_response_times_and_escalations() -> None:
    requests = [
        HelpRecord(at(7, 3), at(7, 3, 1), None),  # 60 s
        HelpRecord(at(7, 10), at(7, 10, 2, 59), None),  # 179 s: just in time
        HelpRecord(at(7, 12), at(7, 12, 3, 1), at(7, 12, 3)),  # 181 s, escalated by the watch
        HelpRecord(at(7, 23, 58), None, None),  # never answered: escalated
        HelpRecord(at(6, 23), at(7, 0, 30), None),  # Sunday's: not in the period
    ]
    figures = help_figures("main", requests, period=PERIOD, escalate_after=THREE_MINUTES)
    assert (figures.help_requests, figures.help_acknowledged, figures.help_escalated) == (4, 3, 2)
    assert figures.response.mean == round((60 + 179 + 181) / 3, 3)
    assert figures.response.p90 == 181


def test_a_late_answer_is_escalated_even_when_the_watch_did_not_run() -> None:
    late = HelpRecord(at(7, 10), at(7, 10, 3), None)
    assert escalated(late, after=THREE_MINUTES, now=at(8, 9))
    waiting = HelpRecord(at(7, 10), None, None)
    assert not escalated(waiting, after=THREE_MINUTES, now=at(7, 10, 2, 59))
    assert escalated(waiting, after=THREE_MINUTES, now=at(7, 10, 3))


def test_a_device_day_and_its_zone_add_up() -> None:
    records = DeviceRecords(
        name="ss-shebao",
        changes=TIMELINE,
        inspections=[at(7, 8, 10), at(7, 17, 20)],
        repairs=[
            RepairRecord(RepairSource.OFFLINE, at(7, 5, 40), at(7, 9, 15, 30)),
            RepairRecord(RepairSource.HEARTBEAT, at(7, 14), None),
            RepairRecord(RepairSource.STAFF, at(6, 15), at(7, 0, 30)),  # opened Sunday
        ],
        help_requests=[HelpRecord(at(7, 3), at(7, 3, 1), None)],
    )
    figures = device_figures(
        records,
        period=PERIOD,
        open_intervals=monday_intervals("06:00-23:00"),
        rounds=ROUNDS,
        calendar=WEEKDAYS,
        escalate_after=THREE_MINUTES,
    )
    assert (figures.open_seconds, figures.available_seconds) == (61_200, 47_625)
    assert figures.availability == 0.7782
    assert figures.inspections == RoundCount(2, 2)
    assert figures.faults == 2
    assert figures.faults_by_source[RepairSource.OFFLINE] == 1
    assert figures.faults_by_source[RepairSource.HEARTBEAT] == 1
    # Verified on Monday: 3 h 35 min 30 s and 9 h 30 min.
    assert figures.repair.count == 2
    assert figures.repair.mean == (12_930 + 34_200) / 2

    silent = device_figures(
        DeviceRecords(name="ss-gjj"),
        period=PERIOD,
        open_intervals=monday_intervals("06:00-23:00"),
        rounds=ROUNDS,
        calendar=WEEKDAYS,
        escalate_after=THREE_MINUTES,
    )
    assert silent.availability == 0.0
    assert silent.inspections == RoundCount()  # never heard from: not in service

    hall = ZoneFigures("main")
    hall.add(figures, with_help=False)
    hall.add(silent, with_help=False)
    assert hall.devices == 2
    assert hall.availability == round(47_625 / 122_400, 4)
    assert hall.inspections == RoundCount(2, 2)
    assert hall.help_requests == 0
    hall.add_help(figures)
    assert hall.help_acknowledged == 1
