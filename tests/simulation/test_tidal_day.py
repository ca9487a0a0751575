"""A tiny virtual day worked by hand: overflow (跨窗通办) and one 潮汐 switch change who is
called."""

from datetime import date, datetime, timedelta

import pytest

from queue_server.config import HallConfig, parse_hall_config
from queue_server.simulation.plan import Applicant, DayPlan
from queue_server.simulation.virtual import run_day

HALL = """
[hall]
name = "小厅"

[[categories]]
code = "a"
prefix = "A"
name = "出件"
service_minutes = 2
target_wait_minutes = 8
overflow_waiting = 100

[[categories]]
code = "b"
prefix = "B"
name = "综合"
service_minutes = 10
target_wait_minutes = 60
overflow_waiting = 100

[[windows]]
number = 1
name = "出件"
zone = "大厅"
categories = ["a"]

[[windows]]
number = 2
name = "综合"
zone = "大厅"
categories = ["b"]
also_serves = ["a"]
"""


@pytest.fixture
def hall() -> HallConfig:
    return parse_hall_config(HALL, source="test")


def person(hall: HallConfig, index: int, category: str, service: float) -> Applicant:
    """Everyone arrives at 09:00 in index order and walks to the window at once."""
    return Applicant(
        index=index,
        arrives=datetime(2026, 3, 2, 9, tzinfo=hall.tz),
        category=category,
        priority=None,
        walk_seconds=0.0,
        service_seconds=service,
    )


def day(hall: HallConfig, applicants: list[Applicant]) -> DayPlan:
    opens = datetime(2026, 3, 2, 9, tzinfo=hall.tz)
    return DayPlan(date(2026, 3, 2), opens, opens + timedelta(hours=1), applicants)


def waits(hall: HallConfig, plan: DayPlan, policy: str) -> list[float]:
    return [visit.wait_seconds for visit in run_day(plan, hall, policy=policy).visits]


def test_overflow_lets_the_idle_window_help(hall: HallConfig) -> None:
    # A1 (10 min), A2 (10 min) and B1 (5 min) arrive at 09:00 in that order.
    # Without also_serves: window 1 takes A1; window 2 takes nothing until B1 arrives and
    #   takes it at once; A2 waits for window 1 until 09:10.
    #   waits A1 0, A2 600, B1 0.
    # With overflow: window 2, its own queue empty, takes A2 as overflow; B1 then waits for
    #   the first free window that serves b: window 2 at 09:10.
    #   waits A1 0, A2 0, B1 600.
    plan = day(
        hall, [person(hall, 0, "a", 600), person(hall, 1, "a", 600), person(hall, 2, "b", 300)]
    )
    assert waits(hall, plan, "no_overflow") == [0.0, 600.0, 0.0]
    assert waits(hall, plan, "overflow") == [0.0, 0.0, 600.0]


def test_a_suggestion_too_small_for_the_threshold_is_not_made(hall: HallConfig) -> None:
    # At 09:00: B0 (5 min), then A1–A6 (2 min each), then B1 (10 min).
    # Window 2 takes B0 (free at 09:05); window 1 takes A1 (free at 09:02).
    # Window 1 calls A2 at 09:02 (wait 120 s) and A3 at 09:04 (240 s).
    # Overflow alone: at 09:05 window 2 takes B1 — its own queue — since the a queue is
    #   neither past its 8-minute target (5 min) nor longer than 100 (B1 waits 300 s).
    #   Window 1 calls A4 at 09:06 (360), A5 at 09:08 (480), A6 at 09:10 (600).
    # Tidal: at 09:05 the hall is asked (a's eldest has waited past half its target). The
    #   play sees 72 a's and 24 b's an hour coming (the last five minutes' rate) and window 2
    #   still busy for the rest of a typical 10-minute ticket: switching window 2 to a saves
    #   110 s of a 2985 s mean (3.7 %), below the 10 % a suggestion needs, so nothing changes.
    plan = day(
        hall,
        [
            person(hall, 0, "b", 300),
            *(person(hall, index, "a", 120) for index in range(1, 7)),
            person(hall, 7, "b", 600),
        ],
    )
    assert waits(hall, plan, "overflow") == [0, 0, 120, 240, 360, 480, 600, 300]
    assert waits(hall, plan, "tidal") == [0, 0, 120, 240, 360, 480, 600, 300]


def test_one_tidal_switch_calls_the_piling_short_tickets_first() -> None:
    # The same hall, but 出件 (a) may wait 16 minutes: window 2 helps with it as overflow only
    # once its eldest has waited more than 16 minutes (or its own b queue is empty).
    hall = parse_hall_config(
        HALL.replace("target_wait_minutes = 8", "target_wait_minutes = 16"), source="test"
    )
    # At 09:00: B0 (11 min), B1 (10 min), then A1–A12 (2 min each).
    # Window 2 takes B0 (free at 09:11); window 1 takes A1 and then one a every 2 minutes:
    #   A2 at 09:02 … A6 at 09:10; A7–A12 still wait at 09:10.
    # No also_serves: window 2 takes B1 at 09:11 (wait 660 s); window 1 goes on alone: A7 at
    #   09:12 … A12 at 09:22 (1320 s).
    # Overflow: the same until 09:21 — at 09:11 the a queue (6 waiting, eldest 11 min) is
    #   neither past 16 minutes nor over 100, so window 2 takes its own B1. At 09:21 window 2,
    #   its own queue empty, takes A12 as overflow (1260 s) before window 1 is free at 09:22.
    # Tidal: at 09:05 nobody has waited half a target (8 min for a), so nothing is asked. At
    #   09:10 A7 has waited 10 min: the hall is asked. It has seen 72 a's and 12 b's an hour
    #   (the day's first ten minutes); played forward, switching window 2 to a for 60 minutes
    #   brings the expected mean wait from about 1882 s to 1553 s (17 %; 30 minutes only to
    #   1659 s), so window 2 is switched to a until 10:10. At 09:11 window 2 calls a first:
    #   A7 (660 s); window 1 A8 at 09:12 (720); window 2 A9 at 09:13 (780); window 1 A10 at
    #   09:14 (840); window 2 A11 at 09:15 (900); window 1 A12 at 09:16 (960); at 09:17 the a
    #   queue is empty and window 2 calls B1 (1020 s). Window 1 has no also_serves and window
    #   2 is already switched, so no other switch can be suggested later.
    # Mean waits: no also_serves 8580/14 s, overflow 8520/14 s, tidal 7680/14 s.
    plan = day(
        hall,
        [
            person(hall, 0, "b", 660),
            person(hall, 1, "b", 600),
            *(person(hall, index, "a", 120) for index in range(2, 14)),
        ],
    )
    a_before = [0, 120, 240, 360, 480, 600]
    assert waits(hall, plan, "no_overflow") == [
        0, 660, *a_before, 720, 840, 960, 1080, 1200, 1320,
    ]  # fmt: skip
    assert waits(hall, plan, "overflow") == [
        0, 660, *a_before, 720, 840, 960, 1080, 1200, 1260,
    ]  # fmt: skip
    assert waits(hall, plan, "tidal") == [
        0, 1020, *a_before, 660, 720, 780, 840, 900, 960,
    ]  # fmt: skip
