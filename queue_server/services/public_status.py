"""The applicant's view of one ticket, found by its unguessable status-page code."""

from datetime import datetime

from sqlmodel import Session, col, select

from queue_server.catalog import MatterCatalog
from queue_server.config import HallConfig
from queue_server.domain.enums import STATUS_LABELS, TicketStatus
from queue_server.domain.errors import NotFound
from queue_server.domain.estimates import WaitEstimate
from queue_server.models import Ticket
from queue_server.protocol import CrossRegionStatusPublic, LockerPickupPublic, TicketStatusPublic

AT_A_WINDOW = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
TO_BE_SERVED = AT_A_WINDOW | {TicketStatus.WAITING}
"""The material checklist is for these: a finished ticket no longer needs it."""


def find_by_code(session: Session, code: str) -> Ticket:
    """The ticket's newest row: a transfer keeps the code on the row it opens."""
    ticket = session.exec(
        select(Ticket).where(Ticket.public_code == code).order_by(col(Ticket.id).desc())
    ).first()
    if ticket is None:
        raise NotFound("没有找到这张号票，请核对二维码")
    return ticket


def call_text(hall: HallConfig, ticket: Ticket) -> str | None:
    if ticket.status not in AT_A_WINDOW or ticket.window_no is None:
        return None
    return hall.texts.call_template.replace("{number}", ticket.number).replace(
        "{window}", str(ticket.window_no)
    )


def ticket_status(
    *,
    hall: HallConfig,
    catalog: MatterCatalog,
    ticket: Ticket,
    now: datetime,
    ahead: int | None = None,
    wait: WaitEstimate | None = None,
    cross_region: CrossRegionStatusPublic | None = None,
    locker: LockerPickupPublic | None = None,
) -> TicketStatusPublic:
    """The public view from the ticket's row. A waiting ticket's `ahead` (tickets before it
    in its queue) and `wait` (its estimate); `cross_region`: the applicant's view of the
    市域通办 case opened from the ticket; `locker`: its result waiting in a smart locker."""
    category = hall.category_by_code.get(ticket.category)
    eta = None
    if ticket.status is TicketStatus.WAITING:
        if category is not None:
            eta = wait.minutes if wait is not None else None
        if ahead == 0 and eta is not None:
            eta = 0  # next in line: what the boards call 无需等候, not a wait
    else:
        ahead = None
    window = hall.window_by_number.get(ticket.window_no) if ticket.window_no else None
    matter = catalog.find(ticket.matter) if ticket.matter else None
    return TicketStatusPublic(
        number=ticket.number,
        category=ticket.category,
        category_name=category.name if category else ticket.category,
        status=ticket.status,
        status_label=STATUS_LABELS[ticket.status],
        issued_at=ticket.issued_at,
        service_day=ticket.service_day,
        ahead=ahead,
        eta_minutes=eta,
        window_no=ticket.window_no if ticket.status in AT_A_WINDOW else None,
        window_name=window.name if window and ticket.status in AT_A_WINDOW else None,
        called_at=ticket.called_at,
        call_text=call_text(hall, ticket),
        matter=ticket.matter,
        materials=list(matter.materials) if matter and ticket.status in TO_BE_SERVED else [],
        hall_name=hall.hall.name,
        updated_at=now,
        cross_region=cross_region,
        locker=locker,
    )
