"""The async client against a real server: calls, errors, idempotent retries, live feed."""

import asyncio
import contextlib
import gc
import subprocess
import sys
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve

from queue_server.client import (
    IDEMPOTENCY_HEADER,
    ConnectionState,
    QueueClient,
    QueueError,
    ServerUnreachable,
    Subscription,
    SubscriptionItem,
    Unauthorised,
    backoff_delay,
)
from queue_server.config import load_hall_config
from queue_server.protocol import (
    EventMessage,
    EventType,
    HallSnapshot,
    HeartbeatMessage,
    ServerMessage,
    SnapshotMessage,
    TicketStatus,
    WindowStatus,
)
from tests.support import (
    PASSWORD,
    LiveServer,
    free_port,
    live_server,
    seed_accounts,
    threaded_server,
)

T = TypeVar("T")

WAIT_SECONDS = 10.0
WINDOW = 2
"""Window 2 serves the `general` category (prefix B) only, in the default hall."""


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


@contextlib.asynccontextmanager
async def clerk_at_window(
    server: LiveServer, window_no: int = WINDOW
) -> AsyncIterator[QueueClient]:
    async with QueueClient(server.base_url) as clerk:
        await clerk.login(server.accounts.clerks[0], PASSWORD)
        await clerk.sign_in(window_no)
        yield clerk


def kiosk(server: LiveServer) -> QueueClient:
    return QueueClient(server.base_url, token=server.accounts.kiosk_token)


async def next_message(subscription: Subscription) -> ServerMessage:
    """The next message from the server, past the subscription's own ConnectionState news."""
    while True:
        item = await asyncio.wait_for(anext(subscription), WAIT_SECONDS)
        if not isinstance(item, ConnectionState):
            return item


async def next_event(subscription: Subscription) -> EventMessage:
    message = await next_message(subscription)
    assert isinstance(message, EventMessage), message
    return message


async def wait_for(
    items: asyncio.Queue[SubscriptionItem], wanted: Callable[[SubscriptionItem], bool]
) -> SubscriptionItem:
    async with asyncio.timeout(WAIT_SECONDS):
        while True:
            item = await items.get()
            if wanted(item):
                return item


def snapshot_text(seq: int) -> str:
    hall = HallSnapshot(
        name="测试大厅",
        service_day=date(2026, 1, 5),
        timezone="Asia/Shanghai",
        generated_at=datetime.now(UTC),
        call_template="请{number}号到{window}号窗口办理",
        board_notice="",
        categories=[],
        windows=[],
    )
    return SnapshotMessage(seq=seq, hall=hall).model_dump_json()


def event_text(seq: int) -> str:
    return EventMessage(
        type=EventType.TICKET_ISSUED, seq=seq, at=datetime.now(UTC)
    ).model_dump_json()


