"""The application factory: `create_app(settings)` builds everything in the lifespan."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
import anyio.to_thread
from fastapi import FastAPI
from sqlmodel import Session

from queue_server.api import (
    appointment_slots,
    appointments,
    auth,
    board,
    book_page,
    cases,
    check_in,
    city_page,
    devices,
    evaluations,
    halls,
    help_requests,
    journeys,
    lockers,
    matters,
    rate_page,
    stats,
    status_page,
    tickets,
    tidal,
    windows,
    ws,
)
from queue_server.api import cross_region as cross_region_routes
from queue_server.api import hall as hall_routes
from queue_server.api import live_state as live_state_routes
from queue_server.api import repairs as repairs_routes
from queue_server.api.deps import Resources
from queue_server.api.responses import ERROR_RESPONSES, declare_error_schemas
from queue_server.catalog import catalog_for_hall
from queue_server.city import CityConfig, city_of_one, load_city
from queue_server.config import ConfigError, HallConfig, Settings
from queue_server.db import Database
from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.rate_limit import Rate
from queue_server.errors import install_error_handlers
from queue_server.events import EventHub, EventHubs, prime, publish_from_writer, tail
from queue_server.limits import BodySizeLimit
from queue_server.notify import Listener
from queue_server.rate_limit import RateLimiter
from queue_server.secret_key import resolve_secret_key
from queue_server.services.evaluations import DEFAULT_BATCH as UNRATED_BATCH
from queue_server.services.evaluations import default_unrated
from queue_server.services.housekeeping import prune
from queue_server.services.retention import forget_people
from queue_server.services.scope import Scope
from queue_server.services.views import halls_with_data
from queue_server.services.windows import ensure_windows
from queue_server.throttle import LoginThrottle
from queue_server.token_cache import TokenCache
from queue_server.watch import watch

log = logging.getLogger(__name__)

HOUSEKEEPING_INTERVAL_SECONDS = 3600


def prepare_database(db: Database, city: CityConfig) -> None:
    """Migrate the schema, refuse a city that leaves out a hall with data, and give every
    hall its lock row and every configured window its state row."""
    db.migrate(hall_code=city.default_code)
    db.read_sync(lambda session: check_halls_kept(session, city))
    db.ensure_halls(city.codes)
    for entry in city.halls:
        db.write_sync(functools.partial(ensure_windows, hall=entry.hall), hall=entry.code)


def check_halls_kept(session: Session, city: CityConfig) -> None:
    """Raises ConfigError when the database holds tickets, events or accounts of a hall the
    city file no longer lists: removing a hall from the city would hide its history."""
    holding = set(halls_with_data(session)) - set(city.codes)
    if holding:
        code = sorted(holding)[0]
        raise ConfigError(
            f"{city.source}: halls: the database still holds the data of hall {code!r}, which "
            f"the city no longer lists; put back its [[halls]] entry (code = {code!r})"
        )


async def default_unrated_evaluations(db: Database, hall: HallConfig, clock: Clock) -> int:
    """Record 基本满意 (defaulted) for every ticket left unrated too long, in batches."""
    total = 0
    while True:
        done = await db.write(
            lambda session: default_unrated(Scope(session, hall, clock.now())), hall=hall.code
        )
        total += done
        if done < UNRATED_BATCH:
            return total


async def forget_expired_people(db: Database, hall: HallConfig, clock: Clock) -> int:
    """Remove what the hall kept of people past its retention period (`[privacy]`)."""
    forgotten = await db.write(
        lambda session: forget_people(Scope(session, hall, clock.now())), hall=hall.code
    )
    if forgotten:
        log.info(
            "%s: removed the personal data of %d past the retention period", hall.code, forgotten
        )
    return forgotten


async def housekeep(db: Database, clock: Clock, hubs: EventHubs, city: CityConfig) -> None:
    while True:
        try:
            await db.write(lambda session: prune(session=session, now=clock.now()))
            for entry in city.halls:
                if await default_unrated_evaluations(db, entry.hall, clock):
                    hubs[entry.code].poke()
                await forget_expired_people(db, entry.hall, clock)
        except Exception:
            log.exception("housekeeping failed; trying again later")
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)


def wake_hall(hubs: EventHubs, loop: asyncio.AbstractEventLoop, hall: str) -> None:
    """Another process wrote events for `hall`: have its tailer read them now."""
    hub = hubs.get(hall)
    if hub is not None:
        loop.call_soon_threadsafe(hub.poke)


def create_app(
    settings: Settings,
    *,
    city: CityConfig | None = None,
    hall: HallConfig | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Serves `city`, or a city of just `hall`, or the city the settings name. Raises
    ConfigError at once when the configuration is unusable."""
    if city is None:
        city = city_of_one(hall) if hall is not None else load_city(settings)
    served = city
    catalogs = {entry.code: catalog_for_hall(entry.hall) for entry in served.halls}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        await anyio.to_thread.run_sync(prepare_database, db, served)
        hubs = EventHubs()
        for code in served.codes:
            hubs[code] = EventHub(
                queue_size=settings.ws_queue_size, replay_size=settings.ws_replay_size
            )
            await prime(hubs[code], db, code, settings.ws_replay_size)
        loop = asyncio.get_running_loop()
        db.on_commit = publish_from_writer(hubs, loop)
        listener = None
        if db.backend == "postgresql":
            listener = Listener(settings.database_url, functools.partial(wake_hall, hubs, loop))
            listener.start()
        resolved_clock = clock or SystemClock()
        app.state.resources = Resources(
            settings=settings,
            city=served,
            db=db,
            hubs=hubs,
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
            booking_limiter=RateLimiter(
                Rate(settings.booking_burst, settings.booking_seconds), clock=resolved_clock
            ),
            catalogs=catalogs,
            tokens=TokenCache(settings.token_cache_seconds),
            secret_key=resolve_secret_key(
                settings.secret_key.get_secret_value() if settings.secret_key else None,
                settings.database_url,
            ),
        )
        tasks = [
            asyncio.create_task(housekeep(db, resolved_clock, hubs, served), name="housekeeping")
        ]
        for entry in served.halls:
            hub = hubs[entry.code]
            tasks += [
                asyncio.create_task(
                    tail(hub, db, entry.code, settings.poll_seconds),
                    name=f"event-tailer-{entry.code}",
                ),
                asyncio.create_task(
                    watch(
                        db,
                        hub,
                        entry.hall,
                        resolved_clock,
                        settings.alert_check_seconds,
                        city=served,
                        offline_after=timedelta(seconds=settings.device_offline_seconds),
                    ),
                    name=f"watch-{entry.code}",
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
            if listener is not None:
                listener.close()
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
    for routes in (
        appointment_slots,  # before any /api/public/appointments/{code} route
        auth,
        tickets,
        windows,
        hall_routes,
        live_state_routes,
        ws,
        stats,
        board,
        matters,
        devices,
        status_page,
        evaluations,
        cases,
        rate_page,
        help_requests,
        halls,
        cross_region_routes,
        city_page,
        book_page,
        lockers,
        journeys,
        repairs_routes,
        check_in,
        tidal,
        appointments,  # last: its /api/public/appointments/{code} would take any word there
    ):
        app.include_router(routes.router)
    app.mount(board.ASSETS_PATH, board.board_assets(), name="board-assets")
    return app
