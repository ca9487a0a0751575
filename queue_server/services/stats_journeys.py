"""一次办成率 statistics: each hall's completed matters over a period, read as plain records
and counted by the pure core (domain/stats/journeys.py), one row per hall and the city's total."""

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from queue_server.city import CityHall
from queue_server.config import HallConfig
from queue_server.domain.enums import FinishOutcome, JourneyStatus, TicketStatus
from queue_server.domain.stats.journeys import (
    CategoryFigures,
    CompletedMatter,
    HallFigures,
    OneVisitFigures,
    one_visit_figures,
)
from queue_server.models import Journey, Ticket
from queue_server.protocol import (
    OneVisitCategoryStats,
    OneVisitStats,
    OneVisitStatsReport,
    OneVisitStatsRow,
)
from queue_server.services.stats_report import check_period
from queue_server.services.stats_self_service import TOTAL_KEY, TOTAL_LABEL, hall_period

NO_MATTER = "（未选事项）"


def _done_at_the_window(
    session: Session, *, hall: HallConfig, first: datetime, last: datetime
) -> list[CompletedMatter]:
    """Tickets finished `resolved` in the period outside any journey (出件 tickets aside)."""
    statement = select(Ticket.category, Ticket.matter).where(
        Ticket.hall == hall.code,
        Ticket.status == TicketStatus.DONE,
        Ticket.outcome == FinishOutcome.RESOLVED.value,
        col(Ticket.journey_id).is_(None),
        col(Ticket.finished_at) >= first,
        col(Ticket.finished_at) < last,
    )
    if hall.pickup_category is not None:
        statement = statement.where(Ticket.category != hall.pickup_category)
    return [
        CompletedMatter(category=category, matter=matter, visits=1)
        for category, matter in session.exec(statement)
    ]


def _collected_journeys(
    session: Session, *, hall: HallConfig, first: datetime, last: datetime
) -> list[CompletedMatter]:
    """Journeys collected at 出件 in the period, with their service visits and days."""
    journeys = session.exec(
        select(Journey).where(
            Journey.hall == hall.code,
            Journey.status == JourneyStatus.COLLECTED,
            col(Journey.collected_at) >= first,
            col(Journey.collected_at) < last,
        )
    ).all()
    if not journeys:
        return []
    ids = [journey.id for journey in journeys]
    returns = dict(
        session.exec(
            select(Ticket.journey_id, sa.func.count())
            .where(
                col(Ticket.journey_id).in_(ids),
                col(Ticket.return_visit).is_(True),
                Ticket.status == TicketStatus.DONE,
            )
            .group_by(col(Ticket.journey_id))
        ).all()
    )
    first_days: dict[int | None, date] = dict(
        session.exec(
            select(col(Ticket.id), col(Ticket.service_day)).where(
                col(Ticket.id).in_([journey.first_ticket_id for journey in journeys])
            )
        ).all()
    )
    matters = []
    for journey in journeys:
        assert journey.collected_at is not None  # collected journeys are
        first_day = first_days.get(
            journey.first_ticket_id, journey.opened_at.astimezone(hall.tz).date()
        )
        collected_day = journey.collected_at.astimezone(hall.tz).date()
        matters.append(
            CompletedMatter(
                category=journey.category,
                matter=journey.matter,
                visits=1 + int(returns.get(journey.id, 0)),
                days_to_collection=(collected_day - first_day).days,
            )
        )
    return matters


def hall_figures(
    session: Session, *, hall: HallConfig, start: date, end: date, now: datetime
) -> HallFigures:
    period = hall_period(hall, start, end, now)
    first, last = period.first, period.last
    return one_visit_figures(
        [
            *_done_at_the_window(session, hall=hall, first=first, last=last),
            *_collected_journeys(session, hall=hall, first=first, last=last),
        ]
    )


def _stats(figures: OneVisitFigures, key: str, label: str) -> dict[str, object]:
    return {
        "key": key,
        "label": label,
        "completed": figures.completed,
        "one_visit": figures.one_visit,
        "visits": figures.visits,
        "visits_per_matter": figures.visits_per_matter,
        "one_visit_share": figures.one_visit_share,
        "journeys": figures.journeys,
        "days_to_collection_mean": figures.days_to_collection_mean,
    }


def _category_stats(code: str, label: str, category: CategoryFigures) -> OneVisitCategoryStats:
    named = sorted(category.matters.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return OneVisitCategoryStats.model_validate(
        {
            **_stats(category.figures, code, label),
            "matters": [
                OneVisitStats.model_validate(_stats(figures, name or "", name or NO_MATTER))
                for name, figures in named
            ],
        }
    )


def stats_row(
    figures: HallFigures, key: str, label: str, names: dict[str, str], order: list[str]
) -> OneVisitStatsRow:
    """`order`: the categories in the hall's order (those with completed matters only)."""
    return OneVisitStatsRow.model_validate(
        {
            **_stats(figures.figures, key, label),
            "categories": [
                _category_stats(code, names.get(code, code), figures.categories[code])
                for code in order
                if code in figures.categories
            ],
        }
    )


def one_visit_report(
    session: Session,
    *,
    halls: Sequence[CityHall],
    start: date,
    end: date,
    now: datetime,
    only: str | None = None,
) -> OneVisitStatsReport:
    """Every hall of `halls` and the city's total; or, with `only`, that hall's row alone."""
    check_period(start, end)
    rows: list[OneVisitStatsRow] = []
    city = HallFigures()
    names: dict[str, str] = {}
    order: list[str] = []
    for entry in halls:
        if only not in (None, entry.code):
            continue
        hall = entry.hall
        figures = hall_figures(session, hall=hall, start=start, end=end, now=now)
        city.merge(figures)
        own = {category.code: category.name for category in hall.categories}
        codes = [*own, *sorted(set(figures.categories) - set(own))]
        rows.append(stats_row(figures, hall.code, hall.hall.name, own, codes))
        for code in codes:
            names.setdefault(code, own.get(code, code))
            if code not in order:
                order.append(code)
    return OneVisitStatsReport(
        from_day=start,
        to_day=end,
        generated_at=now,
        rows=rows,
        total=stats_row(city, TOTAL_KEY, TOTAL_LABEL, names, order) if only is None else None,
    )
