"""The smart locker (智能文件柜): staff deposit a ready result into a compartment, the locker's
controller opens it for the right pickup code, and a result left too long raises an alert.

The pickup code is never written anywhere: not in the deposit row (only its random salt),
not in events (their payload carries no code), not in the log. It is derived again from the
server's secret key whenever it is needed (domain/locker.py)."""

import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_
from sqlmodel import Session, col, select

from queue_server.city import CityConfig
from queue_server.config import HallConfig
from queue_server.domain import locker as rules
from queue_server.domain.enums import EventType
from queue_server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable
from queue_server.domain.opening_hours import ALL_DAY
from queue_server.domain.self_service import DepositStatus, ZoneDeviceKind
from queue_server.models import CrossRegionCase, LockerCodeFailure, LockerDeposit, Ticket
from queue_server.protocol import (
    ZONE_CATEGORY,
    ZONE_CATEGORY_NAME,
    AlertPublic,
    LockerDepositCreate,
    LockerDepositPublic,
    LockerPickupPublic,
    LockerPublic,
)
from queue_server.self_service_config import ZoneDevice
from queue_server.services import journal, journeys
from queue_server.services.public_status import find_by_code
from queue_server.services.scope import Scope

Key = TypeVar("Key", str, int)

SALT_ATTEMPTS = 64
"""Fresh salts tried for a code no stored deposit of the locker has (1 in 10⁶ collide)."""
REPEAT_WINDOW = timedelta(days=30)
"""A code picked up this recently is answered "already picked up" (409), not "wrong"."""
NO_KEY = "服务器未设置密钥（YIMEN_SECRET_KEY），智能文件柜暂不可用"


def find_locker(hall: HallConfig, name: str) -> ZoneDevice:
    device = hall.self_service.device_by_name.get(name)
    if device is None or device.kind is not ZoneDeviceKind.LOCKER:
        raise NotFound(f"本大厅没有名为“{name}”的智能文件柜")
    return device


def _key(secret: bytes | None) -> bytes:
    if secret is None:
        raise Unavailable(NO_KEY)
    return secret


def code_of(deposit: LockerDeposit, secret: bytes) -> str:
    return rules.pickup_code(secret, hall=deposit.hall, locker=deposit.locker, salt=deposit.salt)


def _stored(session: Session, hall: str, locker: str) -> list[LockerDeposit]:
    return list(
        session.exec(
            select(LockerDeposit)
            .where(
                LockerDeposit.hall == hall,
                LockerDeposit.locker == locker,
                LockerDeposit.status == DepositStatus.STORED,
            )
            .order_by(col(LockerDeposit.compartment))
        ).all()
    )


def _labels(session: Session, deposit: LockerDeposit) -> tuple[str | None, str | None]:
    """The ticket's number and the 市域通办 case's code the deposit is for."""
    case = session.get(CrossRegionCase, deposit.case_id) if deposit.case_id else None
    ticket = session.get(Ticket, deposit.ticket_id) if deposit.ticket_id else None
    return (ticket.number if ticket else None), (case.code if case else None)


def deposit_public(
    session: Session, deposit: LockerDeposit, *, code: str | None = None
) -> LockerDepositPublic:
    """`code`: only for staff, only while stored; never for an event."""
    if deposit.id is None:
        raise RuntimeError("a deposit is flushed before it is shown")
    number, case_code = _labels(session, deposit)
    return LockerDepositPublic(
        id=deposit.id,
        locker=deposit.locker,
        compartment=deposit.compartment,
        status=deposit.status,
        pickup_code=code if deposit.status is DepositStatus.STORED else None,
        ticket_number=number,
        case_code=case_code,
        deposited_at=deposit.deposited_at,
        picked_up_at=deposit.picked_up_at,
    )


def list_lockers(scope: Scope) -> list[LockerPublic]:
    """The hall's lockers with the compartments in use, in the hall TOML's order."""
    lockers = [
        device for device in scope.hall.self_service.devices if device.kind is ZoneDeviceKind.LOCKER
    ]
    return [
        LockerPublic(
            name=device.name,
            label=device.label,
            compartments=device.compartments or 0,
            occupied=[row.compartment for row in _stored(scope.session, scope.code, device.name)],
        )
        for device in lockers
    ]


def _result_of(scope: Scope, body: LockerDepositCreate) -> tuple[int, int | None]:
    """The ticket (and case) the result belongs to: a ticket of this hall by its status-page
    code, or a 市域通办 case this hall delivers (shown on its original ticket's page)."""
    if (body.ticket_code is None) == (body.case_id is None):
        raise InvalidInput("请给出号票的查询码（ticket_code）或市域通办案件（case_id）之一")
    if body.case_id is not None:
        case = scope.session.get(CrossRegionCase, body.case_id)
        if case is None or case.delivering_hall != scope.code:
            raise NotFound("本大厅没有要出件的这一市域通办案件")
        return case.ticket_id, case.id
    try:
        ticket = find_by_code(scope.session, body.ticket_code or "")
    except NotFound:
        ticket = None
    if ticket is None or ticket.hall != scope.code or ticket.id is None:
        raise NotFound("本大厅没有这张号票，请核对查询码")
    return ticket.id, None


