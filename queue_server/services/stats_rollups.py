"""The daily roll-up: finished service days' tallies stored once, so a year answers fast.

Only days that are over are rolled up. `journal.record` drops a day's roll-up when an event
for that day is recorded afterwards, and the periodic task builds it again.
"""

import json
from collections import Counter
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
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
    rows = []
    for dimension, groups in tallies.items():
        if not groups and dimension != MARKER_DIMENSION:
            continue
        described = {
            key: {
                "counts": dict(tally.counts),
                "pause_seconds": tally.pause_seconds,
                "waiting_seconds": tally.waiting_seconds,
                "samples": [len(tally.waits), len(tally.services), len(tally.at_window)],
            }
            for key, tally in groups.items()
        }
        rows.append(
            {
                "service_day": day,
                "dimension": dimension,
                "groups": json.dumps(described, ensure_ascii=False),
                "waits": _joined(tally.waits for tally in groups.values()),
                "services": _joined(tally.services for tally in groups.values()),
                "at_window": _joined(tally.at_window for tally in groups.values()),
                "last_seq": last_seq,
            }
        )
    session.execute(sa.insert(StatsRollup), rows)


def _joined(samples: Iterable[Samples]) -> bytes:
    return b"".join(sample.to_bytes() for sample in samples)


def rolled_up_days(session: Session, start: date, end: date) -> set[date]:
    rows = session.execute(
        sa.select(col(StatsRollup.service_day)).where(
            col(StatsRollup.dimension) == MARKER_DIMENSION,
            col(StatsRollup.service_day).between(start, end),
        )
    )
    return {day for (day,) in rows}


def _split(data: bytes, sizes: list[int]) -> list[Samples]:
    values = np.frombuffer(data, dtype="<f8").astype(np.float64)
    bounds = np.cumsum(sizes)[:-1]
    return [Samples([chunk]) for chunk in np.split(values, bounds)]


def load(
    session: Session,
    start: date,
    end: date,
    dimensions: Collection[str],
    *,
    durations: Collection[str],
) -> dict[date, DayTallies]:
    """Stored tallies of the days in [start, end]; samples are read only for the dimensions
    in `durations` (the others get empty samples, which is all their use needs)."""
    days: dict[date, DayTallies] = {}
    for dimension in dimensions:
        with_durations = dimension in durations
        columns = [col(StatsRollup.service_day), col(StatsRollup.groups)]
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
            described: dict[str, Any] = json.loads(row[1])
            tallies = {
                key: Tally(
                    counts=Counter(group["counts"]),
                    pause_seconds=group["pause_seconds"],
                    waiting_seconds=group["waiting_seconds"],
                )
                for key, group in described.items()
            }
            if with_durations and tallies:
                for index, attribute in enumerate(("waits", "services", "at_window")):
                    sizes = [group["samples"][index] for group in described.values()]
                    for tally, sample in zip(
                        tallies.values(), _split(row[2 + index], sizes), strict=True
                    ):
                        setattr(tally, attribute, sample)
            days.setdefault(row[0], {})[dimension] = tallies
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
