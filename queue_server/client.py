"""The one async client every terminal uses: HTTP calls with retries, and a live subscription.

Terminals (clerk consoles, boards, the announcer, kiosks) talk to the hall only through
`QueueClient`; none of them touches the database. This module imports pydantic, httpx,
websockets and the wire protocol, never FastAPI or the database layer.

Errors: every refusal by the server (4xx/5xx) raises `QueueError`, whose `detail` is the
server's Chinese message, fit to show to a clerk. `Unauthorised` (a subclass) means the token
is missing, wrong or expired: log in again. `ServerUnreachable` (also a subclass, with
`status_code` 0 because no answer came) means the server could not be reached after a few
retries: show "offline" and let the user try again.
"""

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any, Final, Self, TypeVar, overload

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from queue_server.domain.cross_region import (
    CrossRegionMode,
    CrossRegionStatus,
    Decision,
    Delivery,
    ForwardChannel,
    HallRole,
)
from queue_server.protocol import (
    AppointmentCheckIn,
    AppointmentCreate,
    AppointmentHallPublic,
    AppointmentPublic,
    AppointmentSlotBookings,
    AppointmentSlotPublic,
    AppointmentStatsReport,
    CallNumberRequest,
    CaseAssign,
    CaseClass,
    CaseClassify,
    CaseClose,
    CaseDetail,
    CaseFeedback,
    CaseFollowUp,
    CaseKind,
    CaseLogKind,
    CaseLogRequest,
    CaseOpen,
    CasePublic,
    CaseResolution,
    CaseStatus,
    ClerkDayPublic,
    CrossRegionAccept,
    CrossRegionCaseDetail,
    CrossRegionCasePublic,
    CrossRegionDecide,
    CrossRegionDeliver,
    CrossRegionForward,
    CrossRegionOpen,
    CrossRegionResubmit,
    CrossRegionReturn,
    DepositStatus,
    DeviceHeartbeat,
    DeviceKind,
    DevicePublic,
    DeviceState,
    ErrorResponse,
    EvaluationPublic,
    EvaluationSubmit,
    EvaluatorState,
    EventMessage,
    FaultReport,
    FinishRequest,
    HallSnapshot,
    HallSummary,
    HealthResponse,
    HelpRequestCreate,
    HelpRequestPublic,
    InspectionCreate,
    InspectionPublic,
    InspectionResult,
    JourneyPublic,
    JourneyReady,
    JourneyReturn,
    JourneyStatus,
    LiveStats,
    LockerDepositCreate,
    LockerDepositPublic,
    LockerPickup,
    LockerPickupResult,
    LockerPublic,
    LoginRequest,
    LoginResponse,
    MatterPublic,
    MePublic,
    OneVisitStatsReport,
    PauseRequest,
    PriorityReason,
    PublicEvaluationState,
    PublicHall,
    PublicHallChoice,
    ReasonRequest,
    RepairAssign,
    RepairCasePublic,
    RepairStatus,
    SelfServiceStatsReport,
    ServerMessage,
    SnapshotMessage,
    StatsGroupBy,
    StatsReport,
    TicketCreate,
    TicketPublic,
    TicketStatus,
    TicketStatusPublic,
    TidalRequest,
    TidalSuggestionPublic,
    TidalSwitchPublic,
    TransferRequest,
    WindowEvaluationSubmit,
    WindowPublic,
    parse_server_message,
)

__all__ = [
    "IDEMPOTENCY_HEADER",
    "ConnectionState",
    "QueueClient",
    "QueueError",
    "ServerUnreachable",
    "Subscription",
    "SubscriptionItem",
    "Unauthorised",
    "backoff_delay",
]

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
CLOSE_UNAUTHENTICATED: Final = 4401
RETRY_DELAY_SECONDS: Final = 0.1
DEAD_LINK_FACTOR: Final = 2.5
"""A link silent for this many heartbeat intervals is taken for dead."""
CLOSE_TIMEOUT_SECONDS: Final = 1.0

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT")

_TICKETS: Final = TypeAdapter(list[TicketPublic])
_WINDOWS: Final = TypeAdapter(list[WindowPublic])
_MATTERS: Final = TypeAdapter(list[MatterPublic])
_JOURNEYS: Final = TypeAdapter(list[JourneyPublic])
_DEVICES: Final = TypeAdapter(list[DevicePublic])
_TIDAL_SUGGESTION: Final = TypeAdapter(TidalSuggestionPublic | None)
_INSPECTIONS: Final = TypeAdapter(list[InspectionPublic])
_REPAIRS: Final = TypeAdapter(list[RepairCasePublic])
_EVALUATIONS: Final = TypeAdapter(list[EvaluationPublic])
_CASES: Final = TypeAdapter(list[CasePublic])
_HELP_REQUESTS: Final = TypeAdapter(list[HelpRequestPublic])
_HALL_SUMMARIES: Final = TypeAdapter(list[HallSummary])
_PUBLIC_HALLS: Final = TypeAdapter(list[PublicHall])
_PUBLIC_HALL_CHOICES: Final = TypeAdapter(list[PublicHallChoice])
_BOOKING_HALLS: Final = TypeAdapter(list[AppointmentHallPublic])
_BOOKING_SLOTS: Final = TypeAdapter(list[AppointmentSlotPublic])
_CROSS_REGION_CASES: Final = TypeAdapter(list[CrossRegionCasePublic])
_LOCKER_DEPOSITS: Final = TypeAdapter(list[LockerDepositPublic])
_LOCKERS: Final = TypeAdapter(list[LockerPublic])
_APPOINTMENT_SLOTS: Final = TypeAdapter(list[AppointmentSlotBookings])


