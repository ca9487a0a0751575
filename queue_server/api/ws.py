"""`WS /ws`: a snapshot first, then every event in `seq` order, with resume by `since`."""

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from fastapi import APIRouter, WebSocket
from sqlmodel import Session

from queue_server.api.deps import HallParameter, Resources, ResourcesDep, authenticate, resolve_hall
from queue_server.config import HallConfig
from queue_server.domain.errors import DomainError
from queue_server.errors import status_of
from queue_server.events import EventHub, Subscriber
from queue_server.protocol import HeartbeatMessage, SnapshotMessage
from queue_server.services.accounts import STAFF_ROLES, Principal
from queue_server.services.views import hall_snapshot, last_seq, public_snapshot

log = logging.getLogger(__name__)

router = APIRouter(tags=["live"])

SEND_TIMEOUT_SECONDS = 30.0
CLOSE_UNAUTHENTICATED = 4401


async def _snapshot(resources: Resources, hall: HallConfig, *, staff: bool) -> tuple[int, str]:
    now = resources.clock.now()
    offline_after = timedelta(seconds=resources.settings.device_offline_seconds)

    def read(session: Session) -> tuple[int, str]:
        seq = last_seq(session, hall.code)
        snapshot = hall_snapshot(session, hall=hall, now=now, offline_after=offline_after)
        snapshot = snapshot if staff else public_snapshot(snapshot)
        return seq, SnapshotMessage(seq=seq, hall=snapshot).model_dump_json()

    return await resources.db.read(read)


async def watch_token(resources: Resources, token: str | None, principal: Principal) -> str:
    """Return (with the reason) once the token is revoked, switched off or expired: checked
    every `ws_token_check_seconds` (through the token cache), and at the expiry itself."""
    while True:
        pause = resources.settings.ws_token_check_seconds
        if principal.expires_at is not None:
            left = (principal.expires_at - resources.clock.now()).total_seconds()
            pause = max(0.0, min(pause, left))
        await asyncio.sleep(pause)
        try:
            await authenticate(resources, token)
        except DomainError as error:
            return error.message


async def close_unauthenticated(websocket: WebSocket, detail: str) -> None:
    """Tell the client why, then close with 4401: a refused token does not get better."""
    with contextlib.suppress(Exception):
        await websocket.send_text(json.dumps({"type": "error", "detail": detail}))
        await websocket.close(code=CLOSE_UNAUTHENTICATED, reason="unauthenticated")


class _Stream:
    """One connection's sender: never sends a seq twice or out of order."""

    def __init__(
        self,
        websocket: WebSocket,
        resources: Resources,
        hall: HallConfig,
        hub: EventHub,
        subscriber: Subscriber,
    ) -> None:
        self.websocket = websocket
        self.resources = resources
        self.hall = hall
        self.hub = hub
        self.subscriber = subscriber
        self.last_sent = 0

    async def send(self, text: str) -> None:
        # asyncio.timeout, not wait_for: wait_for wraps every send in a task of its own,
        # which at a thousand boards is most of the fan-out's cost.
        async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
            await self.websocket.send_text(text)

    async def resync(self) -> None:
        while not self.subscriber.queue.empty():
            self.subscriber.queue.get_nowait()
        self.subscriber.overflowed.clear()
        seq, text = await _snapshot(self.resources, self.hall, staff=self.subscriber.staff)
        await self.send(text)
        self.last_sent = seq

    async def start(self, since: int | None) -> None:
        staff = self.subscriber.staff
        missed = self.hub.since(since, staff=staff) if since is not None else None
        if missed is None and since is not None and await self._logged_elsewhere(since):
            # Another server process wrote up to `since` and this one has not read that far:
            # everything after the hub's last seq reaches this subscriber as the tailer
            # publishes it, so only the wake-up is needed.
            self.hub.poke()
            missed = []
        if missed is None:
            await self.resync()
            return
        self.last_sent = since or 0
        for seq, text in missed:
            await self.send(text)
            self.last_sent = seq

    async def _logged_elsewhere(self, since: int) -> bool:
        """Whether `since` is ahead of this process's hub but in the hall's event log."""
        if since <= self.hub.last_seq:
            return False
        code = self.hall.code
        return since <= await self.resources.db.read(lambda session: last_seq(session, code))

    async def _next(self, patience: float) -> tuple[int, str]:
        """The next queued event, without a timer when one is already waiting."""
        queue = self.subscriber.queue
        if not queue.empty():
            return queue.get_nowait()
        async with asyncio.timeout(patience):
            return await queue.get()

    async def run(self) -> None:
        heartbeat = self.resources.settings.heartbeat_seconds
        while True:
            # A subscriber only overflows while this loop is stuck in a send, so checking
            # before each wait is enough.
            if self.subscriber.overflowed.is_set():
                await self.resync()
                continue
            try:
                seq, text = await self._next(heartbeat)
            except TimeoutError:
                beat = HeartbeatMessage(seq=self.last_sent, at=self.resources.clock.now())
                await self.send(beat.model_dump_json())
                continue
            if seq > self.last_sent:
                await self.send(text)
                self.last_sent = seq


async def _read_until_closed(websocket: WebSocket) -> None:
    """Clients send nothing we need, but reading notices a close at once."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass


@router.websocket("/ws")
async def live(
    websocket: WebSocket,
    resources: ResourcesDep,
    token: str | None = None,
    since: int | None = None,
    hall: HallParameter = None,
) -> None:
    """The hall's live stream: the caller's own hall, or the one named by `hall=`."""
    await websocket.accept()
    try:
        principal = await authenticate(resources, token)
        config = resolve_hall(resources.city, principal, hall)
    except DomainError as error:
        await websocket.send_text(json.dumps({"type": "error", "detail": error.message}))
        await websocket.close(code=4000 + status_of(error), reason=error.code)
        return
    staff = principal.role in STAFF_ROLES
    hub = resources.hubs[config.code]
    with hub.subscribe(staff=staff) as subscriber:
        stream = _Stream(websocket, resources, config, hub, subscriber)
        reader = asyncio.create_task(_read_until_closed(websocket))
        guard = asyncio.create_task(watch_token(resources, token, principal))

        async def serve() -> None:
            await stream.start(since)
            await stream.run()

        sender = asyncio.create_task(serve())
        try:
            await asyncio.wait({reader, sender, guard}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, sender, guard):
                task.cancel()
            for task in (reader, sender, guard):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if guard.done() and not guard.cancelled() and guard.exception() is None:
            await close_unauthenticated(websocket, guard.result())
        elif sender.done() and not sender.cancelled() and sender.exception() is not None:
            log.info("websocket closed: %r", sender.exception())
