"""The window's evaluator page (好差评评价器) for the tablet facing the applicant:
`/rate/window/{n}?token=…`, static files shipped in the package."""

from functools import cache
from importlib.resources import files
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from queue_server.api.deps import (
    ROLE_LABELS,
    HallParameter,
    ResourcesDep,
    WindowNo,
    authenticate,
    resolve_hall,
)
from queue_server.api.page_headers import ASSET_HEADERS, PAGE_HEADERS
from queue_server.domain.enums import Role
from queue_server.errors import WrongRole
from queue_server.services.access import check_evaluator_window, load_window

router = APIRouter(tags=["evaluator page"])

PAGE_ROLES = frozenset({Role.EVALUATOR, Role.MANAGER, Role.ADMIN})
"""Managers and admins may open the page to check a tablet; only the tablet may rate."""

ASSETS: dict[str, str] = {
    "rate.css": "text/css; charset=utf-8",
    "rate.js": "text/javascript; charset=utf-8",
}
_bearer = HTTPBearer(auto_error=False)


@cache
def _asset(name: str) -> bytes:
    return files("queue_server").joinpath("web", "rate", name).read_bytes()


@router.get("/rate/window/{window_no}", response_class=Response)
async def evaluator_page(
    window_no: WindowNo,
    resources: ResourcesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    token: Annotated[str | None, Query(max_length=256, description="the tablet's token")] = None,
    hall: HallParameter = None,
) -> Response:
    """The page itself; the tablet's device token comes in the query (or a Bearer header)."""
    principal = await authenticate(
        resources, token or (credentials.credentials if credentials else None)
    )
    if principal.role not in PAGE_ROLES:
        raise WrongRole(
            f"{ROLE_LABELS[principal.role]}无权打开评价器（仅限评价器、管理人员、管理员）"
        )
    check_evaluator_window(principal, window_no)
    config = resolve_hall(resources.city, principal, hall)
    await resources.db.read(lambda session: load_window(session, config, window_no))
    return Response(
        _asset("index.html"), media_type="text/html; charset=utf-8", headers=PAGE_HEADERS
    )


@router.get("/rate/assets/{name}", response_class=Response)
async def evaluator_asset(name: Literal["rate.css", "rate.js"]) -> Response:
    """Public: the page's style and script (no data in them)."""
    return Response(_asset(name), media_type=ASSETS[name], headers=ASSET_HEADERS)
