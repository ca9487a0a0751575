"""The error answers every route may give, for the OpenAPI description.

`create_app` declares them once for the whole app (`FastAPI(responses=ERROR_RESPONSES)`), so
every route documents the body `errors.py` really sends, `ErrorResponse` as JSON — also on
routes that answer HTML or files when all goes well — and FastAPI's own 422 schema
(`HTTPValidationError`, never sent) is left out, since 422 is declared here. A route may
still override one status, as the board pages do for their HTML variant.
"""

from collections.abc import Callable
from typing import Any, Final

from fastapi import FastAPI

from queue_server.protocol import ErrorResponse

SCHEMA_REF: Final = "#/components/schemas/{model}"
ERROR_SCHEMA: Final = {"$ref": SCHEMA_REF.format(model=ErrorResponse.__name__)}
"""The error body, `{detail, code, errors?}`, as a reference into the OpenAPI components."""

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status in (400, 401, 403, 404, 409, 413, 422, 429)
}


def declare_error_schemas(app: FastAPI) -> None:
    """Add `ErrorResponse` (and the models it holds) to the app's OpenAPI components.

    FastAPI would register it from `{"model": ErrorResponse}`, but then files the body under
    the route's own media type (`text/html` for a page), which is not what errors send."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            body = ErrorResponse.model_json_schema(ref_template=SCHEMA_REF)
            schemas.update(body.pop("$defs", {}))
            schemas[ErrorResponse.__name__] = body
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it
