"""市域通办 cases: `/api/cross-region-cases`, opened in one hall, each step taken by its hall."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from queue_server.api.deps import MAX_DATABASE_ID, StaffHere
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.domain.cross_region import CrossRegionStatus, HallRole
from queue_server.protocol import (
    CrossRegionAccept,
    CrossRegionCaseDetail,
    CrossRegionCasePublic,
    CrossRegionDecide,
    CrossRegionDeliver,
    CrossRegionForward,
    CrossRegionOpen,
    CrossRegionResubmit,
    CrossRegionReturn,
)
from queue_server.services import cross_region

router = APIRouter(prefix="/api/cross-region-cases", tags=["cross-region"])

CaseId = Annotated[int, Path(ge=1, le=MAX_DATABASE_ID, description="The case's id"), DIGITS_ONLY]


@router.get("", response_model=list[CrossRegionCasePublic])
async def list_cases(
    here: StaffHere,
    hall_role: HallRole | None = None,
    status: CrossRegionStatus | None = None,
    overdue: bool | None = None,
    code: Annotated[str | None, Query(max_length=24, description="The case's code")] = None,
) -> list[CrossRegionCasePublic]:
    """The cases involving the caller's hall (as `hall_role`, or any role): open cases first,
    the soonest due first (at most 1000)."""
    return await here.read(
        lambda scope: cross_region.list_cases(
            scope, hall_role=hall_role, status=status, overdue=overdue, code=code
        )
    )


@router.get("/{case_id}", response_model=CrossRegionCaseDetail)
async def get_case(case_id: CaseId, here: StaffHere) -> CrossRegionCaseDetail:
    """The case with its log, for staff of a hall it involves."""
    return await here.read(lambda scope: cross_region.get_case(scope, case_id))


@router.post("", status_code=201, response_model=CrossRegionCaseDetail)
async def open_case(body: CrossRegionOpen, request: Request, here: StaffHere) -> Response:
    """收件: open a case from the ticket at the clerk's window (a manager: any of the hall's)."""
    city, catalog = here.resources.city, here.catalog
    return await mutate(
        request,
        here,
        lambda scope: cross_region.open_case(scope, body, city=city, catalog=catalog),
        status_code=201,
    )


@router.post("/{case_id}/forward", response_model=CrossRegionCaseDetail)
async def forward(
    case_id: CaseId, body: CrossRegionForward, request: Request, here: StaffHere
) -> Response:
    """转递 (receiving hall): electronically, or the paper originals by mail with a tracking no."""
    city = here.resources.city
    return await mutate(
        request, here, lambda scope: cross_region.forward(scope, case_id, body, city=city)
    )


@router.post("/{case_id}/accept", response_model=CrossRegionCaseDetail)
async def accept(
    case_id: CaseId, body: CrossRegionAccept, request: Request, here: StaffHere
) -> Response:
    """受理 (owning hall): the decision's clock starts."""
    city, catalog = here.resources.city, here.catalog
    return await mutate(
        request,
        here,
        lambda scope: cross_region.accept(scope, case_id, city=city, catalog=catalog),
    )


@router.post("/{case_id}/return", response_model=CrossRegionCaseDetail)
async def return_for_correction(
    case_id: CaseId, body: CrossRegionReturn, request: Request, here: StaffHere
) -> Response:
    """补正告知 (owning hall): every missing or incorrect material, once (一次告知)."""
    city = here.resources.city
    return await mutate(
        request,
        here,
        lambda scope: cross_region.return_for_correction(scope, case_id, body, city=city),
    )


@router.post("/{case_id}/resubmit", response_model=CrossRegionCaseDetail)
async def resubmit(
    case_id: CaseId, body: CrossRegionResubmit, request: Request, here: StaffHere
) -> Response:
    """补正转递 (receiving hall): the corrected materials go to the owning hall again."""
    city = here.resources.city
    return await mutate(
        request, here, lambda scope: cross_region.resubmit(scope, case_id, city=city)
    )


@router.post("/{case_id}/decide", response_model=CrossRegionCaseDetail)
async def decide(
    case_id: CaseId, body: CrossRegionDecide, request: Request, here: StaffHere
) -> Response:
    """办结 (owning hall): approved, or rejected with its reason."""
    city = here.resources.city
    return await mutate(
        request, here, lambda scope: cross_region.decide(scope, case_id, body, city=city)
    )


@router.post("/{case_id}/deliver", response_model=CrossRegionCaseDetail)
async def deliver(
    case_id: CaseId, body: CrossRegionDeliver, request: Request, here: StaffHere
) -> Response:
    """送达: handed over at the pickup hall's 出件 window, or mailed by the owning hall."""
    city = here.resources.city
    return await mutate(
        request, here, lambda scope: cross_region.deliver(scope, case_id, body, city=city)
    )