def deposit(
    scope: Scope, name: str, body: LockerDepositCreate, *, secret: bytes | None
) -> LockerDepositPublic:
    """Put a result into a free compartment; the answer carries its new pickup code."""
    device = find_locker(scope.hall, name)
    key = _key(secret)
    staff = scope.caller.user_id
    if staff is None:
        raise Forbidden("只有工作人员可以存件")
    if body.compartment > (device.compartments or 0):
        raise InvalidInput(f"{device.label}只有 1–{device.compartments} 号格口")
    ticket_id, case_id = _result_of(scope, body)
    stored = _stored(scope.session, scope.code, name)
    if any(row.compartment == body.compartment for row in stored):
        raise Conflict(f"{device.label}的 {body.compartment} 号格口已有物品，请换一个格口")
    taken = {code_of(row, key) for row in stored}
    for _ in range(SALT_ATTEMPTS):
        salt = secrets.token_hex(8)
        code = rules.pickup_code(key, hall=scope.code, locker=name, salt=salt)
        if code not in taken:
            break
    else:
        raise Conflict("未能生成不重复的取件码，请重试")
    row = LockerDeposit(
        hall=scope.code,
        locker=name,
        compartment=body.compartment,
        ticket_id=ticket_id,
        case_id=case_id,
        salt=salt,
        status=DepositStatus.STORED,
        deposited_at=scope.now,
        deposited_by=staff,
    )
    scope.session.add(row)
    scope.session.flush()
    journal.record_payload(
        scope,
        type=EventType.LOCKER_DEPOSITED,
        payload=deposit_public(scope.session, row),
        ticket_id=ticket_id if case_id is None else None,
    )
    return deposit_public(scope.session, row, code=code)


