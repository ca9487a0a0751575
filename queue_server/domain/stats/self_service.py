"""24小时自助服务区 figures over a period: availability (完好率) from each device's status
timeline, inspections due and done on time, faults and their repair, help requests and their
response times.

Pure: the service reads the rows as plain records and passes the zone's open intervals, its
inspection rounds, the working-day calendar and the clock; docs/statistics.md defines every
figure.
"""

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from queue_server.domain.self_service import RepairSource, ZoneStatus
from queue_server.domain.stats.percentiles import Durations

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A device's status from `at` on (a `DeviceStatusChange` row)."""

    at: datetime
    status: ZoneStatus


def available_time(changes: Sequence[StatusChange], intervals: Iterable[Interval]) -> timedelta:
    """How long, within `intervals`, the device's last status was `ok`.

    `changes` is the device's timeline in any order; before its first change the status is
    unknown, which does not count as available. Exact to the microsecond."""
    timeline = sorted(changes, key=lambda change: change.at)
    moments = [change.at for change in timeline]
    total = timedelta()
    for start, end in intervals:
        # The change in force at `start`, then each change before `end`.
        index = bisect.bisect_right(moments, start) - 1
        cursor = start
        status = timeline[index].status if index >= 0 else ZoneStatus.UNKNOWN
        for change in timeline[index + 1 :]:
            if change.at >= end:
                break
            if status is ZoneStatus.OK:
                total += change.at - cursor
            cursor, status = change.at, change.status
        if status is ZoneStatus.OK:
            total += end - cursor
    return total


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True, slots=True)
class Round:
    """A daily inspection round: due on working days between `start` and `end` (local)."""

    name: str
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class RoundCount:
    due: int = 0
    on_time: int = 0

    @property
    def missed(self) -> int:
        return self.due - self.on_time

    @property
    def share(self) -> float | None:
        return share(self.on_time, self.due)

    def __add__(self, other: "RoundCount") -> "RoundCount":
        return RoundCount(self.due + other.due, self.on_time + other.on_time)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The hall's local dates and working days."""

    tz: tzinfo
    is_workday: Callable[[date], bool]


def inspection_rounds(
    inspections: Iterable[datetime],
    *,
    in_service_since: datetime | None,
    rounds: Sequence[Round],
    calendar: Calendar,
    start: date,
    end: date,
    now: datetime,
) -> dict[str, RoundCount]:
    """One device's rounds on the working days `start`…`end`, as the watch raises
    `alert.inspection_missed`: a round is due once it has ended (or once it was done), from a
    device in service by its end (`in_service_since`: first heard from; None: never, not
    installed yet), and on time when an inspection falls within it, both ends included."""
    done = sorted(moment.astimezone(calendar.tz) for moment in inspections)
    counts = {item.name: RoundCount() for item in rounds}
    if in_service_since is None:
        return counts
    day = start
    while day <= end:
        if calendar.is_workday(day):
            for item in rounds:
                opens = datetime.combine(day, item.start, calendar.tz)
                closes = datetime.combine(day, item.end, calendar.tz)
                first = bisect.bisect_left(done, opens)
                on_time = first < len(done) and done[first] <= closes
                if in_service_since <= closes and (on_time or closes <= now):
                    counts[item.name] += RoundCount(1, int(on_time))
        day += timedelta(days=1)
    return counts


@dataclass(frozen=True, slots=True)
class RepairRecord:
    source: RepairSource
    opened_at: datetime
    verified_at: datetime | None


@dataclass(frozen=True, slots=True)
class HelpRecord:
    requested_at: datetime
    acked_at: datetime | None
    escalated_at: datetime | None


def escalated(request: HelpRecord, *, after: timedelta, now: datetime) -> bool:
    """Unanswered when `after` had passed (the moment the watch raises
    `alert.help_unanswered`): raised so, answered at or after it, or still waiting past it
    (the watch may not have run)."""
    if request.escalated_at is not None:
        return True
    answered = request.acked_at if request.acked_at is not None else now
    return answered - request.requested_at >= after


