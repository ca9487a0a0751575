"""The hall snapshot and the health check."""

from importlib.metadata import version

from fastapi import APIRouter

from queue_server.api.deps import Anyone, ResourcesDep
from queue_server.protocol import HallSnapshot, HealthResponse
from queue_server.services.views import hall_snapshot, last_seq

router = APIRouter(prefix="/api", tags=["hall"])


@router.get("/hall", response_model=HallSnapshot)
async def hall(_: Anyone, resources: ResourcesDep) -> HallSnapshot:
    now = resources.clock.now()
    return await resources.db.read(
        lambda session: hall_snapshot(session, hall=resources.hall, now=now)
    )


@router.get("/health", response_model=HealthResponse)
async def health(resources: ResourcesDep) -> HealthResponse:
    """Public: tells a load balancer or an installer that the server and its database answer."""
    seq = await resources.db.read(lambda session: last_seq(session))
    return HealthResponse(version=version("yimen"), database=resources.db.backend, seq=seq)