def list_deposits(
    scope: Scope, name: str, *, secret: bytes | None, status: DepositStatus | None
) -> list[LockerDepositPublic]:
    """The locker's deposits, stored ones first by compartment (with their codes, for staff
    to tell an applicant who lost the page), then the latest picked up."""
    find_locker(scope.hall, name)
    query = select(LockerDeposit).where(
        LockerDeposit.hall == scope.code, LockerDeposit.locker == name
    )
    if status is not None:
        query = query.where(LockerDeposit.status == status)
    rows = scope.session.exec(
        query.order_by(col(LockerDeposit.status).desc(), col(LockerDeposit.compartment))
    ).all()
    return [
        deposit_public(scope.session, row, code=code_of(row, secret) if secret else None)
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class PickupOutcome:
    """What a typed code did; the route answers after the transaction has committed (a wrong
    code is recorded even though the caller is refused)."""

    compartment: int | None = None
    already: bool = False
    locked_until: datetime | None = None


def _failures(session: Session, hall: str, locker: str, since: datetime) -> list[datetime]:
    return list(
        session.exec(
            select(LockerCodeFailure.at).where(
                LockerCodeFailure.hall == hall,
                LockerCodeFailure.locker == locker,
                col(LockerCodeFailure.at) > since,
            )
        ).all()
    )


def pickup(scope: Scope, name: str, code: str, *, secret: bytes | None) -> PickupOutcome:
    """The locker's controller checks a typed code: the compartment to open (recorded as
    picked up), or refused: locked, already picked up, or wrong (counted towards the lock)."""
    find_locker(scope.hall, name)
    if name not in scope.caller.devices | {scope.caller.name}:
        raise Forbidden(f"此令牌不属于智能文件柜“{name}”")
    key = _key(secret)
    session, now = scope.session, scope.now
    lookback = now - rules.WRONG_CODES_WINDOW - rules.LOCKOUT * 2
    until = rules.locked_until(_failures(session, scope.code, name, lookback), now=now)
    if until is not None:
        return PickupOutcome(locked_until=until)
    for row in _stored(session, scope.code, name):
        if rules.codes_match(code, code_of(row, key)):
            row.status = DepositStatus.PICKED_UP
            row.picked_up_at = now
            session.add(row)
            journal.record_payload(
                scope,
                type=EventType.LOCKER_PICKED_UP,
                payload=deposit_public(session, row),
                ticket_id=row.ticket_id if row.case_id is None else None,
            )
            journeys.collected_from_locker(scope, row.ticket_id)
            return PickupOutcome(compartment=row.compartment)
    recent = session.exec(
        select(LockerDeposit).where(
            LockerDeposit.hall == scope.code,
            LockerDeposit.locker == name,
            LockerDeposit.status == DepositStatus.PICKED_UP,
            col(LockerDeposit.picked_up_at) > now - REPEAT_WINDOW,
        )
    ).all()
    if any(rules.codes_match(code, code_of(row, key)) for row in recent):
        return PickupOutcome(already=True)
    session.add(LockerCodeFailure(hall=scope.code, locker=name, at=now))
    session.flush()
    failures = _failures(session, scope.code, name, lookback)
    return PickupOutcome(locked_until=rules.locked_until(failures, now=now))


def zone_hours_text(hall: HallConfig) -> str:
    hours = hall.self_service.hours
    return "24小时开放" if hours == ALL_DAY else f"每天 {hours.replace(',', '、')} 开放"


@dataclass(frozen=True, slots=True)
class WaitingPickups:
    """Results still in a locker, by status-page code and by journey."""

    by_code: dict[str, LockerPickupPublic]
    by_journey: dict[int, LockerPickupPublic]


def waiting_pickups(
    session: Session,
    *,
    city: CityConfig,
    codes: Collection[str],
    journey_ids: Collection[int],
    secret: bytes | None,
) -> WaitingPickups:
    """The newest result still in a locker for each status-page code (a ticket with that
    code, in whichever hall's locker: a 市域通办 case's result waits where it is delivered)
    and for each journey (any of its tickets), in one read."""
    if secret is None or not (codes or journey_ids):
        return WaitingPickups({}, {})
    rows = session.exec(
        select(LockerDeposit, Ticket.public_code, Ticket.journey_id)
        .join(Ticket, col(LockerDeposit.ticket_id) == col(Ticket.id))
        .where(
            LockerDeposit.status == DepositStatus.STORED,
            or_(col(Ticket.public_code).in_(codes), col(Ticket.journey_id).in_(journey_ids)),
        )
        .order_by(col(LockerDeposit.deposited_at).desc(), col(LockerDeposit.id).desc())
    ).all()
    newest_by_code: dict[str, LockerDeposit] = {}
    newest_by_journey: dict[int, LockerDeposit] = {}
    for deposit, code, journey_id in rows:
        if code in codes:
            newest_by_code.setdefault(code, deposit)
        if journey_id is not None and journey_id in journey_ids:
            newest_by_journey.setdefault(journey_id, deposit)
    return WaitingPickups(
        by_code=_shown(newest_by_code, city=city, secret=secret),
        by_journey=_shown(newest_by_journey, city=city, secret=secret),
    )


def _shown(
    rows: Mapping[Key, LockerDeposit], *, city: CityConfig, secret: bytes
) -> dict[Key, LockerPickupPublic]:
    views = {key: pickup_view(row, city=city, secret=secret) for key, row in rows.items()}
    return {key: view for key, view in views.items() if view is not None}


def pickup_view(
    row: LockerDeposit | None, *, city: CityConfig, secret: bytes
) -> LockerPickupPublic | None:
    """The applicant's view of a result stored in a locker, with its pickup code."""
    if row is None or row.hall not in city.codes:
        return None
    hall = city.hall(row.hall)
    device = hall.self_service.device_by_name.get(row.locker)
    return LockerPickupPublic(
        locker_label=device.label if device else row.locker,
        pickup_code=code_of(row, secret),
        zone_hours=zone_hours_text(hall),
        deposited_at=row.deposited_at,
    )


def _uncollected(scope: Scope) -> list[LockerDeposit]:
    days = scope.hall.self_service.locker_days
    return list(
        scope.session.exec(
            select(LockerDeposit)
            .where(
                LockerDeposit.hall == scope.code,
                LockerDeposit.status == DepositStatus.STORED,
                col(LockerDeposit.uncollected_alerted_at).is_(None),
                col(LockerDeposit.deposited_at) <= scope.now - timedelta(days=days),
            )
            .order_by(col(LockerDeposit.id))
        ).all()
    )


def uncollected_alert(scope: Scope, row: LockerDeposit) -> AlertPublic:
    days = scope.hall.self_service.locker_days
    device = scope.hall.self_service.device_by_name.get(row.locker)
    label = device.label if device else row.locker
    number, case_code = _labels(scope.session, row)
    whose = f"（{case_code or number}）" if (case_code or number) else ""
    return AlertPublic(
        category=ZONE_CATEGORY,
        category_name=ZONE_CATEGORY_NAME,
        value=round((scope.now - row.deposited_at).total_seconds() / 86400, 3),
        threshold=float(days),
        ticket_number=number,
        device=row.locker,
        device_label=label,
        deposit_id=row.id,
        message=(
            f"{label} {row.compartment} 号格口的办理结果{whose}已存放超过 {days} 天无人领取，"
            "请联系申请人"
        ),
    )


def check_uncollected(scope: Scope, *, dry_run: bool = False) -> int:
    """`alert.locker_uncollected` once per deposit left past `locker_days`."""
    due = _uncollected(scope)
    if dry_run:
        return len(due)
    for row in due:
        row.uncollected_alerted_at = scope.now
        scope.session.add(row)
        journal.record(
            scope,
            type=EventType.ALERT_LOCKER_UNCOLLECTED,
            category=ZONE_CATEGORY,
            alert=uncollected_alert(scope, row),
        )
    return len(due)
