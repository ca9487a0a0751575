"""The daily roll-up: finished service days' tallies stored once, so a year answers fast.

Only days that are over are rolled up. `journal.record` drops a day's roll-up when an event
for that day is recorded afterwards, and the periodic task builds it again.
"""

import json
from collections import Counter
from collections.abc import Collection
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from queue_server.config import HallConfig
from queue_server.domain.numbering import service_day
from queue_server.domain.stats.percentiles import Samples
from queue_server.domain.stats.tally import DayTallies, Tally
from queue_server.models import Event, StatsRollup
from queue_server.services.stats_events import compute_day

MARKER_DIMENSION = "day"
"""Every rolled-up day has a row in this dimension, even a day without tickets."""


def forget(session: Session, day: date) -> None:
    session.execute(sa.delete(StatsRollup).where(col(StatsRollup.service_day) == day))


def store(session: Session, day: date, tallies: DayTallies, *, last_seq: int) -> None:
    forget(session, day)
    rows = [
        {
            "service_day": day,
            "dimension": dimension,
            "key": key,
            "counts": json.dumps(dict(tally.counts), ensure_ascii=False, sort_keys=True),
            "waits": tally.waits.to_bytes(),
            "services": tally.services.to_bytes(),
            "at_window": tally.at_window.to_bytes(),
            "pause_seconds": tally.pause_seconds,
            "waiting_seconds": tally.waiting_seconds,
            "last_seq": last_seq,
        }
        for dimension, groups in tallies.items()
        for key, tally in groups.items()
    ]
    if rows:
        session.execute(sa.insert(StatsRollup), rows)


def rolled_up_days(session: Session, start: date, end: date) -> set[date]:
    rows = session.execute(
        sa.select(col(StatsRollup.service_day)).where(
            col(StatsRollup.dimension) == MARKER_DIMENSION,
            col(StatsRollup.service_day).between(start, end),
        )
    )
    return {day for (day,) in rows}


def load(
    session: Session,
    start: date,
    end: date,
    dimensions: Collection[str],
    *,
    durations: Collection[str],
) -> dict[date, DayTallies]:
    """Stored tallies of the days in [start, end]; durations are read only for the dimensions
    in `durations` (the others get empty samples, which is all their use needs)."""
    days: dict[date, DayTallies] = {}
    for dimension in dimensions:
        with_durations = dimension in durations
        columns = [
            col(StatsRollup.service_day),
            col(StatsRollup.key),
            col(StatsRollup.counts),
            col(StatsRollup.pause_seconds),
            col(StatsRollup.waiting_seconds),
        ]
        if with_durations:
            columns += [
                col(StatsRollup.waits),
                col(StatsRollup.services),
                col(StatsRollup.at_window),
            ]
        rows = session.execute(
            sa.select(*columns).where(
                col(StatsRollup.dimension) == dimension,
                col(StatsRollup.service_day).between(start, end),
            )
        )
        for row in rows:
            tally = Tally(
                counts=Counter(json.loads(row[2])),
                pause_seconds=row[3],
                waiting_seconds=row[4],
            )
            if with_durations:
                tally.waits = Samples.from_bytes(row[5])
                tally.services = Samples.from_bytes(row[6])
                tally.at_window = Samples.from_bytes(row[7])
            days.setdefault(row[0], {}).setdefault(dimension, {})[row[1]] = tally
    return days


def pending_days(session: Session, *, hall: HallConfig, now: datetime, limit: int) -> list[date]:
    """Finished days since the first event that have no roll-up yet, oldest first."""
    first = session.execute(sa.select(sa.func.min(col(Event.service_day)))).scalar()
    if first is None:
        return []
    today = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    done = rolled_up_days(session, first, today)
    pending: list[date] = []
    day = first
    while day < today and len(pending) < limit:
        if day not in done:
            pending.append(day)
        day += timedelta(days=1)
    return pending


def newest_seq(session: Session, day: date) -> int:
    return int(
        session.execute(
            sa.select(sa.func.max(col(Event.seq))).where(col(Event.service_day) == day)
        ).scalar()
        or 0
    )


def roll_up(session: Session, *, hall: HallConfig, day: date, now: datetime) -> None:
    """Compute and store one finished day (in the caller's write transaction)."""
    tallies, last_seq = compute_day(session, hall=hall, day=day, now=now)
    store(session, day, tallies, last_seq=last_seq)
