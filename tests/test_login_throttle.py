"""Password guessing is slowed: five failures for one name (or twenty from one address) lock
it for five minutes, however many guesses arrive at once."""

import asyncio
from collections import Counter
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
    assert 240 < int(locked.headers["Retry-After"]) <= 300
    assert attempt(server, bystander, PASSWORD).status_code == 200


def test_the_lock_lifts_after_the_window_and_success_resets() -> None:
    throttle = LoginThrottle(limit=3, window=timedelta(minutes=5))
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for second in range(3):
        throttle.reserve("wangfang", "10.0.0.5", start + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts, match="请5分钟后再试") as locked:
        throttle.reserve("wangfang", "10.0.0.5", start + timedelta(seconds=3))
    assert locked.value.retry_after == 298
    with pytest.raises(TooManyAttempts, match="请1分钟后再试"):
        throttle.reserve("wangfang", "10.0.0.5", start + timedelta(minutes=4, seconds=30))
    throttle.reserve("wangfang", "10.0.0.5", start + timedelta(minutes=5))
    throttle.reserve("lifang", "10.0.0.6", start)
    attempt = throttle.reserve("lifang", "10.0.0.6", start)
    throttle.succeeded(attempt)
    throttle.reserve("lifang", "10.0.0.6", start)
    throttle.reserve("lifang", "10.0.0.6", start)
    throttle.reserve("lifang", "10.0.0.6", start)


def test_one_address_trying_many_names_is_stopped_too() -> None:
    throttle = LoginThrottle(limit=3, address_limit=10, window=timedelta(minutes=5))
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for index in range(10):
        throttle.reserve(f"name{index}", "10.0.0.99", now)
    with pytest.raises(TooManyAttempts):
        throttle.reserve("someone-else", "10.0.0.99", now)
    throttle.reserve("someone-else", "10.0.0.7", now)
    throttle.reserve("name0", "10.0.0.7", now + timedelta(minutes=5))


def test_many_names_cannot_grow_memory_without_bound() -> None:
    throttle = LoginThrottle(limit=2, window=timedelta(minutes=5), max_names=100)
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for index in range(1000):
        throttle.reserve(f"name{index}", f"10.0.{index // 250}.{index % 250}", now)
    assert throttle.tracked_names <= 100


async def _guesses(server: LiveServer, name: str, passwords: list[str]) -> list[httpx.Response]:
    """Send every password for `name` at once, as concurrent requests."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
        return list(
            await asyncio.gather(
                *(
                    client.post("/api/auth/login", json={"username": name, "password": password})
                    for password in passwords
                )
            )
        )


@pytest.mark.anyio
async def test_concurrent_guesses_get_no_more_tries_than_sequential_ones(
    server: LiveServer,
) -> None:
    target = server.accounts.clerks[0]
    replies = await _guesses(server, target, [f"guess-{n:03d}" for n in range(50)])
    statuses = Counter(reply.status_code for reply in replies)
    assert statuses[403] <= 5, statuses
    assert statuses[403] + statuses[429] == 50, statuses
    late = await _guesses(server, target, [*(f"guess-{n:03d}" for n in range(50)), PASSWORD])
    assert all(reply.status_code == 429 for reply in late), Counter(r.status_code for r in late)


@pytest.mark.anyio
async def test_the_right_password_in_a_concurrent_flood_gets_no_token(server: LiveServer) -> None:
    target = server.accounts.clerks[0]
    replies = await _guesses(server, target, [*(f"guess-{n:03d}" for n in range(60)), PASSWORD])
    assert not any(reply.status_code == 200 for reply in replies)


@pytest.mark.anyio
async def test_a_login_flood_with_random_names_does_not_stop_the_hall(server: LiveServer) -> None:
    clerk_token = server.login(server.accounts.clerks[0])
    kiosk = server.client(server.accounts.kiosk_token)
    tickets = [kiosk.post("/api/tickets", json={"category": "general"}).json() for _ in range(3)]
    headers = {"Authorization": f"Bearer {clerk_token}"}
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=60) as flood,
        httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=60) as clerk,
    ):
        assert (await clerk.post("/api/windows/2/sign-in")).status_code == 200

        async def serve_the_queue() -> list[int]:
            served = []
            for _ in tickets:
                called = await clerk.post("/api/windows/2/call-next")
                assert called.status_code == 200, called.text
                served.append(called.json()["id"])
                await clerk.post(f"/api/tickets/{served[-1]}/start")
                assert (await clerk.post(f"/api/tickets/{served[-1]}/finish")).is_success
            return served

        guesses = [
            flood.post("/api/auth/login", json={"username": f"x{n}", "password": "guess-123"})
            for n in range(60)
        ]
        served, replies = await asyncio.gather(serve_the_queue(), asyncio.gather(*guesses))
    assert served == [ticket["id"] for ticket in tickets]
    statuses = Counter(reply.status_code for reply in replies)
    assert statuses[403] <= 20, statuses
    assert statuses[403] + statuses[429] == 60, statuses
