"""The hall's 一件事 catalog, so kiosks and clerk consoles show the same list."""

from fastapi import APIRouter

from queue_server.api.deps import Anyone, ResourcesDep
from queue_server.protocol import MatterPublic

router = APIRouter(prefix="/api/matters", tags=["matters"])


@router.get("", response_model=list[MatterPublic])
async def matters(_: Anyone, resources: ResourcesDep) -> list[MatterPublic]:
    return [matter.public() for matter in resources.catalog.matters]
