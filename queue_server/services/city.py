"""The city-wide read side: each hall's live summary, the public list of halls, and the period
report with one row per hall. A few queries per hall, whatever the number of tickets."""

from collections.abc import Sequence
from datetime import date, datetime

from sqlmodel import Session

from queue_server.city import CityHall
from queue_server.domain.enums import WindowStatus
from queue_server.domain.stats.tally import Tally
from queue_server.protocol import HallSummary, PublicHall, PublicHallCategory, StatsReport
from queue_server.services.stats_report import (
    PeriodTallies,
    add_tallies,
    alerts_raised,
    assemble_report,
    check_period,
    live_categories,
    period_tallies,
    stats_row,
    today_of,
)
from queue_server.services.views import hall_snapshot, window_states


def hall_summary(session: Session, *, entry: CityHall, now: datetime) -> HallSummary:
    """One hall now, counted the way its live statistics count (`GET /api/stats/live`)."""
    hall = entry.hall
    today = today_of(hall, now)
    categories = live_categories(session, hall=hall, now=now, today=today)
    longest = [c.longest_wait_seconds for c in categories if c.longest_wait_seconds is not None]
    statuses = [state.status for state in window_states(session, hall)]
    return HallSummary(
        code=entry.code,
        name=hall.hall.name,
        district=entry.district,
        address=entry.address,
        waiting=sum(c.waiting for c in categories),
        longest_wait_seconds=max(longest) if longest else None,
        over_target=sum(c.over_target for c in categories),
        windows_open=statuses.count(WindowStatus.OPEN),
        windows_paused=statuses.count(WindowStatus.PAUSED),
        windows_closed=statuses.count(WindowStatus.CLOSED),
        alerts=alerts_raised(session, hall=entry.code, day=today),
    )


def hall_summaries(
    session: Session, *, halls: Sequence[CityHall], now: datetime
) -> list[HallSummary]:
    return [hall_summary(session, entry=entry, now=now) for entry in halls]


def public_hall(session: Session, *, entry: CityHall, now: datetime) -> PublicHall:
    """What anyone may know of a hall: its queues and the wait a kiosk would show now, from
    the same snapshot the kiosks read (no names, no staff notes)."""
    snapshot = hall_snapshot(session, hall=entry.hall, now=now)
    categories = [
        PublicHallCategory(
            code=category.code,
            name=category.name,
            waiting=category.waiting,
            eta_minutes=category.eta_minutes,
            open=category.open,
        )
        for category in snapshot.categories
    ]
    return PublicHall(
        code=entry.code,
        name=snapshot.name,
        address=entry.address,
        district=entry.district,
        open_now=any(category.open for category in categories),
        categories=categories,
    )


def public_halls(session: Session, *, halls: Sequence[CityHall], now: datetime) -> list[PublicHall]:
    return [public_hall(session, entry=entry, now=now) for entry in halls]


def city_report(
    session: Session, *, halls: Sequence[CityHall], start: date, end: date, now: datetime
) -> StatsReport:
    """The period with one row per hall, quiet ones included (each hall's days merged, the
    same figures as its own report's total) and the city's total: hours, pause reasons and
    cases merged over every hall."""
    check_period(start, end)
    city = PeriodTallies()
    rows = []
    for entry in halls:
        period = period_tallies(
            session, hall=entry.hall, start=start, end=end, group_by="day", now=now
        )
        hall_total: Tally = period.total()
        city.groups[entry.code] = hall_total
        add_tallies(city.hours, period.hours)
        add_tallies(city.pause_reasons, period.pause_reasons)
        for day, issued in period.issued_by_day.items():
            city.issued_by_day[day] = city.issued_by_day.get(day, 0) + issued
        for (kind, case_class), (ids, dues) in period.opened.items():
            into_ids, into_dues = city.opened.setdefault((kind, case_class), ([], []))
            into_ids.extend(ids)
            into_dues.extend(dues)
        city.closed |= period.closed
        rows.append(stats_row(entry.code, entry.hall.hall.name, hall_total))
    first = halls[0].hall
    return assemble_report(
        city,
        rows=rows,
        start=start,
        end=end,
        group_by="hall",
        now=now,
        today=today_of(first, now),
    )
