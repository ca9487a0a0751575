"""The retention period (`[privacy] retention_days`): once it has passed, what a hall kept of
a person — the keyed hashes and masked forms of bookings, the hash on real-name tickets — is
removed. The bookings and tickets themselves stay, for the statistics."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import col, or_

from queue_server.models import Appointment, Ticket
from queue_server.services.scope import Scope


def retention_cutoff(*, today: date, retention_days: int) -> date:
    """The first service day whose personal data is still kept: a day's data is kept for
    `retention_days` days after it, and gone the day after that."""
    return today - timedelta(days=retention_days)


def forget_people(scope: Scope) -> int:
    """Remove the hashes and masks older than the hall's retention period; the rows changed."""
    cutoff = retention_cutoff(today=scope.today, retention_days=scope.hall.privacy.retention_days)
    bookings = scope.session.execute(
        sa.update(Appointment)
        .where(
            col(Appointment.hall) == scope.code,
            col(Appointment.day) < cutoff,
            or_(
                col(Appointment.id_hash).is_not(None),
                col(Appointment.id_masked).is_not(None),
                col(Appointment.phone_hash).is_not(None),
                col(Appointment.phone_masked).is_not(None),
            ),
        )
        .values(id_hash=None, id_masked=None, phone_hash=None, phone_masked=None)
    )
    tickets = scope.session.execute(
        sa.update(Ticket)
        .where(
            col(Ticket.hall) == scope.code,
            col(Ticket.service_day) < cutoff,
            col(Ticket.person_hash).is_not(None),
        )
        .values(person_hash=None)
    )
    return int(bookings.rowcount or 0) + int(tickets.rowcount or 0)  # type: ignore[attr-defined]
