"""市域通办 statistics: the cases and steps touching a period, read in two queries and counted by
the pure core (domain/stats/cross_region.py), one row per hall and the city's total."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.city import CityHall
from queue_server.domain.cross_region import CaseHalls
from queue_server.domain.stats.cross_region import (
    CaseRecord,
    CrossRegionFigures,
    HallCalendar,
    StepRecord,
    cross_region_figures,
)
from queue_server.models import CrossRegionCase, CrossRegionStepRecord
from queue_server.protocol import CrossRegionStatsReport, CrossRegionStatsRow, CrossRegionStepStats
from queue_server.services.stats_report import check_period

TOTAL_LABEL = "合计"


def _bounds(halls: Sequence[CityHall], start: date, end: date) -> tuple[datetime, datetime]:
    """From the first moment of `start` to the end of `end`, in whichever hall's zone is
    widest: every moment some hall counts in the period."""
    firsts = [datetime.combine(start, time(0), entry.hall.tz) for entry in halls]
    lasts = [datetime.combine(end + timedelta(days=1), time(0), entry.hall.tz) for entry in halls]
    return min(firsts), max(lasts)


def _touching(first: datetime, last: datetime) -> sa.ColumnElement[bool]:
    """Cases opened before the period ends and not delivered before it began (the open
    steps of older cases may still be due in the period)."""
    return sa.and_(
        col(CrossRegionCase.opened_at) < last,
        sa.or_(
            col(CrossRegionCase.delivered_at).is_(None),
            col(CrossRegionCase.delivered_at) >= first,
        ),
    )


def read_records(
    session: Session, *, first: datetime, last: datetime
) -> tuple[list[CaseRecord], list[StepRecord]]:
    touching = _touching(first, last)
    cases = [
        CaseRecord(
            id=case.id or 0,
            halls=CaseHalls(
                receiving=case.receiving_hall,
                owner=case.owner_hall,
                delivering=case.delivering_hall,
            ),
            opened_at=case.opened_at,
            status=case.status,
            delivered_at=case.delivered_at,
        )
        for case in session.exec(select(CrossRegionCase).where(touching))
    ]
    ids = select(CrossRegionCase.id).where(touching)
    steps = [
        StepRecord(
            case_id=step.case_id,
            step=step.step,
            hall=step.hall,
            due_at=step.due_at,
            done_at=step.done_at,
        )
        for step in session.exec(
            select(CrossRegionStepRecord).where(col(CrossRegionStepRecord.case_id).in_(ids))
        )
    ]
    return cases, steps


def stats_row(figures: CrossRegionFigures, label: str) -> CrossRegionStatsRow:
    on_time = figures.on_time
    return CrossRegionStatsRow(
        key=figures.key,
        label=label,
        received_for_others=figures.received_for_others,
        decided_for_others=figures.decided_for_others,
        by_state=dict(figures.by_state),
        steps={
            step: CrossRegionStepStats(
                counted=counted.counted,
                on_time=counted.on_time,
                late=counted.late,
                on_time_share=counted.share,
            )
            for step, counted in figures.steps.items()
        },
        on_time=on_time.on_time,
        late=on_time.late,
        on_time_share=on_time.share,
        delivered=figures.delivered,
        working_days_mean=figures.working_days_mean,
    )


def cross_region_report(
    session: Session,
    *,
    halls: Sequence[CityHall],
    start: date,
    end: date,
    now: datetime,
    only: str | None = None,
) -> CrossRegionStatsReport:
    """Every hall of `halls` and the city's total; or, with `only`, that hall's row alone
    (counted the same way, so it equals its row in the city's report)."""
    check_period(start, end)
    first, last = _bounds(halls, start, end)
    cases, steps = read_records(session, first=first, last=last)
    calendars = [
        HallCalendar(entry.code, entry.hall.tz, entry.hall.work_calendar.is_workday)
        for entry in halls
    ]
    rows, total = cross_region_figures(
        cases=cases, steps=steps, halls=calendars, start=start, end=end, now=now
    )
    names = {entry.code: entry.hall.hall.name for entry in halls}
    return CrossRegionStatsReport(
        from_day=start,
        to_day=end,
        generated_at=now,
        rows=[stats_row(row, names[row.key]) for row in rows if only in (None, row.key)],
        total=stats_row(total, TOTAL_LABEL) if only is None else None,
    )
