"""潮汐 suggestions: the live hall played forward, with waits worked out by hand."""

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from queue_server.domain.enums import WindowStatus
from queue_server.domain.estimates import ServiceTime, WindowLoad
from queue_server.domain.tidal import LiveHall, TidalMove, TidalSwitch
from queue_server.simulation.forward import (
    candidate_moves,
    expected_mean_wait,
    suggest_tidal,
)

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NO_RUSH = timedelta(hours=5)
"""A target nobody reaches in these plays, so overflow comes only from an empty own queue."""


def minutes_ago(*minutes: int) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def snapshot(
    *,
    waiting: Mapping[str, Sequence[datetime]],
    windows: Sequence[WindowLoad],
    service_minutes: Mapping[str, float],
    arrivals: Mapping[str, float] | None = None,
    targets: Mapping[str, timedelta] | None = None,
    limits: Mapping[str, int] | None = None,
    switches: Sequence[TidalSwitch] = (),
) -> LiveHall:
    return LiveHall(
        now=NOW,
        waiting=waiting,
        windows=windows,
        service={code: ServiceTime(m * 60) for code, m in service_minutes.items()},
        arrivals_per_hour=arrivals or {},
        target_wait=targets or {code: NO_RUSH for code in service_minutes},
        overflow_waiting=limits or {code: 100 for code in service_minutes},
        switches=switches,
    )


def test_one_window_calls_its_queue_in_order() -> None:
    # Window 1 is idle; tickets waited 5 and 3 minutes. The first is called now (wait 5 min),
    # the second after its 10 minutes (wait 3 + 10 = 13 min): mean 9 min.
    hall = snapshot(
        waiting={"a": minutes_ago(5, 3)},
        windows=[WindowLoad(1, ("a",))],
        service_minutes={"a": 10},
    )
    assert expected_mean_wait(hall) == 9 * 60


def test_newcomers_arrive_evenly_and_are_counted() -> None:
    # Two an hour over a 60-minute horizon: at +15 and +45 minutes, each called on arrival
    # by the idle window (4-minute service). Only the two count: mean 0.
    hall = snapshot(
        waiting={},
        windows=[WindowLoad(1, ("a",))],
        service_minutes={"a": 4},
        arrivals={"a": 2},
    )
    assert expected_mean_wait(hall) == 0
    # With one waiting 20 minutes now, called now: (20 + 0 + 0) / 3.
    busy = snapshot(
        waiting={"a": minutes_ago(20)},
        windows=[WindowLoad(1, ("a",))],
        service_minutes={"a": 4},
        arrivals={"a": 2},
    )
    assert expected_mean_wait(busy) == 20 * 60 / 3


def test_a_busy_window_calls_after_the_rest_of_its_ticket_and_a_closed_one_never() -> None:
    # Window 1 took an "a" ticket just now: log-normal rest of a fresh 10-minute ticket is
    # its mean, so the one waiting (0 min) is called at +10. Window 2 is closed.
    hall = snapshot(
        waiting={"a": minutes_ago(0)},
        windows=[
            WindowLoad(1, ("a",), busy_category="a", busy_since=NOW),
            WindowLoad(2, ("a",), status=WindowStatus.CLOSED),
        ],
        service_minutes={"a": 10},
    )
    assert expected_mean_wait(hall) == 10 * 60


def test_a_switch_changes_who_is_called() -> None:
    # Window 1 serves a; window 2 serves b and also_serves a. Three a's and three b's wait,
    # all since now; 10 minutes each; nobody reaches a target or the limit.
    # Without a switch: window 1 calls a at 0, 10, 20; window 2 calls b at 0, 10, 20.
    #   waits a: 0, 10, 20; b: 0, 10, 20 → mean 10 min.
    # Window 2 switched to a for 30 minutes: a first, then b.
    #   window 1: a1 at 0, a3 at 10; window 2: a2 at 0, b1 at 10 (a empty), b2 at 20, b3 at 30.
    #   waits a: 0, 0, 10; b: 10, 20, 30 → 70 / 6 min.
    waiting = {"a": minutes_ago(0, 0, 0), "b": minutes_ago(0, 0, 0)}
    windows = [WindowLoad(1, ("a",)), WindowLoad(2, ("b",), also_serves=("a",))]
    hall = snapshot(waiting=waiting, windows=windows, service_minutes={"a": 10, "b": 10})
    assert expected_mean_wait(hall) == 10 * 60
    move = TidalMove(2, "a", 30)
    assert expected_mean_wait(hall, move=move) == 70 * 60 / 6
    # The same switch already in force counts the same.
    live = snapshot(
        waiting=waiting,
        windows=windows,
        service_minutes={"a": 10, "b": 10},
        switches=[TidalSwitch(2, "a", NOW + timedelta(minutes=30))],
    )
    assert expected_mean_wait(live) == 70 * 60 / 6


