"""Device heartbeats (`POST /api/devices/{name}/heartbeat`), the list for managers, and the
zone devices' inspections and fault reports."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from queue_server.api.deps import DeviceHere, Here, ManagementHere, StaffHere
from queue_server.api.mutations import mutate
from queue_server.api.params import DIGITS_ONLY
from queue_server.protocol import (
    DeviceHeartbeat,
    DevicePublic,
    FaultReport,
    InspectionCreate,
    InspectionPublic,
    RepairCasePublic,
)
from queue_server.services import inspections, repairs
from queue_server.services.devices import list_devices, record_heartbeat

router = APIRouter(prefix="/api/devices", tags=["devices"])

DeviceName = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="The device's name, e.g. kiosk-entrance",
    ),
]


def offline_limit(here: Here) -> timedelta:
    return timedelta(seconds=here.resources.settings.device_offline_seconds)


@router.post("/{name}/heartbeat", response_model=DevicePublic)
async def heartbeat(
    name: DeviceName, body: DeviceHeartbeat, request: Request, here: DeviceHere
) -> Response:
    offline_after = offline_limit(here)
    return await mutate(
        request,
        here,
        lambda scope: record_heartbeat(scope, name, body, offline_after=offline_after),
    )


@router.get("", response_model=list[DevicePublic])
async def devices(here: ManagementHere) -> list[DevicePublic]:
    """Every device of the hall that ever reported, with its last state (`offline` when
    silent too long), and every device of the 24-hour zone, heard from or not."""
    offline_after = offline_limit(here)
    return await here.read(lambda scope: list_devices(scope, offline_after=offline_after))


@router.post("/{name}/inspections", status_code=201, response_model=InspectionPublic)
async def inspect(
    name: DeviceName, body: InspectionCreate, request: Request, here: StaffHere
) -> Response:
    """Staff of the hall inspect a zone device (巡检); a `fault` result opens its repair
    case, or finds the one open (`repair_id`)."""
    offline_after = offline_limit(here)
    return await mutate(
        request,
        here,
        lambda scope: inspections.inspect(scope, name, body, offline_after=offline_after),
        status_code=201,
    )


@router.get("/{name}/inspections", response_model=list[InspectionPublic])
async def inspections_of(
    name: DeviceName,
    here: StaffHere,
    limit: Annotated[int, Query(ge=1, le=500), DIGITS_ONLY] = 100,
) -> list[InspectionPublic]:
    """The device's inspections, newest first."""
    return await here.read(lambda scope: inspections.list_inspections(scope, name, limit=limit))


@router.post("/{name}/faults", status_code=201, response_model=RepairCasePublic)
async def report_fault(
    name: DeviceName, body: FaultReport, request: Request, here: StaffHere
) -> Response:
    """Staff report a fault of a zone device: its repair case (409 while one is open)."""
    offline_after = offline_limit(here)
    return await mutate(
        request,
        here,
        lambda scope: repairs.report_fault(
            scope, name, summary=body.summary, offline_after=offline_after
        ),
        status_code=201,
    )
