"""The 办不成事 case desk and the follow-ups of bad reviews: `/api/cases`."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from queue_server.api.deps import MAX_DATABASE_ID, StaffHere
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
    here: StaffHere,
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
    return await here.read(
        lambda scope: cases.list_cases(
            scope,
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
async def get_case(case_id: CaseId, here: StaffHere) -> CaseDetail:
    return await here.read(lambda scope: cases.get_case(scope, case_id))


@router.post("", status_code=201, response_model=CaseDetail)
async def open_case(body: CaseOpen, request: Request, here: StaffHere) -> Response:
    """Open a 办不成事 case directly: a clerk signed in at the desk, or a manager."""
    return await mutate(request, here, lambda scope: cases.open_case(scope, body), status_code=201)


@router.post("/{case_id}/classify", response_model=CaseDetail)
async def classify(
    case_id: CaseId, body: CaseClassify, request: Request, here: StaffHere
) -> Response:
    """分类: the class sets the deadline, counted from the opening day."""
    return await mutate(request, here, lambda scope: cases.classify(scope, case_id, body))


@router.post("/{case_id}/assign", response_model=CaseDetail)
async def assign(case_id: CaseId, body: CaseAssign, request: Request, here: StaffHere) -> Response:
    """转办: to an owner (login name) and/or a department."""
    return await mutate(request, here, lambda scope: cases.assign(scope, case_id, body))


@router.post("/{case_id}/actions", response_model=CaseDetail)
async def log_action(
    case_id: CaseId, body: CaseLogRequest, request: Request, here: StaffHere
) -> Response:
    """Add to the case's log: a note, a call-back (回访电话) or a fix (整改)."""
    return await mutate(request, here, lambda scope: cases.log_action(scope, case_id, body))


@router.post("/{case_id}/close", response_model=CaseDetail)
async def close(case_id: CaseId, body: CaseClose, request: Request, here: StaffHere) -> Response:
    """办结 with the reply; `not_possible` needs its reason."""
    return await mutate(request, here, lambda scope: cases.close(scope, case_id, body))


@router.post("/{case_id}/feedback", response_model=CaseDetail)
async def feedback(
    case_id: CaseId, body: CaseFeedback, request: Request, here: StaffHere
) -> Response:
    """反馈: the reply has reached the applicant."""
    return await mutate(request, here, lambda scope: cases.feedback(scope, case_id, body))


@router.post("/{case_id}/follow-up", response_model=CaseDetail)
async def follow_up(
    case_id: CaseId, body: CaseFollowUp, request: Request, here: StaffHere
) -> Response:
    """回访: ends the case, with the applicant's (re-)rating."""
    return await mutate(request, here, lambda scope: cases.follow_up(scope, case_id, body))
