"""Checking in a booking at the kiosk (预约签到): by its code or by the holder's ID number,
within the check-in window around its slot, for an appointment ticket."""

from datetime import date, datetime

from sqlmodel import col, select

from queue_server.catalog import MatterCatalog
from queue_server.domain.appointments import Slot, check_in_window
from queue_server.domain.enums import AppointmentStatus, EventType
from queue_server.domain.errors import CheckInTooEarly, CheckInTooLate, Conflict, NotFound
from queue_server.models import Appointment, Ticket
from queue_server.protocol import (
    AppointmentCheckIn,
    AppointmentEventPayload,
    TicketCreate,
    TicketPublic,
)
from queue_server.services import journal
from queue_server.services.issuing import BookedSlot, issue_ticket
from queue_server.services.personal_data import identify
from queue_server.services.scope import Scope

WALK_IN = "请取普通号"


def _day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _by_code(scope: Scope, code: str) -> Appointment:
    found = scope.session.exec(
        select(Appointment).where(Appointment.code == code.strip().upper())
    ).first()
    if found is None:
        raise NotFound("没有这个预约码，请核对后重新输入")
    return found


def _by_id_number(scope: Scope, id_number: str, secret: bytes | None) -> Appointment:
    """The person's booking of today in this hall: a booked one first (the earliest slot),
    else the latest, so that a refusal can say what became of it."""
    person = identify(secret, id_number=id_number)
    mine = scope.session.exec(
        select(Appointment)
        .where(Appointment.id_hash == person.id_hash)
        .order_by(col(Appointment.day), col(Appointment.slot_start))
    ).all()
    today = [a for a in mine if a.hall == scope.code and a.day == scope.today]
    booked = [a for a in today if a.status is AppointmentStatus.BOOKED]
    if booked:
        return booked[0]
    if today:
        return today[-1]
    upcoming = [a for a in mine if a.status is AppointmentStatus.BOOKED and a.day >= scope.today]
    if not upcoming:
        raise NotFound(f"没有查到您今天在本大厅的预约；{WALK_IN}")
    return upcoming[0]


def _slot(scope: Scope, appointment: Appointment) -> Slot:
    tz = scope.hall.tz
    return Slot(appointment.slot_start.astimezone(tz), appointment.slot_end.astimezone(tz))


def _check_usable(scope: Scope, appointment: Appointment) -> None:
    """Refuse, saying why, a booking that is not for now in this hall."""
    if appointment.hall != scope.code:
        raise Conflict("这个预约不是本大厅的，请到预约的大厅签到")
    status = appointment.status
    if status is AppointmentStatus.CANCELLED:
        raise Conflict(f"这个预约已取消，不能签到；{WALK_IN}")
    if status is AppointmentStatus.NO_SHOW:
        raise Conflict(f"这个预约已过签到时间未签到（记为爽约），不能签到；{WALK_IN}")
    if status is AppointmentStatus.CHECKED_IN:
        number = scope.session.exec(
            select(Ticket.number).where(Ticket.appointment_id == appointment.id)
        ).first()
        raise Conflict(f"这个预约已经签到过了（号码 {number}）" if number else "这个预约已签到")
    if appointment.day != scope.today:
        raise Conflict(f"这个预约是{_day_text(appointment.day)}的，请在预约当天来签到")


def _check_timing(scope: Scope, slot: Slot, category: str) -> datetime:
    """The close of the check-in window, once `now` is within it."""
    rules = scope.hall.appointments
    window = check_in_window(
        slot,
        early_minutes=rules.check_in_early_minutes,
        late_minutes=rules.check_in_late_minutes,
    )
    timing = window.timing(scope.now)
    tz = scope.hall.tz
    booked = f"{slot.label}-{slot.end_label}"
    if timing < 0:
        raise CheckInTooEarly(
            f"您预约的时段是{booked}，请于{window.opens.astimezone(tz):%H:%M}起签到"
        )
    if timing > 0:
        raise CheckInTooLate(
            f"您预约的{booked}时段已过（签到截止于{window.closes.astimezone(tz):%H:%M}），{WALK_IN}",
            category=category,
        )
    return window.closes


def check_in(
    scope: Scope,
    request: AppointmentCheckIn,
    *,
    secret: bytes | None,
    catalog: MatterCatalog | None = None,
) -> TicketPublic:
    """Issue the appointment ticket of a booking of today, or refuse saying why (nothing
    changes then)."""
    if request.code is not None:
        appointment = _by_code(scope, request.code)
    elif request.id_number is not None:
        appointment = _by_id_number(scope, request.id_number, secret)
    else:  # the wire model admits exactly one of them
        raise NotFound("请输入预约码或身份证号")
    _check_usable(scope, appointment)
    slot = _slot(scope, appointment)
    until = _check_timing(scope, slot, appointment.category)
    if appointment.id is None:
        raise ValueError("appointment has no id")
    ticket = issue_ticket(
        scope,
        TicketCreate(category=appointment.category, matter=appointment.matter),
        catalog=catalog,
        booked=BookedSlot(
            appointment_id=appointment.id,
            slot=f"{slot.label}-{slot.end_label}",
            until=until,
        ),
    )
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.checked_in_at = scope.now
    scope.session.add(appointment)
    journal.record_payload(
        scope,
        type=EventType.APPOINTMENT_CHECKED_IN,
        payload=AppointmentEventPayload(
            id=appointment.id,
            category=appointment.category,
            day=appointment.day,
            slot=slot.label,
            status=appointment.status,
        ),
        ticket_id=ticket.id,
        category=appointment.category,
    )
    return ticket
