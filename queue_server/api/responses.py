"""The error answers every route may give, for the OpenAPI description."""

from typing import Any

from queue_server.protocol import ErrorResponse, ValidationErrorResponse

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 413, 429)},
    422: {"model": ValidationErrorResponse},
}
