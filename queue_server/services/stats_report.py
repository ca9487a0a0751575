"""Statistics for a period, and the live view of the hall: figures from the pure core, days
from the roll-up where it exists, straight from the events otherwise (today always)."""

import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Final

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, TicketStatus, WindowStatus
from queue_server.domain.errors import InvalidInput
from queue_server.domain.numbering import service_day
from queue_server.domain.stats.cases import CaseGroups, case_figures, group_cases
from queue_server.domain.stats.tally import (
    NO_KEY,
    PAUSE_REASON,
    Figures,
    Tally,
    figures,
    hourly_load,
    total,
)
from queue_server.models import Event, Ticket
from queue_server.protocol import (
    CaseFiguresPublic,
    EventMessage,
    HourLoadPublic,
    LiveCategory,
    LiveStats,
    LiveWindow,
    PauseReasonPublic,
    StatsGroupBy,
    StatsReport,
    StatsRow,
)
from queue_server.services import stats_rollups
from queue_server.services.stats_events import (
    clerk_keys,
    clerk_labels,
    compute_day,
    in_log_order,
)
from queue_server.services.views import windows_public

MAX_PERIOD_DAYS: Final = 732
ALERT_TYPES: Final = tuple(t.value for t in EventType if t.value.startswith("alert."))
LIVE_ALERTS: Final = 50


def today_of(hall: HallConfig, now: datetime) -> date:
    return service_day(now=now, tz=hall.tz, start_hour=hall.hall.service_day_start_hour)


def check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"统计区间最长{MAX_PERIOD_DAYS}天")


@dataclass(slots=True)
class PeriodTallies:
    groups: dict[str, Tally] = field(default_factory=dict)
    """The `group_by` dimension's groups, with samples."""
    hours: dict[str, Tally] = field(default_factory=dict)
    pause_reasons: dict[str, Tally] = field(default_factory=dict)
    issued_by_day: dict[date, int] = field(default_factory=dict)
    opened: CaseGroups = field(default_factory=dict)
    closed: dict[str, bool] = field(default_factory=dict)

    @property
    def days(self) -> int:
        """Days of the period on which tickets were issued."""
        return sum(1 for issued in self.issued_by_day.values() if issued)

    def total(self) -> Tally:
        """Every stint and evaluation is in exactly one group of any dimension, so the total
        is the merge of the groups; pauses are taken from the pause reasons, as category and
        hour groups hold none."""
        whole = Tally()
        for tally in self.groups.values():
            whole.merge(tally)
        whole.counts["pauses"] = sum(t.counts["pauses"] for t in self.pause_reasons.values())
        whole.pause_seconds = sum(t.pause_seconds for t in self.pause_reasons.values())
        return whole


def add_tallies(into: dict[str, Tally], groups: dict[str, Tally]) -> None:
    """Merge `groups` into `into`, group by group."""
    for key, tally in groups.items():
        target = into.get(key)
        if target is None:
            target = into[key] = Tally()
        target.merge(tally)


def period_tallies(
    session: Session, *, hall: HallConfig, start: date, end: date, group_by: str, now: datetime
) -> PeriodTallies:
    """Every day of [start, end] merged: rolled-up days from storage, the rest computed.
    Case closings are gathered up to today, whatever the period's end."""
    today = today_of(hall, now)
    last = min(end, today)
    period = PeriodTallies()
    code = hall.code
    period.issued_by_day = stats_rollups.load_merged(
        session, code, start, last, group_by, samples=True, into=period.groups
    )
    stats_rollups.load_merged(session, code, start, last, "hour", samples=False, into=period.hours)
    stats_rollups.load_merged(
        session, code, start, last, PAUSE_REASON, samples=False, into=period.pause_reasons
    )
    period.opened, period.closed = stats_rollups.load_cases(session, code, start, last, today)
    first_event = session.execute(
        sa.select(sa.func.min(col(Event.service_day))).where(col(Event.hall) == code)
    ).scalar()
    clerks: dict[int, str] | None = None
    day = max(start, first_event) if first_event else today + timedelta(days=1)
    while day <= last:
        if day not in period.issued_by_day:
            clerks = clerk_keys(session) if clerks is None else clerks
            computed = compute_day(session, hall=hall, day=day, now=now, clerks=clerks)
            tallies = computed.tallies
            add_tallies(period.groups, tallies[group_by])
            add_tallies(period.hours, tallies["hour"])
            add_tallies(period.pause_reasons, tallies[PAUSE_REASON])
            period.issued_by_day[day] = sum(t.counts["issued"] for t in tallies[group_by].values())
            group_cases(computed.opened, into=period.opened)
            period.closed |= computed.closed
        day += timedelta(days=1)
    rolled_up_after = stats_rollups.rolled_up_days(session, code, last + timedelta(days=1), today)
    period.closed |= closings(session, hall=code, after=last, until=today, skip=rolled_up_after)
    return period


