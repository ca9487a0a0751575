"""Booking a time (预约取号): book, read and cancel by the booking code, the hall's bookings of
a day for staff, and the watch's no-shows. The person arrives already reduced to keyed hashes
and masks (services/personal_data.py); nothing here sees an ID or phone number."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from queue_server.catalog import MatterCatalog
from queue_server.domain.appointments import (
    Slot,
    blocked_until,
    cancel_deadline,
    check_in_window,
)
from queue_server.domain.enums import APPOINTMENT_STATUS_LABELS, AppointmentStatus, EventType
from queue_server.domain.errors import (
    AlreadyBooked,
    BookingBlocked,
    DayNotOpen,
    IllegalTransition,
    InvalidInput,
    NotFound,
    SlotFull,
    TooLateToCancel,
    UnknownSlot,
)
from queue_server.models import Appointment
from queue_server.protocol import (
    AppointmentCreate,
    AppointmentEventPayload,
    AppointmentPublic,
)
from queue_server.security import new_short_code
from queue_server.services import journal
from queue_server.services.appointment_slots import TAKEN, open_days, slots_of, taken_places
from queue_server.services.issuing import matter_name
from queue_server.services.personal_data import Person
from queue_server.services.scope import Scope

NOT_CANCELLABLE = {
    AppointmentStatus.CANCELLED: "该预约已取消",
    AppointmentStatus.CHECKED_IN: "该预约已签到取号，不能再取消",
    AppointmentStatus.NO_SHOW: "该预约时段已过且未签到（爽约），不能再取消",
}


def _day_text(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _at_text(at: datetime, scope: Scope) -> str:
    local = at.astimezone(scope.hall.tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def slot_of(appointment: Appointment, scope: Scope) -> Slot:
    tz = scope.hall.tz
    return Slot(appointment.slot_start.astimezone(tz), appointment.slot_end.astimezone(tz))


def appointment_public(
    scope: Scope, appointment: Appointment, catalog: MatterCatalog
) -> AppointmentPublic:
    """The booking as its holder sees it, with the matter's materials told at once."""
    hall, rules = scope.hall, scope.hall.appointments
    slot = slot_of(appointment, scope)
    window = check_in_window(
        slot, early_minutes=rules.check_in_early_minutes, late_minutes=rules.check_in_late_minutes
    )
    matter = catalog.find(appointment.matter) if appointment.matter else None
    category = hall.category_by_code.get(appointment.category)
    return AppointmentPublic(
        code=appointment.code,
        hall=hall.code,
        hall_name=hall.hall.name,
        category=appointment.category,
        category_name=category.name if category else appointment.category,
        matter=appointment.matter,
        materials=list(matter.materials) if matter else [],
        day=appointment.day,
        slot=slot.label,
        end=slot.end_label,
        status=appointment.status,
        status_label=APPOINTMENT_STATUS_LABELS[appointment.status],
        id_masked=appointment.id_masked,
        phone_masked=appointment.phone_masked,
        booked_at=appointment.booked_at.astimezone(UTC),
        check_in_from=window.opens.astimezone(UTC),
        check_in_until=window.closes.astimezone(UTC),
        cancel_until=cancel_deadline(slot, cancel_hours=rules.cancel_hours).astimezone(UTC),
    )


def record_event(scope: Scope, type: EventType, appointment: Appointment) -> None:
    """`appointment.*` with the booking's facts and nothing personal (check-in uses it too)."""
    assert appointment.id is not None
    journal.record_payload(
        scope,
        type=type,
        category=appointment.category,
        payload=AppointmentEventPayload(
            id=appointment.id,
            category=appointment.category,
            day=appointment.day,
            slot=slot_of(appointment, scope).label,
            status=appointment.status,
        ),
    )


def _no_show_times(scope: Scope, id_hash: str) -> list[datetime]:
    """When the person missed their bookings in this hall: no-shows marked by the watch, and
    bookings whose check-in has closed unmarked (the watch may not have run yet)."""
    late = timedelta(minutes=scope.hall.appointments.check_in_late_minutes)
    rows = scope.session.exec(
        select(Appointment.status, Appointment.slot_start, Appointment.slot_end).where(
            Appointment.hall == scope.code,
            Appointment.id_hash == id_hash,
            col(Appointment.status).in_((AppointmentStatus.NO_SHOW, AppointmentStatus.BOOKED)),
        )
    ).all()
    return [
        start
        for status, start, end in rows
        if status is AppointmentStatus.NO_SHOW or end + late < scope.now
    ]


def _check_person(scope: Scope, person: Person, day: date) -> None:
    rules = scope.hall.appointments
    until = blocked_until(
        _no_show_times(scope, person.id_hash),
        now=scope.now,
        limit=rules.no_show_limit,
        window_days=rules.no_show_window_days,
        block_days=rules.no_show_block_days,
    )
    if until is not None:
        raise BookingBlocked(
            f"您在{rules.no_show_window_days}天内已有{rules.no_show_limit}次预约未到，"
            f"{_at_text(until, scope)}前不能预约，请到大厅现场取号"
        )
    already = scope.session.exec(
        select(Appointment.id).where(
            Appointment.hall == scope.code,
            Appointment.id_hash == person.id_hash,
            Appointment.day == day,
            col(Appointment.status).in_(TAKEN),
        )
    ).first()
    if already is not None:
        raise AlreadyBooked(f"您已预约了{_day_text(day)}本大厅的业务，每人每天只能预约一次")


