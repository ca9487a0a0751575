"""The daily roll-up: finished service days' tallies stored once, so a year answers fast.

Only days that are over are rolled up. `journal.record` drops a day's roll-up when an event
for that day is recorded afterwards, and the periodic task builds it again.
"""

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col

from queue_server.config import HallConfig
from queue_server.domain.numbering import service_day
from queue_server.domain.stats.cases import CaseGroups, group_cases
from queue_server.domain.stats.percentiles import FloatArray, Samples
from queue_server.domain.stats.tally import COUNT_NAMES, Tally
from queue_server.models import Event, StatsRollup
from queue_server.services.stats_events import ComputedDay, compute_day

MARKER_DIMENSION = "day"
"""Every rolled-up day has a row in this dimension, even a day without tickets."""
KNOWN = frozenset(COUNT_NAMES)
CASES_DIMENSION = "cases"
"""The day's opened cases and closings, as JSON lists."""


def forget(session: Session, hall: str, day: date) -> None:
    session.execute(
        sa.delete(StatsRollup).where(
            col(StatsRollup.hall) == hall, col(StatsRollup.service_day) == day
        )
    )


def store(session: Session, hall: str, day: date, computed: ComputedDay) -> None:
    forget(session, hall, day)
    tallies, last_seq = computed.tallies, computed.last_seq
    rows: list[dict[str, Any]] = [
        {
            "hall": hall,
            "service_day": day,
            "dimension": CASES_DIMENSION,
            "groups": json.dumps(
                {
                    "opened": [
                        [kind, case_class, ids, dues]
                        for (kind, case_class), (ids, dues) in group_cases(computed.opened).items()
                    ],
                    "closed": computed.closed,
                },
                ensure_ascii=False,
            ),
            "waits": b"",
            "services": b"",
            "at_window": b"",
            "last_seq": last_seq,
        }
    ]
    for dimension, groups in tallies.items():
        names = list(COUNT_NAMES)
        names += sorted({name for tally in groups.values() for name in tally.counts} - KNOWN)
        described = {
            "names": names,
            "groups": [
                [
                    key,
                    [tally.counts[name] for name in names],
                    tally.pause_seconds,
                    tally.waiting_seconds,
                    [len(tally.waits), len(tally.services), len(tally.at_window)],
                ]
                for key, tally in groups.items()
            ],
        }
        rows.append(
            {
                "hall": hall,
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


def rolled_up_days(session: Session, hall: str, start: date, end: date) -> set[date]:
    rows = session.execute(
        sa.select(col(StatsRollup.service_day)).where(
            col(StatsRollup.hall) == hall,
            col(StatsRollup.dimension) == MARKER_DIMENSION,
            col(StatsRollup.service_day).between(start, end),
        )
    )
    return {day for (day,) in rows}


@dataclass(slots=True)
class _Gathered:
    counts: list[list[int]] = field(default_factory=list)
    """Rows of counts in COUNT_NAMES order, summed at the end in one numpy call."""
    extra: Counter[str] = field(default_factory=Counter)
    pause_seconds: float = 0.0
    waiting_seconds: float = 0.0
    chunks: tuple[list[FloatArray], list[FloatArray], list[FloatArray]] = field(
        default_factory=lambda: ([], [], [])
    )


def load_merged(
    session: Session,
    hall: str,
    start: date,
    end: date,
    dimension: str,
    *,
    samples: bool,
    into: dict[str, Tally],
) -> dict[date, int]:
    """Merge the stored groups of one dimension over [start, end] into `into`; samples are
    read only when asked. Returns, per rolled-up day found, the tickets issued that day."""
    columns = [col(StatsRollup.service_day), col(StatsRollup.groups)]
    if samples:
        columns += [col(StatsRollup.waits), col(StatsRollup.services), col(StatsRollup.at_window)]
    rows = session.execute(
        sa.select(*columns).where(
            col(StatsRollup.hall) == hall,
            col(StatsRollup.dimension) == dimension,
            col(StatsRollup.service_day).between(start, end),
        )
    )
    issued: dict[date, int] = {}
    gathered: dict[str, _Gathered] = {}
    known = len(COUNT_NAMES)
    assert COUNT_NAMES[0] == "issued"
    for row in rows:
        described: dict[str, Any] = json.loads(row[1])
        names: list[str] = described["names"]
        standard = names[:known] == list(COUNT_NAMES)
        arrays = [np.frombuffer(row[i], dtype="<f8") for i in (2, 3, 4)] if samples else []
        offsets = [0, 0, 0]
        day_issued = 0
        for key, values, pause_seconds, waiting_seconds, sizes in described["groups"]:
            group = gathered.get(key)
            if group is None:
                group = gathered[key] = _Gathered()
            if standard:
                group.counts.append(values[:known])
                day_issued += values[0]
                if len(names) > known:
                    group.extra.update(dict(zip(names[known:], values[known:], strict=True)))
            else:
                found = dict(zip(names, values, strict=True))
                group.extra.update(found)
                day_issued += found.get("issued", 0)
            group.pause_seconds += pause_seconds
            group.waiting_seconds += waiting_seconds
            for index, size in enumerate(sizes if samples else ()):
                if size:
                    begin = offsets[index]
                    group.chunks[index].append(arrays[index][begin : begin + size])
                    offsets[index] = begin + size
        issued[row[0]] = day_issued
    for key, group in gathered.items():
        tally = into.get(key)
        if tally is None:
            tally = into[key] = Tally()
        if group.counts:
            sums = np.asarray(group.counts, dtype=np.int64).sum(axis=0)
            tally.counts.update(
                {name: int(n) for name, n in zip(COUNT_NAMES, sums, strict=True) if n}
            )
        tally.counts.update(+group.extra)
        tally.pause_seconds += group.pause_seconds
        tally.waiting_seconds += group.waiting_seconds
        for samples_of, chunks in zip(
            (tally.waits, tally.services, tally.at_window), group.chunks, strict=True
        ):
            for chunk in chunks:
                samples_of.add_array(chunk)
    return issued


def load_cases(
    session: Session, hall: str, start: date, last: date, today: date
) -> tuple[CaseGroups, dict[str, bool]]:
    """Cases opened on the rolled-up days in [start, last], and closings recorded on those
    in [start, today]."""
    rows = session.execute(
        sa.select(col(StatsRollup.service_day), col(StatsRollup.groups)).where(
            col(StatsRollup.hall) == hall,
            col(StatsRollup.dimension) == CASES_DIMENSION,
            col(StatsRollup.service_day).between(start, today),
        )
    )
    groups: CaseGroups = {}
    closed: dict[str, bool] = {}
    for day, text in rows:
        described = json.loads(text)
        if day <= last:
            for kind, case_class, ids, dues in described["opened"]:
                known_ids, known_dues = groups.setdefault((kind, case_class), ([], []))
                known_ids.extend(ids)
                known_dues.extend(dues)
        closed.update(described["closed"])
    return groups, closed


def pending_days(session: Session, *, hall: HallConfig, now: datetime, limit: int) -> list[date]:
    """Finished days since the first event that have no roll-up yet, oldest first."""
    first = session.execute(
        sa.select(sa.func.min(col(Event.service_day))).where(col(Event.hall) == hall.code)
    ).scalar()
    if first is None:
        return []
    today = service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)
    done = rolled_up_days(session, hall.code, first, today)
    pending: list[date] = []
    day = first
    while day < today and len(pending) < limit:
        if day not in done:
            pending.append(day)
        day += timedelta(days=1)
    return pending


def newest_seq(session: Session, hall: str, day: date) -> int:
    return int(
        session.execute(
            sa.select(sa.func.max(col(Event.seq))).where(
                col(Event.hall) == hall, col(Event.service_day) == day
            )
        ).scalar()
        or 0
    )


def roll_up(session: Session, *, hall: HallConfig, day: date, now: datetime) -> None:
    """Compute and store one finished day (in the caller's write transaction)."""
    store(session, hall.code, day, compute_day(session, hall=hall, day=day, now=now))
