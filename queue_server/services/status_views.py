"""The public views of many status pages at once, in a fixed number of reads however many
pages there are: the tickets behind the codes, each hall's windows and waiting rows of the
day, the recent service times, and the cases, locker results and journeys of those tickets.
One page (`GET /t/{code}`, the JSON view) is the same read with one code."""

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlmodel import Session, col, select

from queue_server.catalog import MatterCatalog
from queue_server.city import CityConfig
from queue_server.config import HallConfig
from queue_server.domain import status_pages
from queue_server.domain.enums import TicketStatus
from queue_server.domain.errors import NotFound
from queue_server.domain.estimates import WaitEstimate
from queue_server.domain.status_pages import PageTicket, QueuedTicket
from queue_server.models import Journey, Ticket
from queue_server.protocol import TicketStatusPublic
from queue_server.services.cross_region_applicant import cross_region_by_code
from queue_server.services.journeys import journey_view
from queue_server.services.lockers import waiting_pickups
from queue_server.services.public_status import ticket_status
from queue_server.services.views import window_states
from queue_server.services.waits import HallLoad, base_load, estimate


@dataclass(frozen=True, slots=True)
class StatusContext:
    """What a view needs beyond the database: the city, its catalogs, the server's secret."""

    city: CityConfig
    catalogs: Mapping[str, MatterCatalog]
    secret: bytes | None


@dataclass(frozen=True, slots=True)
class StatusView:
    view: TicketStatusPublic
    ticket: Ticket

    @property
    def page_ticket(self) -> PageTicket:
        return PageTicket(
            id=self.ticket.id or 0, category=self.ticket.category, number=self.ticket.number
        )


def newest_tickets(session: Session, codes: Collection[str]) -> dict[str, Ticket]:
    """Each code's newest row: a transfer keeps the code on the row it opens."""
    rows = session.exec(
        select(Ticket).where(col(Ticket.public_code).in_(codes)).order_by(col(Ticket.id))
    ).all()
    return {row.public_code: row for row in rows}


def _queued(row: Ticket) -> QueuedTicket:
    return QueuedTicket(
        id=row.id or 0,
        category=row.category,
        queue_key=row.queue_key,
        target_window_no=row.target_window_no,
        matter=row.matter,
        priority=row.priority is not None or row.return_visit,
    )


@dataclass(slots=True)
class _Queues:
    """One hall's waiting rows per service day, what every estimate of a day shares, and the
    estimates worked out so far per (day, category), by place in the category's queue."""

    hall: HallConfig
    rows: dict[date, status_pages.DayQueue]
    loads: dict[date, HallLoad]
    estimates: dict[tuple[date, str], dict[int, WaitEstimate | None]] = field(default_factory=dict)


def _waiting_queues(session: Session, hall: HallConfig, days: Collection[date]) -> _Queues:
    rows: dict[date, list[QueuedTicket]] = defaultdict(list)
    for ticket_id, day, category, key, target, matter, priority, return_visit in session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types up to four columns
            Ticket.id,
            Ticket.service_day,
            Ticket.category,
            Ticket.queue_key,
            Ticket.target_window_no,
            Ticket.matter,
            Ticket.priority,
            Ticket.return_visit,
        ).where(
            Ticket.hall == hall.code,
            col(Ticket.service_day).in_(days),
            Ticket.status == TicketStatus.WAITING,
        )
    ).all():
        rows[day].append(
            QueuedTicket(
                id=ticket_id,
                category=category,
                queue_key=key,
                target_window_no=target,
                matter=matter,
                priority=priority is not None or return_visit,
            )
        )
    states = window_states(session, hall)
    loads = {day: base_load(session, hall, states=states, day=day) for day in days}
    return _Queues(
        hall=hall,
        rows={day: status_pages.DayQueue(rows[day]) for day in days},
        loads=loads,
    )


