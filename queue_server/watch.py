"""The server's periodic watch: alert checks, and rolling up finished service days."""

import asyncio
import functools
import logging
from datetime import date

from sqlmodel import Session

from queue_server.config import HallConfig
from queue_server.db import Database
from queue_server.domain.clock import Clock
from queue_server.domain.stats.tally import DayTallies
from queue_server.events import EventHub
from queue_server.services import alerts, stats_rollups
from queue_server.services.stats_events import compute_day

log = logging.getLogger(__name__)

DAYS_PER_ROUND = 3
"""Days rolled up per round, so a long backlog never holds the watch up for long."""


async def check_alerts(
    db: Database, hub: EventHub, hall: HallConfig, clock: Clock, state: alerts.WatchState
) -> alerts.WatchState:
    now = clock.now()
    count, state = await db.write(
        lambda session: alerts.check(session, hall=hall, now=now, state=state)
    )
    if count:
        hub.poke()
    return state


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
        tallies, last_seq = await db.read(
            functools.partial(compute_day, hall=hall, day=day, now=now)
        )
        stored += await db.write(
            functools.partial(_save, day=day, tallies=tallies, last_seq=last_seq)
        )
    return stored


def _save(session: Session, *, day: date, tallies: DayTallies, last_seq: int) -> bool:
    if stats_rollups.newest_seq(session, day) != last_seq:
        return False
    stats_rollups.store(session, day, tallies, last_seq=last_seq)
    return True


async def watch(
    db: Database, hub: EventHub, hall: HallConfig, clock: Clock, interval: float
) -> None:
    state = alerts.WatchState()
    while True:
        try:
            state = await check_alerts(db, hub, hall, clock, state)
            await roll_up_finished_days(db, hall, clock)
        except Exception:
            log.exception("the alert check or the statistics roll-up failed; trying again")
        await asyncio.sleep(interval)
