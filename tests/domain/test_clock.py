"""The injectable clocks."""

from datetime import UTC, datetime, timedelta

import pytest

from queue_server.domain.clock import Clock, ManualClock, SystemClock


def test_system_clock_is_timezone_aware() -> None:
    clock: Clock = SystemClock()
    assert clock.now().tzinfo is not None


def test_manual_clock_moves_only_when_told() -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    clock = ManualClock(start)
    assert clock.now() == start
    assert clock.now() == start
    clock.advance(timedelta(seconds=90))
    assert clock.now() == start + timedelta(seconds=90)
    later = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
    clock.set(later)
    assert clock.now() == later


def test_manual_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ManualClock(datetime(2026, 3, 2, 1, 0))
    clock = ManualClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 3, 2, 2, 0))
