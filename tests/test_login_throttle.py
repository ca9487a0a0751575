"""Password guessing is slowed: five failures for one name lock it for five minutes."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from queue_server.throttle import LoginThrottle, TooManyAttempts
from tests.support import PASSWORD, LiveServer


def attempt(server: LiveServer, name: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/api/auth/login", json={"username": name, "password": password}
    )


def test_five_failures_lock_the_name_but_not_others(server: LiveServer) -> None:
    target, bystander = server.accounts.clerks[:2]
    for _ in range(5):
        assert attempt(server, target, "guess-123").status_code == 403
    locked = attempt(server, target, PASSWORD)
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "登录失败次数过多，请5分钟后再试",
        "code": "too_many_attempts",
    }
    assert attempt(server, bystander, PASSWORD).status_code == 200


def test_the_lock_lifts_after_the_window_and_success_resets() -> None:
    throttle = LoginThrottle(limit=3, window=timedelta(minutes=5))
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for second in range(3):
        throttle.failed("wangfang", start + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts, match="请5分钟后再试"):
        throttle.check("wangfang", start + timedelta(seconds=3))
    with pytest.raises(TooManyAttempts, match="请1分钟后再试"):
        throttle.check("wangfang", start + timedelta(minutes=4, seconds=30))
    throttle.check("wangfang", start + timedelta(minutes=5))
    throttle.failed("lifang", start)
    throttle.failed("lifang", start)
    throttle.succeeded("lifang")
    throttle.failed("lifang", start)
    throttle.failed("lifang", start)
    throttle.check("lifang", start)


def test_many_names_cannot_grow_memory_without_bound() -> None:
    throttle = LoginThrottle(limit=2, window=timedelta(minutes=5), max_names=100)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for index in range(1000):
        throttle.failed(f"name{index}", now)
    assert throttle.tracked_names <= 100
