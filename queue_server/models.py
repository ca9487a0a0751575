"""Database tables (SQLModel). Timestamps are stored in UTC and always read back aware."""

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from queue_server.domain.cases import CaseClass, CaseKind, CaseLogKind, CaseResolution, CaseStatus
from queue_server.domain.cross_region import (
    CrossRegionMode,
    CrossRegionStatus,
    CrossRegionStep,
    Decision,
    Delivery,
    ForwardChannel,
)
from queue_server.domain.enums import (
    AppointmentStatus,
    CallReason,
    DeviceKind,
    DeviceState,
    EventType,
    JourneyStatus,
    PriorityReason,
    Role,
    TicketStatus,
    WindowStatus,
)
from queue_server.domain.evaluation import EvaluationChannel
from queue_server.domain.self_service import (
    DepositStatus,
    InspectionResult,
    RepairSource,
    RepairStatus,
    ZoneStatus,
)


class AwareDateTime(sa.types.TypeDecorator[datetime]):
    """Refuses naive datetimes on the way in and returns UTC-aware ones on the way out,
    whatever the database keeps (SQLite has no time zones, PostgreSQL has timestamptz)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(enum: type[StrEnum], *, length: int = 24) -> sa.Enum:
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )


def _at(**kwargs: Any) -> Any:
    return Field(sa_type=AwareDateTime, **kwargs)


HALL_CODE_LENGTH = 32


def _hall(**kwargs: Any) -> Any:
    return Field(max_length=HALL_CODE_LENGTH, **kwargs)


class HallRecord(SQLModel, table=True):
    """One row per hall this database has held. A hall's write transactions lock its row
    first, so each hall's writes are serialised across server processes while other halls'
    writes run in parallel (SQLite instead takes its one write lock at BEGIN IMMEDIATE)."""

    __tablename__ = "hall"

    code: str = Field(primary_key=True, max_length=HALL_CODE_LENGTH)


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: Role = Field(sa_type=_enum(Role))
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=64)
    staff_no: str | None = Field(default=None, max_length=32)
    active: bool = True
    created_at: datetime = _at()
    hall: str | None = _hall(default=None)
    """The hall a clerk works in; None for city-wide managers and admins."""


class ApiToken(SQLModel, table=True):
    """Bearer tokens: login sessions and device tokens. Only a SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: Role = Field(sa_type=_enum(Role))
    name: str = Field(max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    device: bool = False
    created_at: datetime = _at()
    expires_at: datetime | None = _at(default=None)
    revoked_at: datetime | None = _at(default=None)
    device_names: str | None = Field(default=None, max_length=1000)
    """Device tokens: further device names (space-separated) it reports besides `name`."""
    window_no: int | None = None
    """Evaluator tokens: the one window whose services the tablet rates."""
    hall: str | None = _hall(default=None)
    """The hall the token acts in (a device's, or its user's); None for city-wide."""


class Ticket(SQLModel, table=True):
    """One stint of an applicant in one queue. A transfer ends this row as `transferred` and
    opens a new one with the same number, issue time and priority (`hop` counts the moves)."""

    __tablename__ = "ticket"
    __table_args__ = (
        sa.UniqueConstraint(
            "hall", "service_day", "category", "number", "hop", name="uq_ticket_number"
        ),
        sa.Index("ix_ticket_queue", "hall", "service_day", "status", "category"),
        sa.Index("ix_ticket_public_code", "public_code"),
        sa.Index("ix_ticket_person", "hall", "service_day", "person_hash"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    service_day: date
    category: str = Field(max_length=32)
    number: str = Field(max_length=16)
    sequence: int
    hop: int = 0
    status: TicketStatus = Field(sa_type=_enum(TicketStatus))
    priority: PriorityReason | None = Field(default=None, sa_type=_enum(PriorityReason))
    priority_note: str | None = Field(default=None, max_length=200)
    matter: str | None = Field(default=None, max_length=64)
    public_code: str = Field(max_length=16)
    issued_at: datetime = _at()
    queue_key: datetime = _at()
    called_at: datetime | None = _at(default=None)
    started_at: datetime | None = _at(default=None)
    finished_at: datetime | None = _at(default=None)
    window_no: int | None = None
    target_window_no: int | None = None
    call_reason: CallReason | None = Field(default=None, sa_type=_enum(CallReason))
    recall_count: int = 0
    clerk_id: int | None = Field(default=None, foreign_key="user_account.id")
    transferred_from_id: int | None = Field(default=None, foreign_key="ticket.id")
    outcome: str | None = Field(default=None, max_length=200)
    appointment_id: int | None = Field(default=None, foreign_key="appointment.id", index=True)
    """The booking this ticket was checked in for (an appointment ticket)."""
    appointment_slot: str | None = Field(default=None, max_length=11)
    """An appointment ticket's booked slot as printed and shown, e.g. "09:00-09:30"."""
    appointment_until: datetime | None = _at(default=None)
    """Until when dispatch serves it as an appointment (its check-in window's close); after
    that it is an ordinary ticket by its queue key."""
    journey_id: int | None = Field(default=None, foreign_key="journey.id", index=True)
    """The 补件 → 出件 journey this visit belongs to (a return or collection ticket, or the
    first visit once it ended in 补件)."""
    return_visit: bool = False
    """A 补件 applicant back with what was missing: served with priority by the category's
    windows, and by the window of the journey's clerk while that clerk is signed in."""
    person_hash: str | None = Field(default=None, max_length=64)
    """Real-name tickets: the keyed hash of the applicant's ID number (domain/identity.py);
    removed after the retention period."""


class Appointment(SQLModel, table=True):
    """A booked time (预约) in one category of one hall. The person is kept only as keyed
    hashes and masked forms, removed after the retention period."""

    __tablename__ = "appointment"
    __table_args__ = (
        sa.Index("ix_appointment_slot", "hall", "day", "category", "status"),
        sa.Index("ix_appointment_person", "hall", "id_hash", "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    category: str = Field(max_length=32)
    matter: str | None = Field(default=None, max_length=64)
    day: date
    slot_start: datetime = _at()
    slot_end: datetime = _at()
    code: str = Field(max_length=16, unique=True)
    """The booking code the applicant shows at the kiosk (text and QR)."""
    status: AppointmentStatus = Field(sa_type=_enum(AppointmentStatus))
    id_hash: str | None = Field(default=None, max_length=64)
    id_masked: str | None = Field(default=None, max_length=18)
    phone_hash: str | None = Field(default=None, max_length=64)
    phone_masked: str | None = Field(default=None, max_length=11)
    booked_at: datetime = _at()
    cancelled_at: datetime | None = _at(default=None)
    checked_in_at: datetime | None = _at(default=None)
    no_show_at: datetime | None = _at(default=None)


class Journey(SQLModel, table=True):
    """One matter from the visit that ended in 补件 to 出件: the return code, what is still
    missing, and where the result waits. Its visits are the tickets that carry its id."""

    __tablename__ = "journey"
    __table_args__ = (sa.Index("ix_journey_status", "hall", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    category: str = Field(max_length=32)
    matter: str | None = Field(default=None, max_length=64)
    return_code: str = Field(max_length=16, unique=True)
    status: JourneyStatus = Field(sa_type=_enum(JourneyStatus))
    first_ticket_id: int
    """The first visit (no foreign key: the ticket row points back here)."""
    clerk_id: int | None = Field(default=None, foreign_key="user_account.id")
    """The clerk of the latest 补件: a return visit goes to their window when they are in."""
    window_no: int | None = None
    missing: str = Field(default="[]", sa_type=sa.Text)
    """What the applicant must still bring: a JSON list of texts (一次告知)."""
    opened_at: datetime = _at()
    valid_until: datetime = _at()
    """The return code works until then."""
    ready_at: datetime | None = _at(default=None)
    collect_at: str | None = Field(default=None, max_length=8)
    """Once ready: "window" (the 出件 category's windows) or "locker" (a smart locker)."""
    collected_at: datetime | None = _at(default=None)
    closed_at: datetime | None = _at(default=None)
    """Collected or expired."""


class JourneyVisit(SQLModel, table=True):
    """What one visit of a journey ended with: the materials found missing at it."""

    __tablename__ = "journey_visit"

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(foreign_key="journey.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    at: datetime = _at()
    missing: str = Field(default="[]", sa_type=sa.Text)
    """A JSON list of texts; empty when the visit completed the matter."""


class WindowState(SQLModel, table=True):
    __tablename__ = "window_state"

    hall: str = _hall(primary_key=True)
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: WindowStatus = Field(sa_type=_enum(WindowStatus))
    clerk_id: int | None = Field(default=None, foreign_key="user_account.id")
    signed_in_at: datetime | None = _at(default=None)
    pause_reason: str | None = Field(default=None, max_length=200)
    paused_at: datetime | None = _at(default=None)
    current_ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    priority_streak: int = 0
    appointment_streak: int = 0
    """Appointment tickets called in a row while walk-ins wait (domain/dispatch.py)."""
    tidal_category: str | None = Field(default=None, max_length=32)
    """潮汐: the category the window is switched to serve first (domain/tidal.py), until
    `tidal_until`; both null when no switch is in force."""
    tidal_until: datetime | None = _at(default=None)


class NumberCounter(SQLModel, table=True):
    """The last sequence handed out per service day and category."""

    __tablename__ = "number_counter"

    hall: str = _hall(primary_key=True)
    service_day: date = Field(primary_key=True)
    category: str = Field(primary_key=True, max_length=32)
    last_sequence: int = 0


class Event(SQLModel, table=True):
    """The append-only log of every change, written in the same transaction as the change.
    `payload` is the wire message without `seq`, encoded once."""

    __tablename__ = "event"
    __table_args__ = (
        sa.Index("ix_event_day_type", "hall", "service_day", "type"),
        sa.Index("ix_event_ticket", "ticket_id"),
        sa.Index("ix_event_type_day", "hall", "type", "service_day"),
        sa.Index("ix_event_hall_seq", "hall", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: int | None = Field(default=None, primary_key=True)
    """Increases with every event of the city; within one hall, in commit order (a hall's
    writes are serialised), but with gaps where other halls' events fall."""
    hall: str = _hall()
    type: EventType = Field(sa_type=_enum(EventType, length=40))
    at: datetime = _at()
    service_day: date
    ticket_id: int | None = None
    window_no: int | None = None
    clerk_id: int | None = None
    category: str | None = Field(default=None, max_length=32)
    payload: str = Field(sa_type=sa.Text)


class IdempotentResponse(SQLModel, table=True):
    """The stored answer to a mutating request sent with an Idempotency-Key."""

    __tablename__ = "idempotent_response"

    principal: str = Field(primary_key=True, max_length=32)
    """`user:<id>` for people, `device:<token id>` for kiosks and boards."""
    key: str = Field(primary_key=True, max_length=128)
    fingerprint: str = Field(max_length=64)
    status_code: int
    body: str = Field(sa_type=sa.Text)
    created_at: datetime = _at()


class Device(SQLModel, table=True):
    """The last heartbeat of each kiosk, board and announcer, by the name it reports."""

    __tablename__ = "device"

    hall: str = _hall(primary_key=True)
    name: str = Field(primary_key=True, max_length=64)
    kind: DeviceKind = Field(sa_type=_enum(DeviceKind))
    state: DeviceState = Field(sa_type=_enum(DeviceState))
    detail: str | None = Field(default=None, max_length=200)
    token_name: str = Field(max_length=64)
    """The name of the device token that sent the last heartbeat."""
    first_seen_at: datetime = _at()
    last_seen_at: datetime = _at()


class Evaluation(SQLModel, table=True):
    """One 好差评 evaluation of one done ticket (at most one per ticket)."""

    __tablename__ = "evaluation"
    __table_args__ = (sa.Index("ix_evaluation_submitted_at", "hall", "submitted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    level: int
    """5 非常满意 … 1 非常不满意."""
    label: str = Field(max_length=8)
    reasons: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    comment: str | None = Field(default=None, max_length=500)
    channel: EvaluationChannel = Field(sa_type=_enum(EvaluationChannel))
    defaulted: bool = False
    submitted_at: datetime = _at()
    service_day: date
    """The evaluated ticket's service day."""
    category: str = Field(max_length=32)
    window_no: int | None = None
    clerk_id: int | None = Field(default=None, foreign_key="user_account.id")


class ServiceCase(SQLModel, table=True):
    """A 办不成事 case or the follow-up of a bad review. `contact` and the free texts are for
    staff only: they never go into events."""

    __tablename__ = "service_case"
    __table_args__ = (
        sa.Index("ix_service_case_status_due", "hall", "status", "due"),
        sa.Index("ix_service_case_ticket", "ticket_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    kind: CaseKind = Field(sa_type=_enum(CaseKind))
    status: CaseStatus = Field(sa_type=_enum(CaseStatus))
    case_class: CaseClass | None = Field(default=None, sa_type=_enum(CaseClass))
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    """The ticket whose matter could not be done, or that was rated badly."""
    desk_ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    """For a transfer: the new ticket waiting at the 办不成事 desk."""
    evaluation_id: int | None = Field(default=None, foreign_key="evaluation.id")
    number: str | None = Field(default=None, max_length=16)
    category: str | None = Field(default=None, max_length=32)
    window_no: int | None = None
    """Where the case came from: the transferring window, or the rated service's window."""
    matter: str | None = Field(default=None, max_length=64)
    summary: str = Field(max_length=500)
    contact: str | None = Field(default=None, max_length=100)
    opened_at: datetime = _at()
    opened_on: date
    """The hall's local date of opening: deadlines count from it."""
    opened_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    due: date
    owner_id: int | None = Field(default=None, foreign_key="user_account.id")
    department: str | None = Field(default=None, max_length=64)
    resolution: CaseResolution | None = Field(default=None, sa_type=_enum(CaseResolution))
    reply: str | None = Field(default=None, max_length=1000)
    negative_reason: str | None = Field(default=None, max_length=500)
    closed_at: datetime | None = _at(default=None)
    closed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    in_time: bool | None = None
    feedback: str | None = Field(default=None, max_length=500)
    followup_level: int | None = None
    followup_note: str | None = Field(default=None, max_length=500)
    updated_at: datetime = _at()


class CaseLogEntry(SQLModel, table=True):
    """A case's action log: every step and every note, in order."""

    __tablename__ = "case_log"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="service_case.id", index=True)
    at: datetime = _at()
    kind: CaseLogKind = Field(sa_type=_enum(CaseLogKind))
    note: str | None = Field(default=None, max_length=1000)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")


class CrossRegionCase(SQLModel, table=True):
    """A 市域通办 case: a matter received in one hall for the hall that owns it. It belongs to
    no single hall: each hall takes its own steps, and each step's event goes into the log of
    the hall that took it. `mail_address` is personal: it stays on this row, never in events,
    on boards or on the status page."""

    __tablename__ = "cross_region_case"
    __table_args__ = (
        sa.Index("ix_cross_region_case_receiving", "receiving_hall", "status"),
        sa.Index("ix_cross_region_case_owner", "owner_hall", "status"),
        sa.Index("ix_cross_region_case_delivering", "delivering_hall", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=24, unique=True)
    """Printed on the receipt; the pickup hall's 出件 window finds the case by it."""
    receiving_hall: str = _hall()
    owner_hall: str = _hall()
    delivering_hall: str = _hall()
    pickup_hall: str | None = _hall(default=None)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    number: str = Field(max_length=16)
    matter: str = Field(max_length=40)
    matter_name: str = Field(max_length=64)
    mode: CrossRegionMode = Field(sa_type=_enum(CrossRegionMode))
    delivery: Delivery = Field(sa_type=_enum(Delivery))
    mail_address: str | None = Field(default=None, max_length=300)
    originals_by_mail: bool = False
    status: CrossRegionStatus = Field(sa_type=_enum(CrossRegionStatus))
    returned: bool = False
    """补正 was told once (一次告知): never again for this case."""
    returned_materials: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    forward_channel: ForwardChannel | None = Field(default=None, sa_type=_enum(ForwardChannel))
    result: Decision | None = Field(default=None, sa_type=_enum(Decision))
    reason: str | None = Field(default=None, max_length=500)
    opened_at: datetime = _at()
    opened_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = _at()
    delivered_at: datetime | None = _at(default=None)


class CrossRegionStepRecord(SQLModel, table=True):
    """One step of a 市域通办 case, with the hall that takes it and when it is due. The open
    step (no `done_at`) is the one the case waits for; the owner's re-check is recorded as
    `accept` or, when it sends the case back, `return`."""

    __tablename__ = "cross_region_step"
    __table_args__ = (sa.Index("ix_cross_region_step_due", "done_at", "due_at"),)
    """Each hall's watch looks for open steps past due among the cases it is involved in."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cross_region_case.id", index=True)
    step: CrossRegionStep = Field(sa_type=_enum(CrossRegionStep))
    hall: str = _hall()
    started_at: datetime = _at()
    due_at: datetime | None = _at(default=None)
    done_at: datetime | None = _at(default=None)
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    channel: str | None = Field(default=None, max_length=16)
    tracking_no: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=500)
    """Staff free text: the detail view only, never events."""


class CrossRegionAlert(SQLModel, table=True):
    """`alert.cross_region_overdue` raised for one step on one hall's stream: at most once."""

    __tablename__ = "cross_region_alert"

    step_id: int = Field(foreign_key="cross_region_step.id", primary_key=True)
    hall: str = Field(primary_key=True, max_length=HALL_CODE_LENGTH)
    at: datetime = _at()


class DeviceStatusChange(SQLModel, table=True):
    """A zone device's status from `at` on, recorded whenever it changes (a heartbeat saying
    something new, silence past the offline limit, a repair verified): the record the zone's
    availability (完好率) is computed from."""

    __tablename__ = "device_status_change"
    __table_args__ = (sa.Index("ix_device_status_change_at", "hall", "device", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    device: str = Field(max_length=64)
    at: datetime = _at()
    status: ZoneStatus = Field(sa_type=_enum(ZoneStatus))


class ZoneInspection(SQLModel, table=True):
    """One inspection of a zone device by staff of its hall (巡检)."""

    __tablename__ = "zone_inspection"
    __table_args__ = (sa.Index("ix_zone_inspection_at", "hall", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    device: str = Field(max_length=64)
    at: datetime = _at()
    result: InspectionResult = Field(sa_type=_enum(InspectionResult))
    checks: dict[str, bool] = Field(default_factory=dict, sa_type=sa.JSON)
    note: str | None = Field(default=None, max_length=200)
    user_id: int = Field(foreign_key="user_account.id")
    repair_id: int | None = None
    """The repair case a `fault` result opened or found open (the `repair_case` id)."""


class InspectionAlert(SQLModel, table=True):
    """`alert.inspection_missed` raised for one device, day and round: at most once."""

    __tablename__ = "inspection_alert"

    hall: str = _hall(primary_key=True)
    device: str = Field(primary_key=True, max_length=64)
    day: date = Field(primary_key=True)
    round: str = Field(primary_key=True, max_length=32)
    at: datetime = _at()


class RepairCase(SQLModel, table=True):
    """A fault of a zone device, from report to verified repair (open → assigned → fixed →
    verified), due within the zone's `repair_hours`."""

    __tablename__ = "repair_case"
    __table_args__ = (sa.Index("ix_repair_case_open", "hall", "device", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    device: str = Field(max_length=64)
    source: RepairSource = Field(sa_type=_enum(RepairSource))
    summary: str = Field(max_length=200)
    status: RepairStatus = Field(sa_type=_enum(RepairStatus))
    opened_at: datetime = _at()
    due_at: datetime = _at()
    opened_by: int | None = Field(default=None, foreign_key="user_account.id")
    assignee: str | None = Field(default=None, max_length=64)
    """Who repairs it (a person or the department's maintenance contractor)."""
    assigned_at: datetime | None = _at(default=None)
    fixed_at: datetime | None = _at(default=None)
    verified_at: datetime | None = _at(default=None)
    verified_by: int | None = Field(default=None, foreign_key="user_account.id")
    overdue_alerted_at: datetime | None = _at(default=None)


class HelpRequest(SQLModel, table=True):
    """一键求助: a press of the help button on a kiosk or zone device, until staff answer."""

    __tablename__ = "help_request"
    __table_args__ = (sa.Index("ix_help_request_at", "hall", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    device: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=200)
    token_name: str = Field(max_length=64)
    requested_at: datetime = _at()
    acked_at: datetime | None = _at(default=None)
    acked_by: int | None = Field(default=None, foreign_key="user_account.id")
    escalated_at: datetime | None = _at(default=None)


class LockerDeposit(SQLModel, table=True):
    """A result put into a compartment of a smart locker for 24-hour pickup. The pickup code
    is never stored: it is derived from the server's secret and `salt`."""

    __tablename__ = "locker_deposit"
    __table_args__ = (sa.Index("ix_locker_deposit_open", "hall", "locker", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    locker: str = Field(max_length=64)
    compartment: int
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    case_id: int | None = Field(default=None, foreign_key="cross_region_case.id", index=True)
    salt: str = Field(max_length=32)
    status: DepositStatus = Field(sa_type=_enum(DepositStatus))
    deposited_at: datetime = _at()
    deposited_by: int = Field(foreign_key="user_account.id")
    picked_up_at: datetime | None = _at(default=None)
    uncollected_alerted_at: datetime | None = _at(default=None)


class LockerCodeFailure(SQLModel, table=True):
    """A wrong pickup code typed at a locker; enough of them lock its code entry a while."""

    __tablename__ = "locker_code_failure"
    __table_args__ = (sa.Index("ix_locker_code_failure_at", "hall", "locker", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    hall: str = _hall()
    locker: str = Field(max_length=64)
    at: datetime = _at()


class StatsRollup(SQLModel, table=True):
    """A finished service day's statistics, one row per dimension: every group's counts in
    `groups` (JSON, in a fixed key order), and the groups' wait, service and time-at-window
    samples concatenated in that order as little-endian float64 arrays. Built from the day's
    events by the same pure functions as live figures; dropped when an event for that day is
    recorded later."""

    __tablename__ = "stats_rollup"

    hall: str = _hall(primary_key=True)
    service_day: date = Field(primary_key=True)
    dimension: str = Field(primary_key=True, max_length=16)
    groups: str = Field(sa_type=sa.Text)
    waits: bytes = Field(sa_type=sa.LargeBinary)
    services: bytes = Field(sa_type=sa.LargeBinary)
    at_window: bytes = Field(sa_type=sa.LargeBinary)
    last_seq: int = 0
    """The newest event of the day when it was rolled up."""