def rush_hall(**kwargs: object) -> LiveHall:
    """General is past its target, so its windows do not help with the long pickup queue as
    overflow, though their clerks may serve pickup."""
    defaults: dict[str, object] = {
        "waiting": {
            "general": minutes_ago(25, 20, 15, 10, 5),
            "pickup": minutes_ago(*range(16, 0, -1)),
        },
        "windows": [
            WindowLoad(
                1, ("general",), also_serves=("pickup",), busy_category="general", busy_since=NOW
            ),
            WindowLoad(2, ("general",), also_serves=("pickup",)),
            WindowLoad(3, ("pickup",)),
        ],
        "service_minutes": {"general": 10, "pickup": 3},
        "arrivals": {"general": 6, "pickup": 15},
        "targets": {"general": timedelta(minutes=20), "pickup": timedelta(minutes=10)},
        "limits": {"general": 10, "pickup": 10},
    }
    defaults.update(kwargs)
    return snapshot(**defaults)  # type: ignore[arg-type]


def test_the_rush_gets_a_suggestion_worth_making() -> None:
    hall = rush_hall()
    suggestion = suggest_tidal(hall)
    assert suggestion is not None
    # Window 2 is free now, so switching it helps sooner than busy window 1.
    assert suggestion.move == TidalMove(2, "pickup", 60)
    assert suggestion.mean_wait_without_seconds == expected_mean_wait(hall)
    assert suggestion.mean_wait_with_seconds == expected_mean_wait(hall, move=suggestion.move)
    assert suggestion.gain_seconds >= 60
    assert suggestion.gain_seconds >= 0.1 * suggestion.mean_wait_without_seconds
    # Stable: the same snapshot, the same answer.
    assert suggest_tidal(hall) == suggestion
    assert suggest_tidal(hall, category="pickup") == suggestion
    assert suggest_tidal(hall, category="general") is None


def test_no_suggestion_when_the_gain_is_too_small() -> None:
    hall = rush_hall()
    suggestion = suggest_tidal(hall)
    assert suggestion is not None
    assert suggest_tidal(hall, min_gain_seconds=suggestion.gain_seconds + 1) is None
    assert (
        suggest_tidal(
            hall,
            min_gain_share=(suggestion.gain_seconds + 1) / suggestion.mean_wait_without_seconds,
        )
        is None
    )


def test_a_quiet_hall_gets_none() -> None:
    hall = rush_hall(
        waiting={"general": minutes_ago(1), "pickup": minutes_ago(2)},
        arrivals={"general": 2, "pickup": 4},
    )
    assert suggest_tidal(hall) is None


def test_only_open_windows_not_switched_now_are_moved() -> None:
    windows = [
        WindowLoad(1, ("general",), also_serves=("pickup",)),
        WindowLoad(2, ("general",), also_serves=("pickup",), status=WindowStatus.PAUSED),
        WindowLoad(3, ("general",), also_serves=("pickup",)),
        WindowLoad(4, ("general",), also_serves=("pickup",), status=WindowStatus.CLOSED),
        WindowLoad(5, ("pickup",), also_serves=("general",)),
    ]
    hall = rush_hall(
        windows=windows,
        switches=[
            TidalSwitch(1, "pickup", NOW + timedelta(minutes=5)),
            TidalSwitch(3, "pickup", NOW - timedelta(minutes=1)),
        ],
    )
    # 1 is switched, 2 paused and 4 closed; 3's switch has ended.
    assert candidate_moves(hall) == [
        TidalMove(3, "pickup", 30),
        TidalMove(3, "pickup", 60),
        TidalMove(5, "general", 30),
        TidalMove(5, "general", 60),
    ]


def test_fast_enough_for_every_alert() -> None:
    # Twelve windows, each helping two others, a busy morning: well under a second.
    codes = ["c0", "c1", "c2", "c3", "c4", "c5"]
    windows = [
        WindowLoad(
            n,
            (codes[n % 6],),
            also_serves=(codes[(n + 1) % 6], codes[(n + 2) % 6]),
            busy_category=codes[n % 6],
            busy_since=NOW - timedelta(minutes=n),
        )
        for n in range(12)
    ]
    hall = snapshot(
        waiting={code: minutes_ago(*range(3 * i, 0, -1)) for i, code in enumerate(codes)},
        windows=windows,
        service_minutes={code: 5 + 2 * i for i, code in enumerate(codes)},
        arrivals={code: 6 + 2 * i for i, code in enumerate(codes)},
        targets={code: timedelta(minutes=15) for code in codes},
        limits={code: 10 for code in codes},
    )
    started = time.perf_counter()
    suggest_tidal(hall)
    assert time.perf_counter() - started < 1.0
