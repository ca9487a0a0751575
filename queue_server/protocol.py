"""The wire protocol: pydantic models shared by the server and every client.

Importing this module loads pydantic and the pure domain vocabulary only, never FastAPI or the
database, so terminals can depend on it cheaply. Field names are part of the protocol: add
fields freely, never rename one.
"""

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from queue_server.domain.cases import (
    CaseClass,
    CaseKind,
    CaseLogKind,
    CaseResolution,
    CaseStatus,
)
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
    FinishOutcome,
    JourneyStatus,
    PriorityReason,
    Role,
    TicketStatus,
    WindowStatus,
)
from queue_server.domain.errors import InvalidInput
from queue_server.domain.evaluation import EvaluationChannel
from queue_server.domain.identity import normalise_id_number, normalise_phone
from queue_server.domain.nearby import Handling
from queue_server.domain.self_service import (
    DepositStatus,
    InspectionResult,
    RepairSource,
    RepairStatus,
    ZoneDeviceKind,
    ZoneStatus,
)

__all__ = [
    "ZONE_CATEGORY",
    "ZONE_CATEGORY_NAME",
    "AlertPublic",
    "AppointmentBooking",
    "AppointmentCategoryPublic",
    "AppointmentCheckIn",
    "AppointmentCreate",
    "AppointmentEventPayload",
    "AppointmentHallPublic",
    "AppointmentMatterPublic",
    "AppointmentPublic",
    "AppointmentSlotBookings",
    "AppointmentSlotPublic",
    "AppointmentStatsFigures",
    "AppointmentStatsReport",
    "AppointmentStatsRow",
    "AppointmentStatus",
    "BoardSettingsPublic",
    "CallNumberRequest",
    "CallReason",
    "CaseAssign",
    "CaseClass",
    "CaseClassify",
    "CaseClose",
    "CaseClosedPayload",
    "CaseDetail",
    "CaseFeedback",
    "CaseFiguresPublic",
    "CaseFollowUp",
    "CaseKind",
    "CaseLogEntryPublic",
    "CaseLogKind",
    "CaseLogRequest",
    "CaseOpen",
    "CaseOpenedPayload",
    "CasePublic",
    "CaseResolution",
    "CaseStatus",
    "CaseUpdatedPayload",
    "CategoryPublic",
    "ClerkDayPublic",
    "ClerkPublic",
    "CrossRegionAccept",
    "CrossRegionCaseDetail",
    "CrossRegionCasePublic",
    "CrossRegionDecide",
    "CrossRegionDeliver",
    "CrossRegionForward",
    "CrossRegionLogEntry",
    "CrossRegionMode",
    "CrossRegionOpen",
    "CrossRegionPayload",
    "CrossRegionResubmit",
    "CrossRegionReturn",
    "CrossRegionStatsReport",
    "CrossRegionStatsRow",
    "CrossRegionStatus",
    "CrossRegionStatusPublic",
    "CrossRegionStatusStep",
    "CrossRegionStep",
    "CrossRegionStepPublic",
    "CrossRegionStepStats",
    "Decision",
    "Delivery",
    "DepositStatus",
    "DeviceHeartbeat",
    "DeviceKind",
    "DevicePublic",
    "DeviceState",
    "ErrorResponse",
    "EvaluationChannel",
    "EvaluationLevelPublic",
    "EvaluationOptions",
    "EvaluationPublic",
    "EvaluationSubmit",
    "EvaluationSubmittedPayload",
    "EvaluatorState",
    "EventMessage",
    "EventType",
    "FaultReport",
    "FieldError",
    "FinishOutcome",
    "FinishRequest",
    "ForwardChannel",
    "HallSnapshot",
    "HallSummary",
    "HealthResponse",
    "HeartbeatMessage",
    "HelpRequestCreate",
    "HelpRequestPublic",
    "HourLoadPublic",
    "IdNumber",
    "InspectionCreate",
    "InspectionPublic",
    "InspectionResult",
    "JourneyEventPayload",
    "JourneyPublic",
    "JourneyReady",
    "JourneyReturn",
    "JourneyStatus",
    "JourneyStatusPublic",
    "JourneyVisitPublic",
    "LiveCategory",
    "LiveStats",
    "LiveWindow",
    "LockerDepositCreate",
    "LockerDepositPublic",
    "LockerPickup",
    "LockerPickupPublic",
    "LockerPickupResult",
    "LockerPublic",
    "LoginRequest",
    "LoginResponse",
    "MatterPublic",
    "MePublic",
    "OneVisitCategoryStats",
    "OneVisitStats",
    "OneVisitStatsReport",
    "OneVisitStatsRow",
    "PauseReasonPublic",
    "PauseRequest",
    "PendingRating",
    "Phone",
    "PriorityReason",
    "PublicEvaluationState",
    "PublicHall",
    "PublicHallCategory",
    "ReasonRequest",
    "RepairAssign",
    "RepairCasePublic",
    "RepairSource",
    "RepairStatus",
    "Role",
    "SelfServiceDeviceStats",
    "SelfServiceFigures",
    "SelfServiceStatsReport",
    "SelfServiceStatsRow",
    "SelfServiceZonePublic",
    "ServerMessage",
    "SlotTime",
    "SnapshotMessage",
    "StaffPublic",
    "StatsGroupBy",
    "StatsReport",
    "StatsRow",
    "TicketCreate",
    "TicketPublic",
    "TicketStatus",
    "TicketStatusMessage",
    "TicketStatusPublic",
    "TransferRequest",
    "WindowEvaluationSubmit",
    "WindowPublic",
    "WindowStatus",
    "ZoneDeviceKind",
    "ZoneDevicePublic",
    "ZoneRoundStats",
    "ZoneStatus",
    "parse_server_message",
]

NOT_BLANK = r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
"""One character that is not white space as `str.strip` sees it: a text the server strips
must not be blank, and the OpenAPI says so, since `minLength` alone would allow "\\f"."""

ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=200)
]


def _json_integer(value: object) -> object:
    """JSON Schema's integer: `7` or `7.0`; pydantic would also take `true` and `"7"`."""
    if isinstance(value, bool | str):
        raise ValueError("expected an integer")
    return value


JSON_INTEGER = BeforeValidator(_json_integer)
"""Put after the bounds (`Annotated[int, Field(ge=1), JSON_INTEGER]`): they stay in the schema."""
RowId = Annotated[int, Field(ge=1, le=2**31 - 1), JSON_INTEGER]
"""An id in a request body: a JSON integer, never `true` or `"1"` (422)."""
Level = Annotated[int, Field(ge=1, le=5), JSON_INTEGER]
"""An evaluation level, 1 (非常不满意) to 5 (非常满意): a JSON integer."""


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldError(_Wire):
    """One problem with one field of a refused request."""

    loc: list[str | int]
    """Where: `["body", "ticket_id"]`, `["query", "day"]`."""
    msg: str
    type: str


