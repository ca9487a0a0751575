"""Device heartbeats (`POST /api/devices/{name}/heartbeat`) and the list for managers."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from queue_server.api.deps import DeviceHere, ManagementHere
from queue_server.api.mutations import mutate
from queue_server.protocol import DeviceHeartbeat, DevicePublic
from queue_server.services.devices import list_devices, record_heartbeat

router = APIRouter(prefix="/api/devices", tags=["devices"])

DeviceName = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        description="The device's name, e.g. kiosk-entrance",
    ),
]


@router.post("/{name}/heartbeat", response_model=DevicePublic)
async def heartbeat(
    name: DeviceName, body: DeviceHeartbeat, request: Request, here: DeviceHere
) -> Response:
    offline_after = timedelta(seconds=here.resources.settings.device_offline_seconds)
    return await mutate(
        request,
        here,
        lambda scope: record_heartbeat(scope, name, body, offline_after=offline_after),
    )


@router.get("", response_model=list[DevicePublic])
async def devices(here: ManagementHere) -> list[DevicePublic]:
    """Every device of the hall that ever reported, with its last state; `offline` when
    silent too long."""
    offline_after = timedelta(seconds=here.resources.settings.device_offline_seconds)
    return await here.read(
        lambda scope: list_devices(
            scope.session, hall=scope.code, now=scope.now, offline_after=offline_after
        )
    )