def closings(
    session: Session, *, hall: str, after: date, until: date, skip: set[date]
) -> dict[str, bool]:
    """`case.closed` events on the days in (after, until] that are not in `skip`."""
    if after >= until:
        return {}
    kind = sa.type_coerce(col(Event.type), sa.String())
    rows = session.execute(
        sa.select(col(Event.service_day), col(Event.payload)).where(
            col(Event.hall) == hall,
            kind == "case.closed",
            col(Event.service_day) > after,
            col(Event.service_day) <= until,
        )
    )
    found: dict[str, bool] = {}
    for day, payload in rows:
        if day in skip:
            continue
        data = json.loads(payload)
        inner = data.get("case") if isinstance(data.get("case"), dict) else data
        found[str(inner.get("case_id"))] = bool(inner.get("in_time"))
    return found


def _labeller(session: Session, hall: HallConfig, group_by: str) -> dict[str, str]:
    if group_by == "category":
        return {c.code: c.name for c in hall.categories} | {NO_KEY: "（无类别）"}
    if group_by == "window":
        return {str(w.number): f"{w.number}号窗口 {w.name}" for w in hall.windows} | {
            NO_KEY: "（未叫号）"
        }
    if group_by == "clerk":
        return clerk_labels(session) | {NO_KEY: "（未叫号）"}
    if group_by == "hour":
        return {f"{h:02d}": f"{h:02d}:00–{(h + 1) % 24:02d}:00" for h in range(24)}
    return {}


FIGURE_FIELDS: Final = tuple(item.name for item in fields(Figures))


def stats_row(key: str, label: str, tally: Tally) -> StatsRow:
    numbers = figures(tally)
    return StatsRow(
        key=key, label=label, **{name: getattr(numbers, name) for name in FIGURE_FIELDS}
    )


def _sort_key(group_by: str, key: str) -> tuple[int, int, str]:
    if key == NO_KEY:
        return (1, 0, key)
    if group_by == "window":
        return (0, int(key) if key.isdigit() else 0, key)
    return (0, 0, key)


def period_report(
    session: Session,
    *,
    hall: HallConfig,
    start: date,
    end: date,
    group_by: StatsGroupBy,
    now: datetime,
) -> StatsReport:
    check_period(start, end)
    period = period_tallies(session, hall=hall, start=start, end=end, group_by=group_by, now=now)
    labels = _labeller(session, hall, group_by)
    groups = period.groups
    rows = [
        stats_row(key, labels.get(key, key), groups[key])
        for key in sorted(groups, key=lambda k: _sort_key(group_by, k))
        if +groups[key].counts
    ]
    return assemble_report(
        period,
        rows=rows,
        start=start,
        end=end,
        group_by=group_by,
        now=now,
        today=today_of(hall, now),
    )


def assemble_report(
    period: PeriodTallies,
    *,
    rows: list[StatsRow],
    start: date,
    end: date,
    group_by: StatsGroupBy,
    now: datetime,
    today: date,
) -> StatsReport:
    """The report of a period's tallies, with `rows` for its groups and the merged total."""
    days = period.days
    pauses = [
        PauseReasonPublic(
            reason=reason, pauses=tally.counts["pauses"], seconds=round(tally.pause_seconds, 3)
        )
        for reason, tally in sorted(
            period.pause_reasons.items(), key=lambda item: -item[1].pause_seconds
        )
    ]
    cases = case_figures(period.opened, period.closed, today=today)
    return StatsReport(
        from_day=start,
        to_day=end,
        group_by=group_by,
        generated_at=now,
        days=days,
        total=stats_row("total", "合计", period.total()),
        rows=rows,
        hourly=[HourLoadPublic(**asdict(load)) for load in hourly_load(period.hours, days=days)],
        pauses=pauses,
        cases=[CaseFiguresPublic(**asdict(row)) for row in cases],
    )