class ErrorResponse(_Wire):
    """The body of every error answer (see docs/api.md, "Conventions")."""

    detail: str
    code: str = "error"
    errors: list[FieldError] | None = None
    """Only for `invalid_request` (400, 422): the field-level list."""
    category: str | None = None
    """Only for `check_in_too_late` (409): the booking's category, for a walk-in number."""


class LoginRequest(_Request):
    username: Annotated[
        str,
        StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=64),
    ]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class LoginResponse(_Wire):
    token: str
    role: Role
    expires_at: datetime
    display_name: str | None = None


class MePublic(_Wire):
    name: str
    role: Role
    display_name: str | None = None
    staff_no: str | None = None
    window_no: int | None = None
    """The window this clerk is signed in to, if any."""


class TicketCreate(_Request):
    category: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    priority: PriorityReason | None = None
    priority_note: ShortText | None = None
    """Free text for `priority=other`; never shown on boards."""
    matter: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    id_number: "IdNumber | None" = Field(default=None, repr=False)
    """实名取号: the applicant's 居民身份证号, required by a `real_name` category; kept only as
    a keyed hash."""


class TicketPublic(_Wire):
    id: int
    number: str
    category: str
    category_name: str
    status: TicketStatus
    issued_at: datetime
    service_day: date
    priority: PriorityReason | None = None
    priority_note: str | None = None
    matter: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    window_no: int | None = None
    target_window_no: int | None = None
    call_reason: CallReason | None = None
    recall_count: int = 0
    transferred_from_id: int | None = None
    outcome: str | None = None
    public_code: str | None = None
    ahead: int | None = None
    eta_minutes: int | None = None
    eta_low_minutes: int | None = None
    """With `eta_high_minutes`: the range (P10–P90) the wait should fall in."""
    eta_high_minutes: int | None = None
    appointment_slot: str | None = None
    """An appointment ticket: its booked slot, e.g. "09:00-09:30"."""
    journey_id: int | None = None
    """The 补件 → 出件 journey this visit belongs to."""
    return_visit: bool = False
    """A 补件 applicant back with what was missing (served with priority)."""
    return_code: str | None = None
    """After a finish as 补件: the code the applicant brings back (also on their status
    page)."""


class CallNumberRequest(_Request):
    number: Annotated[
        str,
        StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z][0-9]{3,5}$"),
    ]


class ReasonRequest(_Request):
    reason: ShortText | None = None


class PauseRequest(_Request):
    reason: ShortText


class FinishRequest(_Request):
    outcome: ShortText | None = None
    missing: Annotated[list[ShortText], Field(max_length=30)] = Field(default_factory=list)
    """With outcome `needs_documents` (补件): the materials missing or incorrect, picked from
    the matter's list or typed; told to the applicant at once (一次告知)."""


class TransferRequest(_Request):
    to_category: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    to_window: Annotated[int, Field(gt=0, lt=1000), JSON_INTEGER] | None = None
    reason: ShortText

    @model_validator(mode="after")
    def _exactly_one_target(self) -> Self:
        if (self.to_category is None) == (self.to_window is None):
            raise ValueError("give exactly one of to_category and to_window")
        return self


class ClerkPublic(_Wire):
    display_name: str
    staff_no: str | None = None


class ClerkDayPublic(_Wire):
    """The calling clerk's own figures for one service day (the clerk console's strip)."""

    service_day: date
    served: int
    """Tickets this clerk called and finished (`done`)."""
    no_shows: int
    transferred: int
    average_service_seconds: float | None = None
    """Mean of finished - started over the served tickets; null before the first one."""


class WindowPublic(_Wire):
    number: int
    name: str
    zone: str
    categories: list[str]
    status: WindowStatus
    also_serves: list[str] = []
    """Categories the window helps with (跨窗通办) beside its own."""
    pause_reason: str | None = None
    clerk: ClerkPublic | None = None
    current: TicketPublic | None = None
    tidal_category: str | None = None
    """潮汐: the category the window is switched to serve first (before its own), while a
    switch is in force; see `POST /api/windows/{number}/tidal`."""
    tidal_until: datetime | None = None
    """When that switch ends by itself."""


class CategoryPublic(_Wire):
    code: str
    prefix: str
    name: str
    target_wait_minutes: int
    waiting: int
    eta_minutes: int | None
    """Expected wait of a ticket taken now, null when no open window serves the category."""
    eta_low_minutes: int | None = None
    eta_high_minutes: int | None = None
    issued_today: int
    daily_cap: int | None = None
    open: bool = True
    closed_reason: str | None = None
    oldest_wait_seconds: float | None = None
    finish_outcome_required: bool = False
    """Finishing a ticket of this category needs an outcome (see `FinishOutcome`)."""
    real_name: bool = False
    """实名取号: a ticket needs the applicant's ID number (`TicketCreate.id_number`)."""
    max_tickets_per_person_per_day: int | None = None
    """A real-name category's daily allowance per person; null for any other category."""


class BoardSettingsPublic(_Wire):
    """The hall configuration's `[board]` and `[voice]` settings that boards and the
    announcer follow."""

    recent_calls: int = 8
    highlight_seconds: float = 10.0
    announce_repeats: int = 2
    announce_chime: bool = True
    announce_rate: int = 150
    announce_pause_seconds: float = 0.8


class HallSnapshot(_Wire):
    name: str
    service_day: date
    timezone: str
    generated_at: datetime
    call_template: str
    board_notice: str
    categories: list[CategoryPublic]
    windows: list[WindowPublic]
    board: BoardSettingsPublic = BoardSettingsPublic()
    open_now: bool = True
    """The hall's `[opening_hours]` (always open when it has none; holidays closed)."""
    opens_at: datetime | None = None
    """The next opening while closed; null when open (or closed for weeks)."""
    closes_at: datetime | None = None
    """When the current opening ends; null while closed, or when the hall never closes."""
    day_off: bool = False
    """The hall does not open at all on this (local) day: a weekend, a public holiday —
    kiosks and boards say 今日休息 rather than 大厅已下班."""
    self_service: "SelfServiceZonePublic | None" = None
    """The 24-hour self-service zone, when the hall has one."""


