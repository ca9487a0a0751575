"""Every error leaves the server as JSON `{detail, code}` with the right status; mapped once."""

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from queue_server.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotFound,
    Unavailable,
)
from queue_server.throttle import TooManyAttempts

log = logging.getLogger(__name__)

ROUTABLE_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    IllegalTransition: 409,
    Conflict: 409,
    Unavailable: 409,
    Forbidden: 403,
    InvalidInput: 422,
}


class Unauthenticated(DomainError):
    code = "unauthenticated"


class WrongRole(Forbidden):
    """The caller is known but their role may not use this route."""

    code = "wrong_role"


class WrongHall(Forbidden):
    """A hall-bound caller named another hall."""

    code = "wrong_hall"


class HallRequired(InvalidInput):
    """A city-wide caller did not say which hall a hall-scoped route should act on."""

    code = "hall_required"


def status_of(error: DomainError) -> int:
    if isinstance(error, Unauthenticated):
        return 401
    if isinstance(error, TooManyAttempts):
        return 429
    for kind, status in STATUS_BY_ERROR.items():
        if isinstance(error, kind):
            return status
    return 400


def error_response(
    status: int,
    detail: str,
    code: str,
    *,
    headers: Mapping[str, str] | None = None,
    fields: Mapping[str, object] | None = None,
    **extra: object,
) -> JSONResponse:
    """The one error body; `headers` are kept (a 405's `Allow`, a 401's `WWW-Authenticate`)."""
    sent = dict(headers or {})
    if status == 401:
        sent.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(
        {"detail": detail, "code": code, **(fields or {}), **extra},
        status_code=status,
        headers=sent or None,
    )


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path, for a 405's `Allow`. Starlette's own header
    names only the first route it tried (`POST` for `/api/tickets`, which also has `GET`)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in ROUTABLE_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    )


def _describe_validation(error: RequestValidationError) -> tuple[int, str]:
    problems = error.errors()
    if any(item.get("type") == "json_invalid" for item in problems):
        return 400, "请求体不是有效的 JSON"
    parts = []
    for item in problems:
        location = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        message = str(item.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{location}: {message}")
    return 422, "请求参数有误：" + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, error: DomainError) -> JSONResponse:
        response = error_response(
            status_of(error), error.message, error.code, fields=error.details()
        )
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        status, detail = _describe_validation(error)
        errors = [
            {
                "loc": list(item.get("loc", ())),
                "msg": str(item.get("msg", "")),
                "type": item.get("type"),
            }
            for item in error.errors()
        ]
        return error_response(status, detail, "invalid_request", errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return error_response(500, "服务器内部错误，操作未完成，请重试", "internal_error")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return error_response(error.status_code, str(error.detail), "http_error", headers=headers)
