"""`/board` and `/board/window/{n}`: the web boards for the hall's TVs.

The pages are static HTML shipped in `queue_server/web/board/`, their style sheet and script
in `web/board/assets/` (one static mount, `/board/board.css` and `/board/board.js`); the page
reads its device token from its own URL (`/board?token=…`) and follows `WS /ws`. The page
itself is only served to a board device, a manager or an admin: a TV with a wrong token shows
a readable refusal instead of an empty board. Pages, refusals and assets share one header
policy (`api/page_headers.PAGE_HEADERS`, the same as every page people see).
"""

from html import escape
from importlib.resources import files
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from queue_server.api.deps import (
    ROLE_LABELS,
    HallParameter,
    ResourcesDep,
    WindowNo,
    authenticate,
    resolve_hall,
)
from queue_server.api.page_headers import PAGE_HEADERS
from queue_server.api.responses import ERROR_RESPONSES, ERROR_SCHEMA
from queue_server.config import HallConfig
from queue_server.domain.enums import Role
from queue_server.domain.errors import DomainError, NotFound
from queue_server.errors import WrongRole, error_response, status_of

_ERROR_SCHEMA: Final = ERROR_SCHEMA
PAGE_ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    status: {
        "description": "JSON `{detail, code}`, or a short HTML page for a browser",
        "content": {
            "application/json": {"schema": _ERROR_SCHEMA},
            "text/html": {"schema": {"type": "string"}},
        },
    }
    for status in ERROR_RESPONSES
}
"""A refused page answers JSON, or HTML when the caller accepts `text/html`."""

router = APIRouter(tags=["boards"])

BOARD_VIEWERS: Final = (Role.BOARD, Role.MANAGER, Role.ADMIN)
PAGES: Final = files("queue_server").joinpath("web", "board")
ASSETS_PATH: Final = "/board"

_bearer = HTTPBearer(auto_error=False, description="A board device token")

TokenQuery = Annotated[str | None, Query(max_length=256, description="The board's device token")]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)]

REFUSAL_PAGE: Final = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>显示屏无法打开</title>
<link rel="stylesheet" href="/board/board.css"></head>
<body class="board-refusal"><div>{message}<small>{hint}</small></div></body></html>
"""


def _refusal(request: Request, error: DomainError) -> Response:
    status = status_of(error)
    if "text/html" in request.headers.get("accept", ""):
        hint = "请检查网址中的 token=（显示屏令牌）" if status in (401, 403) else ""
        page = REFUSAL_PAGE.format(message=escape(error.message), hint=escape(hint))
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        return HTMLResponse(page, status_code=status, headers={**PAGE_HEADERS, **headers})
    return error_response(status, error.message, error.code)


async def _check_viewer(
    resources: ResourcesDep,
    token: str | None,
    credentials: HTTPAuthorizationCredentials | None,
    hall: str | None,
) -> HallConfig:
    """The hall whose board the caller may open."""
    bearer = credentials.credentials if credentials is not None else None
    principal = await authenticate(resources, token or bearer)
    if principal.role not in BOARD_VIEWERS:
        names = "、".join(ROLE_LABELS[role] for role in BOARD_VIEWERS)
        raise WrongRole(f"{ROLE_LABELS[principal.role]}无权打开显示屏（仅限{names}）")
    return resolve_hall(resources.city, principal, hall)


def _page(name: str) -> HTMLResponse:
    return HTMLResponse(PAGES.joinpath(name).read_text(encoding="utf-8"), headers=PAGE_HEADERS)


@router.get("/board", response_class=HTMLResponse, responses=PAGE_ERRORS)
async def hall_board(
    request: Request,
    resources: ResourcesDep,
    credentials: Credentials,
    token: TokenQuery = None,
    hall: HallParameter = None,
) -> Response:
    """The hall board: the newest call, recent calls, every window, the queues."""
    try:
        await _check_viewer(resources, token, credentials, hall)
    except DomainError as error:
        return _refusal(request, error)
    return _page("hall.html")


@router.get("/board/window/{window_no}", response_class=HTMLResponse, responses=PAGE_ERRORS)
async def window_board(
    request: Request,
    resources: ResourcesDep,
    window_no: WindowNo,
    credentials: Credentials,
    token: TokenQuery = None,
    hall: HallParameter = None,
) -> Response:
    """One window's display: its current number, the clerk's name and 工号, or 暂停服务."""
    try:
        config = await _check_viewer(resources, token, credentials, hall)
        if window_no not in config.window_by_number:
            raise NotFound(f"本大厅没有 {window_no} 号窗口")
    except DomainError as error:
        return _refusal(request, error)
    return _page("window.html")


class BoardAssets(StaticFiles):
    """Public: the boards' style sheet and script (no data in them), under the pages' policy."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(PAGE_HEADERS)
        return response


def board_assets() -> BoardAssets:
    """The static app to mount at `ASSETS_PATH`, after the board pages' own routes."""
    return BoardAssets(packages=[("queue_server", "web/board/assets")])
