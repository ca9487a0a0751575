"""Issuing tickets at the kiosk."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session

from queue_server.catalog import MatterCatalog
from queue_server.config import Category, HallConfig
from queue_server.domain.after_hours import closed_message
from queue_server.domain.enums import EventType, PriorityReason, TicketStatus
from queue_server.domain.errors import InvalidInput, Unavailable
from queue_server.domain.estimates import WaitEstimate
from queue_server.domain.live_state import HallState
from queue_server.domain.numbering import format_number
from queue_server.domain.queueing import next_queue_key
from queue_server.domain.real_name import check_daily_allowance, require_id_number
from queue_server.models import NumberCounter, Ticket
from queue_server.protocol import TicketCreate, TicketPublic
from queue_server.security import new_public_code
from queue_server.services import journal, live
from queue_server.services.personal_data import identify
from queue_server.services.scope import Scope
from queue_server.services.views import closed_reason, served_now, ticket_public
from queue_server.services.waits import estimate, live_load

# Issuing is the hottest write: what it reads comes from the hall's live state, and what it
# writes goes through statements built once here, on the session's connection (no unit of
# work, no statement built or compiled per ticket).
_TICKETS = cast(sa.Table, sa.inspect(Ticket).local_table)
_TICKET_COLUMNS = tuple(column.name for column in _TICKETS.columns if column.name != "id")
_INSERT_TICKET = sa.insert(_TICKETS).returning(_TICKETS.c.id)
_COUNTERS = cast(sa.Table, sa.inspect(NumberCounter).local_table)
_BUMP_COUNTER = (
    sa.update(_COUNTERS)
    .where(
        _COUNTERS.c.hall == sa.bindparam("counter_hall"),
        _COUNTERS.c.service_day == sa.bindparam("counter_day"),
        _COUNTERS.c.category == sa.bindparam("counter_category"),
    )
    .values(last_sequence=_COUNTERS.c.last_sequence + 1)
    .returning(_COUNTERS.c.last_sequence)
)
_FIRST_COUNTER = sa.insert(_COUNTERS)


def next_sequence(session: Session, *, hall: str, day: date, category: str) -> int:
    """Take the next number of the day for a category. Runs under the hall's write lock; the
    unique constraint on tickets is the backstop should that ever fail."""
    connection = session.connection()
    taken = connection.execute(
        _BUMP_COUNTER,
        {"counter_hall": hall, "counter_day": day, "counter_category": category},
    ).scalar_one_or_none()
    if taken is None:
        connection.execute(
            _FIRST_COUNTER,
            {"hall": hall, "service_day": day, "category": category, "last_sequence": 1},
        )
        return 1
    return int(taken)


def matter_name(catalog: MatterCatalog | None, requested: str | None) -> str | None:
    """The catalog name of the matter a kiosk names by id or name; None for none given.
    Without a catalog (direct calls in tests) the text is kept as it is."""
    if not requested:
        return None
    if catalog is None:
        return requested
    matter = catalog.find(requested)
    if matter is None:
        raise InvalidInput(f"未知的一件事事项：{requested}")
    return matter.name


@dataclass(frozen=True, slots=True)
class BookedSlot:
    """What an appointment ticket carries of its booking (services/check_in.py)."""

    appointment_id: int
    slot: str
    """As printed: "09:00-09:30"."""
    until: datetime
    """The close of its check-in window: dispatch serves it as an appointment until then."""


def _check_open(scope: Scope, state: HallState, *, category: str, name: str) -> None:
    """Refuse a walk-in ticket while the hall is closed or the category is not issuing."""
    hall, now = scope.hall, scope.now
    if not hall.schedule.is_open(now):
        raise Unavailable(
            closed_message(
                day_off=hall.schedule.closed_all_day(now),
                opens_at=hall.schedule.next_opening(now),
                now=now,
            )
        )
    reason = closed_reason(
        hall=hall, category=category, issued_today=state.issued(category), now=now
    )
    if reason:
        raise Unavailable(f"{name}：{reason}")


def _wait(
    state: HallState, hall: HallConfig, *, category: str, now: datetime, priority: bool
) -> WaitEstimate | None:
    """The wait of a ticket taken now, from the live state; None while no window serving the
    category is open or paused."""
    if not served_now(hall, state.windows.values(), category):
        return None
    return estimate(live_load(state, hall, priority_only=priority), category=category, now=now)


def tickets_of_person(
    session: Session, *, hall: str, day: date, category: str, person_hash: str
) -> int:
    """Tickets a person took at a kiosk in a category that day (transfers are the same
    ticket moving on, so only first hops count)."""
    count = (
        session.connection()
        .execute(
            sa.select(sa.func.count())
            .select_from(_TICKETS)
            .where(
                _TICKETS.c.hall == hall,
                _TICKETS.c.service_day == day,
                _TICKETS.c.person_hash == person_hash,
                _TICKETS.c.category == category,
                _TICKETS.c.hop == 0,
            )
        )
        .scalar_one()
    )
    return int(count)


def real_name_person(
    scope: Scope, category: Category, id_number: str | None, *, secret: bytes | None
) -> str | None:
    """The keyed hash a real-name ticket keeps of its applicant, after the daily allowance
    is checked; None for any other category (an ID number sent for one is not kept)."""
    if not category.real_name:
        return None
    number = require_id_number(category_name=category.name, id_number=id_number)
    person = identify(secret, id_number=number)
    taken = tickets_of_person(
        scope.session,
        hall=scope.code,
        day=scope.today,
        category=category.code,
        person_hash=person.id_hash,
    )
    check_daily_allowance(
        category_name=category.name,
        taken_today=taken,
        limit=category.max_tickets_per_person_per_day,
    )
    return person.id_hash


def issue_ticket(
    scope: Scope,
    request: TicketCreate,
    *,
    catalog: MatterCatalog | None = None,
    booked: BookedSlot | None = None,
    secret: bytes | None = None,
    journey_id: int | None = None,
    return_visit: bool = False,
) -> TicketPublic:
    """A walk-in ticket, or with `booked` an appointment ticket: its booking already holds a
    place within the hall's and the category's hours, so no daily cap or closed hours apply.
    A walk-in ticket of a `real_name` category needs the applicant's ID number (`secret` is
    the server's key its hash is made with); an appointment ticket is the booking's, whose
    own rule (one a person a day) applies instead. `journey_id`, `return_visit`: a ticket
    continuing a 补件 journey (services/journeys.py)."""
    session, hall, now, code = scope.session, scope.hall, scope.now, scope.code
    category = hall.category_by_code.get(request.category)
    if category is None:
        raise InvalidInput(f"未知的业务类别：{request.category}")
    matter = matter_name(catalog, request.matter)
    if request.priority_note and request.priority is not PriorityReason.OTHER:
        raise InvalidInput("priority_note is only for priority=other")
    state = live.working(scope)
    person_hash = None
    if booked is None:
        _check_open(scope, state, category=category.code, name=category.name)
        if journey_id is None:
            # A ticket continuing a journey is the journey's: its return code stands for the
            # applicant, whose first visit was already real-name where the category asks it.
            person_hash = real_name_person(scope, category, request.id_number, secret=secret)
    day = scope.today

    sequence = next_sequence(session, hall=code, day=day, category=category.code)
    if sequence != state.issued(category.code) + 1:
        # Someone wrote numbers past this process (a restore, a hand edit): the database's
        # counter decides, and the state is read afresh.
        state = live.discard(scope, f"{category.code} numbered {sequence}")
    ahead = state.own_queue_length(category.code)
    wait = _wait(
        state,
        hall,
        category=category.code,
        now=now,
        priority=(request.priority is not None or return_visit) and category.priority_ratio > 0,
    )
    ticket = Ticket(
        hall=code,
        service_day=day,
        category=category.code,
        number=format_number(prefix=category.prefix, sequence=sequence),
        sequence=sequence,
        status=TicketStatus.WAITING,
        priority=request.priority,
        priority_note=request.priority_note,
        matter=matter,
        public_code=new_public_code(),
        issued_at=now,
        queue_key=next_queue_key(latest=state.key_high.get(category.code), now=now),
        journey_id=journey_id,
        return_visit=return_visit,
        person_hash=person_hash,
    )
    if booked is not None:
        ticket.appointment_id = booked.appointment_id
        ticket.appointment_slot = booked.slot
        ticket.appointment_until = booked.until
    ticket.id = (
        session.connection()
        .execute(_INSERT_TICKET, {column: getattr(ticket, column) for column in _TICKET_COLUMNS})
        .scalar_one()
    )
    live.wrote_ticket(session, ticket)
    journal.record(scope, type=EventType.TICKET_ISSUED, ticket=ticket)
    public = ticket_public(ticket, hall)
    public.ahead = ahead
    if wait is not None:
        public.eta_minutes = wait.minutes
        public.eta_low_minutes = wait.low_minutes
        public.eta_high_minutes = wait.high_minutes
    return public
