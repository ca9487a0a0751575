"""The wire protocol: pydantic models shared by the server and every client.

Importing this module loads pydantic and the pure domain vocabulary only, never FastAPI or the
database, so terminals can depend on it cheaply. Field names are part of the protocol: add
fields freely, never rename one.
"""

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from queue_server.domain.enums import (
    CallReason,
    EventType,
    PriorityReason,
    Role,
    TicketStatus,
    WindowStatus,
)

__all__ = [
    "BoardSettingsPublic",
    "CallNumberRequest",
    "CallReason",
    "CategoryPublic",
    "ClerkPublic",
    "ErrorResponse",
    "EventMessage",
    "EventType",
    "FinishRequest",
    "HallSnapshot",
    "HealthResponse",
    "HeartbeatMessage",
    "LoginRequest",
    "LoginResponse",
    "MePublic",
    "PauseRequest",
    "PriorityReason",
    "ReasonRequest",
    "Role",
    "ServerMessage",
    "SnapshotMessage",
    "TicketCreate",
    "TicketPublic",
    "TicketStatus",
    "TransferRequest",
    "WindowPublic",
    "WindowStatus",
    "parse_server_message",
]

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorResponse(_Wire):
    detail: str
    code: str = "error"


class LoginRequest(_Request):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
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


class CallNumberRequest(_Request):
    number: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]\d{3,5}$")
    ]


class ReasonRequest(_Request):
    reason: ShortText | None = None


class PauseRequest(_Request):
    reason: ShortText


class FinishRequest(_Request):
    outcome: ShortText | None = None


class TransferRequest(_Request):
    to_category: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    to_window: Annotated[int, Field(gt=0, lt=1000)] | None = None
    reason: ShortText

    @model_validator(mode="after")
    def _exactly_one_target(self) -> Self:
        if (self.to_category is None) == (self.to_window is None):
            raise ValueError("give exactly one of to_category and to_window")
        return self


class ClerkPublic(_Wire):
    display_name: str
    staff_no: str | None = None


class WindowPublic(_Wire):
    number: int
    name: str
    zone: str
    categories: list[str]
    status: WindowStatus
    pause_reason: str | None = None
    clerk: ClerkPublic | None = None
    current: TicketPublic | None = None


class CategoryPublic(_Wire):
    code: str
    prefix: str
    name: str
    target_wait_minutes: int
    waiting: int
    eta_minutes: int | None
    issued_today: int
    daily_cap: int | None = None
    open: bool = True
    closed_reason: str | None = None
    oldest_wait_seconds: float | None = None


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


class HealthResponse(_Wire):
    status: Literal["ok"] = "ok"
    version: str
    database: str
    seq: int


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


class SnapshotMessage(_Wire):
    type: Literal["snapshot"] = "snapshot"
    seq: int
    hall: HallSnapshot


class HeartbeatMessage(_Wire):
    type: Literal["heartbeat"] = "heartbeat"
    seq: int
    at: datetime


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