def test_client_imports_neither_the_server_nor_the_database() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import sys, queue_server.client; print(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    loaded = set(result.stdout.split())
    for forbidden in ("fastapi", "starlette", "sqlalchemy", "sqlmodel", "alembic", "uvicorn"):
        assert forbidden not in loaded
    ours = {name for name in loaded if name.split(".")[0] == "queue_server"}
    allowed = {"queue_server", "queue_server.client", "queue_server.protocol"}
    assert all(name in allowed or name.startswith("queue_server.domain") for name in ours), ours


def test_login_me_logout_and_refusals(server: LiveServer) -> None:
    async def scenario() -> None:
        async with QueueClient(server.base_url) as client:
            with pytest.raises(QueueError) as refused:
                await client.login(server.accounts.clerks[0], "wrong-password")
            assert refused.value.status_code == 403
            assert refused.value.detail == "用户名或密码错误"
            assert client.token is None
            with pytest.raises(Unauthorised) as anonymous:
                await client.me()
            assert anonymous.value.status_code == 401

            login = await client.login(server.accounts.clerks[0], PASSWORD)
            assert login.role == "clerk"
            assert client.token == login.token
            me = await client.me()
            assert (me.name, me.display_name, me.window_no) == ("clerk1", "窗口员1", None)
            health = await client.health()
            async with httpx.AsyncClient() as direct:
                raw = (await direct.get(f"{server.base_url}/api/health")).json()
            assert health.model_dump(mode="json") == raw
            assert (health.status, health.database) == ("ok", "sqlite")

            await client.logout()
            assert client.token is None
            client.token = login.token
            with pytest.raises(Unauthorised):
                await client.me()

    run(scenario())


def test_kiosk_issues_and_clerk_calls_until_the_queue_is_empty(server: LiveServer) -> None:
    async def scenario() -> None:
        async with kiosk(server) as device, clerk_at_window(server) as clerk:
            issued = await device.issue_ticket("general", matter="新生儿出生")
            assert (issued.number, issued.status, issued.matter) == (
                "B001",
                "waiting",
                "新生儿出生",
            )
            assert (await clerk.me()).window_no == WINDOW

            called = await clerk.call_next(WINDOW)
            assert called is not None
            assert (called.id, called.status, called.window_no) == (issued.id, "called", WINDOW)
            current = (await clerk.window(WINDOW)).current
            assert current is not None and current.number == called.number
            assert (await clerk.start(called.id)).status == TicketStatus.SERVING
            done = await clerk.finish(called.id, "已办结")
            assert (done.status, done.outcome) == (TicketStatus.DONE, "已办结")

            assert await clerk.call_next(WINDOW) is None
            assert (await clerk.sign_out(WINDOW)).status == WindowStatus.CLOSED

    run(scenario())


def test_every_clerk_action_through_the_client(server: LiveServer) -> None:
    async def scenario() -> None:
        async with kiosk(server) as device, clerk_at_window(server) as clerk:
            first = await device.issue_ticket("general")
            second = await device.issue_ticket("general")
            third = await device.issue_ticket("general")

            called = await clerk.call_next(WINDOW)
            assert called is not None and called.id == first.id
            assert (await clerk.recall(first.id)).recall_count == 1
            assert (await clerk.no_show(first.id)).status == TicketStatus.NO_SHOW
            assert (await clerk.requeue(first.id)).status == TicketStatus.WAITING

            by_number = await clerk.call_number(WINDOW, second.number.lower())
            assert (by_number.id, by_number.call_reason) == (second.id, "by_number")
            moved = await clerk.transfer(second.id, to_category="consult", reason="只需咨询")
            assert (moved.category, moved.status) == ("consult", TicketStatus.WAITING)
            assert (moved.number, moved.transferred_from_id) == (second.number, second.id)
            assert (await clerk.get_ticket(second.id)).status == TicketStatus.TRANSFERRED

            cancelled = await clerk.cancel(third.id, "群众已离开")
            assert cancelled.status == TicketStatus.CANCELLED

            paused = await clerk.pause(WINDOW, "午休")
            assert (paused.status, paused.pause_reason) == (WindowStatus.PAUSED, "午休")
            with pytest.raises(QueueError) as while_paused:
                await clerk.call_next(WINDOW)
            assert while_paused.value.status_code == 409
            assert (await clerk.resume(WINDOW)).status == WindowStatus.OPEN

            waiting = await clerk.list_tickets(status=TicketStatus.WAITING)
            assert sorted(ticket.id for ticket in waiting) == sorted([first.id, moved.id])
            general = await clerk.list_tickets(category="general", day=first.service_day)
            assert [ticket.id for ticket in general] == [second.id, third.id, first.id]

            with pytest.raises(QueueError) as both_targets:
                await clerk.transfer(first.id, to_category="consult", to_window=6, reason="两者")
            assert both_targets.value.status_code == 422

            windows = await clerk.windows()
            assert len(windows) == len(load_hall_config().windows)
            hall = await clerk.hall()
            assert {category.code: category.waiting for category in hall.categories}["consult"] == 1

    run(scenario())


def test_an_illegal_transition_names_the_ticket(server: LiveServer) -> None:
    async def scenario() -> None:
        async with kiosk(server) as device, clerk_at_window(server) as clerk:
            ticket = await device.issue_ticket("general")
            await clerk.call_next(WINDOW)
            with pytest.raises(QueueError) as illegal:
                await clerk.finish(ticket.id)
            assert illegal.value.status_code == 409
            assert illegal.value.code == "illegal_transition"
            assert ticket.number in illegal.value.detail
            with pytest.raises(QueueError) as missing:
                await clerk.get_ticket(999_999)
            assert missing.value.status_code == 404

    run(scenario())


def test_a_retried_request_with_the_same_key_calls_one_ticket(server: LiveServer) -> None:
    async def scenario() -> None:
        async with kiosk(server) as device, clerk_at_window(server) as clerk:
            await device.issue_ticket("general")
            await device.issue_ticket("general")
            path = f"/api/windows/{WINDOW}/call-next"
            first = await clerk.send("POST", path, idempotency_key="press-1")
            again = await clerk.send("POST", path, idempotency_key="press-1")
            assert first.json() == again.json()
            called = await clerk.list_tickets(status=TicketStatus.CALLED)
            assert [ticket.id for ticket in called] == [first.json()["id"]]
            assert len(await clerk.list_tickets(status=TicketStatus.WAITING)) == 1

    run(scenario())


class LoseFirstCallNextAnswer(httpx.AsyncBaseTransport):
    """Lets the first call-next reach the server, then loses the answer, as a flaky link would."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.keys: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/call-next"):
            self.keys.append(request.headers.get(IDEMPOTENCY_HEADER))
            if len(self.keys) == 1:
                await response.aclose()
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_call_next_retried_after_a_lost_answer_calls_one_ticket(server: LiveServer) -> None:
    async def scenario() -> None:
        transport = LoseFirstCallNextAnswer()
        async with (
            kiosk(server) as device,
            QueueClient(server.base_url, transport=transport) as clerk,
        ):
            first = await device.issue_ticket("general")
            await device.issue_ticket("general")
            await clerk.login(server.accounts.clerks[0], PASSWORD)
            await clerk.sign_in(WINDOW)

            called = await clerk.call_next(WINDOW)

            assert called is not None and called.id == first.id
            assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
            assert transport.keys[0]
            assert len(await clerk.list_tickets(status=TicketStatus.CALLED)) == 1
            assert len(await clerk.list_tickets(status=TicketStatus.WAITING)) == 1

    run(scenario())


def test_an_unreachable_server_raises_server_unreachable() -> None:
    async def scenario() -> None:
        async with QueueClient(f"http://127.0.0.1:{free_port()}", retries=1) as client:
            with pytest.raises(ServerUnreachable) as offline:
                await client.health()
            assert isinstance(offline.value, QueueError)
            assert offline.value.status_code == 0

    run(scenario())


def test_subscription_starts_with_a_snapshot_then_events(server: LiveServer) -> None:
    async def scenario() -> None:
        async with (
            kiosk(server) as device,
            clerk_at_window(server) as clerk,
            QueueClient(server.base_url, token=server.accounts.board_token) as board,
            board.subscribe() as subscription,
        ):
            opened = await asyncio.wait_for(anext(subscription), WAIT_SECONDS)
            assert opened == ConnectionState(connected=True)
            snapshot = await next_message(subscription)
            assert isinstance(snapshot, SnapshotMessage)
            assert snapshot.hall.windows[WINDOW - 1].status == WindowStatus.OPEN
            assert subscription.last_seq == snapshot.seq

            ticket = await device.issue_ticket("general")
            issued = await next_event(subscription)
            assert issued.type == EventType.TICKET_ISSUED
            await clerk.call_next(WINDOW)
            called = await next_event(subscription)
            assert called.type == EventType.TICKET_CALLED
            assert called.ticket is not None and called.ticket.number == ticket.number
            assert called.window is not None and called.window.number == WINDOW
            assert called.seq == issued.seq + 1 == snapshot.seq + 2

    run(scenario())


def test_resuming_with_since_gets_exactly_the_missed_events(tmp_path: Path) -> None:
    async def scenario(server: LiveServer) -> None:
        async with (
            kiosk(server) as device,
            QueueClient(server.base_url, token=server.accounts.board_token) as board,
        ):
            async with board.subscribe() as subscription:
                snapshot = await next_message(subscription)
                assert isinstance(snapshot, SnapshotMessage)

            await device.issue_ticket("general")
            await device.issue_ticket("consult")
            async with clerk_at_window(server) as clerk:
                await clerk.call_next(WINDOW)

            async with board.subscribe(since=snapshot.seq) as resumed:
                missed = [await next_message(resumed) for _ in range(4)]
                quiet = await next_message(resumed)

        assert [message.type for message in missed] == [
            EventType.TICKET_ISSUED,
            EventType.TICKET_ISSUED,
            EventType.WINDOW_SIGNED_IN,
            EventType.TICKET_CALLED,
        ]
        assert [message.seq for message in missed] == [snapshot.seq + n for n in range(1, 5)]
        assert isinstance(quiet, HeartbeatMessage)
        assert quiet.seq == snapshot.seq + 4

    with live_server(tmp_path, heartbeat_seconds=0.2) as server:
        run(scenario(server))


def test_subscription_rides_out_a_server_restart(tmp_path: Path) -> None:
    hall = load_hall_config()
    database_url = f"sqlite:///{tmp_path / 'hall.db'}"
    accounts = seed_accounts(database_url, hall)

    async def start(stack: contextlib.ExitStack, port: int | None = None) -> int:
        server = threaded_server(database_url, hall=hall, port=port)
        _, bound = await asyncio.to_thread(stack.enter_context, server)
        return bound

    async def scenario() -> None:
        stack = contextlib.ExitStack()
        try:
            port = await start(stack)
            base_url = f"http://127.0.0.1:{port}"
            async with (
                QueueClient(base_url, token=accounts.kiosk_token) as device,
                QueueClient(base_url, token=accounts.board_token) as board,
                board.subscribe(initial_delay=0.05, max_delay=0.5) as subscription,
            ):
                items: asyncio.Queue[SubscriptionItem] = asyncio.Queue()

                async def pump() -> None:
                    async for item in subscription:
                        await items.put(item)

                pumping = asyncio.create_task(pump())
                await wait_for(items, lambda item: isinstance(item, SnapshotMessage))
                await device.issue_ticket("general")
                before = await wait_for(items, lambda item: isinstance(item, EventMessage))
                assert isinstance(before, EventMessage)

                await asyncio.to_thread(stack.close)
                lost = await wait_for(
                    items, lambda item: isinstance(item, ConnectionState) and not item.connected
                )
                assert isinstance(lost, ConnectionState) and lost.error
                assert lost.retry_in is not None and lost.retry_in <= 0.5

                await start(stack, port)
                await device.issue_ticket("general")
                await device.issue_ticket("consult")
                after: list[SubscriptionItem] = []
                while sum(isinstance(item, EventMessage) for item in after) < 2:
                    after.append(await wait_for(items, lambda item: True))
                pumping.cancel()

            assert ConnectionState(connected=True) in after
            assert not any(isinstance(item, SnapshotMessage) for item in after)
            seqs = [item.seq for item in after if isinstance(item, EventMessage)]
            assert seqs == [before.seq + 1, before.seq + 2]
            assert subscription.last_seq == before.seq + 2
        finally:
            await asyncio.to_thread(stack.close)

    run(scenario())


def test_a_bad_token_on_the_websocket_raises_instead_of_retrying(server: LiveServer) -> None:
    async def scenario() -> None:
        async with QueueClient(server.base_url, token="not-a-token") as client:
            seen: list[SubscriptionItem] = []
            with pytest.raises(Unauthorised) as refused:
                async with asyncio.timeout(WAIT_SECONDS):
                    async for item in client.subscribe():
                        seen.append(item)
            assert refused.value.status_code == 401
            assert refused.value.detail == "令牌无效或已过期，请重新登录"
            assert seen == [ConnectionState(connected=True)]

    run(scenario())


def test_stale_and_repeated_events_are_dropped_across_reconnects() -> None:
    """A fake server, since the real one never repeats a seq: the client must not rely on it."""
    paths: list[str] = []

    async def fake_server(connection: ServerConnection) -> None:
        assert connection.request is not None
        paths.append(connection.request.path)
        if len(paths) == 1:
            for text in (snapshot_text(5), event_text(4), event_text(6), event_text(6)):
                await connection.send(text)
            await connection.send(event_text(7))
            return
        for text in (event_text(7), event_text(8)):
            await connection.send(text)
        await connection.wait_closed()

    async def scenario() -> list[SubscriptionItem]:
        async with serve(fake_server, "127.0.0.1", 0) as fake:
            port = fake.sockets[0].getsockname()[1]
            async with (
                QueueClient(f"http://127.0.0.1:{port}", token="t") as client,
                client.subscribe(initial_delay=0.01, max_delay=0.02) as subscription,
            ):
                return [await asyncio.wait_for(anext(subscription), WAIT_SECONDS) for _ in range(7)]

    items = run(scenario())
    kinds = [
        ("state", item.connected) if isinstance(item, ConnectionState) else (item.type, item.seq)
        for item in items
    ]
    assert kinds == [
        ("state", True),
        ("snapshot", 5),
        (EventType.TICKET_ISSUED, 6),
        (EventType.TICKET_ISSUED, 7),
        ("state", False),
        ("state", True),
        (EventType.TICKET_ISSUED, 8),
    ]
    assert paths == ["/ws?token=t", "/ws?token=t&since=7"]


def test_a_silent_link_is_taken_for_dead_and_reopened() -> None:
    """A fake server that stops talking without closing, like a link through a dead switch."""
    paths: list[str] = []

    async def silent_server(connection: ServerConnection) -> None:
        assert connection.request is not None
        paths.append(connection.request.path)
        await connection.send(snapshot_text(3))
        await connection.wait_closed()

    async def scenario() -> list[SubscriptionItem]:
        async with serve(silent_server, "127.0.0.1", 0) as fake:
            port = fake.sockets[0].getsockname()[1]
            async with (
                QueueClient(f"http://127.0.0.1:{port}", token="t") as client,
                client.subscribe(heartbeat_seconds=0.1, initial_delay=0.01) as subscription,
            ):
                return [await asyncio.wait_for(anext(subscription), WAIT_SECONDS) for _ in range(5)]

    items = run(scenario())
    lost = items[2]
    assert isinstance(lost, ConnectionState) and not lost.connected
    assert lost.error is not None and "未收到" in lost.error
    assert items[3] == ConnectionState(connected=True)
    assert isinstance(items[4], SnapshotMessage)
    assert paths == ["/ws?token=t", "/ws?token=t&since=3"]


def test_reconnect_backoff_is_short_and_bounded() -> None:
    delays = [backoff_delay(n, initial=0.2, maximum=5.0) for n in range(1, 200)]
    assert 0.1 <= delays[0] <= 0.2
    assert all(0 < delay <= 5.0 for delay in delays)
    assert min(delays[10:]) >= 2.5


def test_action_methods_take_the_key_of_a_repeated_press(server: LiveServer) -> None:
    async def scenario() -> None:
        async with kiosk(server) as device, clerk_at_window(server) as clerk:
            await device.issue_ticket("general")
            await device.issue_ticket("general")
            first = await clerk.call_next(WINDOW, idempotency_key="press-2")
            again = await clerk.call_next(WINDOW, idempotency_key="press-2")
            assert first is not None and again == first
            await clerk.start(first.id, idempotency_key="press-3")
            done = await clerk.finish(first.id, idempotency_key="press-4")
            assert await clerk.finish(first.id, idempotency_key="press-4") == done
            assert len(await clerk.list_tickets(status=TicketStatus.WAITING)) == 1
            history = await clerk.window_history(WINDOW)
            assert [ticket.id for ticket in history] == [first.id]
            assert (await clerk.my_day()).served == 1

    run(scenario())


def _resource_warnings(*coroutines: Coroutine[Any, Any, None]) -> list[str]:
    """Run each coroutine in its own event loop, collect garbage once, and return the
    ResourceWarnings raised meanwhile: an unclosed socket is reported when it is collected."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for coroutine in coroutines:
            asyncio.run(coroutine)
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_feed_cancelled_twice_at_any_point_leaves_no_socket_open(server: LiveServer) -> None:
    """A terminal's feed worker is cancelled when the app exits, and cancelled again while it
    closes (Textual's shutdown, `asyncio.run` ending): at no point may that leak a socket."""

    async def follow_and_cancel(first: int, gap: int) -> None:
        async with QueueClient(server.base_url, token=server.accounts.board_token) as client:
            subscription = client.subscribe()

            async def follow() -> None:
                try:
                    async for _ in subscription:
                        pass
                finally:
                    await subscription.aclose()

            task = asyncio.create_task(follow())
            for _ in range(first):
                await asyncio.sleep(0)
            task.cancel()
            for _ in range(gap):
                await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    moments = [(first, gap) for first in (0, 2, 5, 10, 20, 40) for gap in range(0, 24, 3)]
    warned = _resource_warnings(*(follow_and_cancel(first, gap) for first, gap in moments))
    if warned:
        leaks = {
            moment: found
            for moment in moments
            if (found := _resource_warnings(follow_and_cancel(*moment)))
        }
        raise AssertionError(f"sockets left open: {leaks or warned}")
