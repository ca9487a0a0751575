"""Wait estimates."""

import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.enums import WindowStatus
from queue_server.domain.estimates import (
    PAUSE_SECONDS,
    QueueAhead,
    ServiceTime,
    WaitEstimate,
    WindowLoad,
    estimate_wait,
    naive_wait_seconds,
    service_time,
)

# --- the hall's estimator ------------------------------------------------------------------

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TEN_MINUTES = ServiceTime(600.0, 0.5)


def _window(number: int, *categories: str, **kwargs: Any) -> WindowLoad:
    return WindowLoad(number=number, categories=categories, **kwargs)


def _wait(
    category: str,
    queues: dict[str, int],
    windows: list[WindowLoad],
    service: dict[str, ServiceTime] | None = None,
) -> WaitEstimate | None:
    return estimate_wait(
        category=category,
        queues={
            code: QueueAhead(count, NOW - timedelta(minutes=count))
            for code, count in queues.items()
        },
        windows=windows,
        service=service or {"a": TEN_MINUTES, "b": TEN_MINUTES},
        now=NOW,
    )


def test_service_time_falls_back_to_the_configured_one() -> None:
    assert service_time(recent=[100.0, 200.0], default_seconds=480.0) == ServiceTime(480.0)


def test_service_time_shrugs_off_an_hour_long_case() -> None:
    usual = [280.0, 300.0, 320.0, 290.0, 310.0, 300.0]
    calm = service_time(recent=usual, default_seconds=300.0)
    odd = service_time(recent=[*usual[:-1], 3600.0], default_seconds=300.0)
    assert odd.mean_seconds == pytest.approx(calm.mean_seconds, rel=0.05)
    assert statistics.fmean([*usual[:-1], 3600.0]) > 2 * calm.mean_seconds


def test_service_time_follows_the_samples() -> None:
    slow = service_time(recent=[900.0] * 20, default_seconds=300.0)
    assert 700.0 < slow.mean_seconds < 900.0


def test_nobody_ahead_and_an_idle_window_means_now() -> None:
    estimate = _wait("a", {}, [_window(1, "a")])
    assert estimate is not None
    assert (estimate.minutes, estimate.low_minutes) == (0, 0)
    assert estimate.high_minutes <= 2


def test_two_ahead_at_one_idle_window_is_two_services() -> None:
    estimate = _wait("a", {"a": 2}, [_window(1, "a")])
    assert estimate is not None
    assert estimate.seconds == pytest.approx(1200.0)
    assert estimate.low_minutes < 20 < estimate.high_minutes


def test_a_busy_window_adds_the_rest_of_its_ticket() -> None:
    fresh = _window(1, "a", busy_category="a", busy_since=NOW)
    nearly_done = _window(1, "a", busy_category="a", busy_since=NOW - timedelta(minutes=30))
    started = _wait("a", {}, [fresh])
    late = _wait("a", {}, [nearly_done])
    assert started is not None and late is not None
    assert started.seconds == pytest.approx(600.0)
    assert late.seconds < started.seconds


def test_windows_share_the_queue() -> None:
    one = _wait("a", {"a": 6}, [_window(1, "a")])
    three = _wait("a", {"a": 6}, [_window(n, "a") for n in (1, 2, 3)])
    assert one is not None and three is not None
    assert one.seconds == pytest.approx(3600.0)
    assert three.seconds == pytest.approx(1200.0)
    assert three.high_seconds - three.low_seconds < one.high_seconds - one.low_seconds


def test_a_specialist_window_helps_only_once_its_own_queue_is_empty() -> None:
    helper = _window(2, "b", "a", policy="category_order")
    busy_helper = _wait("a", {"a": 2, "b": 3}, [_window(1, "a"), helper])
    free_helper = _wait("a", {"a": 2}, [_window(1, "a"), helper])
    assert busy_helper is not None and free_helper is not None
    assert busy_helper.seconds == pytest.approx(1200.0)
    assert free_helper.seconds == pytest.approx(600.0)


def test_longest_wait_window_serves_older_tickets_of_its_other_categories_first() -> None:
    shared = _wait("a", {"b": 2}, [_window(1, "a", "b")])
    assert shared is not None
    assert shared.seconds == pytest.approx(1200.0)


def test_paused_windows_count_after_their_break_and_closed_ones_not_at_all() -> None:
    paused = _window(1, "a", status=WindowStatus.PAUSED, paused_since=NOW)
    estimate = _wait("a", {}, [paused])
    assert estimate is not None
    assert estimate.seconds == pytest.approx(PAUSE_SECONDS)
    assert _wait("a", {}, [_window(1, "a", status=WindowStatus.CLOSED)]) is None
    assert _wait("a", {}, [_window(1, "b")]) is None


def test_a_very_long_queue_is_extrapolated() -> None:
    estimate = _wait("a", {"a": 5000}, [_window(n, "a") for n in range(1, 5)])
    assert estimate is not None
    assert estimate.seconds == pytest.approx(5000 * 600 / 4, rel=0.01)


def test_naive_estimate() -> None:
    assert naive_wait_seconds(ahead=4, open_windows=2, mean_service_seconds=300.0) == 600.0
    assert naive_wait_seconds(ahead=4, open_windows=0, mean_service_seconds=300.0) is None


@given(
    ahead=st.integers(min_value=0, max_value=60),
    windows=st.integers(min_value=1, max_value=8),
    mean=st.floats(min_value=30.0, max_value=3600.0),
)
def test_the_range_brackets_the_estimate_and_more_people_never_wait_less(
    ahead: int, windows: int, mean: float
) -> None:
    service = {"a": ServiceTime(mean, 0.5), "b": ServiceTime(mean, 0.5)}
    loads = [_window(n, "a") for n in range(1, windows + 1)]
    estimate = _wait("a", {"a": ahead}, loads, service)
    more = _wait("a", {"a": ahead + 1}, loads, service)
    assert estimate is not None and more is not None
    assert estimate.low_seconds <= estimate.seconds <= estimate.high_seconds
    assert estimate.low_minutes <= estimate.minutes <= estimate.high_minutes
    assert more.seconds >= estimate.seconds
