"""Path and query parameters that refuse what pydantic would otherwise convert.

Path and query values arrive as text, which pydantic's lax mode reads generously: `0` as the
date 1970-01-01, `1.0` or `+1` as the number 1. docs/api.md promises 422 for a value of the
wrong type, so these validators let only the plain spelling through (`2026-03-02`, `17`).
Put one after the `Path`/`Query` in the `Annotated`, so that the bounds stay in the OpenAPI:
`Annotated[int, Path(ge=1, le=999), DIGITS_ONLY]`.
"""

import re

from pydantic import BeforeValidator

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WHOLE_NUMBER = re.compile(r"-?\d+")


def _plain_day(value: object) -> object:
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


def _plain_whole_number(value: object) -> object:
    if isinstance(value, str) and not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError("expected a whole number in digits")
    return value


ISO_DAY_ONLY = BeforeValidator(_plain_day)
"""A service day as `YYYY-MM-DD`, nothing else."""

DIGITS_ONLY = BeforeValidator(_plain_whole_number)
"""An id, number or limit in digits, nothing else."""
