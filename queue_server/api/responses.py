"""The error answers every route may give, for the OpenAPI description.

`create_app` declares them once for the whole app (`FastAPI(responses=ERROR_RESPONSES)`), so
every route, whatever its router, documents the body `errors.py` really sends — and FastAPI's
own 422 schema (`HTTPValidationError`, never sent) is left out, since 422 is declared here.
A route may still override one status, as the board pages do for their HTML variant.
"""

from typing import Any

from queue_server.protocol import ErrorResponse

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}
