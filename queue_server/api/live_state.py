"""`GET /api/live-state`: the hall's live state in this process, checked against the database."""

from fastapi import APIRouter

from queue_server.api.deps import ManagementHere
from queue_server.protocol import LiveStatePublic
from queue_server.services.live_check import live_state_check

router = APIRouter(prefix="/api", tags=["hall"])


@router.get("/live-state", response_model=LiveStatePublic)
async def live_state(here: ManagementHere) -> LiveStatePublic:
    """Managers and admins: whether the state this process decides from (queues, counters,
    windows, recent service times) agrees with the database. It runs in the hall's writer,
    holding the hall's lock, after catching up with what other processes wrote."""
    return await here.write(live_state_check)