def waiting_now(session: Session, *, hall: str, day: date) -> list[tuple[Ticket, datetime]]:
    """Today's waiting tickets with the moment each joined its queue: the issue, or for a
    transferred applicant the end of the previous stint."""
    previous = aliased(Ticket)
    rows = session.execute(
        sa.select(Ticket, col(previous.finished_at))
        .outerjoin(previous, col(previous.id) == col(Ticket.transferred_from_id))
        .where(
            col(Ticket.hall) == hall,
            col(Ticket.service_day) == day,
            col(Ticket.status) == TicketStatus.WAITING,
        )
    ).all()
    return [(ticket, transferred_at or ticket.issued_at) for ticket, transferred_at in rows]


def live_categories(
    session: Session, *, hall: HallConfig, now: datetime, today: date
) -> list[LiveCategory]:
    """Each category's waiting people now, their longest wait and how many are over target."""
    queues: dict[str, list[float]] = {c.code: [] for c in hall.categories}
    for ticket, queued_at in waiting_now(session, hall=hall.code, day=today):
        queues.setdefault(ticket.category, []).append((now - queued_at).total_seconds())
    categories = []
    for category in hall.categories:
        waits = queues[category.code]
        target = category.target_wait_minutes * 60.0
        categories.append(
            LiveCategory(
                code=category.code,
                name=category.name,
                waiting=len(waits),
                longest_wait_seconds=round(max(waits), 3) if waits else None,
                target_wait_seconds=target,
                over_target=sum(1 for wait in waits if wait > target),
            )
        )
    return categories


def live_stats(session: Session, *, hall: HallConfig, now: datetime) -> LiveStats:
    today = today_of(hall, now)
    categories = live_categories(session, hall=hall, now=now, today=today)
    windows = []
    for window in windows_public(session, hall):
        current = window.current
        started = current.started_at if current else None
        windows.append(
            LiveWindow(
                number=window.number,
                name=window.name,
                status=window.status,
                pause_reason=window.pause_reason,
                clerk=window.clerk.display_name if window.clerk else None,
                current_number=current.number if current else None,
                serving_seconds=round((now - started).total_seconds(), 3) if started else None,
                tidal_category=window.tidal_category,
                tidal_until=window.tidal_until,
            )
        )
    tallies = compute_day(session, hall=hall, day=today, now=now).tallies
    return LiveStats(
        generated_at=now,
        service_day=today,
        categories=categories,
        windows_open=sum(1 for w in windows if w.status == WindowStatus.OPEN),
        windows_paused=sum(1 for w in windows if w.status == WindowStatus.PAUSED),
        windows_closed=sum(1 for w in windows if w.status == WindowStatus.CLOSED),
        windows=windows,
        alerts=todays_alerts(session, hall=hall.code, day=today, limit=LIVE_ALERTS),
        today=stats_row("today", "今日", total(tallies["day"])),
    )


def todays_alerts(session: Session, *, hall: str, day: date, limit: int) -> list[EventMessage]:
    kind = sa.type_coerce(col(Event.type), sa.String())
    rows = session.execute(
        sa.select(col(Event.seq), col(Event.payload))
        .where(col(Event.hall) == hall, col(Event.service_day) == day, kind.in_(ALERT_TYPES))
        .order_by(in_log_order().desc())
        .limit(limit)
    )
    return [
        EventMessage.model_validate(json.loads(payload) | {"seq": seq}) for seq, payload in rows
    ]


def alerts_raised(session: Session, *, hall: str, day: date) -> int:
    """How many alerts the hall raised on `day`: one counting query."""
    kind = sa.type_coerce(col(Event.type), sa.String())
    count = session.execute(
        sa.select(sa.func.count())
        .select_from(Event)
        .where(col(Event.hall) == hall, col(Event.service_day) == day, kind.in_(ALERT_TYPES))
    ).scalar_one()
    return int(count)
