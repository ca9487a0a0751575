"""一键求助: kiosks and zone devices call staff; staff acknowledge; the watch escalates."""

from datetime import timedelta

from sqlmodel import Session, col, select

from queue_server.config import HallConfig
from queue_server.domain.enums import EventType, Role
from queue_server.domain.errors import Conflict, Forbidden, NotFound
from queue_server.domain.help import OpenHelp, unanswered, waited_minutes
from queue_server.models import HelpRequest, User
from queue_server.protocol import (
    ZONE_CATEGORY,
    ZONE_CATEGORY_NAME,
    AlertPublic,
    HelpRequestCreate,
    HelpRequestPublic,
)
from queue_server.services import journal
from queue_server.services.scope import Scope

LIST_LIMIT = 200
"""The most requests one list returns (newest first)."""


def device_label(hall: HallConfig, device: str | None) -> str | None:
    zone_device = hall.self_service.device_by_name.get(device) if device else None
    return zone_device.label if zone_device else None


def _where(hall: HallConfig, request: HelpRequest) -> str:
    """Where the button was pressed, in words: 社保自助终端（ss-shebao）, 取号机 kiosk-2."""
    label = device_label(hall, request.device)
    if label:
        return f"{label}（{request.device}）"
    return f"取号机 {request.device}" if request.device else "自助服务区"


def help_public(session: Session, hall: HallConfig, request: HelpRequest) -> HelpRequestPublic:
    if request.id is None:
        raise RuntimeError("a help request is public once stored")
    answered_by = session.get(User, request.acked_by) if request.acked_by is not None else None
    return HelpRequestPublic(
        id=request.id,
        device=request.device,
        device_label=device_label(hall, request.device),
        note=request.note,
        requested_at=request.requested_at,
        acked_at=request.acked_at,
        acked_by=(answered_by.display_name or answered_by.name) if answered_by else None,
        escalated=request.escalated_at is not None,
    )


def _alert(
    hall: HallConfig, request: HelpRequest, *, message: str, value: float, threshold: float
) -> AlertPublic:
    return AlertPublic(
        category=ZONE_CATEGORY,
        category_name=ZONE_CATEGORY_NAME,
        value=round(value, 3),
        threshold=threshold,
        device=request.device,
        device_label=device_label(hall, request.device),
        help_request_id=request.id,
        message=message,
    )


def _device_of(scope: Scope, wanted: str | None) -> str | None:
    """The device the request comes from. A kiosk or zone device token speaks for the devices
    it was issued for (by default its own name); an admin testing names a zone device or none."""
    principal = scope.caller
    if principal.role is Role.ADMIN:
        if wanted is not None and wanted not in scope.hall.self_service.device_by_name:
            raise NotFound(f"本大厅的自助服务区没有设备“{wanted}”")
        return wanted
    if wanted is None:
        return principal.name
    if wanted not in principal.devices:
        names = "、".join(f"“{device}”" for device in sorted(principal.devices))
        raise Forbidden(f"此令牌只能为设备{names}求助，不能为“{wanted}”")
    return wanted


def request_help(scope: Scope, body: HelpRequestCreate) -> HelpRequestPublic:
    """Store the request and raise `alert.help_requested` for every console of the hall. The
    note stays out of the event (boards and devices hear alerts too): staff read it in the
    list."""
    request = HelpRequest(
        hall=scope.code,
        device=_device_of(scope, body.device),
        note=body.note,
        token_name=scope.caller.name,
        requested_at=scope.now,
    )
    scope.session.add(request)
    scope.session.flush()
    journal.record(
        scope,
        type=EventType.ALERT_HELP_REQUESTED,
        alert=_alert(
            scope.hall,
            request,
            message=f"{_where(scope.hall, request)}有群众一键求助，请尽快前往",
            value=0.0,
            threshold=scope.hall.self_service.help_escalate_minutes * 60,
        ),
    )
    return help_public(scope.session, scope.hall, request)


def list_requests(scope: Scope, *, open_only: bool) -> list[HelpRequestPublic]:
    """The hall's help requests, newest first; `open_only`: those nobody acknowledged."""
    query = select(HelpRequest).where(HelpRequest.hall == scope.code)
    if open_only:
        query = query.where(col(HelpRequest.acked_at).is_(None))
    rows = scope.session.exec(
        query.order_by(col(HelpRequest.requested_at).desc(), col(HelpRequest.id).desc()).limit(
            LIST_LIMIT
        )
    ).all()
    return [help_public(scope.session, scope.hall, row) for row in rows]


def acknowledge(scope: Scope, request_id: int) -> HelpRequestPublic:
    """A staff member of the hall answers (`help.acknowledged`); only the first answer counts."""
    request = scope.session.get(HelpRequest, request_id)
    if request is None or request.hall != scope.code:
        raise NotFound(f"没有编号为{request_id}的求助")
    if request.acked_at is not None:
        raise Conflict(f"求助{request_id}已有工作人员响应")
    user_id = scope.caller.user_id
    staff = scope.session.get(User, user_id) if user_id is not None else None
    request.acked_at = scope.now
    request.acked_by = user_id
    scope.session.add(request)
    scope.session.flush()
    public = help_public(scope.session, scope.hall, request)
    journal.record_payload(scope, type=EventType.HELP_ACKNOWLEDGED, payload=public, clerk=staff)
    return public


def check_unanswered(scope: Scope, *, dry_run: bool = False) -> int:
    """Escalate, once each, the requests unanswered after `help_escalate_minutes`
    (`alert.help_unanswered`, in the caller's write transaction); `dry_run` only counts."""
    limit_minutes = scope.hall.self_service.help_escalate_minutes
    rows = {
        row.id: row
        for row in scope.session.exec(
            select(HelpRequest).where(
                HelpRequest.hall == scope.code,
                col(HelpRequest.acked_at).is_(None),
                col(HelpRequest.escalated_at).is_(None),
                col(HelpRequest.requested_at) <= scope.now - timedelta(minutes=limit_minutes),
            )
        ).all()
        if row.id is not None
    }
    due = unanswered(
        [OpenHelp(id, row.requested_at, escalated=False) for id, row in rows.items()],
        now=scope.now,
        after=timedelta(minutes=limit_minutes),
    )
    if dry_run:
        return len(due)
    for item in due:
        request = rows[item.id]
        request.escalated_at = scope.now
        scope.session.add(request)
        waited = waited_minutes(request.requested_at, scope.now)
        journal.record(
            scope,
            type=EventType.ALERT_HELP_UNANSWERED,
            alert=_alert(
                scope.hall,
                request,
                message=(
                    f"{_where(scope.hall, request)}的一键求助已等候{int(waited)}分钟无人响应，"
                    "请立即安排人员前往"
                ),
                value=waited * 60,
                threshold=limit_minutes * 60,
            ),
        )
    return len(due)