class HealthResponse(_Wire):
    status: Literal["ok"] = "ok"
    version: str
    database: str
    seq: int


class LiveStatePublic(_Wire):
    """`GET /api/live-state`: the hall's live state held by this process, checked against
    one read afresh from the database (a diagnostic for managers and the tests)."""

    hall: str
    seq: int
    """The hall's newest event, which both states are as of."""
    consistent: bool
    differences: list[str]
    """Where they disagree, one line each (empty when consistent)."""


TidalMinutes = Annotated[int, Field(ge=5, le=480), JSON_INTEGER]
"""How long a 潮汐 switch lasts, in minutes."""


class TidalRequest(_Request):
    """Switch a window to one of its `also_serves` categories for `minutes` (潮汐窗口)."""

    category: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    minutes: TidalMinutes


class TidalSwitchPublic(_Wire):
    """A 潮汐 switch in force: `window` serves `category` first until `until`."""

    window: int
    category: str
    category_name: str
    until: datetime


class TidalSuggestionPublic(_Wire):
    """A suggested 潮汐 switch, scored by playing the hall forward from now with and without
    it: the expected mean wait of everyone waiting now or arriving soon, in seconds."""

    window: int
    category: str
    category_name: str
    minutes: int
    mean_wait_without_seconds: float
    mean_wait_with_seconds: float
    gain_seconds: float
    message: str
    """建议：7号窗口转办 综合受理 30 分钟，预计平均等候 12→8 分钟"""


class TidalStartedPayload(_Wire):
    """`payload` of `window.tidal_started`."""

    window: int
    category: str
    until: datetime
    who: str
    """The display name of the manager or admin who made the switch."""


TidalEndReason = Literal["expired", "ended"]


class TidalEndedPayload(_Wire):
    """`payload` of `window.tidal_ended`: `expired` at its end time, `ended` by hand."""

    window: int
    category: str
    reason: TidalEndReason


class AlertPublic(_Wire):
    """What an `alert.*` event is about. `value` and `threshold` are seconds (waits, services)
    or people (queue length)."""

    category: str
    category_name: str
    value: float
    threshold: float
    ticket_number: str | None = None
    window_no: int | None = None
    case_id: str | None = None
    """For `alert.case_overdue` (`value`: days past the due date)."""
    cross_region_code: str | None = None
    """For `alert.cross_region_overdue`: the 市域通办 case's code (`value`: hours past due)."""
    step: CrossRegionStep | None = None
    """For `alert.cross_region_overdue`: the step that is overdue."""
    device: str | None = None
    """For `alert.device`: the device (its token's name) that went over its limit; `value`
    is the burst and `threshold` the seconds per ticket of the issuing limit it hit. For the
    zone's alerts (`alert.inspection_missed`, `alert.repair_overdue`, `alert.help_*`,
    `alert.locker_uncollected`): the zone device concerned, if any."""
    device_label: str | None = None
    """The zone device's label (e.g. 社保自助终端)."""
    suggestion: TidalSuggestionPublic | None = None
    """For `alert.queue_length`: the 潮汐 switch that helps that category's queue, if one
    does (null otherwise)."""
    inspection_round: str | None = None
    """For `alert.inspection_missed`: the round missed (e.g. 开门前检查)."""
    repair_id: int | None = None
    """For `alert.repair_overdue`."""
    help_request_id: int | None = None
    """For `alert.help_requested` and `alert.help_unanswered`."""
    deposit_id: int | None = None
    """For `alert.locker_uncollected`."""
    message: str
    """A Chinese sentence for the manager's screen."""


class EventMessage(_Wire):
    """One change in the hall, as stored in the event log and pushed over websockets."""

    type: EventType
    seq: int
    at: datetime
    ticket: TicketPublic | None = None
    new_ticket: TicketPublic | None = None
    """For ticket.transferred: the ticket as it waits in its new queue."""
    window: WindowPublic | None = None
    reason: str | None = None
    clerk: ClerkPublic | None = None
    payload: dict[str, Any] | None = None
    """For `evaluation.*` and `case.*` events: the facts of the change (see the *Payload
    models: EvaluationSubmittedPayload, CaseOpenedPayload, CaseClosedPayload,
    CaseUpdatedPayload)."""
    alert: AlertPublic | None = None
    """For `alert.*` events."""


class SnapshotMessage(_Wire):
    type: Literal["snapshot"] = "snapshot"
    seq: int
    hall: HallSnapshot


class HeartbeatMessage(_Wire):
    type: Literal["heartbeat"] = "heartbeat"
    seq: int
    at: datetime


class MatterPublic(_Wire):
    """One 一件事 of the hall's catalog: what it covers and every material to bring."""

    id: str
    name: str
    category: str
    """The code of the category that serves it."""
    items: list[str]
    """The single matters (具体事项) it bundles."""
    materials: list[str]
    """The materials to bring (材料准备), told at once (一次告知); may be empty."""
    cross_region: list[CrossRegionMode] = Field(default_factory=list)
    """How it may be handled across the city (市域通办); empty: only in the hall it belongs to."""
    originals_by_mail: bool = False
    """The paper originals must travel to the owning hall."""
    deciding_halls: list[str] | None = None
    """The halls that may own and decide it; null: every hall of the city."""


DeviceName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class DeviceHeartbeat(_Request):
    kind: DeviceKind
    state: DeviceState = DeviceState.OK
    detail: ShortText | None = None
    """A readable word on the state, e.g. the printer's own error message."""


class DevicePublic(_Wire):
    name: str
    kind: DeviceKind
    state: DeviceState | None = None
    """The last state the device reported; null for a zone device never heard from."""
    detail: str | None = None
    last_seen_at: datetime | None = None
    """Null for a zone device never heard from."""
    online: bool
    """False when the device has been silent longer than the server's offline limit."""
    status: str
    """`offline` when not online, else `state` (`unknown` before a zone device's first
    heartbeat): what a manager's console shows."""
    label: str | None = None
    """A zone device's label from the hall TOML (e.g. 社保自助终端); null for other devices."""
    services: list[str] = Field(default_factory=list)
    """What a person can do at a zone device."""
    zone_status: ZoneStatus | None = None
    """A zone device's status as the zone shows it (an open repair case makes it `fault`)."""
    zone_status_label: str | None = None
    """正常使用, 暂停使用 or 状态未知."""