class QueueError(Exception):
    """The server refused a call; `detail` is its message for people, `code` is stable."""

    def __init__(
        self, status_code: int, detail: str, code: str = "error", *, category: str | None = None
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.code = code
        self.category = category
        """`check_in_too_late`: the booking's category, for the walk-in ticket offered instead."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status_code}, {self.detail!r}, {self.code!r})"


class Unauthorised(QueueError):
    """No valid token (HTTP 401, or websocket close 4401): the user must log in again."""


class ServerUnreachable(QueueError):
    """No answer from the server after the retries; `status_code` is 0."""

    def __init__(self, detail: str) -> None:
        super().__init__(0, detail, "unreachable")


@dataclass(frozen=True, slots=True)
class ConnectionState:
    """Not from the server: a subscription's own news about its link, for "offline" banners.

    Yielded with `connected=True` each time the websocket opens, and with `connected=False`,
    the reason and the wait before the next attempt each time it is lost or cannot be opened.
    """

    connected: bool
    error: str | None = None
    retry_in: float | None = None


SubscriptionItem = ServerMessage | ConnectionState


def backoff_delay(failures: int, *, initial: float, maximum: float) -> float:
    """The wait before reconnect attempt number `failures` (1, 2, …): doubling from `initial`,
    at most `maximum`, with jitter so that a hall's terminals do not all return at once."""
    ceiling = min(maximum, initial * 2.0 ** min(max(failures - 1, 0), 32))
    return ceiling * random.uniform(0.5, 1.0)


def _describe_invalid(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or "body"
        parts.append(f"{location}: {item['msg'].removeprefix('Value error, ')}")
    return "请求参数有误：" + "; ".join(parts)


def _request_body(model: type[ModelT], **fields: Any) -> ModelT:
    """Validate a request here, so a bad one fails as a QueueError before it is sent."""
    try:
        return model(**fields)
    except ValidationError as error:
        raise QueueError(422, _describe_invalid(error), "invalid_request") from error


def _error_from(response: httpx.Response) -> QueueError:
    try:
        error = ErrorResponse.model_validate_json(response.content)
        detail, code, category = error.detail, error.code, error.category
    except ValidationError:
        detail = response.text.strip() or response.reason_phrase or "服务器错误"
        code, category = "http_error", None
    kind = Unauthorised if response.status_code == 401 else QueueError
    return kind(response.status_code, detail, code, category=category)


@contextlib.contextmanager
def _decoding(response: httpx.Response) -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        raise QueueError(
            response.status_code, f"无法解析服务器的回应：{error}", "bad_response"
        ) from error


def _params(values: Mapping[str, object]) -> dict[str, str]:
    """Query parameters, leaving out the unset ones; booleans as `true`/`false`."""
    return {
        key: (str(value).lower() if isinstance(value, bool) else str(value))
        for key, value in values.items()
        if value is not None
    }


def _parse(model: type[ModelT], response: httpx.Response) -> ModelT:
    with _decoding(response):
        return model.model_validate_json(response.content)


def _parse_list(adapter: TypeAdapter[list[ItemT]], response: httpx.Response) -> list[ItemT]:
    with _decoding(response):
        return adapter.validate_json(response.content)


async def _close(websocket: ClientConnection) -> None:
    """Close a websocket, and its socket even when the closing handshake is cut short.

    `ClientConnection.close()` sends the close frame, then waits for the server's answer and
    the end of the TCP connection; a task cancelled during that wait (an app closing its
    feed twice over, `asyncio.run` cancelling what is left) would leave the socket open,
    reported later as `ResourceWarning: unclosed <socket...>`. Abort the transport then.
    """
    try:
        await websocket.close()
    except BaseException:
        websocket.transport.abort()
        raise


class QueueClient:
    """An async client for one queue server; use it as `async with QueueClient(url) as c:`.

    `transport` replaces httpx's network transport (tests use it to simulate lost
    responses); subscriptions always use a real websocket. Every mutating call carries an
    `Idempotency-Key`, and a call that fails in transport is retried `retries` times with the
    same key, so a retried call-next never calls two tickets.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 3,
        hall: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.hall_code = hall
        """The hall every call acts on (`hall=`), for a city-wide manager or admin; None for
        the caller's own hall. (Not `self.hall`: that would hide the `hall()` method.)"""
        self.timeout = timeout
        self.retries = retries
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout, transport=transport)
        self._subscriptions: set[Subscription] = set()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections and every subscription still open."""
        for subscription in list(self._subscriptions):
            await subscription.aclose()
        await self._http.aclose()

    async def send(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """The raw call behind every method; returns the successful response.

        Any method but GET carries an Idempotency-Key (`idempotency_key`, or a fresh one), and
        every retry of this call reuses it, so the server applies the call at most once.
        """
        headers: dict[str, str] = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.hall_code is not None:
            params = {**(params or {}), "hall": self.hall_code}
        if method.upper() != "GET":
            headers[IDEMPOTENCY_HEADER] = idempotency_key or str(uuid.uuid4())
        content: bytes | None = None
        if body is not None:
            content = body.model_dump_json(exclude_none=True).encode()
            headers["Content-Type"] = "application/json"
        failure: httpx.TransportError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(RETRY_DELAY_SECONDS * 2 ** (attempt - 1))
            try:
                response = await self._http.request(
                    method, path, content=content, params=params, headers=headers
                )
            except httpx.TransportError as error:
                log.info("%s %s failed (%r), attempt %d", method, path, error, attempt + 1)
                failure = error
                continue
            if response.is_error:
                raise _error_from(response)
            return response
        raise ServerUnreachable(f"无法连接服务器：{failure!r}") from failure

    async def login(self, username: str, password: str) -> LoginResponse:
        """Log in and keep the token for every later call and subscription."""
        body = _request_body(LoginRequest, username=username, password=password)
        response = await self.send("POST", "/api/auth/login", body=body)
        login = _parse(LoginResponse, response)
        self.token = login.token
        return login

    async def logout(self) -> None:
        await self.send("POST", "/api/auth/logout")
        self.token = None

    async def me(self) -> MePublic:
        return _parse(MePublic, await self.send("GET", "/api/auth/me"))

    async def health(self) -> HealthResponse:
        return _parse(HealthResponse, await self.send("GET", "/api/health"))

    async def halls(self) -> list[HallSummary]:
        """Every hall the caller may see, live (managers and admins)."""
        return _parse_list(_HALL_SUMMARIES, await self.send("GET", "/api/halls"))

    @overload
    async def public_halls(
        self, *, matter: None = None, category: None = None
    ) -> list[PublicHall]: ...

    @overload
    async def public_halls(
        self, *, matter: str, category: None = None
    ) -> list[PublicHallChoice]: ...

    @overload
    async def public_halls(
        self, *, matter: None = None, category: str
    ) -> list[PublicHallChoice]: ...

    async def public_halls(
        self, *, matter: str | None = None, category: str | None = None
    ) -> list[PublicHall] | list[PublicHallChoice]:
        """Every hall of the city for the public: open or not, queues and waits. With
        `matter` (an id) or `category` (a code): 就近办, only the halls that can take it, each
        with the wait of the category that serves it there, quickest first."""
        if matter is None and category is None:
            return _parse_list(_PUBLIC_HALLS, await self.send("GET", "/api/public/halls"))
        params = {"matter": matter} if matter is not None else {"category": category or ""}
        response = await self.send("GET", "/api/public/halls", params=params)
        return _parse_list(_PUBLIC_HALL_CHOICES, response)

    async def appointment_options(self, *, hall: str | None = None) -> list[AppointmentHallPublic]:
        """What can be booked (public): every hall that takes bookings, or only `hall`, with
        its bookable categories, their matters and materials, and the days open now."""
        params = {"hall": hall} if hall is not None else None
        response = await self.send("GET", "/api/public/appointments/options", params=params)
        return _parse_list(_BOOKING_HALLS, response)

    async def appointment_slots(
        self, *, category: str, day: date, hall: str | None = None
    ) -> list[AppointmentSlotPublic]:
        """The slots of `day` not yet started, with their free places (public). A day that
        cannot be booked now raises the 409 that says which days can."""
        params = {"category": category, "day": day.isoformat()}
        if hall is not None:
            params["hall"] = hall
        response = await self.send("GET", "/api/public/appointments/slots", params=params)
        return _parse_list(_BOOKING_SLOTS, response)

    async def hall(self) -> HallSnapshot:
        return _parse(HallSnapshot, await self.send("GET", "/api/hall"))

    async def issue_ticket(
        self,
        category: str,
        *,
        priority: PriorityReason | None = None,
        priority_note: str | None = None,
        matter: str | None = None,
        id_number: str | None = None,
    ) -> TicketPublic:
        """`id_number`: the applicant's ID number, which a real-name category needs."""
        body = _request_body(
            TicketCreate,
            category=category,
            priority=priority,
            priority_note=priority_note,
            matter=matter,
            id_number=id_number,
        )
        return await self._ticket("POST", "/api/tickets", body=body)

    async def check_in(
        self, *, code: str | None = None, id_number: str | None = None
    ) -> TicketPublic:
        """预约签到 (a kiosk): the appointment ticket of a booking, by its code or by the ID
        number a card reader typed. A `check_in_too_late` refusal names the `category`."""
        body = _request_body(AppointmentCheckIn, code=code, id_number=id_number)
        return await self._ticket("POST", "/api/appointments/check-in", body=body)

    async def get_ticket(self, ticket_id: int) -> TicketPublic:
        return await self._ticket("GET", f"/api/tickets/{ticket_id}")

    async def list_tickets(
        self,
        *,
        status: TicketStatus | None = None,
        category: str | None = None,
        day: date | None = None,
    ) -> list[TicketPublic]:
        """Tickets of one service day (today by default), in queue order."""
        params = {
            key: str(value)
            for key, value in (("status", status), ("category", category), ("day", day))
            if value is not None
        }
        response = await self.send("GET", "/api/tickets", params=params)
        return _parse_list(_TICKETS, response)

    async def windows(self) -> list[WindowPublic]:
        return _parse_list(_WINDOWS, await self.send("GET", "/api/windows"))

    async def window(self, window_no: int) -> WindowPublic:
        return await self._window("GET", f"/api/windows/{window_no}")

    async def window_history(self, window_no: int, *, limit: int = 10) -> list[TicketPublic]:
        """The tickets that ended at this window today, the latest first."""
        response = await self.send(
            "GET", f"/api/windows/{window_no}/history", params={"limit": str(limit)}
        )
        return _parse_list(_TICKETS, response)

    async def my_day(self) -> ClerkDayPublic:
        """The caller's own figures for today (served, no-shows, mean service time)."""
        return _parse(ClerkDayPublic, await self.send("GET", "/api/auth/me/today"))

    # Every mutating call below takes `idempotency_key`: pass the same key when the user
    # repeats an action whose answer was lost, so the server applies it at most once.

    async def sign_in(self, window_no: int, *, idempotency_key: str | None = None) -> WindowPublic:
        return await self._window(
            "POST", f"/api/windows/{window_no}/sign-in", idempotency_key=idempotency_key
        )

    async def sign_out(self, window_no: int, *, idempotency_key: str | None = None) -> WindowPublic:
        return await self._window(
            "POST", f"/api/windows/{window_no}/sign-out", idempotency_key=idempotency_key
        )

    async def pause(
        self, window_no: int, reason: str, *, idempotency_key: str | None = None
    ) -> WindowPublic:
        body = _request_body(PauseRequest, reason=reason)
        return await self._window(
            "POST", f"/api/windows/{window_no}/pause", body=body, idempotency_key=idempotency_key
        )

    async def resume(self, window_no: int, *, idempotency_key: str | None = None) -> WindowPublic:
        return await self._window(
            "POST", f"/api/windows/{window_no}/resume", idempotency_key=idempotency_key
        )

    async def call_next(
        self, window_no: int, *, idempotency_key: str | None = None
    ) -> TicketPublic | None:
        """Call the next ticket for this window; None when nobody is waiting for it."""
        response = await self.send(
            "POST", f"/api/windows/{window_no}/call-next", idempotency_key=idempotency_key
        )
        if response.status_code == 204:
            return None
        return _parse(TicketPublic, response)

    async def call_number(
        self, window_no: int, number: str, *, idempotency_key: str | None = None
    ) -> TicketPublic:
        """Call a given number to this window (特呼)."""
        body = _request_body(CallNumberRequest, number=number)
        return await self._ticket(
            "POST", f"/api/windows/{window_no}/call", body=body, idempotency_key=idempotency_key
        )

    async def recall(self, ticket_id: int, *, idempotency_key: str | None = None) -> TicketPublic:
        return await self._ticket(
            "POST", f"/api/tickets/{ticket_id}/recall", idempotency_key=idempotency_key
        )

    async def start(self, ticket_id: int, *, idempotency_key: str | None = None) -> TicketPublic:
        return await self._ticket(
            "POST", f"/api/tickets/{ticket_id}/start", idempotency_key=idempotency_key
        )

    async def finish(
        self,
        ticket_id: int,
        outcome: str | None = None,
        *,
        missing: Sequence[str] = (),
        idempotency_key: str | None = None,
    ) -> TicketPublic:
        """`missing` goes with outcome `needs_documents` (补件): the answer then carries the
        journey's `return_code`."""
        body = _request_body(FinishRequest, outcome=outcome, missing=list(missing))
        return await self._ticket(
            "POST", f"/api/tickets/{ticket_id}/finish", body=body, idempotency_key=idempotency_key
        )

    async def no_show(self, ticket_id: int, *, idempotency_key: str | None = None) -> TicketPublic:
        return await self._ticket(
            "POST", f"/api/tickets/{ticket_id}/no-show", idempotency_key=idempotency_key
        )

    async def requeue(self, ticket_id: int, *, idempotency_key: str | None = None) -> TicketPublic:
        return await self._ticket(
            "POST", f"/api/tickets/{ticket_id}/requeue", idempotency_key=idempotency_key
        )

    async def transfer(
        self,
        ticket_id: int,
        *,
        to_category: str | None = None,
        to_window: int | None = None,
        reason: str,
        idempotency_key: str | None = None,
    ) -> TicketPublic:
        """Transfer to another category or window; returns the NEW ticket, waiting there."""
        body = _request_body(
            TransferRequest, to_category=to_category, to_window=to_window, reason=reason
        )
        return await self._ticket(
            "POST",
            f"/api/tickets/{ticket_id}/transfer",
            body=body,
            idempotency_key=idempotency_key,
        )

    async def cancel(
        self, ticket_id: int, reason: str | None = None, *, idempotency_key: str | None = None
    ) -> TicketPublic:
        body = _request_body(ReasonRequest, reason=reason)
        return await self._ticket(
            "POST", f"/api/tickets/{ticket_id}/cancel", body=body, idempotency_key=idempotency_key
        )

    async def matters(self) -> list[MatterPublic]:
        """The hall's 一件事 catalog: each matter with its items, materials and category."""
        return _parse_list(_MATTERS, await self.send("GET", "/api/matters"))

    async def heartbeat(
        self,
        name: str,
        *,
        kind: DeviceKind,
        state: DeviceState = DeviceState.OK,
        detail: str | None = None,
    ) -> DevicePublic:
        """Report this device's state (kiosk and board tokens)."""
        body = _request_body(DeviceHeartbeat, kind=kind, state=state, detail=detail)
        response = await self.send("POST", f"/api/devices/{name}/heartbeat", body=body)
        return _parse(DevicePublic, response)

    async def devices(self) -> list[DevicePublic]:
        """Every kiosk, board and announcer with its last state, and every device of the
        24-hour zone (managers, admin)."""
        return _parse_list(_DEVICES, await self.send("GET", "/api/devices"))

    async def inspect_device(
        self,
        name: str,
        result: InspectionResult,
        *,
        checks: dict[str, bool] | None = None,
        note: str | None = None,
    ) -> InspectionPublic:
        """Record an inspection of a zone device (巡检); a `fault` opens its repair case."""
        body = _request_body(InspectionCreate, result=result, checks=checks, note=note)
        response = await self.send("POST", f"/api/devices/{name}/inspections", body=body)
        return _parse(InspectionPublic, response)

    async def inspections(self, name: str) -> list[InspectionPublic]:
        """A zone device's inspections, newest first."""
        return _parse_list(_INSPECTIONS, await self.send("GET", f"/api/devices/{name}/inspections"))

    async def report_fault(self, name: str, summary: str) -> RepairCasePublic:
        """Report a fault of a zone device: its new repair case."""
        body = _request_body(FaultReport, summary=summary)
        response = await self.send("POST", f"/api/devices/{name}/faults", body=body)
        return _parse(RepairCasePublic, response)

    async def repairs(
        self,
        *,
        device: str | None = None,
        status: RepairStatus | None = None,
        open_only: bool = False,
    ) -> list[RepairCasePublic]:
        """The hall's repair cases, newest first; `open_only`: not verified yet."""
        params = _params({"device": device, "status": status, "open": open_only or None})
        return _parse_list(_REPAIRS, await self.send("GET", "/api/repairs", params=params))

    async def assign_repair(self, repair_id: int, assignee: str) -> RepairCasePublic:
        body = _request_body(RepairAssign, assignee=assignee)
        response = await self.send("POST", f"/api/repairs/{repair_id}/assign", body=body)
        return _parse(RepairCasePublic, response)

    async def fix_repair(self, repair_id: int) -> RepairCasePublic:
        response = await self.send("POST", f"/api/repairs/{repair_id}/fix")
        return _parse(RepairCasePublic, response)

    async def verify_repair(self, repair_id: int) -> RepairCasePublic:
        """Close the case; the device shows 正常使用 again if it reports ok."""
        response = await self.send("POST", f"/api/repairs/{repair_id}/verify")
        return _parse(RepairCasePublic, response)

    async def public_ticket(self, public_code: str) -> TicketStatusPublic:
        """A ticket's status-page view, by the code in its QR code; needs no token."""
        response = await self.send("GET", f"/api/public/tickets/{public_code}")
        return _parse(TicketStatusPublic, response)

    def status_page_url(self, public_code: str) -> str:
        """The address the ticket's QR code points to."""
        return f"{self.base_url}/t/{public_code}"

    # --- 一键求助 help requests ------------------------------------------------------------

    async def request_help(
        self, *, device: str | None = None, note: str | None = None
    ) -> HelpRequestPublic:
        """一键求助 from a kiosk or zone device (its token; `device` defaults to its name)."""
        body = _request_body(HelpRequestCreate, device=device, note=note)
        return _parse(HelpRequestPublic, await self.send("POST", "/api/help-requests", body=body))

    async def help_requests(self, *, open_only: bool = False) -> list[HelpRequestPublic]:
        """The hall's help requests, newest first (staff); `open_only`: unanswered ones."""
        params = {"open": "true"} if open_only else None
        response = await self.send("GET", "/api/help-requests", params=params)
        return _parse_list(_HELP_REQUESTS, response)

    async def acknowledge_help(self, help_id: int) -> HelpRequestPublic:
        """Answer a help request (any staff member of the hall); a second answer is 409."""
        response = await self.send("POST", f"/api/help-requests/{help_id}/ack")
        return _parse(HelpRequestPublic, response)

    # --- the smart locker (智能文件柜) ------------------------------------------------------

    async def lockers(self) -> list[LockerPublic]:
        """The hall's smart lockers with the compartments in use (staff)."""
        return _parse_list(_LOCKERS, await self.send("GET", "/api/lockers"))

    async def deposit_in_locker(
        self,
        locker: str,
        compartment: int,
        *,
        ticket_code: str | None = None,
        case_id: int | None = None,
        idempotency_key: str | None = None,
    ) -> LockerDepositPublic:
        """Put a ready result into a free compartment (staff), for a ticket (its status-page
        code) or a 市域通办 case; the answer carries the six-digit pickup code."""
        body = _request_body(
            LockerDepositCreate, compartment=compartment, ticket_code=ticket_code, case_id=case_id
        )
        response = await self.send(
            "POST", f"/api/lockers/{locker}/deposits", body=body, idempotency_key=idempotency_key
        )
        return _parse(LockerDepositPublic, response)

    async def locker_deposits(
        self, locker: str, *, status: DepositStatus | None = None
    ) -> list[LockerDepositPublic]:
        """The locker's deposits, stored ones (with their codes) first (staff)."""
        response = await self.send(
            "GET", f"/api/lockers/{locker}/deposits", params=_params({"status": status})
        )
        return _parse_list(_LOCKER_DEPOSITS, response)

    async def locker_pickup(self, locker: str, pickup_code: str) -> LockerPickupResult:
        """The compartment to open for a typed code (the locker's own device token). Raises
        QueueError 404 for a wrong code, 409 for a used one, 429 while the entry is locked."""
        body = _request_body(LockerPickup, pickup_code=pickup_code)
        response = await self.send("POST", f"/api/lockers/{locker}/pickups", body=body)
        return _parse(LockerPickupResult, response)

    # --- 预约取号 appointments -------------------------------------------------------------

    async def book_appointment(
        self,
        *,
        hall: str,
        category: str,
        day: date,
        slot: str,
        id_number: str,
        phone: str | None = None,
        matter: str | None = None,
        idempotency_key: str | None = None,
    ) -> AppointmentPublic:
        """Book a slot (an applicant: no token); the answer has the booking code and the
        matter's materials. The ID number travels only in the POST body."""
        body = _request_body(
            AppointmentCreate,
            hall=hall,
            category=category,
            day=day,
            slot=slot,
            id_number=id_number,
            phone=phone,
            matter=matter,
        )
        response = await self.send(
            "POST", "/api/public/appointments", body=body, idempotency_key=idempotency_key
        )
        return _parse(AppointmentPublic, response)

    async def appointment(self, code: str) -> AppointmentPublic:
        """The booking of a code, as its holder sees it (no token)."""
        return _parse(AppointmentPublic, await self.send("GET", f"/api/public/appointments/{code}"))

    async def cancel_appointment(self, code: str) -> AppointmentPublic:
        """Cancel a booking until `cancel_hours` before its slot (no token)."""
        response = await self.send("POST", f"/api/public/appointments/{code}/cancel")
        return _parse(AppointmentPublic, response)

    async def day_appointments(
        self, *, day: date | None = None, category: str | None = None
    ) -> list[AppointmentSlotBookings]:
        """A day's slots with their bookings and check-ins (the hall's staff); today by
        default, every category that takes bookings unless one is named."""
        params = _params({"day": day.isoformat() if day else None, "category": category})
        response = await self.send("GET", "/api/appointments", params=params)
        return _parse_list(_APPOINTMENT_SLOTS, response)

    # --- journeys from 补件 to 出件 ----------------------------------------------------------

    async def return_with_code(self, return_code: str) -> TicketPublic:
        """The kiosk's 补件回执: a return ticket continuing the journey, or the 出件 ticket once
        the result is ready. Raises QueueError 404 for an unknown code, 409 saying why none."""
        body = _request_body(JourneyReturn, return_code=return_code)
        return await self._ticket("POST", "/api/journeys/return", body=body)

    async def journey(self, journey_id: int) -> JourneyPublic:
        """A journey with its visits and what was missing at each (staff)."""
        return _parse(JourneyPublic, await self.send("GET", f"/api/journeys/{journey_id}"))

    async def journeys(self, *, status: JourneyStatus | None = None) -> list[JourneyPublic]:
        """The hall's journeys, newest first (staff)."""
        response = await self.send("GET", "/api/journeys", params=_params({"status": status}))
        return _parse_list(_JOURNEYS, response)

    async def journey_ready(
        self, journey_id: int, *, collect_at: str = "window", idempotency_key: str | None = None
    ) -> JourneyPublic:
        """The result can be collected: at the 出件 window or from a smart locker."""
        body = _request_body(JourneyReady, collect_at=collect_at)
        response = await self.send(
            "POST",
            f"/api/journeys/{journey_id}/ready",
            body=body,
            idempotency_key=idempotency_key,
        )
        return _parse(JourneyPublic, response)

    # --- 好差评 evaluations ---------------------------------------------------------------

    async def evaluator_state(self, window_no: int) -> EvaluatorState:
        """What the window's evaluator tablet shows (evaluator, manager or admin token)."""
        return _parse(
            EvaluatorState, await self.send("GET", f"/api/windows/{window_no}/evaluation")
        )

    async def rate_at_window(
        self,
        window_no: int,
        ticket_id: int,
        level: int,
        *,
        reasons: list[str] | None = None,
        comment: str | None = None,
    ) -> EvaluationPublic:
        """Rate the service just finished at the window (the evaluator tablet's token)."""
        body = _request_body(
            WindowEvaluationSubmit,
            ticket_id=ticket_id,
            level=level,
            reasons=reasons or [],
            comment=comment,
        )
        response = await self.send("POST", f"/api/windows/{window_no}/evaluation", body=body)
        return _parse(EvaluationPublic, response)

    async def public_evaluation(self, public_code: str) -> PublicEvaluationState:
        """Whether the ticket behind a status-page code can be rated, and its rating."""
        response = await self.send("GET", f"/api/public/tickets/{public_code}/evaluation")
        return _parse(PublicEvaluationState, response)

    async def rate_ticket(
        self,
        public_code: str,
        level: int,
        *,
        reasons: list[str] | None = None,
        comment: str | None = None,
    ) -> EvaluationPublic:
        """The applicant's own rating, by status-page code: use a client without a token
        (staff and device tokens are refused)."""
        body = _request_body(EvaluationSubmit, level=level, reasons=reasons or [], comment=comment)
        response = await self.send(
            "POST", f"/api/public/tickets/{public_code}/evaluation", body=body
        )
        return _parse(EvaluationPublic, response)

    async def evaluations(
        self,
        *,
        day_from: date | None = None,
        day_to: date | None = None,
        level: int | None = None,
        window_no: int | None = None,
        defaulted: bool | None = None,
    ) -> list[EvaluationPublic]:
        """Evaluations of the tickets served in a period, newest first (managers, admins)."""
        params = _params(
            {
                "from": day_from,
                "to": day_to,
                "level": level,
                "window_no": window_no,
                "defaulted": defaulted,
            }
        )
        response = await self.send("GET", "/api/evaluations", params=params)
        return _parse_list(_EVALUATIONS, response)

    # --- 办不成事 cases and follow-ups -------------------------------------------------------

    async def cases(
        self,
        *,
        kind: CaseKind | None = None,
        status: CaseStatus | None = None,
        case_class: CaseClass | None = None,
        owner: str | None = None,
        overdue: bool | None = None,
        ticket_id: int | None = None,
        opened_from: date | None = None,
        opened_to: date | None = None,
    ) -> list[CasePublic]:
        """The cases this account may see, soonest due first; `owner="me"` for one's own."""
        params = _params(
            {
                "kind": kind,
                "status": status,
                "case_class": case_class,
                "owner": owner,
                "overdue": overdue,
                "ticket_id": ticket_id,
                "opened_from": opened_from,
                "opened_to": opened_to,
            }
        )
        return _parse_list(_CASES, await self.send("GET", "/api/cases", params=params))

    async def case(self, case_id: int) -> CaseDetail:
        return _parse(CaseDetail, await self.send("GET", f"/api/cases/{case_id}"))

    async def open_case(
        self,
        summary: str,
        *,
        ticket_id: int | None = None,
        case_class: CaseClass | None = None,
        category: str | None = None,
        matter: str | None = None,
        contact: str | None = None,
    ) -> CaseDetail:
        """Open a 办不成事 case at the desk (a clerk signed in there, or a manager)."""
        body = _request_body(
            CaseOpen,
            summary=summary,
            ticket_id=ticket_id,
            case_class=case_class,
            category=category,
            matter=matter,
            contact=contact,
        )
        return _parse(CaseDetail, await self.send("POST", "/api/cases", body=body))

    async def classify_case(
        self, case_id: int, case_class: CaseClass, *, note: str | None = None
    ) -> CaseDetail:
        body = _request_body(CaseClassify, case_class=case_class, note=note)
        return await self._case_step(case_id, "classify", body)

    async def assign_case(
        self,
        case_id: int,
        *,
        owner: str | None = None,
        department: str | None = None,
        note: str | None = None,
    ) -> CaseDetail:
        """转办 to an owner (login name) and/or a department."""
        body = _request_body(CaseAssign, owner=owner, department=department, note=note)
        return await self._case_step(case_id, "assign", body)

    async def log_case_action(
        self, case_id: int, note: str, *, kind: CaseLogKind = CaseLogKind.NOTE
    ) -> CaseDetail:
        """Add a note, a call-back (回访电话) or a fix (整改) to the case's log."""
        body = _request_body(CaseLogRequest, note=note, kind=kind)
        return await self._case_step(case_id, "actions", body)

    async def close_case(
        self,
        case_id: int,
        resolution: CaseResolution,
        reply: str,
        *,
        reason: str | None = None,
    ) -> CaseDetail:
        """办结 with the reply; `not_possible` needs `reason`."""
        body = _request_body(CaseClose, resolution=resolution, reply=reply, reason=reason)
        return await self._case_step(case_id, "close", body)

    async def case_feedback(self, case_id: int, note: str) -> CaseDetail:
        """反馈: the reply has reached the applicant."""
        return await self._case_step(case_id, "feedback", _request_body(CaseFeedback, note=note))

    async def case_follow_up(
        self, case_id: int, note: str, *, level: int | None = None
    ) -> CaseDetail:
        """回访, ending the case; `level` is the applicant's (re-)rating."""
        body = _request_body(CaseFollowUp, note=note, level=level)
        return await self._case_step(case_id, "follow-up", body)

    async def _case_step(self, case_id: int, step: str, body: BaseModel) -> CaseDetail:
        return _parse(
            CaseDetail, await self.send("POST", f"/api/cases/{case_id}/{step}", body=body)
        )

    # --- 市域通办 cross-region cases ---------------------------------------------------------

    async def cross_region_cases(
        self,
        *,
        hall_role: HallRole | None = None,
        status: CrossRegionStatus | None = None,
        overdue: bool | None = None,
        code: str | None = None,
    ) -> list[CrossRegionCasePublic]:
        """The cases involving the hall (as receiving, owning or delivering hall), open cases
        first, soonest due first."""
        params = _params(
            {"hall_role": hall_role, "status": status, "overdue": overdue, "code": code}
        )
        response = await self.send("GET", "/api/cross-region-cases", params=params)
        return _parse_list(_CROSS_REGION_CASES, response)

    async def cross_region_case(self, case_id: int) -> CrossRegionCaseDetail:
        """One case with its steps and log (staff of a hall involved in it)."""
        response = await self.send("GET", f"/api/cross-region-cases/{case_id}")
        return _parse(CrossRegionCaseDetail, response)

    async def open_cross_region_case(
        self,
        ticket_id: int,
        *,
        matter: str,
        owner_hall: str,
        mode: CrossRegionMode,
        delivery: Delivery,
        pickup_hall: str | None = None,
        mail_address: str | None = None,
        idempotency_key: str | None = None,
    ) -> CrossRegionCaseDetail:
        """Open a case from a ticket of the receiving hall (the one at the clerk's window)."""
        body = _request_body(
            CrossRegionOpen,
            ticket_id=ticket_id,
            matter=matter,
            owner_hall=owner_hall,
            mode=mode,
            delivery=delivery,
            pickup_hall=pickup_hall,
            mail_address=mail_address,
        )
        response = await self.send(
            "POST", "/api/cross-region-cases", body=body, idempotency_key=idempotency_key
        )
        return _parse(CrossRegionCaseDetail, response)

    async def forward_cross_region_case(
        self,
        case_id: int,
        channel: ForwardChannel,
        *,
        tracking_no: str | None = None,
        idempotency_key: str | None = None,
    ) -> CrossRegionCaseDetail:
        """流转 (receiving hall): send the materials on; `mail` needs `tracking_no`."""
        body = _request_body(CrossRegionForward, channel=channel, tracking_no=tracking_no)
        return await self._cross_region_step(case_id, "forward", body, idempotency_key)

    async def accept_cross_region_case(
        self, case_id: int, *, idempotency_key: str | None = None
    ) -> CrossRegionCaseDetail:
        """受理 (owning hall)."""
        body = _request_body(CrossRegionAccept)
        return await self._cross_region_step(case_id, "accept", body, idempotency_key)

    async def return_cross_region_case(
        self,
        case_id: int,
        materials: list[str],
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
    ) -> CrossRegionCaseDetail:
        """补正 (owning hall): every missing or incorrect material at once (一次告知).

        (`POST …/return`; the method cannot be called `return`.)"""
        body = _request_body(CrossRegionReturn, materials=materials, note=note)
        return await self._cross_region_step(case_id, "return", body, idempotency_key)

    async def resubmit_cross_region_case(
        self, case_id: int, *, idempotency_key: str | None = None
    ) -> CrossRegionCaseDetail:
        """The receiving hall forwards the corrected materials."""
        body = _request_body(CrossRegionResubmit)
        return await self._cross_region_step(case_id, "resubmit", body, idempotency_key)

    async def decide_cross_region_case(
        self,
        case_id: int,
        result: Decision,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> CrossRegionCaseDetail:
        """办理 (owning hall): approved, or rejected with its reason."""
        body = _request_body(CrossRegionDecide, result=result, reason=reason)
        return await self._cross_region_step(case_id, "decide", body, idempotency_key)

    async def deliver_cross_region_case(
        self,
        case_id: int,
        channel: Delivery,
        *,
        tracking_no: str | None = None,
        idempotency_key: str | None = None,
    ) -> CrossRegionCaseDetail:
        """送达: handed over at the pickup hall, or mailed by the owning hall (`tracking_no`)."""
        body = _request_body(CrossRegionDeliver, channel=channel, tracking_no=tracking_no)
        return await self._cross_region_step(case_id, "deliver", body, idempotency_key)

    async def _cross_region_step(
        self, case_id: int, step: str, body: BaseModel, idempotency_key: str | None
    ) -> CrossRegionCaseDetail:
        response = await self.send(
            "POST",
            f"/api/cross-region-cases/{case_id}/{step}",
            body=body,
            idempotency_key=idempotency_key,
        )
        return _parse(CrossRegionCaseDetail, response)

    async def stats(
        self, *, start: date, end: date, group_by: StatsGroupBy = "category"
    ) -> StatsReport:
        """Figures for the service days start..end (managers and admins)."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "group_by": group_by}
        return _parse(StatsReport, await self.send("GET", "/api/stats", params=params))

    async def live_stats(self) -> LiveStats:
        """Queues, windows, today's alerts and today's figures now."""
        return _parse(LiveStats, await self.send("GET", "/api/stats/live"))

    async def tidal_suggestion(self) -> TidalSuggestionPublic | None:
        """The 潮汐 switch worth making now, or None."""
        response = await self.send("GET", "/api/tidal/suggestion")
        with _decoding(response):
            return _TIDAL_SUGGESTION.validate_json(response.content)

    async def start_tidal(
        self, window_no: int, category: str, minutes: int, *, idempotency_key: str | None = None
    ) -> TidalSwitchPublic:
        """Switch a window to one of its `also_serves` categories for `minutes` (潮汐)."""
        body = _request_body(TidalRequest, category=category, minutes=minutes)
        response = await self.send(
            "POST", f"/api/windows/{window_no}/tidal", body=body, idempotency_key=idempotency_key
        )
        return _parse(TidalSwitchPublic, response)

    async def end_tidal(
        self, window_no: int, *, idempotency_key: str | None = None
    ) -> TidalSwitchPublic:
        """End a window's 潮汐 switch by hand."""
        response = await self.send(
            "DELETE", f"/api/windows/{window_no}/tidal", idempotency_key=idempotency_key
        )
        return _parse(TidalSwitchPublic, response)

    async def export_stats(
        self,
        *,
        start: date,
        end: date,
        group_by: StatsGroupBy = "category",
        format: str = "csv",
    ) -> bytes:
        """The figures of `stats()` as a CSV or XLSX file's bytes."""
        params = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "group_by": group_by,
            "format": format,
        }
        return (await self.send("GET", "/api/stats/export", params=params)).content

    async def self_service_stats(self, *, start: date, end: date) -> SelfServiceStatsReport:
        """The 24-hour self-service zone's figures for start..end: the client's hall (with
        its devices), or every hall and the city's total for a city-wide caller without a
        hall chosen (managers and admins)."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        response = await self.send("GET", "/api/stats/self-service", params=params)
        return _parse(SelfServiceStatsReport, response)

    async def export_self_service_stats(
        self, *, start: date, end: date, format: str = "csv"
    ) -> bytes:
        """The figures of `self_service_stats()` as a CSV or XLSX file's bytes."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "format": format}
        return (await self.send("GET", "/api/stats/self-service/export", params=params)).content

    async def one_visit_stats(self, *, start: date, end: date) -> OneVisitStatsReport:
        """一次办成率 for start..end per category and matter: the client's hall, or every hall
        and the city's total for a city-wide caller without a hall chosen."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        return _parse(
            OneVisitStatsReport, await self.send("GET", "/api/stats/journeys", params=params)
        )

    async def export_one_visit_stats(self, *, start: date, end: date, format: str = "csv") -> bytes:
        """The figures of `one_visit_stats()` as a CSV or XLSX file's bytes."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "format": format}
        return (await self.send("GET", "/api/stats/journeys/export", params=params)).content

    async def appointment_stats(self, *, start: date, end: date) -> AppointmentStatsReport:
        """预约 figures for start..end per hall and category: bookings by outcome, waits of
        appointment against walk-in tickets; callers as for `self_service_stats()`."""
        params = {"from": start.isoformat(), "to": end.isoformat()}
        response = await self.send("GET", "/api/stats/appointments", params=params)
        return _parse(AppointmentStatsReport, response)

    async def export_appointment_stats(
        self, *, start: date, end: date, format: str = "csv"
    ) -> bytes:
        """The figures of `appointment_stats()` as a CSV or XLSX file's bytes."""
        params = {"from": start.isoformat(), "to": end.isoformat(), "format": format}
        return (await self.send("GET", "/api/stats/appointments/export", params=params)).content

    async def _ticket(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        idempotency_key: str | None = None,
    ) -> TicketPublic:
        response = await self.send(method, path, body=body, idempotency_key=idempotency_key)
        return _parse(TicketPublic, response)

    async def _window(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        idempotency_key: str | None = None,
    ) -> WindowPublic:
        response = await self.send(method, path, body=body, idempotency_key=idempotency_key)
        return _parse(WindowPublic, response)

    def websocket_url(self, *, since: int | None = None) -> str:
        """The live feed's address: `ws(s)://…/ws?token=…&since=…`."""
        url = httpx.URL(self.base_url)
        params: dict[str, str] = {}
        if self.token is not None:
            params["token"] = self.token
        if since is not None:
            params["since"] = str(since)
        if self.hall_code is not None:
            params["hall"] = self.hall_code
        return str(
            url.copy_with(
                scheme="wss" if url.scheme == "https" else "ws",
                path=url.path.rstrip("/") + "/ws",
                params=params,
            )
        )

    def subscribe(
        self,
        *,
        since: int | None = None,
        heartbeat_seconds: float = 15.0,
        initial_delay: float = 0.2,
        max_delay: float = 5.0,
    ) -> "Subscription":
        """The live feed of the hall, reconnecting by itself; see `Subscription`.

        `since` resumes after that seq (the server sends a snapshot when it no longer holds the
        events). `heartbeat_seconds` is the server's heartbeat interval: a link silent for
        2.5 times as long is dropped and reopened. Reconnects wait `initial_delay`, doubling
        up to `max_delay`, with jitter.
        """
        subscription = Subscription(
            self,
            since=since,
            dead_after=DEAD_LINK_FACTOR * heartbeat_seconds,
            initial_delay=initial_delay,
            max_delay=max_delay,
        )
        self._subscriptions.add(subscription)
        return subscription

    def _forget(self, subscription: "Subscription") -> None:
        self._subscriptions.discard(subscription)


class Subscription:
    """An endless async iterator over the hall's live feed.

    Yields `SnapshotMessage` (the whole hall; after it, rebuild the view from scratch),
    `EventMessage` in strictly increasing `seq` order, `HeartbeatMessage` (the link is alive)
    and `ConnectionState` (the link opened, or was lost and will be retried). After a loss it
    reconnects with `since=last_seq`, so it receives exactly the events it missed, or a fresh
    snapshot; an event whose seq it has already passed is dropped, never yielded twice. It
    stops only when closed (`aclose`, `async with`) and raises `Unauthorised` when the server
    rejects the token (close code 4401), since retrying would not help.
    """

    def __init__(
        self,
        client: QueueClient,
        *,
        since: int | None,
        dead_after: float,
        initial_delay: float,
        max_delay: float,
    ) -> None:
        self.last_seq = since
        """The seq of the last snapshot or event yielded; the next reconnect resumes there."""
        self._client = client
        self._dead_after = dead_after
        self._initial_delay = initial_delay
        self._max_delay = max_delay
        self._websocket: ClientConnection | None = None
        self._failures = 0
        self._wait = 0.0
        self._closed = False
        self._refusal: str | None = None

    @property
    def connected(self) -> bool:
        return self._websocket is not None

    def __aiter__(self) -> Self:
        return self

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        self._client._forget(self)
        websocket, self._websocket = self._websocket, None
        if websocket is not None:
            await _close(websocket)

    async def __anext__(self) -> SubscriptionItem:
        while not self._closed:
            if self._websocket is None:
                return await self._connect()
            item = await self._receive(self._websocket)
            if item is not None:
                return item
        raise StopAsyncIteration

    async def _connect(self) -> ConnectionState:
        if self._wait:
            await asyncio.sleep(self._wait)
        url = self._client.websocket_url(since=self.last_seq)
        try:
            websocket = await connect(
                url,
                open_timeout=self._client.timeout,
                close_timeout=CLOSE_TIMEOUT_SECONDS,
            )
        except InvalidStatus as error:
            if error.response.status_code in (401, 403):
                raise Unauthorised(
                    error.response.status_code, "令牌无效或已过期，请重新登录", "unauthenticated"
                ) from error
            return self._lost(f"服务器拒绝连接：HTTP {error.response.status_code}")
        except (OSError, TimeoutError, WebSocketException) as error:
            return self._lost(f"无法连接服务器：{error!r}")
        if self._closed:
            await _close(websocket)
            raise StopAsyncIteration
        self._websocket = websocket
        return ConnectionState(connected=True)

    async def _receive(self, websocket: ClientConnection) -> SubscriptionItem | None:
        try:
            raw = await asyncio.wait_for(websocket.recv(), self._dead_after)
        except TimeoutError:
            self._websocket = None
            with contextlib.suppress(WebSocketException, OSError):
                await _close(websocket)
            return self._lost(f"{self._dead_after:g} 秒未收到服务器消息，连接已断开")
        except ConnectionClosed as closed:
            self._websocket = None
            if closed.rcvd is not None and closed.rcvd.code == CLOSE_UNAUTHENTICATED:
                raise Unauthorised(
                    401,
                    self._refusal or "令牌无效或已过期，请重新登录",
                    closed.rcvd.reason or "unauthenticated",
                ) from closed
            if closed.rcvd is not None and 4400 <= closed.rcvd.code < 4500:
                raise QueueError(
                    closed.rcvd.code - 4000,
                    self._refusal or "服务器拒绝了此连接",
                    closed.rcvd.reason or "refused",
                ) from closed
            if self._closed:
                return None
            return self._lost(f"与服务器的连接已断开：{closed}")
        self._failures = 0
        return self._accept(raw)

    def _accept(self, raw: str | bytes) -> SubscriptionItem | None:
        try:
            data = json.loads(raw)
        except ValueError:
            log.warning("ignoring a message that is not JSON: %.200r", raw)
            return None
        if not isinstance(data, dict):
            log.warning("ignoring a message that is not a JSON object: %.200r", raw)
            return None
        if data.get("type") == "error":
            self._refusal = str(data.get("detail") or "") or None
            return None
        try:
            message = parse_server_message(data)
        except ValidationError:
            log.warning("ignoring a message this client does not understand: %.200r", raw)
            return None
        if isinstance(message, SnapshotMessage):
            self.last_seq = message.seq
        elif isinstance(message, EventMessage):
            if self.last_seq is not None and message.seq <= self.last_seq:
                return None
            self.last_seq = message.seq
        return message

    def _lost(self, error: str) -> ConnectionState:
        self._failures += 1
        self._wait = backoff_delay(
            self._failures, initial=self._initial_delay, maximum=self._max_delay
        )
        log.info("live feed lost (%s); reconnecting in %.2f s", error, self._wait)
        return ConnectionState(connected=False, error=error, retry_in=self._wait)
