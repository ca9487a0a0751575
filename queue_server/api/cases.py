"""The 办不成事 case desk and the follow-ups of bad reviews: `/api/cases`."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from queue_server.api.deps import MAX_DATABASE_ID, ResourcesDep, Staff
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY, ISO_DAY_ONLY
from queue_server.domain.cases import CaseClass, CaseKind, CaseStatus
from queue_server.protocol import (
    CaseAssign,
    CaseClassify,
    CaseClose,
    CaseDetail,
    CaseFeedback,
    CaseFollowUp,
    CaseLogRequest,
    CaseOpen,
    CasePublic,
)
from queue_server.services import cases

router = APIRouter(prefix="/api/cases", tags=["cases"])

CaseId = Annotated[int, Path(ge=1, le=MAX_DATABASE_ID, description="The case's id"), DIGITS_ONLY]


@router.get("", response_model=list[CasePublic])
async def list_cases(
    principal: Staff,
    resources: ResourcesDep,
    kind: CaseKind | None = None,
    status: CaseStatus | None = None,
    case_class: CaseClass | None = None,
    owner: Annotated[str | None, Query(max_length=64, description='login name, or "me"')] = None,
    overdue: bool | None = None,
    ticket_id: Annotated[int | None, Query(ge=1, le=MAX_DATABASE_ID), DIGITS_ONLY] = None,
    opened_from: Annotated[date | None, ISO_DAY_ONLY] = None,
    opened_to: Annotated[date | None, ISO_DAY_ONLY] = None,
) -> list[CasePublic]:
    """The cases the caller may see, soonest due first (at most 1000)."""
    now = resources.clock.now()
    return await resources.db.read(
        lambda session: cases.list_cases(
            session,
            hall=resources.hall,
            principal=principal,
            now=now,
            kind=kind,
            status=status,
            case_class=case_class,
            owner=owner,
            overdue=overdue,
            ticket_id=ticket_id,
            opened_from=opened_from,
            opened_to=opened_to,
        )
    )


@router.get("/{case_id}", response_model=CaseDetail)
async def get_case(case_id: CaseId, principal: Staff, resources: ResourcesDep) -> CaseDetail:
    now = resources.clock.now()
    return await resources.db.read(
        lambda session: cases.get_case(
            session, hall=resources.hall, principal=principal, case_id=case_id, now=now
        )
    )


@router.post("", status_code=201, response_model=CaseDetail)
async def open_case(
    body: CaseOpen, request: Request, principal: Staff, resources: ResourcesDep
) -> Response:
    """Open a 办不成事 case directly: a clerk signed in at the desk, or a manager."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.open_case(
            session=session, hall=resources.hall, principal=principal, request=body, now=now
        ),
        status_code=201,
    )


@router.post("/{case_id}/classify", response_model=CaseDetail)
async def classify(
    case_id: CaseId, body: CaseClassify, request: Request, principal: Staff, resources: ResourcesDep
) -> Response:
    """分类: the class sets the deadline, counted from the opening day."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.classify(
            session=session,
            hall=resources.hall,
            principal=principal,
            case_id=case_id,
            request=body,
            now=now,
        ),
    )


@router.post("/{case_id}/assign", response_model=CaseDetail)
async def assign(
    case_id: CaseId, body: CaseAssign, request: Request, principal: Staff, resources: ResourcesDep
) -> Response:
    """转办: to an owner (login name) and/or a department."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.assign(
            session=session,
            hall=resources.hall,
            principal=principal,
            case_id=case_id,
            request=body,
            now=now,
        ),
    )


@router.post("/{case_id}/actions", response_model=CaseDetail)
async def log_action(
    case_id: CaseId,
    body: CaseLogRequest,
    request: Request,
    principal: Staff,
    resources: ResourcesDep,
) -> Response:
    """Add to the case's log: a note, a call-back (回访电话) or a fix (整改)."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.log_action(
            session=session,
            hall=resources.hall,
            principal=principal,
            case_id=case_id,
            request=body,
            now=now,
        ),
    )


@router.post("/{case_id}/close", response_model=CaseDetail)
async def close(
    case_id: CaseId, body: CaseClose, request: Request, principal: Staff, resources: ResourcesDep
) -> Response:
    """办结 with the reply; `not_possible` needs its reason."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.close(
            session=session,
            hall=resources.hall,
            principal=principal,
            case_id=case_id,
            request=body,
            now=now,
        ),
    )


@router.post("/{case_id}/feedback", response_model=CaseDetail)
async def feedback(
    case_id: CaseId,
    body: CaseFeedback,
    request: Request,
    principal: Staff,
    resources: ResourcesDep,
) -> Response:
    """反馈: the reply has reached the applicant."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.feedback(
            session=session,
            hall=resources.hall,
            principal=principal,
            case_id=case_id,
            request=body,
            now=now,
        ),
    )


@router.post("/{case_id}/follow-up", response_model=CaseDetail)
async def follow_up(
    case_id: CaseId,
    body: CaseFollowUp,
    request: Request,
    principal: Staff,
    resources: ResourcesDep,
) -> Response:
    """回访: ends the case, with the applicant's (re-)rating."""
    return await mutate(
        request,
        resources,
        principal,
        lambda session, now: cases.follow_up(
            session=session,
            hall=resources.hall,
            principal=principal,
            case_id=case_id,
            request=body,
            now=now,
        ),
    )
