"""The hall's 一件事 catalog, so kiosks and clerk consoles show the same list."""

from fastapi import APIRouter

from queue_server.api.deps import AnyoneHere
from queue_server.protocol import MatterPublic

router = APIRouter(prefix="/api/matters", tags=["matters"])


@router.get("", response_model=list[MatterPublic])
async def matters(here: AnyoneHere) -> list[MatterPublic]:
    return [matter.public() for matter in here.catalog.matters]