class TicketStatusPublic(_Wire):
    """What the applicant's status page shows: no personal data, no other ticket."""

    number: str
    category: str
    category_name: str
    status: TicketStatus
    status_label: str
    issued_at: datetime
    service_day: date
    ahead: int | None = None
    """People waiting before this ticket; null unless it is waiting."""
    eta_minutes: int | None = None
    window_no: int | None = None
    window_name: str | None = None
    called_at: datetime | None = None
    call_text: str | None = None
    """E.g. "请B007号到3号窗口办理" while called or served."""
    matter: str | None = None
    materials: list[str] = Field(default_factory=list)
    hall_name: str
    updated_at: datetime
    cross_region: "CrossRegionStatusPublic | None" = None
    """The 市域通办 case opened from this ticket, if any."""
    locker: "LockerPickupPublic | None" = None
    """A result of this ticket (or of its 市域通办 case) waiting in a smart locker: where, the
    pickup code, and when the zone is open."""
    journey: "JourneyStatusPublic | None" = None
    """The 补件 → 出件 journey of this ticket: what to bring back, the return code, where to
    collect the result once ready."""


class TicketStatusMessage(_Wire):
    """Sent over `WS /ws/t/{public_code}`: the ticket's status whenever it may have changed."""

    type: Literal["ticket_status"] = "ticket_status"
    ticket: TicketStatusPublic


StatsGroupBy = Literal["category", "window", "clerk", "hour", "day", "hall"]
"""`hall`: one row per hall of the city (city-wide managers and admins only)."""


class StatsRow(_Wire):
    """Figures of one group (or the whole period); times in seconds, shares from 0 to 1.
    docs/statistics.md defines every key."""

    key: str
    label: str
    issued: int
    transferred_in: int
    called: int
    served: int
    no_show: int
    transferred: int
    cancelled: int
    abandoned: int
    open: int
    requeued: int
    recalled: int
    wait_mean: float | None
    wait_median: float | None
    wait_p90: float | None
    wait_max: float | None
    service_mean: float | None
    service_median: float | None
    service_p90: float | None
    service_max: float | None
    at_window_mean: float | None
    at_window_median: float | None
    at_window_p90: float | None
    at_window_max: float | None
    within_target: int
    within_target_share: float | None
    no_show_rate: float | None
    pauses: int
    pause_seconds: float
    evaluations: int
    defaulted: int
    very_satisfied: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    very_dissatisfied: int
    satisfaction_score: float | None
    satisfaction_rate: float | None


class HourLoadPublic(_Wire):
    hour: int
    arrivals: int
    waiting_mean: float


class PauseReasonPublic(_Wire):
    reason: str
    pauses: int
    seconds: float


class CaseFiguresPublic(_Wire):
    kind: str
    case_class: str
    opened: int
    closed: int
    closed_in_time: int
    closed_late: int
    open: int
    overdue: int


class StatsReport(_Wire):
    from_day: date
    to_day: date
    group_by: StatsGroupBy
    generated_at: datetime
    days: int
    """Service days in the period on which tickets were issued."""
    total: StatsRow
    rows: list[StatsRow]
    hourly: list[HourLoadPublic]
    pauses: list[PauseReasonPublic]
    cases: list[CaseFiguresPublic]


class CrossRegionStepStats(_Wire):
    """Steps of one kind that count in the period: done in it, or still open and overdue."""

    counted: int
    on_time: int
    late: int
    on_time_share: float | None


class CrossRegionStatsRow(_Wire):
    """One hall's 市域通办 figures (or the city's, key `total`). docs/statistics.md defines
    every key."""

    key: str
    label: str
    received_for_others: int
    decided_for_others: int
    by_state: dict[CrossRegionStatus, int]
    steps: dict[CrossRegionStep, CrossRegionStepStats]
    """forward, accept, return, decide and deliver: the steps that have a due time."""
    on_time: int
    late: int
    on_time_share: float | None
    delivered: int
    working_days_mean: float | None


class CrossRegionStatsReport(_Wire):
    from_day: date
    to_day: date
    generated_at: datetime
    rows: list[CrossRegionStatsRow]
    """Every hall of the city for city-wide callers; the caller's own hall otherwise."""
    total: CrossRegionStatsRow | None
    """The city's total, for city-wide callers without `hall=`; None otherwise."""


class ZoneRoundStats(_Wire):
    """One inspection round over the period: due on each working day for each device."""

    due: int
    on_time: int
    missed: int
    on_time_share: float | None


class SelfServiceFigures(_Wire):
    """The 24-hour zone's figures of one device, one hall or the city (docs/statistics.md
    defines every key)."""

    key: str
    label: str
    open_seconds: float
    """The zone's open time in the period up to now (times the devices, for a hall)."""
    available_seconds: float
    """Of which the device was online and `ok`."""
    availability: float | None
    """完好率: available_seconds / open_seconds."""
    inspections_due: int
    inspections_on_time: int
    inspections_missed: int
    inspections_on_time_share: float | None
    rounds: dict[str, ZoneRoundStats]
    """By round name (开门前检查, 闭门后检查 …)."""
    faults: int
    """Repair cases opened in the period."""
    faults_by_source: dict[RepairSource, int]
    repaired: int
    """Repair cases verified in the period."""
    repair_seconds_mean: float | None
    """Mean time to repair: opened → verified, of the cases verified in the period."""
    help_requests: int
    help_acknowledged: int
    help_escalated: int
    """Not acknowledged within `help_escalate_minutes`."""
    help_response_seconds_mean: float | None
    help_response_seconds_p90: float | None


class SelfServiceDeviceStats(SelfServiceFigures):
    """One zone device (`key` is its name, `label` what people read)."""


class SelfServiceStatsRow(SelfServiceFigures):
    """One hall's zone (or the city's, key `total`): its devices added up, and every help
    request of the hall (also those naming no device)."""

    device_count: int
    devices: list[SelfServiceDeviceStats]
    """Each configured device of the hall's zone; empty in the city's total."""


class SelfServiceStatsReport(_Wire):
    from_day: date
    to_day: date
    generated_at: datetime
    rows: list[SelfServiceStatsRow]
    """Every hall of the city for city-wide callers; the caller's own hall otherwise."""
    total: SelfServiceStatsRow | None
    """The city's total, for city-wide callers without `hall=`; None otherwise."""


class OneVisitStats(_Wire):
    """一次办成率 of a group of completed matters (docs/statistics.md defines every key)."""

    key: str
    """The hall's code, the category's code, the matter's name ("" for none), or `total`."""
    label: str
    completed: int
    """Matters completed in the period: tickets finished `resolved` outside any journey, and
    journeys collected at 出件."""
    one_visit: int
    """Of which done in one visit."""
    visits: int
    """Service visits the completed matters took (a journey's first visit and its return
    visits; not the 出件 collection)."""
    visits_per_matter: float | None
    one_visit_share: float | None
    """一次办成率: `one_visit` / `completed`."""
    journeys: int
    """Completed matters that went through 补件 (journeys collected in the period)."""
    days_to_collection_mean: float | None
    """Mean calendar days from a journey's first visit to 出件."""