def _estimate(
    queues: _Queues, day: date, subject: QueuedTicket, now: datetime, *, priority_only: bool
) -> WaitEstimate | None:
    queue = queues.rows[day]
    ahead_of_it = (
        status_pages.queues_ahead(queue.rows, before=subject.queue_key, priority_only=True)
        if priority_only
        else queue.queues_before(subject.queue_key)
    )
    load = replace(queues.loads[day], queues=ahead_of_it)
    return estimate(load, category=subject.category, now=now, subject_key=subject.queue_key)


def _place(
    queues: _Queues, ticket: Ticket, now: datetime, *, shared: bool
) -> tuple[int, WaitEstimate | None]:
    """How many wait before the ticket, and its estimate (none when sent to a named window).

    With many pages read at once (`shared`), the estimates of a category's queue are worked
    out at a few places (`status_pages.sampled_places`) and shared by the places between
    them: each estimate replays every ticket ahead, so one per page would cost the square of
    the queue."""
    subject = _queued(ticket)
    day = ticket.service_day
    queue = queues.rows[day]
    ahead = queue.ahead(subject)
    category = queues.hall.category_by_code.get(ticket.category)
    if category is None or ticket.target_window_no is not None:
        return ahead, None
    if subject.priority and category.priority_ratio > 0:
        return ahead, _estimate(queues, day, subject, now, priority_only=True)
    if not shared:
        return ahead, _estimate(queues, day, subject, now, priority_only=False)
    own = queue.own(ticket.category)
    known = queues.estimates.setdefault((day, ticket.category), {})
    if ahead not in known and ahead < len(own) and own[ahead].id == subject.id:
        for place in status_pages.sampled_places(len(own)):
            if place not in known:
                known[place] = _estimate(queues, day, own[place], now, priority_only=False)
    found = status_pages.interpolated(known, ahead)
    if found is None and ahead not in known:
        return ahead, _estimate(queues, day, subject, now, priority_only=False)
    return ahead, found


def status_views(
    session: Session, *, context: StatusContext, codes: Collection[str], now: datetime
) -> dict[str, StatusView]:
    """The view of each code that has a ticket (unknown codes are left out)."""
    codes = set(codes)
    tickets = newest_tickets(session, codes)
    waiting_days: dict[str, set[date]] = defaultdict(set)
    for ticket in tickets.values():
        if ticket.status is TicketStatus.WAITING:
            waiting_days[ticket.hall].add(ticket.service_day)
    queues = {
        code: _waiting_queues(session, context.city.hall(code), days)
        for code, days in waiting_days.items()
    }
    journey_ids = {t.journey_id for t in tickets.values() if t.journey_id is not None}
    journeys = (
        {j.id: j for j in session.exec(select(Journey).where(col(Journey.id).in_(journey_ids)))}
        if journey_ids
        else {}
    )
    cases = cross_region_by_code(session, city=context.city, codes=tickets.keys())
    pickups = waiting_pickups(
        session,
        city=context.city,
        codes=tickets.keys(),
        journey_ids=journey_ids,
        secret=context.secret,
    )
    views = {}
    for code, ticket in tickets.items():
        hall = context.city.hall(ticket.hall)
        ahead, wait = (
            _place(queues[ticket.hall], ticket, now, shared=len(tickets) > 1)
            if ticket.status is TicketStatus.WAITING
            else (None, None)
        )
        journey_locker = (
            pickups.by_journey.get(ticket.journey_id) if ticket.journey_id is not None else None
        )
        view = ticket_status(
            hall=hall,
            catalog=context.catalogs.get(ticket.hall) or MatterCatalog(),
            ticket=ticket,
            now=now,
            ahead=ahead,
            wait=wait,
            cross_region=cases.get(code),
            locker=pickups.by_code.get(code) or journey_locker,
        )
        view.journey = journey_view(
            journeys.get(ticket.journey_id) if ticket.journey_id is not None else None,
            hall=hall,
            locker=journey_locker,
        )
        views[code] = StatusView(view=view, ticket=ticket)
    return views


def status_view(
    session: Session, *, context: StatusContext, code: str, now: datetime
) -> StatusView:
    """One code's view; NotFound when no ticket has it."""
    found = status_views(session, context=context, codes=[code], now=now).get(code)
    if found is None:
        raise NotFound("没有找到这张号票，请核对二维码")
    return found