def _slot(scope: Scope, category: str, day: date, wanted: str) -> Slot:
    if day not in open_days(scope.hall, scope.now):
        days = open_days(scope.hall, scope.now)
        window = f"目前可预约{_day_text(days[0])}至{_day_text(days[-1])}的工作日" if days else ""
        raise DayNotOpen(f"{_day_text(day)}不可预约。{window}".rstrip("。") + "。")
    slot = next((s for s in slots_of(scope.hall, category, day) if s.label == wanted), None)
    if slot is None:
        raise UnknownSlot(f"{_day_text(day)}没有 {wanted} 开始的预约时段")
    if slot.start <= scope.now:  # a hall that books today (min_days_ahead = 0)
        raise DayNotOpen(f"{_day_text(day)} {slot.label} 的时段已开始，请选择以后的时段")
    return slot


def _new_code(scope: Scope) -> str:
    while True:
        code = new_short_code()
        taken = scope.session.exec(select(Appointment.id).where(Appointment.code == code))
        if taken.first() is None:
            return code


def book(
    scope: Scope, request: AppointmentCreate, *, person: Person, catalog: MatterCatalog
) -> AppointmentPublic:
    """Book a place in a slot; the checks run under the hall's write lock, so two bookings
    for the last place cannot both get it."""
    hall = scope.hall
    rules = hall.appointments.category(request.category)
    if rules is None:
        if request.category in hall.category_by_code:
            name = hall.category_by_code[request.category].name
            raise InvalidInput(f"“{name}”不接受预约，请到大厅现场取号")
        raise InvalidInput(f"未知的业务类别：{request.category}")
    matter = matter_name(catalog, request.matter)
    found = catalog.find(matter) if matter else None
    if found is not None and found.category != request.category:
        raise InvalidInput(f"事项“{found.name}”不属于所选业务类别")
    slot = _slot(scope, request.category, request.day, request.slot)
    _check_person(scope, person, request.day)
    taken = taken_places(scope.session, hall=scope.code, day=request.day, category=rules.code)
    if taken.get(slot.start, 0) >= rules.capacity:
        raise SlotFull(f"{_day_text(request.day)} {slot.label} 的时段已约满，请选择其他时段")
    appointment = Appointment(
        hall=scope.code,
        category=rules.code,
        matter=matter,
        day=request.day,
        slot_start=slot.start,
        slot_end=slot.end,
        code=_new_code(scope),
        status=AppointmentStatus.BOOKED,
        id_hash=person.id_hash,
        id_masked=person.id_masked,
        phone_hash=person.phone_hash,
        phone_masked=person.phone_masked,
        booked_at=scope.now,
    )
    scope.session.add(appointment)
    scope.session.flush()
    record_event(scope, EventType.APPOINTMENT_BOOKED, appointment)
    return appointment_public(scope, appointment, catalog)


def _find(session: Session, code: str) -> Appointment:
    appointment = session.exec(
        select(Appointment).where(Appointment.code == code.strip().upper())
    ).first()
    if appointment is None:
        raise NotFound("没有这个预约码，请核对后重新输入")
    return appointment


def hall_of(session: Session, code: str) -> str:
    """The hall of the booking `code` (404 for an unknown code)."""
    return _find(session, code).hall


def by_code(scope: Scope, code: str) -> Appointment:
    return _find(scope.session, code)


def cancel(scope: Scope, code: str, *, catalog: MatterCatalog) -> AppointmentPublic:
    """Cancel a booking until `cancel_hours` before its slot; its place is free again."""
    appointment = by_code(scope, code)
    refusal = NOT_CANCELLABLE.get(appointment.status)
    if refusal is not None:
        raise IllegalTransition(refusal)
    rules = scope.hall.appointments
    deadline = cancel_deadline(slot_of(appointment, scope), cancel_hours=rules.cancel_hours)
    if scope.now > deadline:
        raise TooLateToCancel(
            f"预约时段开始前{rules.cancel_hours:g}小时内不能取消"
            f"（取消截止于{_at_text(deadline, scope)}）"
        )
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_at = scope.now
    scope.session.add(appointment)
    record_event(scope, EventType.APPOINTMENT_CANCELLED, appointment)
    return appointment_public(scope, appointment, catalog)


def check_no_shows(scope: Scope, *, dry_run: bool = False) -> int:
    """Bookings not checked in by the close of their check-in window become no-shows
    (`appointment.no_show`, once each)."""
    late = timedelta(minutes=scope.hall.appointments.check_in_late_minutes)
    due = scope.session.exec(
        select(Appointment)
        .where(
            Appointment.hall == scope.code,
            Appointment.status == AppointmentStatus.BOOKED,
            col(Appointment.slot_end) < scope.now - late,
        )
        .order_by(col(Appointment.slot_start), col(Appointment.id))
    ).all()
    if dry_run:
        return len(due)
    for appointment in due:
        appointment.status = AppointmentStatus.NO_SHOW
        appointment.no_show_at = scope.now
        scope.session.add(appointment)
        record_event(scope, EventType.APPOINTMENT_NO_SHOW, appointment)
    return len(due)
