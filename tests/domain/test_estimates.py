"""Wait estimates."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.estimates import estimate_wait_minutes, typical_service_seconds


@pytest.mark.parametrize("recent", [[], [30.0], [30.0, 60.0]])
def test_default_until_three_samples(recent: list[float]) -> None:
    assert typical_service_seconds(recent=recent, default=480.0) == 480.0


def test_median_of_recent_samples() -> None:
    assert typical_service_seconds(recent=[300.0, 100.0, 200.0], default=480.0) == 200.0
    assert typical_service_seconds(recent=[100.0, 200.0, 300.0, 400.0], default=480.0) == 250.0


def test_median_ignores_the_odd_hour_long_case() -> None:
    assert typical_service_seconds(recent=[240.0, 300.0, 3600.0], default=480.0) == 300.0


@pytest.mark.parametrize(
    ("ahead", "windows", "seconds", "minutes"),
    [
        (0, 1, 600.0, 0),
        (1, 1, 600.0, 10),
        (3, 2, 600.0, 15),
        (1, 1, 61.0, 2),
        (1, 3, 60.0, 1),
        (5, 4, 480.0, 10),
    ],
)
def test_estimate_rounds_up_to_whole_minutes(
    ahead: int, windows: int, seconds: float, minutes: int
) -> None:
    assert (
        estimate_wait_minutes(ahead=ahead, serving_windows=windows, service_seconds=seconds)
        == minutes
    )


@pytest.mark.parametrize("windows", [0, -1])
def test_no_estimate_when_no_window_serves(windows: int) -> None:
    assert estimate_wait_minutes(ahead=4, serving_windows=windows, service_seconds=600.0) is None


def test_negative_ahead_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        estimate_wait_minutes(ahead=-1, serving_windows=1, service_seconds=600.0)


@given(
    ahead=st.integers(min_value=0, max_value=500),
    windows=st.integers(min_value=1, max_value=20),
    seconds=st.floats(min_value=1.0, max_value=7200.0),
)
def test_more_people_never_wait_less_and_more_windows_never_wait_longer(
    ahead: int, windows: int, seconds: float
) -> None:
    estimate = estimate_wait_minutes(ahead=ahead, serving_windows=windows, service_seconds=seconds)
    more_ahead = estimate_wait_minutes(
        ahead=ahead + 1, serving_windows=windows, service_seconds=seconds
    )
    more_windows = estimate_wait_minutes(
        ahead=ahead, serving_windows=windows + 1, service_seconds=seconds
    )
    assert estimate is not None and more_ahead is not None and more_windows is not None
    assert 0 <= estimate <= more_ahead
    assert more_windows <= estimate