class OneVisitCategoryStats(OneVisitStats):
    matters: list[OneVisitStats]
    """Per 一件事 of the category, by name (key "" for tickets that named none)."""


class OneVisitStatsRow(OneVisitStats):
    """One hall (or the city's total, key `total`)."""

    categories: list[OneVisitCategoryStats]


class OneVisitStatsReport(_Wire):
    """`GET /api/stats/journeys`: completed matters, visits per matter, days to 出件 and the
    share done in one visit (一次办成率), per hall, category and matter."""

    from_day: date
    to_day: date
    generated_at: datetime
    rows: list[OneVisitStatsRow]
    """Every hall of the city for city-wide callers; the caller's own hall otherwise."""
    total: OneVisitStatsRow | None
    """The city's total, for city-wide callers without `hall=`; None otherwise."""


class LiveCategory(_Wire):
    code: str
    name: str
    waiting: int
    longest_wait_seconds: float | None
    target_wait_seconds: float
    over_target: int
    """People waiting longer than the target now."""


class LiveWindow(_Wire):
    number: int
    name: str
    status: WindowStatus
    pause_reason: str | None = None
    clerk: str | None = None
    current_number: str | None = None
    serving_seconds: float | None = None
    tidal_category: str | None = None
    """The category of the 潮汐 switch in force at the window, if any."""
    tidal_until: datetime | None = None


class LiveStats(_Wire):
    generated_at: datetime
    service_day: date
    categories: list[LiveCategory]
    windows_open: int
    windows_paused: int
    windows_closed: int
    windows: list[LiveWindow]
    alerts: list[EventMessage]
    """Today's alerts, newest first."""
    today: StatsRow


class HallSummary(_Wire):
    """One hall of the city, live (`GET /api/halls`, the manager console's 全市 page)."""

    code: str
    name: str
    district: str | None = None
    address: str | None = None
    waiting: int
    longest_wait_seconds: float | None
    over_target: int
    """People waiting longer than their category's target now."""
    windows_open: int
    windows_paused: int
    windows_closed: int
    alerts: int
    """Alerts raised today."""


class PublicHallCategory(_Wire):
    code: str
    name: str
    waiting: int
    eta_minutes: int | None
    """The wait of a ticket taken now; None when no window serves the category now."""
    open: bool
    """Whether a kiosk issues this category now."""


class PublicHall(_Wire):
    """One hall for the public (`GET /api/public/halls`): no personal data."""

    code: str
    name: str
    address: str | None = None
    district: str | None = None
    open_now: bool
    """Whether any of its categories issues tickets now."""
    categories: list[PublicHallCategory]


class PublicHallChoice(PublicHall):
    """A hall that can take the applicant's matter (`GET /api/public/halls?matter=ID`, or
    `?category=CODE`), with the queue of the category that serves it there."""

    category: str
    """The hall's category that serves the matter."""
    category_name: str
    waiting: int
    eta_minutes: int | None
    """The wait of a ticket of that category taken now; None when no window serves it now."""
    category_open: bool
    """Whether a kiosk of the hall issues that category now."""
    handling: Handling
    """`here`: the hall decides the matter itself; `cross_region`: it takes it for the hall
    that decides it (市域通办)."""
    cross_region: list[CrossRegionMode] = []
    """The 市域通办 modes in which the hall takes it (empty when `handling` is `here`)."""


ServerMessage = SnapshotMessage | HeartbeatMessage | EventMessage


def parse_server_message(raw: str | bytes | dict[str, Any]) -> ServerMessage:
    """Decode one websocket message from the server into its typed model."""
    data = raw if isinstance(raw, dict) else json.loads(raw)
    kind = data.get("type")
    if kind == "snapshot":
        return SnapshotMessage.model_validate(data)
    if kind == "heartbeat":
        return HeartbeatMessage.model_validate(data)
    return EventMessage.model_validate(data)


# --- 好差评 evaluations -------------------------------------------------------------------

Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=32)
]


class EvaluationLevelPublic(_Wire):
    level: int
    """5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."""
    label: str
    needs_reason: bool


class EvaluationOptions(_Wire):
    levels: list[EvaluationLevelPublic]
    """Best first, as the choices are shown."""
    reasons: list[str]
    """The configured reasons; a bad review needs at least one of them."""
    idle_seconds: int
    """How long the window's evaluator tablet waits for a touch before it goes idle."""


class EvaluationSubmit(_Request):
    level: Level
    reasons: Annotated[list[Reason], Field(max_length=10)] = []
    comment: Comment | None = None
    """Free text beside the reasons."""


class WindowEvaluationSubmit(EvaluationSubmit):
    ticket_id: RowId


class EvaluationPublic(_Wire):
    id: int
    ticket_id: int
    number: str
    category: str
    category_name: str
    service_day: date
    window_no: int | None = None
    level: int
    label: str
    reasons: list[str]
    comment: str | None = None
    channel: EvaluationChannel
    defaulted: bool
    submitted_at: datetime
    case_id: int | None = None
    """The follow-up case a bad review opened (staff answers only)."""
    clerk: ClerkPublic | None = None
    """Who served (staff answers only)."""


class PendingRating(_Wire):
    """The service a window's tablet may ask about: no personal data, the number only."""

    ticket_id: int
    number: str
    category_name: str
    finished_at: datetime


class EvaluatorState(_Wire):
    window_no: int
    window_name: str
    options: EvaluationOptions
    pending: PendingRating | None = None


class PublicEvaluationState(_Wire):
    """What the applicant's status page shows about rating its ticket."""

    number: str
    category_name: str
    status: TicketStatus
    rateable: bool
    refusal: str | None = None
    """Why it cannot be rated now, when it cannot."""
    evaluation: EvaluationPublic | None = None
    options: EvaluationOptions


class EvaluationSubmittedPayload(_Wire):
    """`payload` of `evaluation.submitted`."""

    ticket_id: int
    number: str
    category: str
    window_no: int | None = None
    clerk: ClerkPublic | None = None
    level: int
    defaulted: bool
    reasons: list[str]


# --- 办不成事 cases and follow-ups ---------------------------------------------------------

LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=1000)
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=500)
]


class StaffPublic(_Wire):
    name: str
    display_name: str
    staff_no: str | None = None


