"""The hall snapshot and the health check."""

from datetime import timedelta
from importlib.metadata import version

from fastapi import APIRouter

from queue_server.api.deps import AnyoneHere, ResourcesDep
from queue_server.protocol import HallSnapshot, HealthResponse
from queue_server.services.accounts import STAFF_ROLES
from queue_server.services.views import hall_snapshot, newest_seq, public_snapshot

router = APIRouter(prefix="/api", tags=["hall"])


@router.get("/hall", response_model=HallSnapshot)
async def hall(here: AnyoneHere) -> HallSnapshot:
    """The whole hall; devices get it without what staff wrote (pause reasons, outcomes)."""
    offline_after = timedelta(seconds=here.resources.settings.device_offline_seconds)
    snapshot = await here.read(
        lambda scope: hall_snapshot(
            scope.session, hall=scope.hall, now=scope.now, offline_after=offline_after
        )
    )
    return snapshot if here.principal.role in STAFF_ROLES else public_snapshot(snapshot)


@router.get("/health", response_model=HealthResponse)
async def health(resources: ResourcesDep) -> HealthResponse:
    """Public: tells a load balancer or an installer that the server and its database answer."""
    seq = await resources.db.read(newest_seq)
    return HealthResponse(version=version("yimen"), database=resources.db.backend, seq=seq)
