"""The application factory: `create_app(settings)` builds everything in the lifespan."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI

from queue_server.api import (
    auth,
    board,
    cases,
    devices,
    evaluations,
    matters,
    rate_page,
    stats,
    status_page,
    tickets,
    windows,
    ws,
)
from queue_server.api import hall as hall_routes
from queue_server.api.deps import Resources
from queue_server.api.responses import ERROR_RESPONSES, declare_error_schemas
from queue_server.catalog import catalog_for_hall
from queue_server.config import HallConfig, Settings, load_hall_config
from queue_server.db import Database
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.rate_limit import Rate
from queue_server.errors import install_error_handlers
from queue_server.events import EventHub, prime, publish_from_writer, tail
from queue_server.limits import BodySizeLimit
from queue_server.rate_limit import RateLimiter
from queue_server.services.evaluations import DEFAULT_BATCH as UNRATED_BATCH
from queue_server.services.evaluations import default_unrated
from queue_server.services.housekeeping import prune
from queue_server.services.windows import ensure_windows
from queue_server.throttle import LoginThrottle
from queue_server.token_cache import TokenCache
from queue_server.watch import watch

log = logging.getLogger(__name__)

HOUSEKEEPING_INTERVAL_SECONDS = 3600


def prepare_database(db: Database, hall: HallConfig) -> None:
    """Migrate the schema and give every configured window its state row."""
    db.migrate()
    db.write_sync(lambda session: ensure_windows(session, hall))


async def default_unrated_evaluations(db: Database, hall: HallConfig, clock: Clock) -> int:
    """Record 基本满意 (defaulted) for every ticket left unrated too long, in batches."""
    total = 0
    while True:
        done = await db.write(lambda session: default_unrated(session, hall=hall, now=clock.now()))
        total += done
        if done < UNRATED_BATCH:
            return total


async def housekeep(db: Database, clock: Clock, hub: EventHub, hall: HallConfig) -> None:
    while True:
        try:
            await db.write(lambda session: prune(session=session, now=clock.now()))
            if await default_unrated_evaluations(db, hall, clock):
                hub.poke()
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)


def create_app(
    settings: Settings, *, hall: HallConfig | None = None, clock: Clock | None = None
) -> FastAPI:
    """Raises ConfigError at once when the hall configuration is unusable."""
    hall_config = hall if hall is not None else load_hall_config(settings.config)
    catalog = catalog_for_hall(hall_config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        await anyio.to_thread.run_sync(prepare_database, db, hall_config)
        hub = EventHub(queue_size=settings.ws_queue_size, replay_size=settings.ws_replay_size)
        await prime(hub, db, settings.ws_replay_size)
        db.on_commit = publish_from_writer(hub, asyncio.get_running_loop())
        resolved_clock = clock or SystemClock()
        app.state.resources = Resources(
            settings=settings,
            hall=hall_config,
            db=db,
            hub=hub,
            clock=resolved_clock,
            login_throttle=LoginThrottle(
                limit=settings.login_failures_per_name,
                address_limit=settings.login_failures_per_address,
            ),
            password_checks=anyio.CapacityLimiter(settings.password_check_threads),
            issue_limiter=RateLimiter(
                Rate(settings.kiosk_issue_burst, settings.kiosk_issue_seconds),
                clock=resolved_clock,
            ),
            catalog=catalog,
            tokens=TokenCache(settings.token_cache_seconds),
        )
        tasks = [
            asyncio.create_task(tail(hub, db, settings.poll_seconds), name="event-tailer"),
            asyncio.create_task(
                housekeep(db, app.state.resources.clock, hub, hall_config), name="housekeeping"
            ),
            asyncio.create_task(
                watch(
                    db,
                    hub,
                    hall_config,
                    app.state.resources.clock,
                    settings.alert_check_seconds,
                ),
                name="watch",
            ),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            db.dispose()

    app = FastAPI(
        title="一门 yimen queue server",
        summary="Tickets, windows, dispatch, events and live updates for a service hall.",
        version="0.1.0",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)
    declare_error_schemas(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for router in (
        auth.router,
        tickets.router,
        windows.router,
        hall_routes.router,
        ws.router,
        stats.router,
    ):
        app.include_router(router)
    app.include_router(board.router)
    for router in (matters.router, devices.router, status_page.router):
        app.include_router(router)
    for router in (evaluations.router, cases.router, rate_page.router):
        app.include_router(router)
    app.mount(board.ASSETS_PATH, board.board_assets(), name="board-assets")
    return app