class CaseOpen(_Request):
    summary: Note
    """What the applicant could not get done, and why."""
    ticket_id: RowId | None = None
    case_class: CaseClass | None = None
    category: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    matter: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    """How to reach the applicant for the reply and the call-back; staff only."""


class CaseClassify(_Request):
    case_class: CaseClass
    note: Note | None = None


class CaseAssign(_Request):
    owner: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=64
            ),
        ]
        | None
    ) = None
    """Login name of the staff member who owns the case from now on."""
    department: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=64
            ),
        ]
        | None
    ) = None
    """The department the matter is passed to (转办)."""
    note: Note | None = None

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if self.owner is None and self.department is None:
            raise ValueError("give owner, department or both")
        return self


class CaseLogRequest(_Request):
    note: LongText
    kind: Literal[CaseLogKind.NOTE, CaseLogKind.CALLBACK, CaseLogKind.FIX] = CaseLogKind.NOTE


class CaseClose(_Request):
    resolution: CaseResolution
    reply: LongText
    """The answer given to the applicant."""
    reason: Note | None = None
    """Why it cannot be done, and on what basis; required for `not_possible`."""


class CaseFeedback(_Request):
    note: Note
    """How the reply reached the applicant and what they said."""


class CaseFollowUp(_Request):
    note: Note
    level: Level | None = None
    """The applicant's (re-)rating; required for the follow-up of a bad review."""


class CaseLogEntryPublic(_Wire):
    at: datetime
    kind: CaseLogKind
    label: str
    note: str | None = None
    actor: StaffPublic | None = None


class CasePublic(_Wire):
    id: int
    kind: CaseKind
    kind_label: str
    status: CaseStatus
    status_label: str
    case_class: CaseClass | None = None
    class_label: str | None = None
    ticket_id: int | None = None
    desk_ticket_id: int | None = None
    evaluation_id: int | None = None
    number: str | None = None
    category: str | None = None
    category_name: str | None = None
    window_no: int | None = None
    matter: str | None = None
    summary: str
    contact: str | None = None
    opened_at: datetime
    opened_by: StaffPublic | None = None
    due: date
    overdue: bool
    owner: StaffPublic | None = None
    department: str | None = None
    resolution: CaseResolution | None = None
    reply: str | None = None
    negative_reason: str | None = None
    closed_at: datetime | None = None
    in_time: bool | None = None
    feedback: str | None = None
    followup_level: int | None = None
    followup_note: str | None = None
    updated_at: datetime
    actions: list[str] = []
    """What may be done next: classify, assign, log, close, feedback, follow_up."""


class CaseDetail(CasePublic):
    log: list[CaseLogEntryPublic] = []


class CaseOpenedPayload(_Wire):
    """`payload` of `case.opened`."""

    case_id: int
    kind: CaseKind
    case_class: CaseClass | None = None
    """None for the follow-up of a bad review."""
    due: date
    ticket_id: int | None = None
    category: str | None = None


class CaseClosedPayload(_Wire):
    """`payload` of `case.closed` (办结)."""

    case_id: int
    closed_at: datetime
    in_time: bool
    kind: CaseKind | None = None
    case_class: CaseClass | None = None
    resolution: CaseResolution | None = None


class CaseUpdatedPayload(_Wire):
    """`payload` of the other `case.*` events: the case's state after the step."""

    case_id: int
    kind: CaseKind
    status: CaseStatus
    case_class: CaseClass | None = None
    due: date
    level: int | None = None
    """case.followed_up: the applicant's (re-)rating, when given."""


# --- 市域通办 (cross-region cases) -----------------------------------------------------------

HallCodeText = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=32)]
TrackingNo = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=40)
]
MaterialText = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=200)
]


class CrossRegionOpen(_Request):
    ticket_id: RowId
    """The ticket at the clerk's window (or any ticket of the hall, for a manager)."""
    matter: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    """The matter's id or name in the catalog."""
    owner_hall: HallCodeText
    mode: CrossRegionMode
    delivery: Delivery
    pickup_hall: HallCodeText | None = None
    """`pickup` only; default: the receiving hall."""
    mail_address: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, pattern=NOT_BLANK, min_length=1, max_length=300
            ),
        ]
        | None
    ) = None
    """`mail` only: personal data, kept on the case for staff and never shown publicly."""


class CrossRegionForward(_Request):
    channel: ForwardChannel
    tracking_no: TrackingNo | None = None
    """Required for `mail`."""


class CrossRegionAccept(_Request):
    pass


class CrossRegionReturn(_Request):
    materials: Annotated[list[MaterialText], Field(min_length=1, max_length=50)]
    """Every missing or incorrect material, told at once (一次告知)."""
    note: Note | None = None


class CrossRegionResubmit(_Request):
    pass


class CrossRegionDecide(_Request):
    result: Decision
    reason: Note | None = None
    """Required for `rejected`."""


class CrossRegionDeliver(_Request):
    channel: Delivery
    tracking_no: TrackingNo | None = None
    """Required for `mail`."""


class CrossRegionStepPublic(_Wire):
    step: CrossRegionStep
    label: str
    hall: str
    """The hall that takes the step."""
    started_at: datetime
    due_at: datetime | None = None
    """Null while the clock is stopped (补正 waits for the applicant)."""
    done_at: datetime | None = None
    overdue: bool = False


class CrossRegionLogEntry(_Wire):
    step: CrossRegionStep
    label: str
    hall: str
    at: datetime
    actor: StaffPublic | None = None
    channel: str | None = None
    tracking_no: str | None = None
    note: str | None = None


class CrossRegionCasePublic(_Wire):
    """A 市域通办 case as staff see it."""

    id: int
    code: str
    status: CrossRegionStatus
    status_label: str
    receiving_hall: str
    owner_hall: str
    delivering_hall: str
    pickup_hall: str | None = None
    ticket_id: int
    number: str
    matter: str
    matter_name: str
    mode: CrossRegionMode
    delivery: Delivery
    mail_address: str | None = None
    originals_by_mail: bool
    returned_materials: list[str] = Field(default_factory=list)
    result: Decision | None = None
    reason: str | None = None
    opened_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    """When the step the case waits for is due."""
    overdue: bool = False
    steps: list[CrossRegionStepPublic]
    actions: list[CrossRegionStep] = Field(default_factory=list)
    """The steps the caller's hall may take now."""


class CrossRegionCaseDetail(CrossRegionCasePublic):
    log: list[CrossRegionLogEntry] = Field(default_factory=list)


