"""The server's periodic watch: alert checks, expired 补件 journeys and 潮汐 switches, and
rolling up finished service days."""

import asyncio
import functools
import logging
from datetime import date, timedelta

from sqlmodel import Session

from queue_server.city import CityConfig
from queue_server.config import HallConfig
from queue_server.db import Database
from queue_server.domain.clock import Clock
from queue_server.events import EventHub
from queue_server.services import (
    alerts,
    appointments,
    cross_region_alerts,
    help_requests,
    journeys,
    lockers,
    stats_rollups,
    tidal,
    zone_watch,
)
from queue_server.services.scope import Scope
from queue_server.services.stats_events import ComputedDay, compute_day

log = logging.getLogger(__name__)

DAYS_PER_ROUND = 3
"""Days rolled up per round, so a long backlog never holds the watch up for long."""


async def check_alerts(
    db: Database,
    hub: EventHub,
    hall: HallConfig,
    clock: Clock,
    state: alerts.WatchState,
    *,
    city: CityConfig,
    offline_after: timedelta = timedelta(seconds=90),
) -> alerts.WatchState:
    """Look in a read transaction first; take the write lock only when there is news (and
    look again under it, since another server process may have reported it meanwhile)."""
    now = clock.now()

    def check(session: Session, *, dry_run: bool) -> tuple[int, alerts.WatchState]:
        scope = Scope(session, hall, now)
        count, after = alerts.check(scope, state=state, dry_run=dry_run)
        count += cross_region_alerts.check_overdue(scope, city=city, dry_run=dry_run)
        count += help_requests.check_unanswered(scope, dry_run=dry_run)
        count += lockers.check_uncollected(scope, dry_run=dry_run)
        count += journeys.check_expired(scope, dry_run=dry_run)
        count += appointments.check_no_shows(scope, dry_run=dry_run)
        count += tidal.check_expired(scope, dry_run=dry_run)
        return count + zone_watch.check(scope, offline_after=offline_after, dry_run=dry_run), after

    count, after = await db.read(functools.partial(check, dry_run=True))
    if not count:
        return after
    count, after = await db.write(functools.partial(check, dry_run=False), hall=hall.code)
    if count:
        hub.poke()
    return after


async def roll_up_finished_days(db: Database, hall: HallConfig, clock: Clock) -> int:
    """Roll up a few finished days. The day is read outside the write lock; it is stored only
    if no event for it arrived meanwhile (otherwise the next round tries again)."""
    now = clock.now()
    days = await db.read(
        lambda session: stats_rollups.pending_days(
            session, hall=hall, now=now, limit=DAYS_PER_ROUND
        )
    )
    stored = 0
    for day in days:
        computed = await db.read(functools.partial(compute_day, hall=hall, day=day, now=now))
        save = functools.partial(_save, hall=hall.code, day=day, computed=computed)
        stored += await db.write(save, hall=hall.code)
    return stored


def _save(session: Session, *, hall: str, day: date, computed: ComputedDay) -> bool:
    if stats_rollups.newest_seq(session, hall, day) != computed.last_seq:
        return False
    stats_rollups.store(session, hall, day, computed)
    return True


async def watch(
    db: Database,
    hub: EventHub,
    hall: HallConfig,
    clock: Clock,
    interval: float,
    *,
    city: CityConfig,
    offline_after: timedelta,
) -> None:
    state = alerts.WatchState()
    while True:
        try:
            state = await check_alerts(
                db, hub, hall, clock, state, city=city, offline_after=offline_after
            )
            await roll_up_finished_days(db, hall, clock)
        except Exception:
            log.exception("the alert check or the statistics roll-up failed; trying again")
        await asyncio.sleep(interval)
