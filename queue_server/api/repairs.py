"""Repair cases of the zone's devices: the list, and assign → fix → verify."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from queue_server.api.deps import MAX_DATABASE_ID, StaffHere
from queue_server.api.devices import offline_limit
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.domain.self_service import RepairStatus
from queue_server.protocol import RepairAssign, RepairCasePublic
from queue_server.services import repairs

router = APIRouter(prefix="/api/repairs", tags=["repairs"])

RepairId = Annotated[
    int, Path(ge=1, le=MAX_DATABASE_ID, description="The repair case's id"), DIGITS_ONLY
]


@router.get("", response_model=list[RepairCasePublic])
async def list_repairs(
    here: StaffHere,
    device: Annotated[str | None, Query(max_length=64)] = None,
    status: RepairStatus | None = None,
    open: Annotated[bool, Query(description="Only cases not verified yet")] = False,
    limit: Annotated[int, Query(ge=1, le=500), DIGITS_ONLY] = 200,
) -> list[RepairCasePublic]:
    """The hall's repair cases, newest first."""
    return await here.read(
        lambda scope: repairs.list_repairs(
            scope, device=device, status=status, open_only=open, limit=limit
        )
    )


@router.post("/{repair_id}/assign", response_model=RepairCasePublic)
async def assign(
    repair_id: RepairId, body: RepairAssign, request: Request, here: StaffHere
) -> Response:
    offline_after = offline_limit(here)
    return await mutate(
        request,
        here,
        lambda scope: repairs.take_step(
            scope, repair_id, "assign", offline_after=offline_after, assignee=body.assignee
        ),
    )


@router.post("/{repair_id}/fix", response_model=RepairCasePublic)
async def fix(repair_id: RepairId, request: Request, here: StaffHere) -> Response:
    offline_after = offline_limit(here)
    return await mutate(
        request,
        here,
        lambda scope: repairs.take_step(scope, repair_id, "fix", offline_after=offline_after),
    )


@router.post("/{repair_id}/verify", response_model=RepairCasePublic)
async def verify(repair_id: RepairId, request: Request, here: StaffHere) -> Response:
    """Verifying closes the case; the device shows 正常使用 again if it reports ok."""
    offline_after = offline_limit(here)
    return await mutate(
        request,
        here,
        lambda scope: repairs.take_step(scope, repair_id, "verify", offline_after=offline_after),
    )