class CrossRegionStatusStep(_Wire):
    step: CrossRegionStep
    label: str
    done_on: date | None = None
    due_on: date | None = None


class CrossRegionStatusPublic(_Wire):
    """The case on the applicant's status page: plain words and dates, nothing personal."""

    code: str
    status: CrossRegionStatus
    status_label: str
    matter_name: str
    receiving_hall_name: str
    """Where the materials were handed in, and where 补正 materials are brought back."""
    owner_hall_name: str
    delivery: Delivery
    pickup_hall_name: str | None = None
    summary: str
    """What is happening now and what, if anything, the applicant has to do, in one plain
    sentence (e.g. where to bring the 补正 materials, where to pick the result up)."""
    steps: list[CrossRegionStatusStep]
    """The steps done, oldest first, then the step the case waits for (no `done_on`)."""
    due_on: date | None = None
    """The day by which the current step is due (in the hall that takes it); null once
    delivered and while the case waits for the applicant's 补正."""
    materials: list[str] = Field(default_factory=list)
    """补正: what to bring back, all at once (only while the case is returned)."""
    result: Decision | None = None


class CrossRegionPayload(_Wire):
    """`payload` of every `cross_region.*` event: the case's state after the step, no
    personal data and no staff text."""

    case_id: int
    code: str
    step: CrossRegionStep
    status: CrossRegionStatus
    receiving_hall: str
    owner_hall: str
    delivering_hall: str
    matter: str
    due_at: datetime | None = None
    """When the next step is due."""
    result: Decision | None = None


ZONE_CATEGORY = "self_service"
"""The `category` of the zone's alerts, which belong to no queue."""
ZONE_CATEGORY_NAME = "24小时自助服务区"


class ZoneDevicePublic(_Wire):
    """A device of the 24-hour zone as anyone may see it: what it is, what it does, whether
    it works right now. No staff text."""

    name: str
    kind: ZoneDeviceKind
    label: str
    services: list[str] = Field(default_factory=list)
    department: str = ""
    phone: str = ""
    """Who to call when it fails (a department's public hotline)."""
    status: ZoneStatus
    status_label: str
    """正常使用, or 暂停使用 while faulty or offline."""


class SelfServiceZonePublic(_Wire):
    hours: str
    """When the zone is open, e.g. "00:00-24:00"."""
    open_now: bool
    devices: list[ZoneDevicePublic]


class InspectionCreate(_Request):
    result: InspectionResult
    checks: dict[Annotated[str, StringConstraints(min_length=1, max_length=32)], bool] | None = None
    """Each item of the kind's checklist (hall TOML) → whether it passed."""
    note: ShortText | None = None


class InspectionPublic(_Wire):
    id: int
    device: str
    at: datetime
    result: InspectionResult
    checks: dict[str, bool] = Field(default_factory=dict)
    note: str | None = None
    by: str
    """The display name of the staff member who inspected."""
    repair_id: int | None = None
    """The repair case a `fault` result opened (or found open)."""


class FaultReport(_Request):
    summary: ShortText


class RepairAssign(_Request):
    assignee: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class RepairCasePublic(_Wire):
    id: int
    device: str
    device_label: str
    source: RepairSource
    summary: str
    status: RepairStatus
    status_label: str
    opened_at: datetime
    due_at: datetime
    overdue: bool
    assignee: str | None = None
    assigned_at: datetime | None = None
    fixed_at: datetime | None = None
    verified_at: datetime | None = None


class HelpRequestCreate(_Request):
    device: DeviceName | None = None
    """The device where the button was pressed; by default the token's own device."""
    note: ShortText | None = None


class HelpRequestPublic(_Wire):
    id: int
    device: str | None = None
    device_label: str | None = None
    note: str | None = None
    requested_at: datetime
    acked_at: datetime | None = None
    acked_by: str | None = None
    """The display name of whoever answered."""
    escalated: bool = False


class LockerDepositCreate(_Request):
    compartment: Annotated[int, Field(gt=0, le=500)]
    ticket_code: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    """The ticket's status-page code (the one in its QR code)."""
    case_id: Annotated[int, Field(gt=0)] | None = None
    """Or the 市域通办 case the result belongs to."""


class LockerDepositPublic(_Wire):
    id: int
    locker: str
    compartment: int
    status: DepositStatus
    pickup_code: str | None = None
    """Six digits, shown to staff on deposit and on the applicant's status page; null once
    picked up."""
    ticket_number: str | None = None
    case_code: str | None = None
    deposited_at: datetime
    picked_up_at: datetime | None = None


class LockerPublic(_Wire):
    """A smart locker of the hall's zone, for staff choosing where to deposit a result."""

    name: str
    label: str
    compartments: int
    occupied: list[int] = Field(default_factory=list)
    """The compartments holding a result not yet picked up."""


class LockerPickup(_Request):
    pickup_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class LockerPickupResult(_Wire):
    compartment: int


class LockerPickupPublic(_Wire):
    """On the applicant's status page: where and how to collect a result day and night."""

    locker_label: str
    pickup_code: str
    zone_hours: str
    deposited_at: datetime


def _id_number(value: str) -> str:
    try:
        return normalise_id_number(value)
    except InvalidInput as error:
        raise ValueError(error.message) from None


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidInput as error:
        raise ValueError(error.message) from None


IdNumber = Annotated[str, StringConstraints(max_length=32), AfterValidator(_id_number)]
"""A 居民身份证号: 18 characters with a valid birth date and check digit, else 422 (the
message never repeats the number). Arrives normalised (upper-case X)."""
Phone = Annotated[str, StringConstraints(max_length=20), AfterValidator(_phone)]
"""A mainland mobile number, 11 digits, else 422."""
SlotTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
"""A slot's start, local time `HH:MM`."""


class AppointmentSlotPublic(_Wire):
    """One bookable slot of a day: `GET /api/public/appointments/slots`."""

    slot: str
    """Its start, `HH:MM` local time."""
    end: str
    capacity: int
    free: int


class AppointmentMatterPublic(_Wire):
    """A matter of the hall's catalog that a bookable category serves."""

    id: str
    name: str
    materials: list[str]
    """What to bring, told at once (一次告知)."""


class AppointmentCategoryPublic(_Wire):
    """A category of a hall that takes bookings."""

    code: str
    name: str
    capacity: int
    """Bookings one slot takes."""
    slot_minutes: int
    matters: list[AppointmentMatterPublic]