@dataclass(slots=True)
class ZoneFigures:
    """One device's figures, or a zone's or the city's (their devices' added up), counted in
    place by `device_figures` and `add`."""

    key: str
    devices: int = 0
    open_seconds: float = 0.0
    available_seconds: float = 0.0
    rounds: dict[str, RoundCount] = field(default_factory=dict)
    faults_by_source: dict[RepairSource, int] = field(
        default_factory=lambda: dict.fromkeys(RepairSource, 0)
    )
    repair_seconds: list[float] = field(default_factory=list)
    """Opened → verified, of each case verified in the period."""
    help_requests: int = 0
    help_escalated: int = 0
    response_seconds: list[float] = field(default_factory=list)
    """Requested → acknowledged, of each request of the period acknowledged."""

    @property
    def availability(self) -> float | None:
        return share(self.available_seconds, self.open_seconds)

    @property
    def inspections(self) -> RoundCount:
        return sum(self.rounds.values(), RoundCount())

    @property
    def faults(self) -> int:
        return sum(self.faults_by_source.values())

    @property
    def repair(self) -> Durations:
        return Durations.of(self.repair_seconds)

    @property
    def help_acknowledged(self) -> int:
        return len(self.response_seconds)

    @property
    def response(self) -> Durations:
        return Durations.of(self.response_seconds)

    def add(self, other: "ZoneFigures", *, with_help: bool = True) -> None:
        """Add `other`'s figures (leaving out its help requests unless `with_help`: a zone
        counts its help requests once, including those naming no device)."""
        self.devices += other.devices
        self.open_seconds += other.open_seconds
        self.available_seconds += other.available_seconds
        for name, count in other.rounds.items():
            self.rounds[name] = self.rounds.get(name, RoundCount()) + count
        for source, faults in other.faults_by_source.items():
            self.faults_by_source[source] += faults
        self.repair_seconds.extend(other.repair_seconds)
        if with_help:
            self.add_help(other)

    def add_help(self, other: "ZoneFigures") -> None:
        self.help_requests += other.help_requests
        self.help_escalated += other.help_escalated
        self.response_seconds.extend(other.response_seconds)


@dataclass(frozen=True, slots=True)
class Period:
    """The days `start`…`end` of one hall: from `first` (the start's midnight) up to `last`
    (the midnight after the end), counted up to `now`."""

    start: date
    end: date
    first: datetime
    last: datetime
    now: datetime

    def holds(self, moment: datetime) -> bool:
        return self.first <= moment < self.last


def help_figures(
    key: str, requests: Iterable[HelpRecord], *, period: Period, escalate_after: timedelta
) -> ZoneFigures:
    """The help requests made in the period: how many, acknowledged, escalated, response
    times."""
    figures = ZoneFigures(key)
    for request in requests:
        if not period.holds(request.requested_at):
            continue
        figures.help_requests += 1
        figures.help_escalated += escalated(request, after=escalate_after, now=period.now)
        if request.acked_at is not None:
            figures.response_seconds.append(
                (request.acked_at - request.requested_at).total_seconds()
            )
    return figures


@dataclass(frozen=True, slots=True)
class DeviceRecords:
    """Everything read of one device."""

    name: str
    changes: Sequence[StatusChange] = ()
    """From the last change before the period on: the first of them tells whether the
    device was in service (heard from) in time for a round."""
    inspections: Sequence[datetime] = ()
    repairs: Sequence[RepairRecord] = ()
    help_requests: Sequence[HelpRecord] = ()


def device_figures(
    records: DeviceRecords,
    *,
    period: Period,
    open_intervals: Sequence[Interval],
    rounds: Sequence[Round],
    calendar: Calendar,
    escalate_after: timedelta,
) -> ZoneFigures:
    """One device over the period; `open_intervals` are the zone's, clipped to the period and
    to now."""
    figures = help_figures(
        records.name, records.help_requests, period=period, escalate_after=escalate_after
    )
    figures.devices = 1
    opened = sum((end - start for start, end in open_intervals), timedelta())
    figures.open_seconds = opened.total_seconds()
    figures.available_seconds = available_time(records.changes, open_intervals).total_seconds()
    figures.rounds = inspection_rounds(
        records.inspections,
        in_service_since=min((change.at for change in records.changes), default=None),
        rounds=rounds,
        calendar=calendar,
        start=period.start,
        end=period.end,
        now=period.now,
    )
    for repair in records.repairs:
        if period.holds(repair.opened_at):
            figures.faults_by_source[repair.source] += 1
        if repair.verified_at is not None and period.holds(repair.verified_at):
            figures.repair_seconds.append((repair.verified_at - repair.opened_at).total_seconds())
    return figures