class AppointmentHallPublic(_Wire):
    """A hall that takes bookings, with everything a booking page needs to offer them:
    `GET /api/public/appointments/options`."""

    hall: str
    hall_name: str
    address: str | None = None
    timezone: str
    """The hall's time zone: slot times are local to it."""
    categories: list[AppointmentCategoryPublic]
    days: list[date]
    """The days open for booking now (working days, nearest first)."""
    cancel_hours: float
    """A booking may be cancelled until this many hours before its slot."""
    check_in_early_minutes: int
    """Check-in at the kiosk opens this long before the slot …"""
    check_in_late_minutes: int
    """… and closes this long after it ends."""


class AppointmentStatsFigures(_Wire):
    """预约 figures of one category, one hall or the city (docs/statistics.md defines them)."""

    key: str
    label: str
    booked: int
    """Bookings made for a day of the period, whatever became of them."""
    cancelled: int
    checked_in: int
    no_shows: int
    appointment_tickets: int
    """Appointment tickets called: from the slot's start (or the check-in, if later)."""
    appointment_wait_seconds_mean: float | None
    appointment_wait_seconds_p90: float | None
    walk_in_tickets: int
    """Walk-in tickets of the same categories called: from their issue."""
    walk_in_wait_seconds_mean: float | None
    walk_in_wait_seconds_p90: float | None


class AppointmentStatsRow(AppointmentStatsFigures):
    """One hall (or the city, key `total`), with its categories."""

    categories: list[AppointmentStatsFigures]


class AppointmentStatsReport(_Wire):
    """`GET /api/stats/appointments`."""

    from_day: date
    to_day: date
    generated_at: datetime
    rows: list[AppointmentStatsRow]
    """Every hall of the city for city-wide callers; the caller's own hall otherwise."""
    total: AppointmentStatsRow | None
    """The city's total (its categories summed by code); None for one hall's report."""


class AppointmentCreate(_Request):
    """`POST /api/public/appointments`: book a slot (预约取号)."""

    hall: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    category: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    matter: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    day: date
    slot: SlotTime
    id_number: IdNumber = Field(repr=False)
    phone: Phone | None = Field(default=None, repr=False)


class AppointmentPublic(_Wire):
    """A booking as its holder sees it (by its code); the person only masked."""

    code: str
    """The booking code: shown as text and QR, typed or scanned at the kiosk."""
    hall: str
    hall_name: str
    category: str
    category_name: str
    matter: str | None = None
    materials: list[str] = Field(default_factory=list)
    """The matter's materials, told at once (一次告知)."""
    day: date
    slot: str
    end: str
    status: AppointmentStatus
    status_label: str
    id_masked: str | None = None
    """`1****************X`; null once the retention period removed it."""
    phone_masked: str | None = None
    booked_at: datetime
    check_in_from: datetime
    check_in_until: datetime
    cancel_until: datetime


class AppointmentEventPayload(_Wire):
    """`payload` of `appointment.booked|cancelled|checked_in|no_show`: nothing personal."""

    id: int
    category: str
    day: date
    slot: str
    """Its start, `HH:MM` local time."""
    status: AppointmentStatus


class AppointmentBooking(_Wire):
    """One booking of a slot, for the hall's staff (`GET /api/appointments`)."""

    code: str
    id_masked: str | None = None
    """`1****************X`; null once the retention period removed it."""
    matter: str | None = None
    status: AppointmentStatus
    status_label: str
    ticket_number: str | None = None
    """The ticket it was checked in for."""


class AppointmentSlotBookings(_Wire):
    """A slot of a day with its bookings (`GET /api/appointments?day=&category=`)."""

    category: str
    category_name: str
    slot: str
    end: str
    capacity: int
    booked: int
    """Places taken: bookings not cancelled (checked in and no-shows included)."""
    checked_in: int
    no_shows: int
    cancelled: int
    bookings: list[AppointmentBooking] = Field(default_factory=list)
    """Booking order; cancelled ones included."""


class AppointmentCheckIn(_Request):
    """`POST /api/appointments/check-in` (a kiosk): the booking code, or the ID number a
    card reader typed."""

    code: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] | None
    ) = None
    id_number: IdNumber | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.code is None) == (self.id_number is None):
            raise ValueError("give exactly one of code and id_number")
        return self


class JourneyReturn(_Request):
    """`POST /api/journeys/return` (a kiosk): a ticket continuing a 补件 journey."""

    return_code: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)
    ]


class JourneyReady(_Request):
    """`POST /api/journeys/{id}/ready`: the result can be collected."""

    collect_at: Literal["window", "locker"] = "window"
    """The 出件 window, or a smart locker (the result is deposited there through
    `POST /api/lockers/{name}/deposits`)."""


class JourneyVisitPublic(_Wire):
    """One visit of a journey, for the clerk serving the next one."""

    ticket_id: int
    number: str
    service_day: date
    window_no: int | None = None
    clerk: str | None = None
    """The display name of the clerk who served it."""
    outcome: str | None = None
    missing: list[str] = Field(default_factory=list)
    at: datetime


class JourneyPublic(_Wire):
    """A journey for staff."""

    id: int
    category: str
    category_name: str
    matter: str | None = None
    status: JourneyStatus
    status_label: str
    return_code: str
    missing: list[str] = Field(default_factory=list)
    opened_at: datetime
    valid_until: datetime
    ready_at: datetime | None = None
    collected_at: datetime | None = None
    visits: list[JourneyVisitPublic] = Field(default_factory=list)
    collect_at: Literal["window", "locker"] | None = None
    """Once ready: where the result is collected."""
    clerk: str | None = None
    """The clerk of the latest 补件 (a return visit goes to their window when they are in)."""
    window_no: int | None = None


class JourneyEventPayload(_Wire):
    """The payload of `journey.*` events: no personal data and no staff free text (what was
    missing stays on the journey, for staff and the applicant's own status page)."""

    id: int
    category: str
    matter: str | None
    status: JourneyStatus
    valid_until: datetime
    missing_count: int
    """How many materials are awaited (0 once returned, ready or closed)."""
    ticket_id: int | None
    """The visit (or 出件 ticket) the change came with, if any."""


class JourneyStatusPublic(_Wire):
    """On the applicant's status page: no personal data, no staff free text."""

    status: JourneyStatus
    status_label: str
    return_code: str | None = None
    """Shown while documents are awaited: bring it (or scan it) at the kiosk."""
    missing: list[str] = Field(default_factory=list)
    valid_until: datetime | None = None
    collect_text: str | None = None
    """Once ready: where to collect it, e.g. "请到12号窗口（统一出件）领取"."""


HallSnapshot.model_rebuild()
TicketStatusPublic.model_rebuild()
TicketCreate.model_rebuild()
